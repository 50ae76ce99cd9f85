#!/usr/bin/env bats
# lvsdns-vip-guard: the list decides, changes are idempotent, exit codes are
# keepalived's contract (bgp/README.md). The up/down cases need root for a
# network namespace of their own; without root they fail, never skip.

GUARD=build/san/lvsdns-vip-guard

setup() {
	TMP=$(mktemp -d)
	cat >"$TMP/vips" <<-'LIST'
	# ADDRESS          INTERFACE  SERVICE
	192.0.2.10         vip0       resolver-a
	198.51.100.10      vip0       resolver-b   # backup here
	2001:db8:53::10    vip0       resolver-v6
	198.51.100.99      gone0      resolver-c
	LIST
	NS=""
}

teardown() {
	[ -n "$NS" ] && ip netns del "$NS"
	rm -rf "$TMP"
}

# A namespace with a VIP interface (dummy, or veth where the kernel has no
# dummy driver) and nothing else.
make_ns() {
	[ "$(id -u)" -eq 0 ] || { echo "this test needs root (network namespace)" >&2; return 1; }
	NS="lvsdns-vg$$-$BATS_TEST_NUMBER"
	ip netns add "$NS"
	if ! ip -n "$NS" link add vip0 type dummy 2>/dev/null; then
		ip -n "$NS" link add vip0 type veth peer name vip0-peer
		ip -n "$NS" link set vip0-peer up
	fi
	ip -n "$NS" link set vip0 up
}

guard() { ip netns exec "$NS" "$GUARD" -f "$TMP/vips" "$@"; }
addrs() { ip -n "$NS" -o addr show dev vip0 scope global | awk '{print $4}' | sort | tr '\n' ' '; }

@test "check accepts a valid list and rejects a broken one with its line" {
	run "$GUARD" -f "$TMP/vips" check
	[ "$status" -eq 0 ]
	echo "192.0.2.1 vip0" >>"$TMP/vips"
	run "$GUARD" -f "$TMP/vips" check
	[ "$status" -eq 2 ]
	[[ "$output" == *"vips:6: expected \"ADDRESS INTERFACE SERVICE\""* ]]
}

@test "usage errors exit 2" {
	run "$GUARD" -f "$TMP/vips"
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/vips" sideways 192.0.2.10
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'sideways'"* ]]
	run "$GUARD" -f "$TMP/vips" up
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/vips" check 192.0.2.10
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/missing" up 192.0.2.10
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing: No such file or directory"* ]]
}

@test "up adds IPv4 and IPv6 host addresses; repeating it changes nothing" {
	make_ns
	run guard up 192.0.2.10 2001:db8:53:0::10
	[ "$status" -eq 0 ]
	[[ "$output" == *"up 192.0.2.10 (resolver-a) on vip0: added"* ]]
	[ "$(addrs)" = "192.0.2.10/32 2001:db8:53::10/128 " ]
	run guard up 192.0.2.10
	[ "$status" -eq 0 ]
	[[ "$output" == *"up 192.0.2.10 (resolver-a) on vip0: already present"* ]]
	[ "$(addrs)" = "192.0.2.10/32 2001:db8:53::10/128 " ]
	# IPv6 VIPs must be usable at once, not tentative during DAD.
	[ -z "$(ip -n "$NS" -6 addr show dev vip0 tentative | grep 2001:db8:53::10)" ]
}

@test "down removes only the named VIP; repeating it changes nothing" {
	make_ns
	guard up 192.0.2.10 198.51.100.10 2001:db8:53::10
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "198.51.100.10/32 2001:db8:53::10/128 " ]
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[[ "$output" == *"down 192.0.2.10 (resolver-a) on vip0: already absent"* ]]
	[ "$(addrs)" = "198.51.100.10/32 2001:db8:53::10/128 " ]
}

@test "an address not in the list is refused and nothing changes" {
	make_ns
	guard up 192.0.2.10
	run guard down 192.0.2.10 192.0.2.11
	[ "$status" -eq 2 ]
	[[ "$output" == *"192.0.2.11 is not listed in $TMP/vips; refusing to touch it"* ]]
	[ "$(addrs)" = "192.0.2.10/32 " ]
	run guard up 192.0.2.0/24
	[ "$status" -eq 2 ]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "a missing interface is a kernel error (exit 1); the other VIPs still move" {
	make_ns
	run guard up 198.51.100.99 192.0.2.10
	[ "$status" -eq 1 ]
	[[ "$output" == *"interface gone0"* ]]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "down removes a VIP somebody put on with another prefix length, and says so" {
	make_ns
	ip -n "$NS" addr add 192.0.2.10/24 dev vip0
	ip -n "$NS" addr add 2001:db8:53::10/64 dev vip0 nodad
	run guard down 192.0.2.10 2001:db8:53::10
	[ "$status" -eq 0 ]
	[[ "$output" == *"down 192.0.2.10 (resolver-a) on vip0: removed (it was /24)"* ]]
	[[ "$output" == *"down 2001:db8:53::10 (resolver-v6) on vip0: removed (it was /64)"* ]]
	[ "$(addrs)" = "" ]
	# both the host prefix and another one: all go
	guard up 192.0.2.10
	ip -n "$NS" addr add 192.0.2.10/28 dev vip0
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "" ]
	run guard down 192.0.2.10
	[[ "$output" == *"already absent"* ]]
}
