# Shared by tests/cli/diff.bats, check-tools.bats, inventory.bats and
# onboard.bats: each test gets $GEN and a scratch $TMP holding a copy of
# site.conf.example, with the VIP guard and dnsprobe on PATH.

setup() {
	GEN=${GEN:-build/san/cluster-gen}
	TMP=$(mktemp -d)
	# bgpd -C (check --with-tools) drops to the frr user
	chmod 755 "$TMP"
	cp site.conf.example "$TMP/site.conf"
	# check --with-tools runs the VIP guard and dnsprobe the balancers run,
	# from PATH
	mkdir -m 755 "$TMP/guard"
	cp "$(dirname "$GEN")/lvsdns-vip-guard" "$(dirname "$GEN")/dnsprobe" "$TMP/guard/"
	PATH="$TMP/guard:$PATH"
}

teardown() {
	rm -rf "$TMP"
}

# No line of FILE (default: stdin) matches extended regexp $1; fails when one
# does or when grep cannot read. (A bare "! grep" that is not the last command
# of a test never fails it.)
refute_grep() {
	local rc=0
	grep -E -- "$1" "${2:--}" || rc=$?
	[ "$rc" -eq 1 ] || { echo "refute_grep: '$1' in ${2:-the output} (grep exit $rc)" >&2; return 1; }
}

# A new host mia behind dus2 on a new VLAN 213 (and, with a second
# argument, a second instance b on VLAN 217).
add_mia_vlans() {
	sed -i 's/^\tvlan 209 { interface = "eth1.209"  address = "10.4.53.1\/24" }/&\n\tvlan 213 { interface = "eth1.213"  address = "10.5.53.1\/24" }\n\tvlan 217 { interface = "eth1.217"  address = "10.6.53.1\/24" }/' "$TMP/site.conf"
	grep -q 'vlan 217' "$TMP/site.conf"
}

add_mia() {
	grep -q 'vlan 217' "$TMP/site.conf" || add_mia_vlans
	{
		printf '\nrealserver mia {\n\tbalancer = dus2\n\tclients = { "10.0.0.0/8" }\n'
		printf '\tinstance a { vlan = 213  interface = "eth1.213"  address = 10.5.53.2  weight = 2 }\n'
		[ -z "${1:-}" ] || printf '\tinstance b { vlan = 217  interface = "eth1.217"  address = 10.6.53.2  weight = 2 }\n'
		printf '}\n'
	} >> "$TMP/site.conf"
	"$GEN" check "$TMP/site.conf" >/dev/null
}
