# Shared by tests/e2e/dataplane.bats, tests/cli/workflow-dataplane.bats,
# tests/e2e/systemd-boot-lib.bash (the systemd-boot-*.bats files) and
# realserver/bench-dataplane.sh: the two namespaces of the data-plane
# topology and the named instances in them.
# The caller sets DP_TMP (a fresh directory), NS_CL and NS_RS (namespace
# names carrying a per-run prefix) and GEN (cluster-gen), and calls
# dp_teardown however it ends. Only PIDs started here are killed.
# make_balancer (the data-plane tests) adds a third namespace, NS_CN.
VIP=198.51.100.53
CLIENT=192.0.2.10

dp_teardown() {
  local p
  for p in "$DP_TMP"/run/*.bats-pid; do
    if [ -f "$p" ]; then kill "$(cat "$p")" 2>/dev/null || true; fi
  done
  sleep 0.3
  for p in "$DP_TMP"/run/*.bats-pid; do
    if [ -f "$p" ]; then kill -9 "$(cat "$p")" 2>/dev/null || true; fi
  done
  ip netns del "$NS_CL" 2>/dev/null
  if [ -n "${NS_CN:-}" ]; then ip netns del "$NS_CN" 2>/dev/null; fi
  ip netns del "$NS_RS" 2>/dev/null
  rm -rf "$DP_TMP"
  return 0
}

# bed_site CHECK LINK NAT: the site of the test bed. CHECK is the body of
# its check section, LINK the name of the balancer's VLAN interfaces before
# the VLAN number, NAT the host's nat line (empty: the default). Its named
# is Debian's (bind9 on Debian 12): bind { prefix = "/usr" }, so that the
# rendered unit's programs are the ones launch_unit runs.
bed_site() {
  cat <<S
check { $1 }
site "dataplane" { asn = 64512 }
bind { version = "9.18.49"  prefix = "/usr" }
service resolver { vip = $VIP  ports = { "udp/53", "tcp/53" } }
balancer lb {
	router-id = 10.255.0.1
	primary = { resolver }
	neighbor core { address = 198.51.100.254 }
	vlan 105 { interface = "${2}105"  address = "10.1.53.1/24" }
	vlan 109 { interface = "${2}109"  address = "10.3.53.1/24" }
}
realserver rs {
	balancer = lb
	clients = { "192.0.2.0/24" }
$3
	instance a { vlan = 105  interface = "eth1.105"  address = 10.1.53.2 }
	instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 }
}
S
}

# write_site NAT: the data-plane tests' site; the balancer's VLAN interfaces
# are named as in NS_CL (v105, v109), where its rendered sysctl.conf is
# applied.
write_site() {
  bed_site 'name = "id.server"' v "	nat = $1"
}

rs() { ip netns exec "$NS_RS" "$@"; }
cl() { ip netns exec "$NS_CL" "$@"; }
cn() { ip netns exec "$NS_CN" "$@"; }

# make_links: the two namespaces, joined by one veth per VLAN (v105/eth1.105,
# v109/eth1.109) with the VLANs' addresses, and the host's main default
# route; nothing of the rendered files applied yet.
make_links() {
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
}

# make_namespaces: make_links, then the host's rendered sysctl.conf and
# policy routing (out/realservers/rs) applied.
make_namespaces() {
  make_links
  rs sysctl -q -p "$DP_TMP/out/realservers/rs/sysctl.conf"
  IP="ip -n $NS_RS" sh "$DP_TMP/out/realservers/rs/policy-routing.sh"
}

# Runs the rendered named-<inst>.conf, its paths moved into this run's
# directory (the rendered ones are checked by realserver.bats).
start_named() {
  local i=$1 conf="$DP_TMP/named-$1.conf" addr=10.1.53.2
  [ "$i" = b ] && addr=10.3.53.2
  mkdir -p "$DP_TMP/cache/$i" "$DP_TMP/run"
  sed -e "s|/var/cache/bind/|$DP_TMP/cache/|g" \
    "$DP_TMP/out/realservers/rs/named-$i.conf" >"$conf"
  launch_unit "$i" "$conf" "$addr"
}

# launch_unit NAME CONF ADDRESS: what the rendered named@.service does for
# instance NAME, with CONF for its configuration: its named-checkconf
# (ExecStartPre=), then its named with its flags (ExecStart=, in the
# foreground with -g instead of -f, and as root: the user bind may not exist
# here), through launch_named.
launch_unit() {
  local unit="$DP_TMP/out/realservers/rs/named@.service" checkconf cmd
  checkconf=$(sed -n 's/^ExecStartPre=\([^ ]*named-checkconf\) .*/\1/p' "$unit")
  # shellcheck disable=SC2207 # the program and its flags are words
  cmd=($(sed -n 's/^ExecStart=\([^ ]*\) -f -u [^ ]* \(.*\)-c .*/\1 \2/p' "$unit"))
  [ -n "$checkconf" ] && [ "${#cmd[@]}" -ge 1 ] || { echo "$unit: no ExecStartPre/ExecStart as expected" >&2; return 1; }
  "$checkconf" "$2" || return 1
  NAMED=${cmd[0]} launch_named "$@" "${cmd[@]:1}"
}

# launch_named NAME CONF ADDRESS FLAGS...: starts named ($NAMED, else the
# one on PATH) in the real-server namespace and waits (bounded, ~10 s) until
# it answers on ADDRESS.
launch_named() {
  local name=$1 conf=$2 addr=$3 n
  shift 3
  mkdir -p "$DP_TMP/run"
  # A recursing named asks the root servers (priming, trust anchors): its
  # root hints point at an address of this test bed instead, where no name
  # server listens, so no query is ever addressed outside it.
  printf '.\t3600000\tIN\tNS\tns.testbed.\nns.testbed.\t3600000\tIN\tA\t10.1.53.1\nns.testbed.\t3600000\tIN\tAAAA\t2001:db8:1::1\n' \
    >"$DP_TMP/root.hints"
  grep -q 'type hint' "$conf" ||
    printf 'zone "." { type hint; file "%s"; };\n' "$DP_TMP/root.hints" >>"$conf"
  # no function or subshell in between, so $! is named itself; fd 3 (bats'
  # output) closed, so a stray named could never hold the run open
  ip netns exec "$NS_RS" "${NAMED:-named}" -g "$@" -c "$conf" >"$DP_TMP/named-$name.log" 2>&1 3>&- &
  echo $! >"$DP_TMP/run/named-$name.bats-pid"
  for n in $(seq 1 50); do
    rs dig +time=1 +tries=1 +short @"$addr" CH TXT id.server >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$DP_TMP/named-$name.log" >&2
  return 1
}

# stop_named NAME: stops one named started by launch_named, and waits for it.
stop_named() {
  local p="$DP_TMP/run/named-$1.bats-pid" n
  [ -f "$p" ] || return 0
  kill "$(cat "$p")" 2>/dev/null || true
  for n in $(seq 1 50); do
    kill -0 "$(cat "$p")" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$p"
}

# make_balancer FAMILY VIP/LEN LB/LEN CLIENT/LEN: turns NS_CL into the
# balancer as production has it, for the answers' way back: it holds the VIP
# on its VIP interface lvsdns0 and runs the rendered balancer sysctl.conf
# (out/balancers/lb/), and the client (CLIENT on link vc, the balancer LB
# there) gets a namespace of its own, NS_CN. Without a balancer holding the
# VIP, answers from the VIP could never be dropped at it as martians.
# This kernel may have no IPVS, so its forwarding step is played by policy
# routing: what arrives from the client for the VIP is marked, and marked
# packets are looked up in table 100 before the local table, where ask()
# points the VIP at one instance address; the destination stays the VIP, as
# with direct routing. A mark, not "iif vc": the kernel's source check of
# the answers looks their source up as if from the interface they leave by
# (vc), and would then find the VIP in table 100 instead of the local one.
make_balancer() {
  local f=$1 vip=$2 lb=$3 client=$4 dad=
  [ "$f" = 6 ] && dad=nodad
  ip netns add "$NS_CN"
  cn ip link set lo up
  ip link add vc netns "$NS_CL" type veth peer name eth0 netns "$NS_CN"
  cl ip -"$f" addr add "$lb" dev vc $dad
  cn ip -"$f" addr add "$client" dev eth0 $dad
  cl ip link set vc up
  cn ip link set eth0 up
  cn ip -"$f" route add default via "${lb%/*}" dev eth0
  # a dummy as rendered for production; a veth where the kernel has none
  if ! cl ip link add lvsdns0 type dummy 2>/dev/null; then
    cl ip link add lvsdns0 type veth peer name lvsdns0-peer
    cl ip link set lvsdns0-peer up
  fi
  cl ip link set lvsdns0 up
  cl ip -"$f" addr add "$vip" dev lvsdns0 $dad
  cl nft add table inet lvsdr
  cl nft add chain inet lvsdr pre '{ type filter hook prerouting priority mangle; }'
  cl nft add rule inet lvsdr pre iifname vc ip$([ "$f" = 6 ] && echo 6) daddr "${vip%/*}" meta mark set 1
  cl ip -"$f" rule add pref 10 fwmark 1 lookup 100
  cl ip -"$f" rule add pref 20 lookup local
  cl ip -"$f" rule del pref 0 lookup local
  # strict everywhere first, as hardened hosts have it: the rendered file
  # must be enough even then
  [ "$f" = 6 ] || cl sysctl -qw net.ipv4.conf.all.rp_filter=1
  apply_lb_sysctl
}

# The balancer's rendered sysctl.conf, applied on the balancer side. Its
# IPVS keys exist only where the kernel has IPVS (ip_vs): without it, as on
# this test machine's kernel, they are left out and the rest applied.
apply_lb_sysctl() {
  local file="$DP_TMP/out/balancers/lb/sysctl.conf"
  grep -q '^net\.ipv4\.vs\.expire_nodest_conn = 1$' "$file" || { echo "$file: no IPVS settings" >&2; return 1; }
  if cl test -d /proc/sys/net/ipv4/vs; then
    cl sysctl -q -p "$file"
  else
    grep -v '^net\.ipv4\.vs\.' "$file" | cl sysctl -q -p-
  fi
}

# The site of the onboarding tests, with a health check the instances
# answer without recursion (CH TXT id.server); host rs is the one onboarded.
write_onboard_site() {
  bed_site 'name = "id.server"  class = CH  type = TXT  timeout = 1  tries = 2' eth1. ''
}

# nsid_of DIG_OUTPUT: the NSID (the answering named's server-id) dig printed.
nsid_of() {
  sed -n 's/^; NSID: .*("\(.*\)")$/\1/p' <<<"$1"
}

ask() { # LINK PROTO: the id.server answer and NSID of a query for the VIP through VLAN LINK
  local gw=10.1.53.2 tcp=+notcp out
  [ "$1" = 109 ] && gw=10.3.53.2
  [ "$2" = tcp ] && tcp=+tcp
  cl ip route replace "$VIP/32" via "$gw" dev "v$1"
  out=$(cl dig "$tcp" +nsid +time=2 +tries=2 -b "$CLIENT" @"$VIP" CH TXT id.server) || { echo "no answer"; return 0; }
  echo "$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out") $(nsid_of "$out")"
}

# The VIP is answered over udp and tcp through each VLAN, by that VLAN's
# instance (its id.server answer and its NSID).
answered_by_each_instance() {
  local link proto want got
  for link in 105 109; do
    want=rs-a; [ "$link" = 109 ] && want=rs-b
    for proto in udp tcp; do
      got=$(ask "$link" "$proto")
      echo "VLAN $link $proto: $got"
      [ "$got" = "$want $want" ] || return 1
    done
  done
}

# A reboot, for the data plane: no DNAT rules (nftables', and rs-dnat's
# where $RS names it), no policy routing.
forget_dataplane() {
  rs nft flush ruleset
  if [ -n "${RS:-}" ]; then rs "$RS" remove >/dev/null 2>&1 || true; fi
  rs ip rule del from 10.1.53.2 table 1105 2>/dev/null || true
  rs ip rule del from 10.3.53.2 table 1109 2>/dev/null || true
  rs ip route flush table 1105 2>/dev/null || true
  rs ip route flush table 1109 2>/dev/null || true
}
