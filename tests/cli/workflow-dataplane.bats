#!/usr/bin/env bats
# cluster-gen onboard, end to end: the bundle of a new real server is put
# into the real-server data-plane test bed (tests/e2e/dataplane-lib.bash: a
# namespace playing the balancer, one playing the host, joined by veths named
# like the VLAN interfaces), with its sysctl, policy routing, rules and named
# configurations taken from the bundle's files/ only; the VIP must then be
# answered through both VLANs by the right instance. --probe runs the real
# dnsprobe from the balancer namespace's VLAN addresses. What the bundle's
# named@.service runs before named (policy routing, DNAT rules) must bring
# the data plane back after a "reboot" (rules and routes gone). Namespaces carry
# this run's PID; teardown_file removes them and kills only our named.
# Needs root; fails without.

GEN=build/san/cluster-gen
RS=build/san/rs-dnat
PROBE=build/san/dnsprobe
load ../e2e/dataplane-lib

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "workflow-dataplane.bats needs root" >&2; return 1; }
	for t in ip named dig nft iptables-restore conntrack sysctl; do
		command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
	done
	[ -x "$PROBE" ] && [ -x "$RS" ] || { echo "build/san/dnsprobe and rs-dnat must be built" >&2; return 1; }
	export DP_TMP NS_CL="lvswf$$-cl" NS_RS="lvswf$$-rs"
	DP_TMP=$(mktemp -d)
	write_onboard_site > "$DP_TMP/site.conf"
	"$GEN" onboard "$DP_TMP/site.conf" rs -o "$DP_TMP/onboard-rs" > "$DP_TMP/onboard.log"
	# the same host with nat = stateless (nftables only, no conntrack)
	bed_site 'name = "id.server"  class = CH  type = TXT  timeout = 1  tries = 2' eth1. '	nat = stateless' \
		>"$DP_TMP/stateless.conf"
	"$GEN" onboard "$DP_TMP/stateless.conf" rs -o "$DP_TMP/onboard-sl" >/dev/null
	# the test bed reads the host's files from out/realservers/rs: the bundle's
	mkdir -p "$DP_TMP/out/realservers"
	cp -r "$DP_TMP/onboard-rs/files" "$DP_TMP/out/realservers/rs"
	make_namespaces
}

teardown_file() {
	dp_teardown
}

@test "onboard --probe refuses while the host's named instances are down" {
	run cl "$GEN" onboard --probe --dnsprobe "$PROBE" "$DP_TMP/site.conf" rs -o "$DP_TMP/refused"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -x 'probe rs/a 10.1.53.2 udp/53 from 10.1.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe rs/a 10.1.53.2 tcp/53 from 10.1.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe rs/b 10.3.53.2 udp/53 from 10.3.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe rs/b 10.3.53.2 tcp/53 from 10.3.53.1: DOWN (exit 1)'
	[ ! -e "$DP_TMP/refused" ]
}

@test "the bundle's named configurations run, and --probe from the balancer side then passes" {
	start_named a
	start_named b
	run cl "$GEN" onboard --probe --dnsprobe "$PROBE" "$DP_TMP/site.conf" rs -o "$DP_TMP/probed"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'probe rs/a 10.1.53.2 udp/53 from 10.1.53.1: up'
	echo "$output" | grep -x 'probe rs/a 10.1.53.2 tcp/53 from 10.1.53.1: up'
	echo "$output" | grep -x 'probe rs/b 10.3.53.2 udp/53 from 10.3.53.1: up'
	echo "$output" | grep -x 'probe rs/b 10.3.53.2 tcp/53 from 10.3.53.1: up'
	diff -r "$DP_TMP/onboard-rs/files" "$DP_TMP/probed/files"
}

@test "without the bundle's rules the VIP is not answered (the test can fail)" {
	rs nft flush ruleset
	[ "$(ask 105 udp)" = "no answer" ]
}

@test "the bundle's dnat.nft (install.sh without rs-dnat): the VIP is answered by the right instance per VLAN" {
	rs nft flush ruleset
	rs nft -f "$DP_TMP/onboard-rs/files/dnat.nft"
	answered_by_each_instance
	rs nft flush ruleset
}

@test "the bundle's dnat.rules through rs-dnat (install.sh's first choice): the VIP is answered" {
	rs "$RS" apply "$DP_TMP/onboard-rs/files/dnat.rules"
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	[ "$(ask 109 tcp)" = "rs-b rs-b" ]
	rs "$RS" remove >/dev/null
}

# The ExecStartPre= lines of the named@.service of bundle $BUNDLE (default
# onboard-rs) that set up the data plane (those naming /etc/lvsdns/ or
# rs-dnat), for instance $1, with /etc/lvsdns/ being the bundle's files/: one
# per line, as systemd would run them (a leading "-": its failure is ignored).
unit_dataplane_lines() {
	local b="$DP_TMP/${BUNDLE:-onboard-rs}/files"
	sed -n 's/^ExecStartPre=//p' "$b/named@.service" |
		grep -e /etc/lvsdns/ -e rs-dnat |
		sed -e "s/%i/$1/g" -e "s|/etc/lvsdns/|$b/|g"
}

# Runs the unit's data-plane lines of both instances in the host's
# namespace, with PATH=$1 (systemd's quoting here is the shell's: one
# single-quoted sh -c argument).
unit_prestart() {
	local i line
	for i in a b; do
		while IFS= read -r line; do
			echo "ExecStartPre for $i: $line"
			case $line in
			-*) rs env PATH="$1" bash -c "${line#-}" || echo "(failure ignored)" ;;
			*) rs env PATH="$1" bash -c "$line" || return 1 ;;
			esac
		done < <(unit_dataplane_lines "$i")
	done
}

@test "after a reboot, named@INSTANCE's own ExecStartPre= put the route and the rules back: nftables without rs-dnat" {
	[ "$(unit_dataplane_lines a | wc -l)" -eq 2 ]   # the route, the rules
	forget_dataplane
	[ "$(ask 105 udp)" = "no answer" ]
	[ "$(ask 109 udp)" = "no answer" ]
	unit_prestart /usr/sbin:/usr/bin:/sbin:/bin
	rs nft list table inet lvsdns >/dev/null
	answered_by_each_instance
	# twice changes nothing (a restart of one instance)
	unit_prestart /usr/sbin:/usr/bin:/sbin:/bin
	[ "$(rs ip rule list from 10.3.53.2 | wc -l)" -eq 1 ]
	[ "$(ask 109 tcp)" = "rs-b rs-b" ]
	forget_dataplane
}

@test "after a reboot, named@INSTANCE's own ExecStartPre= put the rules back with rs-dnat where it is installed" {
	mkdir -p "$DP_TMP/rsbin"
	ln -sf "$PWD/$RS" "$DP_TMP/rsbin/rs-dnat"
	forget_dataplane
	[ "$(ask 109 udp)" = "no answer" ]
	unit_prestart "$DP_TMP/rsbin:/usr/sbin:/usr/bin:/sbin:/bin"
	# rs-dnat's chain (libiptc: the legacy tables), not nftables' table
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	rs iptables-legacy -t nat -S LVSDNS-PRE | grep -q -- '-j DNAT'
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	[ "$(ask 109 tcp)" = "rs-b rs-b" ]
	forget_dataplane
}

@test "an rs-dnat that is installed but cannot run (a copy without its libraries) is passed over for nftables" {
	mkdir -p "$DP_TMP/brokenbin"
	printf '#!/nonexistent/interpreter\n' >"$DP_TMP/brokenbin/rs-dnat"
	chmod 0755 "$DP_TMP/brokenbin/rs-dnat"
	run env PATH="$DP_TMP/brokenbin:/usr/bin:/bin" rs-dnat --help
	[ "$status" -ne 0 ]
	forget_dataplane
	[ "$(ask 105 udp)" = "no answer" ]
	unit_prestart "$DP_TMP/brokenbin:/usr/sbin:/usr/bin:/sbin:/bin"
	rs nft list table inet lvsdns >/dev/null
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	forget_dataplane
}

@test "an instance whose route cannot be set does not start: its ExecStartPre= fails" {
	forget_dataplane
	rs ip link set eth1.109 down
	run unit_prestart /usr/sbin:/usr/bin:/sbin:/bin
	rs ip link set eth1.109 up
	echo "$output"
	[ "$status" -ne 0 ]
	echo "$output" | grep -x 'policy-routing.sh: instances not routed: b (run again when their VLANs are up)'
	forget_dataplane
}

# rs-dnat in $DP_TMP/rsbin, for PATH
rsbin() {
	mkdir -p "$DP_TMP/rsbin"
	ln -sf "$PWD/$RS" "$DP_TMP/rsbin/rs-dnat"
	echo "$DP_TMP/rsbin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "nat switched from stateless to rs-dnat: named@INSTANCE's start deletes the stateless table, which would go on rewriting the replies' source to the VIPs it was loaded with" {
	local path
	path=$(rsbin)
	forget_dataplane
	BUNDLE=onboard-sl unit_prestart /usr/sbin:/usr/bin:/sbin:/bin
	rs nft list table inet lvsdns | grep -q 'map out4'
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	unit_prestart "$path"
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	rs iptables-legacy -t nat -S LVSDNS-PRE | grep -q -- '-j DNAT'
	answered_by_each_instance
	# a table that is not ours stays
	rs nft add table inet other
	unit_prestart "$path"
	rs nft list table inet other >/dev/null
	forget_dataplane
}

@test "nat switched from rs-dnat to stateless: named@INSTANCE's start removes rs-dnat's chains where rs-dnat runs" {
	local path
	path=$(rsbin)
	forget_dataplane
	unit_prestart "$path"
	rs iptables-legacy -t nat -S LVSDNS-PRE | grep -q -- '-j DNAT'
	rs iptables-legacy -t raw -S LVSDNS-ZONE | grep -q -- "-j CT --zone-orig 1105"
	BUNDLE=onboard-sl unit_prestart "$path"
	run rs iptables-legacy -t nat -S LVSDNS-PRE
	[ "$status" -ne 0 ]
	run rs iptables-legacy -t nat -S PREROUTING
	[[ "$output" != *LVSDNS-PRE* ]]
	run rs iptables-legacy -t raw -S
	[[ "$output" != *LVSDNS-ZONE* ]]
	rs nft list table inet lvsdns | grep -q 'map out4'
	answered_by_each_instance
	forget_dataplane
}

@test "nat = stateless: named@INSTANCE's start makes no legacy nat table where there is none (asking rs-dnat would make one, and conntrack with it)" {
	local path line
	path=$(rsbin)
	line=$(BUNDLE=onboard-sl unit_dataplane_lines a | grep rs-dnat)
	[ "${line:0:1}" = - ]
	run unshare -n env PATH="$path" sh -c "${line#-} && echo LOADED-TABLES && cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null; true"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing of ours to remove"* ]]
	[[ "${output#*LOADED-TABLES}" != *nat* ]]
	[[ "${output#*LOADED-TABLES}" != *raw* ]]
}
