#!/usr/bin/env bats
# The IPv6 data plane, end to end: like dataplane.bats, with IPv6 VLAN
# addresses, an IPv6 VIP and client, and the IPv6 rules loaded each way:
# ip6tables-restore (dnat6.rules), nft (dnat.nft), rs-dnat (libip6tc) and
# stateless nft. The balancer namespace holds the IPv6 VIP and runs its
# rendered sysctl.conf (make_balancer in dataplane-lib.bash); the answers come
# back through it. Addresses come from the documentation prefix 2001:db8::/32
# and exist only inside the namespaces, named with this run's PID and
# removed by teardown_file. Needs root; fails without.

GEN=build/san/cluster-gen
RS=build/san/rs-dnat
load dataplane-lib
VIP6=2001:db8:53::53
CLIENT6=2001:db8:1::10

write_site6() {
  cat <<S
check { name = "id.server" }
site "dataplane6" { asn = 64512 }
bind { version = "9.18.49"  prefix = "/usr" }
service resolver6 { vip = "$VIP6"  ports = { "udp/53", "tcp/53" } }
balancer lb {
	router-id = 10.255.0.1
	primary = { resolver6 }
	neighbor core { address = "2001:db8:ffff::fe" }
	vlan 605 { interface = "v605"  address = "2001:db8:605::1/64" }
	vlan 609 { interface = "v609"  address = "2001:db8:609::1/64" }
}
realserver rs {
	balancer = lb
	clients = { "2001:db8:1::/64" }
	nat = $1
	instance a { vlan = 605  interface = "eth1.605"  address = "2001:db8:605::2" }
	instance b { vlan = 609  interface = "eth1.609"  address = "2001:db8:609::2" }
}
S
}

setup_file() {
  [ "$(id -u)" -eq 0 ] || { echo "dataplane-v6.bats needs root" >&2; return 1; }
  for t in ip named dig nft ip6tables-restore ip6tables-legacy conntrack; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
  done
  export DP_TMP=$(mktemp -d) NS_CL="lvsdp6$$-lb" NS_RS="lvsdp6$$-rs" NS_CN="lvsdp6$$-cn"
  write_site6 stateful >"$DP_TMP/site.conf"
  write_site6 stateless >"$DP_TMP/stateless.conf"
  "$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out"
  "$GEN" render "$DP_TMP/stateless.conf" -o "$DP_TMP/out-stateless"
  ip netns add "$NS_CL"
  ip netns add "$NS_RS"
  rs ip link set lo up
  cl ip link set lo up
  for id in 605 609; do
    ip link add "v$id" netns "$NS_CL" type veth peer name "eth1.$id" netns "$NS_RS"
    cl ip -6 addr add "2001:db8:$id::1/64" dev "v$id" nodad
    rs ip -6 addr add "2001:db8:$id::2/64" dev "eth1.$id" nodad
    cl ip link set "v$id" up
    rs ip link set "eth1.$id" up
  done
  rs ip -6 route add default via 2001:db8:605::1 dev eth1.605
  make_balancer 6 "$VIP6/128" 2001:db8:1::1/64 "$CLIENT6/64"
  rs sysctl -q -p "$DP_TMP/out/realservers/rs/sysctl.conf"
  IP="ip -n $NS_RS" sh "$DP_TMP/out/realservers/rs/policy-routing.sh"
  for i in a b; do
    mkdir -p "$DP_TMP/cache/$i"
    sed -e "s|/var/cache/bind/|$DP_TMP/cache/|g" \
      "$DP_TMP/out/realservers/rs/named-$i.conf" >"$DP_TMP/named-$i.conf"
  done
  launch_unit a "$DP_TMP/named-a.conf" 2001:db8:605::2
  launch_unit b "$DP_TMP/named-b.conf" 2001:db8:609::2
}

teardown_file() {
  dp_teardown
}

# ask LINK PROTO: one query to the IPv6 VIP through VLAN LINK; prints the
# id.server answer and the NSID (two tries of 2 s, see dataplane.bats).
ask() {
  local tcp=+notcp out txt nsid
  [ "$2" = tcp ] && tcp=+tcp
  cl ip -6 route replace "$VIP6/128" via "2001:db8:$1::2" dev "v$1" table 100
  out=$(cn dig -6 "$tcp" +nsid +time=2 +tries=2 -b "$CLIENT6" @"$VIP6" CH TXT id.server) || { echo "no answer"; return 0; }
  txt=$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out")
  nsid=$(nsid_of "$out")
  echo "$txt $nsid"
}

expect_right_instances() {
  local link proto got want fails=0
  for link in 605 609; do
    for proto in udp tcp; do
      got=$(ask "$link" "$proto")
      want=rs-a; [ "$link" = 609 ] && want=rs-b
      echo "VLAN $link $proto: $got (want $want $want)"
      [ "$got" = "$want $want" ] || fails=$((fails + 1))
    done
  done
  [ "$fails" -eq 0 ]
}

# conntrack must itself succeed: a failing -L would otherwise read as "0".
tracked() {
  local out
  out=$(rs conntrack -L -f ipv6 -s "$CLIENT6" 2>"$BATS_TEST_TMPDIR/conntrack.err") ||
    { echo "conntrack -L failed: $(cat "$BATS_TEST_TMPDIR/conntrack.err")" >&2; return 1; }
  grep -q 'flow entries have been shown' "$BATS_TEST_TMPDIR/conntrack.err" ||
    { echo "conntrack -L: no summary: $(cat "$BATS_TEST_TMPDIR/conntrack.err")" >&2; return 1; }
  printf '%s' "$out" | grep -c . || true
}

setup() {
  rs nft flush ruleset
  rs "$RS" remove >/dev/null
  rs conntrack -F 2>/dev/null || true
}

@test "IPv6: without rules the VIP is not answered" {
  [ "$(ask 605 udp)" = "no answer" ]
}

@test "IPv6: ip6tables-legacy-restore --noflush dnat6.rules (as documented for boot): right instance per VLAN, udp and tcp, conntrack entries" {
  rs ip6tables-legacy-restore --noflush "$DP_TMP/out/realservers/rs/dnat6.rules"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -ge 4 ]
}

@test "IPv6: nft -f dnat.nft (stateful): right instance per VLAN, udp and tcp" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -ge 4 ]
}

@test "IPv6: rs-dnat apply through libip6tc; check clean, then dirty after a deletion" {
  f="$DP_TMP/out/realservers/rs/dnat6.rules"
  rs "$RS" apply "$f"
  run rs "$RS" check "$f"
  [ "$status" -eq 0 ]
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  rs ip6tables-legacy -t nat -D LVSDNS-PRE 4
  run rs "$RS" check "$f"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "${lines[1]}" == "+ -A LVSDNS-PRE -s 2001:db8:1::/64 -d 2001:db8:53::53/128 -i eth1.609 -p tcp"* ]]
}

# ask_from_port LINK PORT: the NSID of the instance that answers a udp query
# through VLAN LINK from the client's source port PORT. The query is of
# class IN (see dataplane.bats: BIND limits CH answers to 3 a second).
ask_from_port() {
  local out
  cl ip -6 route replace "$VIP6/128" via "2001:db8:$1::2" dev "v$1" table 100
  out=$(cn dig -6 +notcp +nsid +time=2 +tries=2 -b "$CLIENT6#$2" @"$VIP6" 10.in-addr.arpa SOA) || { echo "no answer"; return 0; }
  nsid_of "$out"
}

# The balancer moves a client that keeps its source port from VLAN 605's
# instance to VLAN 609's: its next query must reach rs-b.
moved_client_follows() {
  local first second
  first=$(ask_from_port 605 5300)
  second=$(ask_from_port 609 5300)
  echo "before the move: $first; after: $second"
  [ "$first" = rs-a ] && [ "$second" = rs-b ]
}

@test "IPv6: stateful, each loader: a client keeping its source port follows the balancer to another VLAN at once (conntrack zones)" {
  local fails=0 loader
  for loader in restore nft rs-dnat; do
    setup
    case $loader in
      restore) rs ip6tables-legacy-restore --noflush "$DP_TMP/out/realservers/rs/dnat6.rules" ;;
      nft) rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft" ;;
      rs-dnat) rs "$RS" -6 apply "$DP_TMP/out/realservers/rs/dnat6.rules" >/dev/null ;;
    esac
    run moved_client_follows; echo "$loader: $output"; [ "$status" -eq 0 ] || fails=$((fails + 1))
  done
  [ "$fails" -eq 0 ]
}

@test "IPv6: stateless nft: right instance per VLAN, udp and tcp, no conntrack entries" {
  rs nft -f "$DP_TMP/out-stateless/realservers/rs/dnat.nft"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -eq 0 ]
}

@test "IPv6: the balancer holding the VIP passes the traffic only with its rendered sysctl (forwarding)" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  [ "$(ask 605 udp)" = "rs-a rs-a" ]
  cl sysctl -qw net.ipv6.conf.all.forwarding=0
  got=$(ask 605 udp)
  apply_lb_sysctl
  echo "forwarding=0: $got"
  [ "$got" = "no answer" ]
  [ "$(ask 605 udp)" = "rs-a rs-a" ]
}
