# dnsprobe: the DNS health-check probe (one-shot and watch mode).
DNSPROBE_CORE := probes/wire.c probes/query.c probes/judge.c probes/transport.c \
                 probes/args.c lib/addr.c lib/buf.c
PROGRAMS += dnsprobe
dnsprobe_SRCS := $(DNSPROBE_CORE) probes/oneshot.c probes/watch.c probes/main.c
# Static: keepalived forks it for every check, and it resolves no names, so
# nothing needs NSS; static start-up is the cheapest exec there is.
dnsprobe_REL_LDFLAGS := -static
SBIN_PROGRAMS += dnsprobe
