# dnsprobe: the DNS health-check probe (one-shot and watch mode).
DNSPROBE_CORE := probes/wire.c probes/query.c probes/judge.c probes/transport.c probes/targets.c \
                 probes/args.c lib/addr.c lib/buf.c lib/diag.c
PROGRAMS += dnsprobe
dnsprobe_SRCS := $(DNSPROBE_CORE) probes/oneshot.c probes/watch.c probes/main.c
# Static: keepalived forks it for every check, and it resolves no names, so
# nothing needs NSS; static start-up is the cheapest exec there is.
dnsprobe_REL_LDFLAGS := -static
SBIN_PROGRAMS += dnsprobe

UNIT_TESTS += test_dns_wire
test_dns_wire_SRCS := tests/unit/test_dns_wire.c probes/wire.c
test_dns_wire_LIBS := -lcmocka

UNIT_TESTS += test_dns_judge
test_dns_judge_SRCS := tests/unit/test_dns_judge.c probes/judge.c probes/wire.c probes/query.c lib/addr.c
test_dns_judge_LIBS := -lcmocka

UNIT_TESTS += test_probe_args
test_probe_args_SRCS := tests/unit/test_probe_args.c $(DNSPROBE_CORE)
test_probe_args_LIBS := -lcmocka

BATS_TESTS += tests/cli/dnsprobe.bats
BATS_TESTS += tests/cli/dnsprobe-watch.bats
