# dnsprobe: the DNS health-check probe (one-shot and watch mode).
DNSPROBE_CORE := probes/wire.c probes/query.c probes/judge.c probes/transport.c probes/targets.c \
                 probes/timerheap.c probes/statefile.c \
                 probes/args.c lib/addr.c lib/buf.c lib/diag.c
PROGRAMS += dnsprobe
dnsprobe_SRCS := $(DNSPROBE_CORE) probes/oneshot.c probes/watch.c probes/watch_try.c probes/watch_reload.c \
                 probes/main.c
# Static: keepalived forks it for every check, and it resolves no names, so
# nothing needs NSS; static start-up is the cheapest exec there is.
dnsprobe_REL_LDFLAGS := -static
SBIN_PROGRAMS += dnsprobe
MAN8 += docs/dnsprobe.8

# cmocka units: wire format, query, judge and exit codes, command line, targets file, timers.
UNIT_TESTS += test_dns_wire
test_dns_wire_SRCS := tests/unit/test_dns_wire.c probes/wire.c
test_dns_wire_LIBS := -lcmocka
UNIT_TESTS += test_dns_judge
test_dns_judge_SRCS := tests/unit/test_dns_judge.c probes/judge.c probes/wire.c probes/query.c lib/addr.c
test_dns_judge_LIBS := -lcmocka
UNIT_TESTS += test_probe_args
test_probe_args_SRCS := tests/unit/test_probe_args.c $(DNSPROBE_CORE)
test_probe_args_LIBS := -lcmocka
UNIT_TESTS += test_probe_targets
test_probe_targets_SRCS := tests/unit/test_probe_targets.c $(DNSPROBE_CORE)
test_probe_targets_LIBS := -lcmocka
UNIT_TESTS += test_dns_query
test_dns_query_SRCS := tests/unit/test_dns_query.c probes/query.c probes/wire.c
test_dns_query_LIBS := -lcmocka
UNIT_TESTS += test_probe_timerheap
test_probe_timerheap_SRCS := tests/unit/test_probe_timerheap.c probes/timerheap.c lib/buf.c
test_probe_timerheap_LIBS := -lcmocka

# For the watch tests only: the loop wakes on a 500 ms grid instead of 10 ms,
# so that an answer that arrives after a try's deadline is surely read even
# later, at the next step, where it must count as a timeout.
$(SAN)/dnsprobe-coarse-grid: $(dnsprobe_SRCS) $(wildcard probes/*.h lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -DTIMER_GRID_US=500000u $(SAN_LDFLAGS) -o $@ $(dnsprobe_SRCS)
CHECK_EXTRA += $(SAN)/dnsprobe-coarse-grid

BATS_TESTS += tests/cli/dnsprobe.bats
BATS_TESTS += tests/cli/dnsprobe-watch.bats

# Fuzzing (libFuzzer, clang). `make fuzz` runs each target FUZZ_TIME seconds
# (default 60); `make check` builds them and tests/cli/dnsprobe-fuzz.bats runs
# each for 30 s. New inputs go to build/fuzz/corpus-*, seeds stay committed
# in tests/fuzz/corpus/.
FUZZ_ANSWER_SRCS := tests/fuzz/fuzz_answer.c probes/judge.c probes/wire.c probes/query.c lib/addr.c
FUZZ_ARGS_SRCS := tests/fuzz/fuzz_args.c $(DNSPROBE_CORE)
$(BUILD)/fuzz/fuzz_answer: $(FUZZ_ANSWER_SRCS) $(wildcard probes/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_ANSWER_SRCS)
$(BUILD)/fuzz/fuzz_args: $(FUZZ_ARGS_SRCS) $(wildcard probes/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_ARGS_SRCS)
DNSPROBE_FUZZERS := $(BUILD)/fuzz/fuzz_answer $(BUILD)/fuzz/fuzz_args
CHECK_EXTRA += $(DNSPROBE_FUZZERS)
BATS_TESTS += tests/cli/dnsprobe-fuzz.bats

.PHONY: fuzz-dnsprobe
fuzz: fuzz-dnsprobe
fuzz-dnsprobe: $(DNSPROBE_FUZZERS)
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run-fuzzers $(BUILD)/fuzz answer args

# Benchmark (make bench): tests/dnsprobe/bench.sh; results in docs/PERFORMANCE.md.
$(REL)/bench-exec: tests/dnsprobe/bench-exec.c
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -o $@ $<
$(REL)/bench-true: tests/dnsprobe/trivial.c
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -static -o $@ $<
BENCH_TARGETS += bench-dnsprobe
.PHONY: bench-dnsprobe
bench-dnsprobe: $(REL)/dnsprobe $(REL)/bench-exec $(REL)/bench-true
	tests/dnsprobe/bench.sh

# lvsdns-script-check: keepalived's script rules, run by its systemd drop-ins.
# Dynamic, unlike dnsprobe: it looks users and groups up through NSS.
PROGRAMS += lvsdns-script-check
lvsdns-script-check_SRCS := probes/script_check.c probes/script_check_main.c lib/buf.c
SBIN_PROGRAMS += lvsdns-script-check
MAN8 += docs/lvsdns-script-check.8
UNIT_TESTS += test_script_check
test_script_check_SRCS := tests/unit/test_script_check.c probes/script_check.c lib/buf.c
test_script_check_LIBS := -lcmocka
BATS_TESTS += tests/cli/script-check.bats
