# Shared by tests/cli/realserver-rsdnat.bats (the nat table) and
# realserver-rsdnat-zones.bats (the raw table's conntrack zones): rs-dnat
# against the real kernel. Every test runs in a network namespace of its own
# (in_netns: unshare -n), so the host's raw and nat tables are never touched;
# the zones file's two data-plane tests make named namespaces rsz<PID>-*,
# which teardown deletes. Needs root and iptables-legacy; fails (not skips)
# without them. setup writes the rule files both read into $D: dnat.rules,
# dnat6.rules, and zones.rules, zones6.rules (the same with a *raw section).

RS=build/san/rs-dnat

setup() {
  [ "$(id -u)" -eq 0 ] || { echo "${BATS_TEST_FILENAME##*/} needs root (network namespaces, nat table)" >&2; return 1; }
  for t in unshare iptables-legacy iptables-legacy-save ip6tables-legacy-save setpriv \
           iptables-legacy-restore ip6tables-legacy-restore ip conntrack python3; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
  done
  [ -x "$RS" ] || { echo "build $RS first (make)" >&2; return 1; }
  D=$(mktemp -d)
  cat >"$D/dnat.rules" <<'R'
# rendered by cluster-gen (test copy)
*nat
:LVSDNS-PRE - [0:0]
-A PREROUTING -j LVSDNS-PRE
-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53
-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.1.53.2:53
-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p udp -m udp --dport 53 -j DNAT --to-destination 10.3.53.2:53
-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2:53
COMMIT
R
  cat >"$D/dnat6.rules" <<'R'
*nat
:LVSDNS-PRE - [0:0]
-A PREROUTING -j LVSDNS-PRE
-A LVSDNS-PRE -s 2001:db8:1::/48 -d 2001:db8:53::124/128 -i eth1.605 -p udp -m udp --dport 53 -j DNAT --to-destination [2001:db8:105::2]:53
-A LVSDNS-PRE -s 2001:db8:1::/48 -d 2001:db8:53::124/128 -i eth1.605 -p tcp -m tcp --dport 53 -j DNAT --to-destination [2001:db8:105::2]:53
COMMIT
R
  # The same rules as cluster-gen renders them now: the conntrack zones of
  # the VIP flows of each VLAN interface in raw first.
  { printf '# rendered by cluster-gen (test copy)\n'
    zones_section "198.51.100.53/32 198.51.100.54/32" eth1.105:1105 eth1.109:1109
    grep -v '^#' "$D/dnat.rules"; } >"$D/zones.rules"
  { zones_section 2001:db8:53::124/128 eth1.605:1605; cat "$D/dnat6.rules"; } >"$D/zones6.rules"
  NS="rsz$$"
}

teardown() {
  local n
  for n in $(ip netns list 2>/dev/null | awk -v p="$NS-" 'index($1, p) == 1 { print $1 }'); do
    ip netns del "$n"
  done
  rm -rf "$D"
}

# zones_section "VIP/LEN..." IFACE:ZONE...: the *raw section for those
# interfaces and VIPs, as cluster-gen renders it.
zones_section() {
  local p v vips=$1
  shift
  printf '*raw\n:LVSDNS-ZONE - [0:0]\n-A PREROUTING -j LVSDNS-ZONE\n'
  for p in "$@"; do
    for v in $vips; do
      printf -- '-A LVSDNS-ZONE -d %s -i %s -j CT --zone-orig %s\n' "$v" "${p%:*}" "${p#*:}"
    done
  done
  printf 'COMMIT\n'
}

# Runs a script in a fresh network namespace (its nat table starts empty).
in_netns() {
  run unshare -n bash -c "set -e; RS=$RS; D=$D; $1"
}
