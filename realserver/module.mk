# realserver/: rs-dnat, the libiptc applier of the rendered per-VLAN DNAT rules.
RS_DNAT_CORE := realserver/rules.c realserver/diff.c
PROGRAMS += rs-dnat
# --site renders the host's rules with cluster-gen's own parser and renderer
rs-dnat_SRCS := $(sort realserver/rs_dnat.c realserver/wanted.c $(RS_DNAT_CORE) realserver/xt_common.c \
                realserver/xt4.c realserver/xt6.c $(LIB_SRCS) $(CLUSTER_GEN_CORE))
rs-dnat_LIBS := -lip4tc -lip6tc -lconfuse
SBIN_PROGRAMS += rs-dnat
MAN8 += docs/rs-dnat.8

UNIT_TESTS += test_rs_rules
test_rs_rules_SRCS := tests/unit/test_rs_rules.c $(RS_DNAT_CORE) $(LIB_SRCS)
test_rs_rules_LIBS := -lcmocka
UNIT_TESTS += test_rs_diff
test_rs_diff_SRCS := tests/unit/test_rs_diff.c $(RS_DNAT_CORE) $(LIB_SRCS)
test_rs_diff_LIBS := -lcmocka
UNIT_TESTS += test_rs_xt
test_rs_xt_SRCS := tests/unit/test_rs_xt.c realserver/xt_common.c $(LIB_SRCS)
test_rs_xt_LIBS := -lcmocka
BATS_TESTS += tests/cli/realserver-rsdnat.bats tests/cli/realserver-rsdnat-zones.bats
BATS_TESTS += tests/cli/realserver.bats
BATS_TESTS += tests/e2e/dataplane.bats tests/e2e/dataplane-v6.bats
# named@.service under a real systemd as PID 1 (systemd-nspawn), booted and rebooted;
# nftables.service with install.sh's drop-in; the balancer's lvsdns-watch and keepalived drop-ins
BATS_TESTS += tests/e2e/systemd-boot-rs.bats tests/e2e/systemd-boot-nftables.bats
BATS_TESTS += tests/e2e/systemd-boot-lb.bats

BENCH_TARGETS += bench-dataplane
.PHONY: bench-dataplane
bench-dataplane: $(REL)/cluster-gen $(REL)/rs-dnat
	realserver/bench-dataplane.sh

UNIT_TESTS += test_rs_render
test_rs_render_SRCS := tests/unit/test_rs_render.c $(CLUSTER_GEN_CORE)
test_rs_render_LIBS := -lcmocka -lconfuse
