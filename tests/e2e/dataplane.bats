#!/usr/bin/env bats
# The real-server data plane, end to end: a client namespace and a
# real-server namespace joined by two veth pairs named like the site's VLAN
# interfaces (eth1.105, eth1.109), two real named from the rendered
# configurations, started with the rendered named@.service's programs and
# flags (Debian's, `named -n 1`: the site says bind { prefix = "/usr" }),
# and the rendered rules loaded each way (iptables-restore,
# nft, rs-dnat, stateless nft). A third namespace plays the balancer
# (dataplane-lib.bash, make_balancer): it holds the VIP, runs its rendered
# sysctl.conf and sends the client's frames for the VIP to the instance's
# address on one VLAN, as LVS direct routing does; the answers come back
# through it. Everything lives in namespaces named with this run's PID and is
# removed by teardown_file, which bats runs however tests end. Addresses:
# VIP 198.51.100.53, client 192.0.2.10 (link 192.0.2.0/24), VLAN links
# 10.1.53.0/24 and 10.3.53.0/24, only inside the namespaces. Needs root.

GEN=build/san/cluster-gen
RS=build/san/rs-dnat
load dataplane-lib

setup_file() {
  [ "$(id -u)" -eq 0 ] || { echo "dataplane.bats needs root" >&2; return 1; }
  for t in ip named dig nft iptables-restore iptables-legacy conntrack sysctl; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
  done
  export DP_TMP=$(mktemp -d) NS_CL="lvsdp$$-lb" NS_RS="lvsdp$$-rs" NS_CN="lvsdp$$-cn"
  write_site stateful >"$DP_TMP/site.conf"
  write_site stateless >"$DP_TMP/stateless.conf"
  "$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out"
  "$GEN" render "$DP_TMP/stateless.conf" -o "$DP_TMP/out-stateless"
  make_namespaces
  cl ip addr del "$CLIENT/32" dev lo
  make_balancer 4 "$VIP/32" 192.0.2.1/24 "$CLIENT/24"
  start_named a
  start_named b
}

teardown_file() {
  dp_teardown
}

# ask LINK PROTO: one query to the VIP sent through VLAN LINK, over udp or
# tcp; prints the id.server answer and the NSID ("rs-a rs-a"). dig tries
# twice, as any stub resolver would: named in this test bed, cut off from the
# root servers it keeps trying, now and then answers after more than 2 s,
# to queries sent to its own address just as through the VIP (measured over
# IPv6: about 1 in 8 of 80 back-to-back queries, with and without DNAT).
ask() {
  local gw=10.1.53.2 tcp=+notcp out txt nsid
  [ "$1" = 109 ] && gw=10.3.53.2
  [ "$2" = tcp ] && tcp=+tcp
  cl ip route replace "$VIP/32" via "$gw" dev "v$1" table 100
  out=$(cn dig "$tcp" +nsid +time=2 +tries=2 -b "$CLIENT" @"$VIP" CH TXT id.server) || { echo "no answer"; return 0; }
  txt=$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out")
  nsid=$(nsid_of "$out")
  echo "$txt $nsid"
}

# Every link and transport answered by the instance on that link.
expect_right_instances() {
  local link proto got fails=0
  for link in 105 109; do
    for proto in udp tcp; do
      got=$(ask "$link" "$proto")
      want=rs-a; [ "$link" = 109 ] && want=rs-b
      echo "VLAN $link $proto: $got (want $want $want)"
      [ "$got" = "$want $want" ] || fails=$((fails + 1))
    done
  done
  [ "$fails" -eq 0 ]
}

# conntrack entries of our client's flows in the real-server namespace.
# conntrack must itself succeed: a failing -L would otherwise read as "0".
tracked() {
  local out
  out=$(rs conntrack -L -s "$CLIENT" 2>"$BATS_TEST_TMPDIR/conntrack.err") ||
    { echo "conntrack -L failed: $(cat "$BATS_TEST_TMPDIR/conntrack.err")" >&2; return 1; }
  grep -q 'flow entries have been shown' "$BATS_TEST_TMPDIR/conntrack.err" ||
    { echo "conntrack -L: no summary: $(cat "$BATS_TEST_TMPDIR/conntrack.err")" >&2; return 1; }
  printf '%s' "$out" | grep -c . || true
}

clean_rules() {
  rs nft flush ruleset
  rs "$RS" remove >/dev/null
  rs conntrack -F 2>/dev/null || true
}

setup() {
  clean_rules
}

@test "without rules the VIP is not answered (the test can fail)" {
  run ask 105 udp
  [ "$output" = "no answer" ]
}

@test "iptables-legacy-restore --noflush dnat.rules (as documented for boot): right instance per VLAN, udp and tcp, conntrack entries" {
  rs iptables-legacy-restore --noflush "$DP_TMP/out/realservers/rs/dnat.rules"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -ge 4 ]
}

@test "nft -f dnat.nft (stateful): right instance per VLAN, udp and tcp, conntrack entries" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -ge 4 ]
}

@test "rs-dnat apply: right instance per VLAN, conntrack entries; check clean, then dirty after a deletion" {
  f="$DP_TMP/out/realservers/rs/dnat.rules"
  rs "$RS" apply "$f"
  run rs "$RS" check "$f"
  [ "$status" -eq 0 ]
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -ge 4 ]
  rs iptables-legacy -t nat -D LVSDNS-PRE 1
  run rs "$RS" check "$f"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "${lines[1]}" == "+ -A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp"* ]]
  # and the deleted rule is missed by the data plane too
  [ "$(ask 105 udp)" != "rs-a rs-a" ]
}

# load_stateful LOADER: the stateful rules, loaded by restore
# (iptables-legacy-restore), nft or rs-dnat.
load_stateful() {
  case $1 in
    restore) rs iptables-legacy-restore --noflush "$DP_TMP/out/realservers/rs/dnat.rules" ;;
    nft) rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft" ;;
    rs-dnat) rs "$RS" -4 apply "$DP_TMP/out/realservers/rs/dnat.rules" >/dev/null ;;
  esac
}

# ask_from_port LINK PORT: the NSID (server-id) of the instance that answers a
# udp query through VLAN LINK from the client's source port PORT, as a
# forwarder with a fixed query port (query-source port 53) sends. The query
# is of class IN, answered from BIND's automatic empty zone: BIND answers CH
# queries (id.server) from its built-in _bind view, which answers at most 3
# a second per client network and drops the rest, and these tests ask more.
ask_from_port() {
  local gw=10.1.53.2 out
  [ "$1" = 109 ] && gw=10.3.53.2
  cl ip route replace "$VIP/32" via "$gw" dev "v$1" table 100
  out=$(cn dig +notcp +nsid +time=2 +tries=2 -b "$CLIENT#$2" @"$VIP" 10.in-addr.arpa SOA) || { echo "no answer"; return 0; }
  nsid_of "$out"
}

# The balancer moves a client that keeps its source port from VLAN 105's
# instance to VLAN 109's (as after a failed check): the first query after
# the move must reach rs-b, not the conntrack entry of the first VLAN.
moved_client_follows() {
  local first second
  first=$(ask_from_port 105 5300)
  second=$(ask_from_port 109 5300)
  echo "before the move: $first; after: $second"
  [ "$first" = rs-a ] && [ "$second" = rs-b ]
}

@test "stateful, each loader: a client keeping its source port follows the balancer to another VLAN at once (conntrack zones)" {
  local fails=0 loader
  for loader in restore nft rs-dnat; do
    clean_rules
    load_stateful "$loader"
    run moved_client_follows; echo "$loader: $output"; [ "$status" -eq 0 ] || fails=$((fails + 1))
  done
  [ "$fails" -eq 0 ]
}

# Only the VIPs' flows are zoned, in their original direction: the
# balancer's health check to the instance address is tracked as before (no
# zone), and the admin's own notrack rule for it keeps its effect.
health_check_untouched() {
  local out
  cl dig +short +time=2 +tries=2 -b 10.1.53.1 @10.1.53.2 CH TXT id.server >/dev/null
  out=$(rs conntrack -L -p udp -s 10.1.53.1 -d 10.1.53.2 2>/dev/null)
  echo "health check entry: $out"
  [ -n "$out" ] && [[ "$out" != *zone* ]] || return 1
  rs conntrack -F 2>/dev/null
  rs iptables-legacy -t raw -I PREROUTING -d 10.1.53.2 -p udp --dport 53 -j CT --notrack
  rs iptables-legacy -t raw -I OUTPUT -s 10.1.53.2 -p udp --sport 53 -j CT --notrack
  cl dig +short +time=2 +tries=2 -b 10.1.53.1 @10.1.53.2 CH TXT id.server >/dev/null
  out=$(rs conntrack -L -p udp -s 10.1.53.1 -d 10.1.53.2 2>/dev/null)
  rs iptables-legacy -t raw -D PREROUTING -d 10.1.53.2 -p udp --dport 53 -j CT --notrack
  rs iptables-legacy -t raw -D OUTPUT -s 10.1.53.2 -p udp --sport 53 -j CT --notrack
  echo "with the admin's notrack: '$out'"
  [ -z "$out" ]
}

@test "stateful, each loader: only the VIPs' flows are zoned; a health check keeps no zone, the admin's notrack rules still hold" {
  local fails=0 loader
  for loader in restore nft rs-dnat; do
    clean_rules
    load_stateful "$loader"
    [ "$(ask_from_port 105 5300)" = rs-a ] || fails=$((fails + 1))
    rs conntrack -L -s "$CLIENT" 2>/dev/null | grep -q 'zone-orig=1105' || { echo "$loader: the VIP flow has no zone"; fails=$((fails + 1)); }
    run health_check_untouched; echo "$loader: $output"; [ "$status" -eq 0 ] || fails=$((fails + 1))
  done
  [ "$fails" -eq 0 ]
}

@test "stateless nft: right instance per VLAN, udp and tcp, and no conntrack entries at all" {
  rs nft -f "$DP_TMP/out-stateless/realservers/rs/dnat.nft"
  run expect_right_instances
  echo "$output"
  [ "$status" -eq 0 ]
  n=$(tracked); echo "conntrack entries: $n"; [ "$n" -eq 0 ]
  # health checks from the balancer's VLAN address still see the instance address
  run cl dig +short +time=2 +tries=1 -b 10.3.53.1 @10.3.53.2 CH TXT id.server
  [ "$output" = '"rs-b"' ]
}

# sysctl KEY VALUE in the balancer namespace
lb_sysctl() {
  cl sysctl -qw "$1=$2"
}

@test "the balancer's rendered sysctl: without accept_local, or with strict rp_filter, the answers die there" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  [ "$(ask 105 udp)" = "rs-a rs-a" ]
  lb_sysctl net/ipv4/conf/v105/accept_local 0
  no_local=$(ask 105 udp)
  lb_sysctl net/ipv4/conf/v105/accept_local 1
  lb_sysctl net/ipv4/conf/v105/rp_filter 1
  strict=$(ask 105 udp)
  apply_lb_sysctl
  echo "accept_local=0: $no_local; rp_filter=1: $strict"
  [ "$no_local" = "no answer" ]
  [ "$strict" = "no answer" ]
  [ "$(ask 105 udp)" = "rs-a rs-a" ]
}

@test "strict rp_filter drops VLAN 109 without the rendered policy routing" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  rs ip rule del from 10.3.53.2 table 1109
  got=$(ask 109 udp)
  IP="ip -n $NS_RS" sh "$DP_TMP/out/realservers/rs/policy-routing.sh"
  [ "$got" = "no answer" ]
  [ "$(ask 109 udp)" = "rs-b rs-b" ]
}

@test "an interface taken down and up loses its VLAN's routes; policy-routing.sh as ifup's hook puts them back, only its own" {
  pr="$DP_TMP/out/realservers/rs/policy-routing.sh"
  # as ifup runs /etc/network/if-up.d/lvsdns (interfaces(5))
  hook() { env MODE=start PHASE=post-up IFACE="$1" IP="ip -n $NS_RS" sh "$pr"; }
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  [ "$(ask 109 udp)" = "rs-b rs-b" ]
  rs ip link set eth1.109 down
  rs ip link set eth1.109 up
  [ -z "$(rs ip route show table 1109)" ]
  # the rule is still there, the route is not: named runs on, the VIP is not answered
  [ -n "$(rs ip rule list from 10.3.53.2 table 1109)" ]
  got=$(ask 109 udp)
  echo "after the bounce: $got"
  [ "$got" = "no answer" ]
  # ifup of another interface changes nothing
  rs ip route flush table 1105
  hook lo
  [ -z "$(rs ip route show table 1105)" ]
  # for eth1.109 it routes that VLAN only, and exits 0
  run hook eth1.109
  echo "$output"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ -n "$(rs ip route show table 1109)" ]
  [ -z "$(rs ip route show table 1105)" ]
  [ "$(ask 109 udp)" = "rs-b rs-b" ]
  # a VLAN that cannot be routed is said, and ifup is not failed
  rs ip link set eth1.105 down
  run hook eth1.105
  rs ip link set eth1.105 up
  rs ip route replace default via 10.1.53.1 dev eth1.105
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "policy-routing.sh: instances not routed: a (run again when their VLANs are up)" ]
  # by hand, --interface does the same, and says a failure with exit 1
  rs ip link set eth1.105 down
  run env IP="ip -n $NS_RS" sh "$pr" --interface eth1.105
  rs ip link set eth1.105 up
  rs ip route replace default via 10.1.53.1 dev eth1.105
  [ "$status" -eq 1 ]
  IP="ip -n $NS_RS" sh "$pr" --interface eth1.105
  [ "$(ask 105 udp)" = "rs-a rs-a" ]
  run env IP="ip -n $NS_RS" sh "$pr" --interface
  [ "$status" -eq 2 ]
}

@test "policy-routing.sh: a VLAN that is down does not stop the others; it is named, exit 1; later runs are idempotent" {
  pr="$DP_TMP/out/realservers/rs/policy-routing.sh"
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  rs ip rule del from 10.3.53.2 table 1109
  rs ip route flush table 1109
  rs ip link set eth1.105 down
  run env IP="ip -n $NS_RS" sh "$pr"
  rs ip link set eth1.105 up
  # the link going down took the main default route with it
  rs ip route replace default via 10.1.53.1 dev eth1.105
  echo "$output"
  [ "$status" -eq 1 ]
  [ "${lines[-1]}" = "policy-routing.sh: instances not routed: a (run again when their VLANs are up)" ]
  # instance b, after the failed a, was routed
  [ "$(ask 109 udp)" = "rs-b rs-b" ]
  IP="ip -n $NS_RS" sh "$pr"
  IP="ip -n $NS_RS" sh "$pr"
  [ "$(rs ip rule list from 10.1.53.2 | wc -l)" -eq 1 ]
  [ "$(rs ip rule list from 10.3.53.2 | wc -l)" -eq 1 ]
  [ "$(ask 105 udp)" = "rs-a rs-a" ]
}
