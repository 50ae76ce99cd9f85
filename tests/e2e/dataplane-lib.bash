# Shared by tests/e2e/dataplane.bats and realserver/bench-dataplane.sh:
# the two namespaces of the data-plane topology and the named instances in
# them. The caller sets DP_TMP (a fresh directory), NS_CL and NS_RS
# (namespace names carrying a per-run prefix) and GEN (cluster-gen), and
# calls dp_teardown however it ends. Only PIDs started here are killed.
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
  ip netns del "$NS_RS" 2>/dev/null
  rm -rf "$DP_TMP"
  return 0
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
  local i=$1 conf="$DP_TMP/named-$1.conf" addr=10.1.53.2
  [ "$i" = b ] && addr=10.3.53.2
  mkdir -p "$DP_TMP/cache/$i" "$DP_TMP/run"
  sed -e "s|/var/cache/bind/|$DP_TMP/cache/|g" -e "s|/run/named/|$DP_TMP/run/|g" \
    "$DP_TMP/out/realservers/rs/named-$i.conf" >"$conf"
  launch_named "$i" "$conf" "$addr" -n 1
}

# launch_named NAME CONF ADDRESS FLAGS...: starts named in the real-server
# namespace and waits (bounded, ~10 s) until it answers on ADDRESS.
launch_named() {
  local name=$1 conf=$2 addr=$3 n
  shift 3
  mkdir -p "$DP_TMP/run"
  # no function or subshell in between, so $! is named itself; fd 3 (bats'
  # output) closed, so a stray named could never hold the run open
  ip netns exec "$NS_RS" named -g "$@" -c "$conf" >"$DP_TMP/named-$name.log" 2>&1 3>&- &
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
