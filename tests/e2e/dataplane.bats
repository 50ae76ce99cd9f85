#!/usr/bin/env bats
# The real-server data plane, end to end: a client namespace and a
# real-server namespace joined by two veth pairs named like the site's VLAN
# interfaces (eth1.105, eth1.109), two real `named -n 1` from the rendered
# configurations, and the rendered rules loaded each way (iptables-restore,
# nft, rs-dnat, stateless nft). The client namespace plays the balancer: it
# sends frames for the VIP to the instance's address on one VLAN, as LVS
# direct routing does. Everything lives in namespaces named with this run's
# PID and is removed by teardown_file, which bats runs however tests end.
# Addresses: VIP 198.51.100.53, client 192.0.2.10, links 10.1.53.0/24 and
# 10.3.53.0/24, only inside the namespaces. Needs root; fails without.

GEN=build/san/cluster-gen
RS=build/san/rs-dnat
VIP=198.51.100.53
CLIENT=192.0.2.10

setup_file() {
  [ "$(id -u)" -eq 0 ] || { echo "dataplane.bats needs root" >&2; return 1; }
  for t in ip named dig nft iptables-restore iptables-legacy conntrack sysctl; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
  done
  export DP_TMP=$(mktemp -d) NS_CL="lvsdp$$-cl" NS_RS="lvsdp$$-rs"
  write_site stateful >"$DP_TMP/site.conf"
  write_site stateless >"$DP_TMP/stateless.conf"
  "$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out"
  "$GEN" render "$DP_TMP/stateless.conf" -o "$DP_TMP/out-stateless"
  make_namespaces
  start_named a
  start_named b
}

teardown_file() {
  for p in "$DP_TMP"/run/*.bats-pid; do
    [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
  done
  sleep 0.3
  for p in "$DP_TMP"/run/*.bats-pid; do
    [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
  done
  ip netns del "$NS_CL" 2>/dev/null
  ip netns del "$NS_RS" 2>/dev/null
  rm -rf "$DP_TMP"
}

write_site() {
  cat <<S
check { name = "id.server" }
site "dataplane" { asn = 64512 }
service resolver { vip = $VIP  ports = { "udp/53", "tcp/53" } }
balancer lb {
	router-id = 10.255.0.1
	primary = { resolver }
	vlan 105 { interface = "eth1.105"  address = "10.1.53.1/24" }
	vlan 109 { interface = "eth1.109"  address = "10.3.53.1/24" }
}
realserver rs {
	balancer = lb
	clients = { "192.0.2.0/24" }
	nat = $1
	instance a { vlan = 105  interface = "eth1.105"  address = 10.1.53.2 }
	instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 }
}
S
}

rs() { ip netns exec "$NS_RS" "$@"; }
cl() { ip netns exec "$NS_CL" "$@"; }

make_namespaces() {
  ip netns add "$NS_CL"
  ip netns add "$NS_RS"
  rs ip link set lo up
  cl ip link set lo up
  cl ip addr add "$CLIENT/32" dev lo
  for v in 105:10.1.53 109:10.3.53; do
    id=${v%%:*} net=${v#*:}
    ip link add "v$id" netns "$NS_CL" type veth peer name "eth1.$id" netns "$NS_RS"
    cl ip addr add "$net.1/24" dev "v$id"
    rs ip addr add "$net.2/24" dev "eth1.$id"
    cl ip link set "v$id" up
    rs ip link set "eth1.$id" up
  done
  # the host's main default route points at the first VLAN: without the
  # rendered policy routing, VLAN 109's queries fail strict rp_filter
  rs ip route add default via 10.1.53.1 dev eth1.105
  rs sysctl -q -p "$DP_TMP/out/realservers/rs/sysctl.conf"
  IP="ip -n $NS_RS" sh "$DP_TMP/out/realservers/rs/policy-routing.sh"
}

# Runs the rendered named-<inst>.conf, its paths moved into this run's
# directory (the rendered ones are checked by realserver.bats).
start_named() {
  local i=$1 conf="$DP_TMP/named-$1.conf" n
  mkdir -p "$DP_TMP/cache/$i" "$DP_TMP/run"
  sed -e "s|/var/cache/bind/|$DP_TMP/cache/|g" -e "s|/run/named/|$DP_TMP/run/|g" \
    "$DP_TMP/out/realservers/rs/named-$i.conf" >"$conf"
  # no function or subshell in between, so $! is named itself; fd 3 (bats'
  # output) closed, so a stray named could never hold the run open
  ip netns exec "$NS_RS" named -g -n 1 -c "$conf" >"$DP_TMP/named-$i.log" 2>&1 3>&- &
  echo $! >"$DP_TMP/run/named-$i.bats-pid"
  local addr=10.1.53.2; [ "$i" = b ] && addr=10.3.53.2
  for n in $(seq 1 50); do  # at most ~10 s
    rs dig +time=1 +tries=1 +short @"$addr" CH TXT id.server >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$DP_TMP/named-$i.log" >&2
  return 1
}

# ask LINK PROTO: one query to the VIP sent through VLAN LINK, over udp or
# tcp; prints the id.server answer and the NSID ("rs-a rs-a").
ask() {
  local gw=10.1.53.2 tcp=+notcp out txt nsid
  [ "$1" = 109 ] && gw=10.3.53.2
  [ "$2" = tcp ] && tcp=+tcp
  cl ip route replace "$VIP/32" via "$gw" dev "v$1"
  out=$(cl dig "$tcp" +nsid +time=2 +tries=1 -b "$CLIENT" @"$VIP" CH TXT id.server) || { echo "no answer"; return 0; }
  txt=$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out")
  nsid=$(sed -n 's/^; NSID: .*("\(.*\)")$/\1/p' <<<"$out")
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
tracked() {
  rs conntrack -L -s "$CLIENT" 2>/dev/null | grep -c . || true
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

@test "iptables-restore --noflush dnat.rules: right instance per VLAN, udp and tcp, conntrack entries" {
  rs iptables-restore --noflush "$DP_TMP/out/realservers/rs/dnat.rules"
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

@test "strict rp_filter drops VLAN 109 without the rendered policy routing" {
  rs nft -f "$DP_TMP/out/realservers/rs/dnat.nft"
  rs ip rule del from 10.3.53.2 table 1109
  got=$(ask 109 udp)
  IP="ip -n $NS_RS" sh "$DP_TMP/out/realservers/rs/policy-routing.sh"
  [ "$got" = "no answer" ]
  [ "$(ask 109 udp)" = "rs-b rs-b" ]
}
