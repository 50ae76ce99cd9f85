# bind-build: version-aware non-threaded BIND builds (issue 6).
# bind_table.c is the one version table; cluster-gen links it too.
BIND_TABLE_SRCS := bind-build/bind_table.c
BIND_SCAN_SRCS := bind-build/bind_scan.c

PROGRAMS += bind-build
bind-build_SRCS := bind-build/main.c bind-build/build.c bind-build/build_check.c bind-build/build_verify.c bind-build/run.c bind-build/tree.c $(BIND_SCAN_SRCS) \
                   $(BIND_TABLE_SRCS) $(LIB_SRCS)
SBIN_PROGRAMS += bind-build
MAN8 += docs/bind-build.8

UNIT_TESTS += test_bind_table
test_bind_table_SRCS := tests/unit/test_bind_table.c bind-build/tree.c $(BIND_SCAN_SRCS) $(BIND_TABLE_SRCS) $(LIB_SRCS)
test_bind_table_LIBS := -lcmocka

BATS_TESTS += tests/cli/bind-build.bats tests/cli/bind-build-run.bats

# cluster-gen's render_bind with the embedded templates. Recursive (=) on
# purpose: CLUSTER_GEN_CORE is defined by cluster-gen/module.mk, read later.
UNIT_TESTS += test_bind_render
test_bind_render_SRCS = tests/unit/test_bind_render.c $(CLUSTER_GEN_CORE)
test_bind_render_LIBS := -lcmocka -lconfuse
BATS_TESTS += tests/slow/bind-build-debian.bats  # SLOW: builds BIND 9.18 (1.5-4 min on 2 cores)

# Debian 12's BIND source for the slow test, fetched once by `make deps`
# (deb.debian.org, apt-get with a private configuration) so that the test
# itself talks only to loopback. The tarball's path goes into
# $(BIND_SOURCE)/tarball, written only after a complete download.
BIND_SOURCE := $(BUILD)/debian-bind9
DEPS_FETCH += bind-source
.PHONY: bind-source
bind-source:
	@t=$$(cat $(BIND_SOURCE)/tarball 2>/dev/null); \
	if [ -n "$$t" ] && [ -f "$$t" ]; then echo "bind-source: $$t (fetched before)"; exit 0; fi; \
	mkdir -p $(BIND_SOURCE) && \
	bind-build/fetch-debian-source $(CURDIR)/$(BIND_SOURCE) >$(BIND_SOURCE)/tarball.tmp && \
	mv $(BIND_SOURCE)/tarball.tmp $(BIND_SOURCE)/tarball && \
	echo "bind-source: $$(cat $(BIND_SOURCE)/tarball)"

BENCH_TARGETS += bench-bind-build
bench-bind-build: $(REL)/bind-build
	bind-build/bench-build $(REL)/bind-build
