#!/usr/bin/env bats
# The release binaries (build/rel, -O2: what `make install` ships) do what the
# sanitized builds the other tests drive do. Each program once, for real.
# Needs root for the network namespaces; fails, never skips, without it.

REL=build/rel
SAN=build/san

setup() {
  TMP=$(mktemp -d)
  NS=""
}

teardown() {
  [ -z "$NS" ] || ip netns del "$NS"
  rm -rf "$TMP"
}

need_root() {
  [ "$(id -u)" -eq 0 ] || { echo "this test needs root (network namespace)" >&2; return 1; }
}

@test "cluster-gen: the release build renders every golden site byte for byte as the sanitized one" {
  n=0
  for site in site.conf.example tests/golden/*/site.conf; do
    rm -rf "$TMP/rel" "$TMP/san"
    "$REL/cluster-gen" render -j 2 "$site" -o "$TMP/rel"
    "$SAN/cluster-gen" render -j 1 "$site" -o "$TMP/san"
    diff -r "$TMP/rel" "$TMP/san"
    n=$((n + 1))
  done
  [ "$n" -ge 5 ]
}

@test "cluster-gen: the release build reports every malformed site exactly as expected" {
  for conf in tests/bad/*.conf; do
    run "$REL/cluster-gen" check "$conf"
    [ "$status" -eq 2 ] || { echo "$conf: exit $status"; false; }
    [ "$output" = "$(cat "${conf%.conf}.err")" ] || { echo "$conf:"; echo "$output"; false; }
  done
}

@test "dnsprobe: a closed port on loopback is down (exit 1) with a reason" {
  port=$((20000 + $$ % 20000))
  run "$REL/dnsprobe" -v -p "$port" -w 200 -r 1 resolve.test.example 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"resolve.test.example. IN A: "*"after 1 try"* ]]
  run "$REL/dnsprobe" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage"* || "$output" == *"Usage"* ]]
}

@test "lvsdns-vip-guard: up and down move a VIP in a namespace of our own" {
  need_root
  NS="lvsrel$$"
  ip netns add "$NS"
  if ! ip -n "$NS" link add vip0 type dummy 2>/dev/null; then
    ip -n "$NS" link add vip0 type veth peer name vip0-peer   # no dummy driver
    ip -n "$NS" link set vip0-peer up
  fi
  ip -n "$NS" link set vip0 up
  printf '192.0.2.10 vip0 resolver-a\n' >"$TMP/vips"
  ip netns exec "$NS" "$REL/lvsdns-vip-guard" -f "$TMP/vips" up 192.0.2.10
  ip -n "$NS" -o addr show dev vip0 | grep -q '192.0.2.10/32'
  ip netns exec "$NS" "$REL/lvsdns-vip-guard" -f "$TMP/vips" down 192.0.2.10
  run ip -n "$NS" -o addr show dev vip0
  [[ "$output" != *192.0.2.10* ]]
}

@test "rs-dnat: apply, check and remove the example's rules in a namespace of our own" {
  need_root
  "$REL/cluster-gen" render site.conf.example -o "$TMP/out"
  run unshare -n bash -c "set -e
    $REL/rs-dnat apply $TMP/out/realservers/kai/dnat.rules
    $REL/rs-dnat check $TMP/out/realservers/kai/dnat.rules
    echo rules=\$(iptables-legacy-save -t nat | grep -c '^-A LVSDNS-PRE')
    $REL/rs-dnat -4 remove
    ! iptables-legacy-save -t nat | grep -q LVSDNS-PRE"
  [ "$status" -eq 0 ]
  [[ "$output" == *"rules=$(grep -c '^-A LVSDNS-PRE' "$TMP/out/realservers/kai/dnat.rules")"* ]]
}

@test "bind-build: the release build prints the same version table as the sanitized one" {
  run "$REL/bind-build" --table
  [ "$status" -eq 0 ]
  rel=$output
  run "$SAN/bind-build" --table
  [ "$status" -eq 0 ]
  [ "$rel" = "$output" ]
  [[ "$rel" == *9.18* ]]
}
