# lvsdns — plain GNU Makefile. Each folder adds itself through its module.mk.
#   make          build every program (build/rel/)
#   make check    build and run every test (unit tests plain and under ASan+UBSan, bats)
#   make demo     render site.conf.example into ./out/
#   make docs     draw docs/site.svg from site.conf.example (cluster-gen graph | dot)
#   make bench    benchmarks; results go to docs/PERFORMANCE.md by hand
#   make install  PREFIX=/usr/local DESTDIR=

CC       ?= gcc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    := build
REL      := $(BUILD)/rel
SAN      := $(BUILD)/san

WARN     := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -Ilib -Icluster-gen
REL_CFLAGS := $(WARN) -O2 $(CFLAGS)
SAN_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=all $(CFLAGS)
SAN_LDFLAGS := -fsanitize=address,undefined
# libFuzzer targets (clang), for the modules that have them
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -Ilib -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all

# Filled by the module.mk files.
PROGRAMS   :=
UNIT_TESTS :=
BATS_TESTS :=
CHECK_EXTRA :=
BENCH_TARGETS :=
INSTALL_HOOKS :=
# Targets that download what tests read (network), run by make deps.
DEPS_FETCH :=
SBIN_PROGRAMS :=
MAN1 :=
MAN5 :=
MAN8 :=

.PHONY: all check demo bench install deps clean golden-update docs fuzz unit bats
all:

include lib/module.mk
include $(sort $(filter-out lib/module.mk,$(wildcard */module.mk)))

# One rule set per program: $(1)_SRCS, $(1)_LIBS, $(1)_LDFLAGS, $(1)_REL_LDFLAGS.
define PROGRAM_RULES
$(REL)/$(1): $$(patsubst %.c,$(REL)/obj/%.o,$$($(1)_SRCS))
	$$(CC) -pthread $$($(1)_LDFLAGS) $$($(1)_REL_LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
$(SAN)/$(1): $$(patsubst %.c,$(SAN)/obj/%.o,$$($(1)_SRCS))
	$$(CC) -pthread $(SAN_LDFLAGS) $$($(1)_LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach p,$(PROGRAMS) $(UNIT_TESTS),$(eval $(call PROGRAM_RULES,$(p))))

$(REL)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@
$(SAN)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

all: $(addprefix $(REL)/,$(PROGRAMS))

# Tests: every unit test binary is built twice (plain -O2 and sanitized) and
# both are run; bats tests drive the sanitized programs.
TEST_BINS := $(addprefix $(REL)/,$(UNIT_TESTS)) $(addprefix $(SAN)/,$(UNIT_TESTS)) \
             $(addprefix $(SAN)/,$(PROGRAMS)) $(addprefix $(REL)/,$(PROGRAMS))

check: deps $(TEST_BINS) $(CHECK_EXTRA)
	@tools/run-tests --unit "$(addprefix $(REL)/,$(UNIT_TESTS)) $(addprefix $(SAN)/,$(UNIT_TESTS))" \
	    --bats "$(BATS_TESTS)"

unit: $(TEST_BINS)
	@tools/run-tests --unit "$(addprefix $(REL)/,$(UNIT_TESTS)) $(addprefix $(SAN)/,$(UNIT_TESTS))" --bats ""

bats: $(TEST_BINS) $(CHECK_EXTRA)
	@tools/run-tests --unit "" --bats "$(if $(T),$(T),$(BATS_TESTS))"

# A failed download does not stop make check: the test that needs it fails
# and names the target.
deps:
	@tools/deps
	@$(foreach t,$(DEPS_FETCH),$(MAKE) --no-print-directory $(t) || \
	    echo "deps: 'make $(t)' failed; the tests that read it will fail";)

demo: deps all
	rm -rf out
	$(REL)/cluster-gen render site.conf.example -o out
	@if command -v dot >/dev/null; then $(REL)/cluster-gen graph site.conf.example | dot -Tsvg > out/site.svg; fi
	@if command -v tree >/dev/null; then tree out; else find out | sort; fi

# docs/site.svg: the embedded site's topology (Graphviz is in tools/deps)
docs: $(REL)/cluster-gen
	$(REL)/cluster-gen graph site.conf.example | dot -Tsvg > docs/site.svg.tmp
	mv docs/site.svg.tmp docs/site.svg

bench: all $(BENCH_TARGETS)

# Modules add to SBIN_PROGRAMS, MAN8, MAN5, MAN1 and DATA_DIRS.
install: all $(INSTALL_HOOKS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/lvsdns/templates
	install -m 0755 $(addprefix $(REL)/,$(SBIN_PROGRAMS)) $(DESTDIR)$(PREFIX)/sbin/
	@# a template an upgrade renamed must not stay behind: a --templates copy
	@# of this directory would be refused for it
	@for f in $(DESTDIR)$(PREFIX)/share/lvsdns/templates/*.mustache; do \
	    [ -e "$$f" ] || [ -L "$$f" ] || continue; \
	    [ -e "templates/$${f##*/}" ] || { echo "rm -f $$f"; rm -f "$$f"; }; \
	done
	install -m 0644 templates/*.mustache $(DESTDIR)$(PREFIX)/share/lvsdns/templates/
	install -m 0644 site.conf.example $(DESTDIR)$(PREFIX)/share/lvsdns/
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)

clean:
	rm -rf $(BUILD) out

golden-update: $(REL)/cluster-gen
	tools/golden update $(REL)/cluster-gen
