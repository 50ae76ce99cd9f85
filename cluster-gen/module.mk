# cluster-gen: the generator.
GEN_DIR := $(BUILD)/gen
TEMPLATES := $(sort $(wildcard templates/*.mustache))

$(GEN_DIR)/embedded_templates.c: $(TEMPLATES) tools/embed-templates
	@mkdir -p $(@D)
	tools/embed-templates $@ $(TEMPLATES)

CLUSTER_GEN_CORE := cluster-gen/site.c cluster-gen/site_text.c cluster-gen/schema.c cluster-gen/parse.c cluster-gen/site_load.c cluster-gen/parse_realservers.c cluster-gen/parse_values.c cluster-gen/parse_errors.c cluster-gen/site_walk.c cluster-gen/site_walk_read.c cluster-gen/site_walk_value.c cluster-gen/site_repair.c cluster-gen/site_lex.c cluster-gen/site_hint.c cluster-gen/spelling.c \
	cluster-gen/validate.c cluster-gen/validate_check.c cluster-gen/validate_addrs.c cluster-gen/validate_realservers.c cluster-gen/validate_names.c cluster-gen/template.c cluster-gen/template_render.c cluster-gen/template_ctx.c cluster-gen/templates.c \
	cluster-gen/render.c cluster-gen/render_keepalived.c \
	cluster-gen/render_frr.c cluster-gen/frr_refs.c cluster-gen/frr_seq.c cluster-gen/render_lbsysctl.c \
	$(GEN_DIR)/embedded_templates.c $(LIB_SRCS)
CLUSTER_GEN_CORE += bind-build/bind_table.c cluster-gen/render_bind.c  # bind-build: one version table
CLUSTER_GEN_CORE += cluster-gen/render_realserver.c cluster-gen/render_dnat.c cluster-gen/render_named.c  # real servers

PROGRAMS += cluster-gen
SBIN_PROGRAMS += cluster-gen
cluster-gen_SRCS := cluster-gen/main.c cluster-gen/cmd_render.c cluster-gen/cmd_check.c \
	cluster-gen/cmd_diff.c cluster-gen/diff_actions.c cluster-gen/diff_facts.c cluster-gen/diff_rules.c cluster-gen/diff_text.c cluster-gen/unified_diff.c cluster-gen/checkers.c cluster-gen/checkers_prepare.c \
	cluster-gen/run_program.c \
	cluster-gen/cmd_list.c cluster-gen/cmd_get.c cluster-gen/inventory.c cluster-gen/cmd_graph.c cluster-gen/cmd_onboard.c \
	cluster-gen/onboard_install.c cluster-gen/onboard_tar.c \
	$(CLUSTER_GEN_CORE)
cluster-gen_LIBS := -lconfuse
MAN1 += docs/cluster-gen.1
MAN5 += docs/site.conf.5


BATS_TESTS += tests/cli/cluster-gen.bats tests/cli/site-check.bats tests/cli/templates.bats
BATS_TESTS += tests/cli/release.bats

# render -j under ThreadSanitizer: its threads share the site model and the
# output tree, so a data race there would be a wrong file now and then.
TSAN := $(BUILD)/tsan
$(TSAN)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g -fsanitize=thread $(CFLAGS) -MMD -MP -c $< -o $@
$(TSAN)/cluster-gen: $(patsubst %.c,$(TSAN)/obj/%.o,$(cluster-gen_SRCS))
	$(CC) -pthread -fsanitize=thread -o $@ $^ $(cluster-gen_LIBS)
CHECK_EXTRA += $(TSAN)/cluster-gen

# fuzz_site (libFuzzer, clang): any text through parse, validate and render;
# tests/cli/cluster-gen-fuzz.bats runs it in make check, `make fuzz` longer.
FUZZ_SITE_SRCS := tests/fuzz/fuzz_site.c $(CLUSTER_GEN_CORE)
$(BUILD)/fuzz/fuzz_site: $(FUZZ_SITE_SRCS) $(wildcard cluster-gen/*.h lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icluster-gen -pthread -o $@ $(FUZZ_SITE_SRCS) -lconfuse
# fuzz_walk: the walk of the text before libconfuse, held to libconfuse.
FUZZ_WALK_SRCS := tests/fuzz/fuzz_walk.c cluster-gen/site_walk.c cluster-gen/site_walk_read.c cluster-gen/site_walk_value.c cluster-gen/site_repair.c cluster-gen/site_lex.c \
	cluster-gen/site_hint.c cluster-gen/spelling.c cluster-gen/site_text.c cluster-gen/schema.c cluster-gen/parse_values.c \
	bind-build/bind_table.c $(LIB_SRCS)
$(BUILD)/fuzz/fuzz_walk: $(FUZZ_WALK_SRCS) $(wildcard cluster-gen/*.h lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icluster-gen -pthread -o $@ $(FUZZ_WALK_SRCS) -lconfuse
CHECK_EXTRA += $(BUILD)/fuzz/fuzz_site $(BUILD)/fuzz/fuzz_walk
BATS_TESTS += tests/cli/cluster-gen-fuzz.bats
.PHONY: fuzz-site
fuzz: fuzz-site
fuzz-site: $(BUILD)/fuzz/fuzz_site $(BUILD)/fuzz/fuzz_walk
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run-fuzzers $(BUILD)/fuzz site walk
BATS_TESTS += tests/cli/render-threads.bats

# tests/bench/write-floor: the same files written with no rendering, to
# tell cluster-gen's own time from the kernel's (see docs/PERFORMANCE.md)
PROGRAMS += write-floor
write-floor_SRCS := tests/bench/write_floor.c $(LIB_SRCS)
BENCH_TARGETS += bench-render
bench-render: $(REL)/cluster-gen $(REL)/write-floor
	tests/bench/render $(REL)/cluster-gen $(REL)/write-floor

UNIT_TESTS += test_lib
test_lib_SRCS := tests/unit/test_lib.c cluster-gen/validate.c cluster-gen/validate_check.c cluster-gen/validate_addrs.c cluster-gen/frr_seq.c cluster-gen/validate_realservers.c cluster-gen/validate_names.c cluster-gen/site.c bind-build/bind_table.c $(LIB_SRCS)
test_lib_LIBS := -lcmocka

# the operator's workflow: check --with-tools, diff, onboard, list, get, graph
UNIT_TESTS += test_diff
test_diff_SRCS := tests/unit/test_diff.c cluster-gen/unified_diff.c $(LIB_SRCS)
test_diff_LIBS := -lcmocka
BATS_TESTS += tests/cli/diff.bats tests/cli/check-tools.bats tests/cli/inventory.bats
BATS_TESTS += tests/cli/onboard.bats tests/cli/workflow-dataplane.bats

# cluster-gen diff on a 10,000-instance site: an unchanged tree, and one where
# every file changes (another ASN and site file name)
BENCH_TARGETS += bench-diff
bench-diff: $(REL)/cluster-gen
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	tests/gen-site 10000 > "$$d/site.conf" && \
	$(REL)/cluster-gen render "$$d/site.conf" -o "$$d/out" && \
	sed '0,/asn = 64512/s//asn = 64513/' "$$d/site.conf" > "$$d/changed.conf" && \
	du -sh "$$d/out" && \
	hyperfine -N -w 1 -r 5 -i "$(REL)/cluster-gen diff $$d/site.conf $$d/out" \
	    "$(REL)/cluster-gen diff --stat $$d/changed.conf $$d/out" \
	    "$(REL)/cluster-gen diff $$d/changed.conf $$d/out"
