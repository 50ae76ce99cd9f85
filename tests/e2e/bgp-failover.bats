#!/usr/bin/env bats
# BGP failover with real FRR (zebra, bgpd, bfdd from Debian's frr) in network
# namespaces: a core router and two balancers loaded with the frr.conf that
# cluster-gen renders from tests/e2e/bgp-site.conf (see bgp-lib.bash for the
# bed). Needs root; without it, or without FRR, every test fails loudly.
# Timings are measured by tests/e2e/bgp-bench.sh (make bench-bgp), not here;
# every wait below is only an upper bound.

load bgp-lib

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "bgp-failover.bats needs root (network namespaces)" >&2; return 1; }
	for f in "$FRR_DIR/zebra" "$FRR_DIR/bgpd" "$FRR_DIR/bfdd" "$(command -v vtysh)" \
		"$CLUSTER_GEN" "$VIP_GUARD"; do
		[ -x "$f" ] || { echo "missing: $f (install frr; make)" >&2; return 1; }
	done
	[ -f "$FRR_DIR/frr-reload.py" ] ||
		{ echo "missing: $FRR_DIR/frr-reload.py (install frr-pythontools: make deps)" >&2; return 1; }
	export BED_REGISTRY=$BATS_FILE_TMPDIR/beds
	bed_start standby
	export BED BED_PREFIX
}

teardown_file() {
	bed_teardown_all
}

# A test that failed with a port cut leaves the next one a whole switch,
# and one that failed while recording the core's prefixes stops recording.
teardown() {
	if [ -n "${RECORDER:-}" ]; then
		kill "$RECORDER" 2>/dev/null || true
		wait "$RECORDER" 2>/dev/null || true
	fi
	if [ -n "${BED:-}" ]; then
		link ffm4 up 2>/dev/null || true
		link dus2 up 2>/dev/null || true
	fi
}

# Each test leaves the bed as it found it: both VIPs on their primaries.
both_on_primaries() {
	wait_for 30 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
	wait_for 30 core_best "$VIP_B" "10.0.0.3 MED" >/dev/null
}

@test "active/standby: each VIP's best path is via its primary balancer, chosen by MED" {
	both_on_primaries
	# and forwarding follows: the core's kernel route points at the primary
	wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.2" >/dev/null
	wait_for 10 core_fib_nexthops "$VIP_B" "10.0.0.3" >/dev/null
	# the backup path is there too, with the backup metric
	vty core -c "show bgp ipv4 unicast json" | python3 -c '
import json, sys
routes = json.load(sys.stdin)["routes"]
for prefix, primary, backup in (("192.0.2.10/32", "10.0.0.2", "10.0.0.3"),
                                ("198.51.100.10/32", "10.0.0.3", "10.0.0.2")):
    med = {p["peerId"]: p["metric"] for p in routes[prefix]}
    assert med == {primary: 0, backup: 100}, (prefix, med)
    assert all(p["locPrf"] == 100 for p in routes[prefix]), prefix
'
}

# A service switching its primary balancer, as an operator does it: the site
# changed, rendered, and each balancer reloaded with frr-reload.py. The
# core's best paths must follow, and back: bgpd applies route-map and
# prefix-list changes to the routes it already announces only with a
# route-map delay timer (with "bgp route-map delay-timer 0" it never did,
# and each VIP kept its old MED).
@test "moving each VIP's primary with frr-reload.py moves its best path there, and back" {
	both_on_primaries
	sed -e 's/primary = { vip-a }/primary = { vip-XX }/' -e 's/primary = { vip-b }/primary = { vip-a }/' \
		-e 's/primary = { vip-XX }/primary = { vip-b }/' "$BED/site.conf" >"$BED/swapped.conf"
	[ "$(grep -c 'primary = { vip-' "$BED/swapped.conf")" -eq 2 ]
	"$CLUSTER_GEN" render "$BED/swapped.conf" -o "$BED/swapped"
	for r in ffm4 dus2; do frr_reload "$r" "$BED/swapped/balancers/$r/frr.conf"; done
	wait_for 20 core_best "$VIP_A" "10.0.0.3 MED"
	wait_for 20 core_best "$VIP_B" "10.0.0.2 MED"
	for r in ffm4 dus2; do frr_reload "$r" "$BED/render/balancers/$r/frr.conf"; done
	both_on_primaries
}

# A change of bgp { mode } gives the route-map clauses that stay another
# prefix-list to match; frr-reload.py deletes a clause's old match line
# before it adds the new one, and a clause without a match permits every
# connected route. bgpd applies route-map and prefix-list changes to what it
# announces only once 5 s have passed since the last change (FRR's route-map
# delay timer), so the reload reaches the core as one change: the core,
# polled throughout, never has a path from a balancer for anything but the
# VIPs (their link network, 10.0.0.0/24, is connected on both balancers).
@test "changing bgp mode with frr-reload.py, to anycast and back, announces nothing but the VIPs on the way" {
	both_on_primaries
	sed "$(variant_sed anycast)" "$BED/site.conf" >"$BED/anycast.conf"
	"$CLUSTER_GEN" render "$BED/anycast.conf" -o "$BED/anycast"
	grep -q 'match ip address prefix-list bgptest-ffm4-anycast-vips-v4' "$BED/anycast/balancers/ffm4/frr.conf"
	rm -f "$BED/recorded" "$BED/stop-recording"
	record_core_prefixes "$BED/stop-recording" "$BED/recorded" 3>&- &
	RECORDER=$!
	for r in ffm4 dus2; do frr_reload "$r" "$BED/anycast/balancers/$r/frr.conf"; done
	for vip in "$VIP_A" "$VIP_B"; do
		wait_for 20 core_best "$vip" "10.0.0.2 10.0.0.3 Router ID" >/dev/null
	done
	for r in ffm4 dus2; do frr_reload "$r" "$BED/render/balancers/$r/frr.conf"; done
	both_on_primaries
	touch "$BED/stop-recording"
	wait "$RECORDER"
	RECORDER=
	# the recorder saw the whole change (the two reloads' delay timers alone
	# are 10 s), and nothing but the VIPs
	[ "$(wc -l <"$BED/recorded")" -ge 40 ]
	run sort -u "$BED/recorded"
	[ "$output" = "192.0.2.10/32 198.51.100.10/32" ]
}

@test "balancers accept nothing inbound and announce only their VIPs" {
	both_on_primaries
	# the core does announce 10.0.0.0/24 to the balancer ...
	vty core -c "show bgp ipv4 unicast neighbors 10.0.0.2 advertised-routes json" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["advertisedRoutes"]; assert "10.0.0.0/24" in r, r'
	# ... which accepts none of it and keeps none of it: no
	# soft-reconfiguration inbound (an Adj-RIB-In copy of a full table)
	vty ffm4 -c "show bgp ipv4 unicast summary json" | python3 -c '
import json, sys
s = json.load(sys.stdin)
peer = s.get("ipv4Unicast", s)["peers"]["10.0.0.1"]
assert peer["state"] == "Established" and peer["pfxRcd"] == 0, peer'
	vty ffm4 -c "show bgp neighbors 10.0.0.1 json" | python3 -c '
import json, sys
af = json.load(sys.stdin)["10.0.0.1"]["addressFamilyInfo"]["ipv4Unicast"]
assert af["acceptedPrefixCounter"] == 0, af
assert "inboundSoftConfigPermit" not in af, af'
	vty ffm4 -c "show bgp ipv4 unicast json" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["routes"]; assert "10.0.0.0/24" not in r, r'
	# the link network is connected on the balancer too, but not announced
	[ "$(core_balancer_prefixes)" = "192.0.2.10/32 198.51.100.10/32" ]
}

@test "VIP guard down on the primary moves its VIP to the backup; up brings it back" {
	both_on_primaries
	run guard ffm4 down "$VIP_A"
	[ "$status" -eq 0 ]
	wait_for 10 core_hops "$VIP_A" "10.0.0.3" >/dev/null
	wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.3" >/dev/null
	# the other VIP stays where it was
	[ "$(core_best "$VIP_B")" = "10.0.0.3 MED" ]
	run guard ffm4 up "$VIP_A"
	[ "$status" -eq 0 ]
	wait_for 10 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
}

@test "stopping the primary's bgpd moves its VIP; restarting it brings it back" {
	both_on_primaries
	frr_stop_daemon ffm4 bgpd
	wait_for 10 core_hops "$VIP_A" "10.0.0.3" >/dev/null
	# dus2 now carries both
	[ "$(core_hops "$VIP_B")" = "10.0.0.3" ]
	bgpd_restart ffm4
	wait_for 30 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
}

@test "cutting the primary's link: BFD takes the session down and moves its VIP; restoring it brings it back" {
	both_on_primaries
	wait_for 10 core_bfd 10.0.0.2 up >/dev/null
	wait_for 10 core_bfd 10.0.0.3 up >/dev/null
	link ffm4 down
	wait_for 10 core_bfd 10.0.0.2 down >/dev/null
	wait_for 10 core_hops "$VIP_A" "10.0.0.3" >/dev/null
	wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.3" >/dev/null
	# BFD ended the session, not the 3 s hold timer (no clock needed)
	[ "$(core_down_reason 10.0.0.2)" = "Cease/BFD Down" ]
	[ "$(core_bfd 10.0.0.3)" = up ]
	link ffm4 up
	wait_for 30 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
	wait_for 10 core_bfd 10.0.0.2 up >/dev/null
	# the other balancer's cut moves the other VIP the other way
	link dus2 down
	wait_for 10 core_bfd 10.0.0.3 down >/dev/null
	wait_for 10 core_hops "$VIP_B" "10.0.0.2" >/dev/null
	[ "$(core_down_reason 10.0.0.3)" = "Cease/BFD Down" ]
	link dus2 up
	both_on_primaries
}

@test "anycast: the core has two equal paths to every VIP (multipath)" {
	bed_teardown
	bed_start anycast
	export BED BED_PREFIX
	for vip in "$VIP_A" "$VIP_B"; do
		wait_for 30 core_best "$vip" "10.0.0.2 10.0.0.3 Router ID" >/dev/null
		wait_for 10 core_fib_nexthops "$vip" "10.0.0.2 10.0.0.3" >/dev/null
	done
	# one balancer's VIP guard takes it out of the set, and back
	guard dus2 down "$VIP_A"
	wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.2" >/dev/null
	guard dus2 up "$VIP_A"
	wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.2 10.0.0.3" >/dev/null
}
