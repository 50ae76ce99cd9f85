# bgp/: the VIP guard keepalived runs on quorum changes (see bgp/README.md).
PROGRAMS += lvsdns-vip-guard
lvsdns-vip-guard_SRCS := bgp/vip_guard.c bgp/vips_file.c bgp/nl_addr.c bgp/quorum_state.c $(LIB_SRCS)
lvsdns-vip-guard_REL_LDFLAGS := -static
SBIN_PROGRAMS += lvsdns-vip-guard
MAN8 += docs/lvsdns-vip-guard.8

UNIT_TESTS += test_frr_vips
test_frr_vips_SRCS := tests/unit/test_frr_vips.c bgp/vips_file.c $(LIB_SRCS)
test_frr_vips_LIBS := -lcmocka

UNIT_TESTS += test_quorum_state
test_quorum_state_SRCS := tests/unit/test_quorum_state.c bgp/quorum_state.c $(LIB_SRCS)
test_quorum_state_LIBS := -lcmocka

BATS_TESTS += tests/cli/frr-vip-guard.bats tests/cli/frr.bats

# The FRR reference check lives in cluster-gen (which runs it on every
# frr.conf it renders); its unit test is ours.
UNIT_TESTS += test_frr_refs
test_frr_refs_SRCS := tests/unit/test_frr_refs.c cluster-gen/frr_refs.c $(LIB_SRCS)
test_frr_refs_LIBS := -lcmocka
UNIT_TESTS += test_frr_seq
test_frr_seq_SRCS := tests/unit/test_frr_seq.c cluster-gen/frr_seq.c $(LIB_SRCS)
test_frr_seq_LIBS := -lcmocka
BATS_TESTS += tests/e2e/bgp-failover.bats

# Failover timings (root): the table goes into docs/PERFORMANCE.md by hand.
BENCH_TARGETS += bench-bgp
.PHONY: bench-bgp
bench-bgp: $(REL)/cluster-gen $(REL)/lvsdns-vip-guard
	CLUSTER_GEN=$(REL)/cluster-gen VIP_GUARD=$(REL)/lvsdns-vip-guard \
	    tests/e2e/bgp-bench.sh | tee $(BUILD)/bench-bgp.md
