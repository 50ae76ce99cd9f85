#!/usr/bin/env bats
# rs-dnat against the real kernel: every test runs in a network namespace of
# its own (unshare -n), so the host's raw and nat tables are never touched;
# the one data-plane test makes named namespaces rsz<PID>-*, which teardown
# deletes. Needs root and iptables-legacy; fails (not skips) without them.

RS=build/san/rs-dnat

setup() {
  [ "$(id -u)" -eq 0 ] || { echo "realserver-rsdnat.bats needs root (network namespaces, nat table)" >&2; return 1; }
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

# The *raw section of today's first zone release (every frame of the VLAN
# interfaces, both ways), for the leftover tests.
old_zones_section() {
  printf '*raw\n:LVSDNS-ZONE-IN - [0:0]\n:LVSDNS-ZONE-OUT - [0:0]\n'
  printf -- '-A PREROUTING -j LVSDNS-ZONE-IN\n-A OUTPUT -j LVSDNS-ZONE-OUT\n'
  printf -- '-A LVSDNS-ZONE-IN -i eth1.105 -j CT --zone 1105\n-A LVSDNS-ZONE-OUT -o eth1.105 -j CT --zone 1105\nCOMMIT\n'
}

# Sets nat to $lines without what rs-dnat says about the raw table, so that
# the --site tests hold whether the built-in templates render zones or not
# (the exit status still covers raw: check exits 0 only if both match).
nat_only() {
  mapfile -t nat < <(printf '%s\n' "${lines[@]}" | grep -v -e '^rs-dnat: ip6\{0,1\}tables raw table' -e 'LVSDNS-ZONE')
}

# The rule lines of one section (raw or nat) of a rules file.
section_rules() {
  sed -n "/^\*$1\$/,/^COMMIT\$/p" "$2" | grep '^-A'
}

# Runs a script in a fresh network namespace (its nat table starts empty).
in_netns() {
  run unshare -n bash -c "set -e; RS=$RS; D=$D; $1"
}

@test "apply installs exactly the file's rules, as iptables-legacy-save prints them" {
  in_netns '$RS apply $D/dnat.rules; iptables-legacy-save -t nat | grep "^-A"'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"committed LVSDNS-PRE with 4 rules"* ]]
  [ "$(printf '%s\n' "${lines[@]:1}")" = "$(grep '^-A' "$D/dnat.rules")" ]
}

@test "apply is idempotent: a second apply commits nothing and changes nothing" {
  in_netns '$RS apply $D/dnat.rules >/dev/null
    a=$(iptables-legacy-save -t nat -c | grep -v "^#")
    $RS apply $D/dnat.rules
    b=$(iptables-legacy-save -t nat -c | grep -v "^#")
    [ "$a" = "$b" ] && echo SAME'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"already matches"*"nothing changed" ]]
  [ "${lines[1]}" = SAME ]
}

@test "check is clean after apply and exits 1 with the difference after a rule is deleted" {
  in_netns '$RS apply $D/dnat.rules >/dev/null
    $RS check $D/dnat.rules
    iptables-legacy -t nat -D LVSDNS-PRE 3
    iptables-legacy -t nat -A PREROUTING -j LVSDNS-PRE
    $RS check $D/dnat.rules'
  [ "$status" -eq 1 ]
  [[ "${lines[0]}" == *"nat table matches"*"(4 rules)" ]]
  [[ "${lines[1]}" == *"differs from"* ]]
  [ "${lines[2]}" = "- -A PREROUTING -j LVSDNS-PRE (1 more times)" ]
  [ "${lines[3]}" = "+ -A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p udp -m udp --dport 53 -j DNAT --to-destination 10.3.53.2:53" ]
  [ "${#lines[@]}" -eq 4 ]
}

@test "apply repairs a drifted chain and keeps rules that are not ours" {
  in_netns 'iptables-legacy -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.9.9.9
    iptables-legacy -t nat -N OTHER
    iptables-legacy -t nat -A OTHER -j RETURN
    $RS apply $D/dnat.rules >/dev/null
    iptables-legacy -t nat -A LVSDNS-PRE -j RETURN
    $RS apply $D/dnat.rules >/dev/null
    $RS check $D/dnat.rules >/dev/null
    iptables-legacy-save -t nat | grep -c -e "--to-destination 10.9.9.9" -e "-A OTHER -j RETURN" -e "^-A PREROUTING -j LVSDNS-PRE"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 3 ]
}

@test "check reports a rule in our chain that is not ours" {
  in_netns '$RS apply $D/dnat.rules >/dev/null
    iptables-legacy -t nat -A LVSDNS-PRE -p udp -j RETURN
    $RS check $D/dnat.rules'
  [ "$status" -eq 1 ]
  [ "${lines[1]}" = "- rule 5 of LVSDNS-PRE (target RETURN) is not one of ours" ]
}

@test "--dry-run prints the change and leaves the table alone" {
  in_netns '$RS --dry-run apply $D/dnat.rules; iptables-legacy-save -t nat | grep -c LVSDNS || true'
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "+ :LVSDNS-PRE (chain missing)" ]
  [ "${lines[2]}" = "+ -A PREROUTING -j LVSDNS-PRE" ]
  [[ "${lines[-2]}" == *"would commit LVSDNS-PRE with 4 rules"* ]]
  [ "${lines[-1]}" = 0 ]
}

@test "remove takes out only our chain and jump, in both families; twice is harmless" {
  in_netns 'iptables-legacy -t nat -A PREROUTING -i eth0 -j ACCEPT
    $RS apply $D/dnat.rules >/dev/null; $RS apply $D/dnat6.rules >/dev/null
    $RS --dry-run remove | grep -c "would remove"
    iptables-legacy-save -t nat | grep -c LVSDNS-PRE
    $RS remove; $RS remove
    iptables-legacy-save -t nat | grep "^-A"; ip6tables-legacy-save -t nat | grep -c LVSDNS || true'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 2 ]
  [ "${lines[1]}" = 6 ]
  [[ "${lines[2]}" == "rs-dnat: iptables nat table: removed LVSDNS-PRE and its jump" ]]
  [[ "${lines[3]}" == "rs-dnat: ip6tables nat table: removed LVSDNS-PRE and its jump" ]]
  [[ "${lines[4]}" == *"nothing of ours to remove" ]]
  [ "${lines[6]}" = "-A PREROUTING -i eth0 -j ACCEPT" ]
  [ "${lines[7]}" = 0 ]
}

@test "remove names the chain that still jumps to ours and changes nothing" {
  in_netns '$RS apply $D/dnat.rules >/dev/null
    iptables-legacy -t nat -A OUTPUT -j LVSDNS-PRE
    $RS -4 remove || echo rc=$?
    iptables-legacy-save -t nat | grep -c -e "^-A PREROUTING -j LVSDNS-PRE" -e "^-A LVSDNS-PRE "'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table: chain LVSDNS-PRE is still referenced (from OUTPUT); delete those jumps, then remove again; the nat table was not changed" ]
  [ "${lines[1]}" = rc=2 ]
  [ "${lines[2]}" = 5 ]
}

@test "IPv6 goes through libip6tc and matches ip6tables-legacy-save" {
  in_netns '$RS apply $D/dnat6.rules >/dev/null; $RS check $D/dnat6.rules; ip6tables-legacy-save -t nat | grep "^-A"'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "rs-dnat: ip6tables nat table matches"* ]]
  [ "$(printf '%s\n' "${lines[@]:1}")" = "$(grep '^-A' "$D/dnat6.rules")" ]
}

@test "not root: a clear error, exit 2" {
  chmod 755 "$D"
  in_netns 'setpriv --reuid=65534 --regid=65534 --clear-groups $RS check $D/dnat.rules'
  [ "$status" -eq 2 ]
  [[ "$output" == *"permission denied; rs-dnat must run as root (CAP_NET_ADMIN)"* ]]
}

@test "an interface name longer than IFNAMSIZ-1 is refused before the kernel is touched" {
  sed 's/eth1\.109/eth1.vlan-109-long/' "$D/dnat.rules" >"$D/long.rules"
  in_netns '$RS apply $D/long.rules || echo rc=$?; iptables-legacy-save -t nat | grep -c LVSDNS || true'
  [[ "${lines[0]}" == *"long.rules:7: interface name 'eth1.vlan-109-long' is longer than 15 bytes"* ]]
  [ "${lines[-2]}" = rc=2 ]
  [ "${lines[-1]}" = 0 ]
}

@test "a file not in our format is refused with file:line" {
  printf '*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n-F\nCOMMIT\n' >"$D/bad.rules"
  run "$RS" check "$D/bad.rules"
  [ "$status" -eq 2 ]
  [[ "$output" == *"bad.rules:4: not a line of ours: '-F'"* ]]
}

@test "a file without rules needs -4 or -6, and then touches only that family" {
  printf '*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\nCOMMIT\n' >"$D/empty.rules"
  in_netns '$RS apply $D/dnat.rules >/dev/null
    $RS apply $D/empty.rules || echo rc=$?
    $RS -6 apply $D/empty.rules
    iptables-legacy-save -t nat | grep -c "^-A LVSDNS-PRE"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$D/empty.rules: the file has no rules, so its address family is unknown" ]
  [ "${lines[1]}" = "  hint: give -4 or -6 to say which nat table it is for" ]
  [ "${lines[2]}" = rc=2 ]
  [ "${lines[3]}" = "rs-dnat: ip6tables nat table: committed LVSDNS-PRE with 0 rules from $D/empty.rules" ]
  [ "${lines[4]}" = 4 ]
}

@test "usage errors exit 2" {
  run "$RS"
  [ "$status" -eq 2 ]
  [[ "$output" == usage:* ]]
  run "$RS" apply
  [ "$status" -eq 2 ]
  run "$RS" remove extra
  [ "$status" -eq 2 ]
}

@test "docs/rs-dnat.8 formats without warnings and documents every command" {
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/rs-dnat.8 2>&1 >/dev/null)
  [ -z "$out" ] || { echo "$out"; false; }
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l docs/rs-dnat.8 2>/dev/null)
  for w in apply check remove --dry-run "EXIT STATUS" IFNAMSIZ iptc_commit "CONNTRACK ZONES" \
           "LVSDNS-ZONE -d VIP/32 -i IFACE -j CT --zone-orig N" "NOTRACK" "asymmetric"; do
    grep -q -- "$w" <<<"$text" || { echo "missing: $w"; false; }
  done
}

@test "--site --host renders the host's rules with cluster-gen's renderer and applies both families" {
  in_netns '$RS apply --site site.conf.example --host kai
    $RS check --site site.conf.example --host kai
    build/san/cluster-gen render site.conf.example -o $D/out >/dev/null
    $RS check $D/out/realservers/kai/dnat.rules; $RS check $D/out/realservers/kai/dnat6.rules'
  [ "$status" -eq 0 ]
  nat_only
  [ "${nat[0]}" = "rs-dnat: iptables nat table: committed LVSDNS-PRE with 24 rules from site.conf.example:realservers/kai/dnat.rules" ]
  [ "${nat[1]}" = "rs-dnat: ip6tables nat table: committed LVSDNS-PRE with 2 rules from site.conf.example:realservers/kai/dnat6.rules" ]
  [[ "${nat[2]}" == *"matches"*"(24 rules)" ]]
  [[ "${nat[3]}" == *"matches"*"(2 rules)" ]]
  [[ "${nat[4]}" == *"matches $D/out/realservers/kai/dnat.rules (24 rules)" ]]
  [[ "${nat[5]}" == *"matches $D/out/realservers/kai/dnat6.rules (2 rules)" ]]
  [ "${#nat[@]}" -eq 6 ]
}

@test "--site: a family the site no longer renders loses our chain; check says so first" {
  # The site without its IPv6 service renders no dnat6.rules for kai.
  sed -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-a }/' \
      -e '/^service resolver-v6 {/,/^}/d' site.conf.example >"$D/v4only.conf"
  in_netns '$RS apply --site site.conf.example --host kai >/dev/null
    $RS check --site $D/v4only.conf --host kai || echo rc=$?
    $RS apply --site $D/v4only.conf --host kai
    $RS check --site $D/v4only.conf --host kai
    ip6tables-legacy-save | grep -c LVSDNS || true
    iptables-legacy-save -t nat | grep -c "^-A LVSDNS-PRE"'
  [ "$status" -eq 0 ]
  nat_only
  f=$D/v4only.conf:realservers/kai
  [[ "${nat[0]}" == *"iptables nat table matches $f/dnat.rules (24 rules)" ]]
  [ "${nat[1]}" = "rs-dnat: ip6tables nat table differs: $f/dnat6.rules is not rendered, so nothing of ours belongs there (- unexpected):" ]
  [ "${nat[2]}" = "- -A PREROUTING -j LVSDNS-PRE" ]
  [ "${nat[3]}" = "- :LVSDNS-PRE (the chain itself)" ]
  [ "${nat[6]}" = rc=1 ]
  [[ "${nat[7]}" == *"iptables nat table already matches $f/dnat.rules; nothing changed" ]]
  [ "${nat[8]}" = "rs-dnat: ip6tables nat table: removed LVSDNS-PRE and its jump ($f/dnat6.rules is not rendered)" ]
  [ "${nat[10]}" = "rs-dnat: ip6tables nat table holds nothing of ours, as $f/dnat6.rules is not rendered" ]
  [ "${nat[11]}" = 0 ]   # nothing of ours in IPv6's raw or nat table
  [ "${nat[12]}" = 24 ]
}

@test "--site: unknown host, stateless host, and a broken site are clear errors" {
  run "$RS" check --site site.conf.example --host nobody
  [ "$status" -eq 2 ]
  [ "$output" = "rs-dnat: site.conf.example: no realserver 'nobody' (there are: kai lou)" ]
  cat >"$D/sl.conf" <<'S'
check { name = "id.server" }
site "sl" { asn = 64512 }
service resolver { vip = 198.51.100.53  ports = { "udp/53" } }
balancer lb {
	router-id = 10.255.0.1
	primary = { resolver }
	neighbor core { address = 198.51.100.254 }
	vlan 105 { interface = "eth1.105"  address = "10.1.53.1/24" }
}
realserver lou {
	balancer = lb
	clients = { "192.0.2.0/24" }
	nat = stateless
	instance a { vlan = 105  interface = "eth1.105"  address = 10.1.53.2 }
}
S
  run "$RS" check --site "$D/sl.conf" --host lou
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"renders no iptables rules for lou; with nat = stateless load dnat.nft with nft" ]]
  echo 'service {' >"$D/broken.conf"
  run "$RS" check --site "$D/broken.conf" --host kai
  [ "$status" -eq 2 ]
  [[ "$output" == *"broken.conf"* ]]
  run "$RS" check --site site.conf.example
  [ "$status" -eq 2 ]
  [[ "$output" == usage:* ]]
}

@test "apply waits for the xtables lock that iptables takes, then commits" {
  in_netns 'export XTABLES_LOCKFILE=$D/xtables.lock
    : >$D/log
    flock $D/xtables.lock sh -c "echo locked >>$D/log; sleep 1; echo released >>$D/log" &
    for i in $(seq 1 50); do grep -q locked $D/log && break; sleep 0.1; done
    $RS apply $D/dnat.rules >>$D/log
    wait
    cat $D/log'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = locked ]
  [ "${lines[1]}" = released ]
  [[ "${lines[2]}" == *"committed LVSDNS-PRE with 4 rules"* ]]
}

@test "zones: the rendered text loads with iptables-legacy-restore --test, both families" {
  run iptables-legacy-restore --test "$D/zones.rules"
  [ "$status" -eq 0 ]
  run ip6tables-legacy-restore --test "$D/zones6.rules"
  [ "$status" -eq 0 ]
}

@test "zones: apply commits raw, then nat; iptables-legacy-save -t raw prints exactly the file's lines" {
  in_netns '$RS apply $D/zones.rules
    iptables-legacy-save -t raw | grep -e "^:LVSDNS" -e "^-A"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables raw table: committed LVSDNS-ZONE with 4 zone rules from $D/zones.rules" ]
  [ "${lines[1]}" = "rs-dnat: iptables nat table: committed LVSDNS-PRE with 4 rules from $D/zones.rules" ]
  [ "${lines[2]}" = ":LVSDNS-ZONE - [0:0]" ]
  [ "$(printf '%s\n' "${lines[@]:3}")" = "$(section_rules raw "$D/zones.rules")" ]
  [ "${#lines[@]}" -eq 8 ]
}

@test "zones: check is clean after apply and lists a zone rule deleted by hand; apply puts it back, then is idempotent" {
  in_netns '$RS apply $D/zones.rules >/dev/null
    $RS check $D/zones.rules
    # deleted by its text: iptables finds it only if ours is byte for byte what iptables builds
    iptables-legacy -t raw -D LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.109 -j CT --zone-orig 1109
    $RS check $D/zones.rules || echo rc=$?
    $RS apply $D/zones.rules
    a=$(iptables-legacy-save -c | grep -v "^#")
    $RS apply $D/zones.rules
    b=$(iptables-legacy-save -c | grep -v "^#")
    [ "$a" = "$b" ] && echo SAME'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table matches $D/zones.rules (4 rules)" ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table matches $D/zones.rules (4 zone rules)" ]
  [ "${lines[2]}" = "rs-dnat: iptables nat table matches $D/zones.rules (4 rules)" ]
  [ "${lines[3]}" = "rs-dnat: iptables raw table differs from $D/zones.rules (+ missing, - unexpected):" ]
  [ "${lines[4]}" = "+ -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.109 -j CT --zone-orig 1109" ]
  [ "${lines[5]}" = rc=1 ]
  [[ "${lines[6]}" == "rs-dnat: iptables raw table: committed "*"with 4 zone rules"* ]]
  [[ "${lines[7]}" == "rs-dnat: iptables nat table already matches"*"nothing changed" ]]
  [[ "${lines[8]}" == "rs-dnat: iptables raw table already matches"*"nothing changed" ]]
  [[ "${lines[9]}" == "rs-dnat: iptables nat table already matches"*"nothing changed" ]]
  [ "${lines[10]}" = SAME ]
}

@test "zones: what iptables-legacy-restore --noflush loads at boot is what check and apply expect" {
  in_netns 'iptables-legacy-restore --noflush <$D/zones.rules
    ip6tables-legacy-restore --noflush <$D/zones6.rules
    $RS check $D/zones.rules && $RS check $D/zones6.rules && $RS apply $D/zones.rules'
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table matches $D/zones.rules (4 zone rules)" ]
  [ "${lines[2]}" = "rs-dnat: ip6tables nat table matches $D/zones6.rules (2 rules)" ]
  [ "${lines[3]}" = "rs-dnat: ip6tables raw table matches $D/zones6.rules (1 zone rules)" ]
  [[ "${lines[4]}" == *"raw table already matches"* ]]
}

@test "zones: a rule in a zone chain that is not ours is reported and replaced, rules outside stay" {
  in_netns 'iptables-legacy -t raw -A PREROUTING -i eth0 -p udp --dport 5000 -j CT --notrack
    $RS apply $D/zones.rules >/dev/null
    iptables-legacy -t raw -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 7
    iptables-legacy -t raw -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone 7
    iptables-legacy -t raw -A PREROUTING -j LVSDNS-ZONE
    $RS check $D/zones.rules || echo rc=$?
    $RS apply $D/zones.rules >/dev/null; $RS check $D/zones.rules >/dev/null && echo clean
    iptables-legacy-save -t raw | grep -c -e "--dport 5000 -j CT --notrack"'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"nat table matches"* ]]
  [ "${lines[1]}" = "rs-dnat: iptables raw table differs from $D/zones.rules (+ missing, - unexpected):" ]
  [ "${lines[2]}" = "- -A PREROUTING -j LVSDNS-ZONE (1 more times)" ]
  [ "${lines[3]}" = "- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 7" ]
  [ "${lines[4]}" = "- rule 6 of LVSDNS-ZONE (target CT) is not one of ours" ]
  [ "${lines[5]}" = rc=1 ]
  [ "${lines[6]}" = clean ]
  [ "${lines[7]}" = 1 ]
}

@test "zones: IPv6 goes through libip6tc's raw table and matches ip6tables-legacy-save" {
  in_netns '$RS apply $D/zones6.rules; $RS check $D/zones6.rules
    ip6tables-legacy-save -t raw | grep "^-A"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: ip6tables raw table: committed LVSDNS-ZONE with 1 zone rules from $D/zones6.rules" ]
  [ "${lines[1]}" = "rs-dnat: ip6tables nat table: committed LVSDNS-PRE with 2 rules from $D/zones6.rules" ]
  [ "${lines[2]}" = "rs-dnat: ip6tables nat table matches $D/zones6.rules (2 rules)" ]
  [ "${lines[3]}" = "rs-dnat: ip6tables raw table matches $D/zones6.rules (1 zone rules)" ]
  [ "$(printf '%s\n' "${lines[@]:4}")" = "$(section_rules raw "$D/zones6.rules")" ]
}

@test "zones: remove takes our chains out of nat and raw in both families, and nothing else" {
  in_netns 'iptables-legacy -t raw -A PREROUTING -i eth0 -p udp --dport 5000 -j CT --zone 7
    iptables-legacy -t nat -A PREROUTING -i eth0 -j ACCEPT
    $RS apply $D/zones.rules >/dev/null; $RS apply $D/zones6.rules >/dev/null
    $RS --dry-run remove
    $RS remove; $RS remove
    iptables-legacy-save | grep "^-A"
    ip6tables-legacy-save | grep -c LVSDNS || true'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: dry run: would remove 1 jump(s) from PREROUTING and chain LVSDNS-PRE (4 rules) from the iptables nat table" ]
  [ "${lines[1]}" = "rs-dnat: dry run: would remove 1 jump(s) from PREROUTING and chain LVSDNS-ZONE (4 rules) from the iptables raw table" ]
  [ "${lines[3]}" = "rs-dnat: dry run: would remove 1 jump(s) from PREROUTING and chain LVSDNS-ZONE (1 rules) from the ip6tables raw table" ]
  [ "${lines[4]}" = "rs-dnat: iptables nat table: removed LVSDNS-PRE and its jump" ]
  [ "${lines[5]}" = "rs-dnat: iptables raw table: removed LVSDNS-ZONE and its jump" ]
  [ "${lines[6]}" = "rs-dnat: ip6tables nat table: removed LVSDNS-PRE and its jump" ]
  [ "${lines[7]}" = "rs-dnat: ip6tables raw table: removed LVSDNS-ZONE and its jump" ]
  [ "${lines[8]}" = "rs-dnat: iptables nat and raw tables: nothing of ours to remove" ]
  [ "${lines[9]}" = "rs-dnat: ip6tables nat and raw tables: nothing of ours to remove" ]
  [ "${lines[10]}" = "-A PREROUTING -i eth0 -j ACCEPT" ]
  [ "${lines[11]}" = "-A PREROUTING -i eth0 -p udp -m udp --dport 5000 -j CT --zone 7" ]
  [ "${lines[12]}" = 0 ]
  [ "${#lines[@]}" -eq 13 ]
}

@test "zones: remove names the chain that still jumps to a zone chain; nat is removed first" {
  in_netns '$RS apply $D/zones.rules >/dev/null
    iptables-legacy -t raw -A OUTPUT -o eth9 -j LVSDNS-ZONE
    $RS -4 remove || echo rc=$?
    iptables-legacy-save | grep -c -e "^:LVSDNS-ZONE" -e "^-A LVSDNS-ZONE" -e "^:LVSDNS-PRE" || true'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table: removed LVSDNS-PRE and its jump" ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table: chain LVSDNS-ZONE is still referenced (from OUTPUT); delete those jumps, then remove again; the raw table was not changed" ]
  [ "${lines[2]}" = rc=2 ]
  [ "${lines[3]}" = 5 ]
}

# The unit runs "rs-dnat -4 remove" only where the nat table exists, and a
# failed apply (raw committed, then nat refused) can leave zones without it.
@test "zones: remove works with only one of the two tables set up, and sets up neither" {
  in_netns 'iptables-legacy -t raw -N LVSDNS-ZONE
    iptables-legacy -t raw -A PREROUTING -j LVSDNS-ZONE
    cat /proc/net/ip_tables_names
    $RS -4 remove; iptables-legacy-save -t raw | grep -c LVSDNS || true
    cat /proc/net/ip_tables_names
    unshare -n sh -c "$RS apply $D/dnat.rules >/dev/null; cat /proc/net/ip_tables_names; $RS -4 remove; cat /proc/net/ip_tables_names"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = raw ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table: removed LVSDNS-ZONE and its jump" ]
  [ "${lines[2]}" = 0 ]
  [ "${lines[3]}" = raw ]
  [ "${lines[4]}" = nat ]
  [ "${lines[5]}" = "rs-dnat: iptables nat table: removed LVSDNS-PRE and its jump" ]
  [ "${lines[6]}" = nat ]
  [ "${#lines[@]}" -eq 7 ]
}

@test "zones: a file without *raw (an older render) takes our raw chains out; check says so first" {
  in_netns '$RS apply $D/zones.rules >/dev/null
    $RS check $D/dnat.rules || echo rc=$?
    $RS apply $D/dnat.rules
    $RS check $D/dnat.rules
    iptables-legacy-save -t raw | grep -c LVSDNS || true'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table matches $D/dnat.rules (4 rules)" ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table differs: $D/dnat.rules has no *raw section, so nothing of ours belongs there (- unexpected):" ]
  [ "${lines[2]}" = "- -A PREROUTING -j LVSDNS-ZONE" ]
  [ "${lines[3]}" = "- :LVSDNS-ZONE (the chain itself)" ]
  [ "${lines[4]}" = "- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105" ]
  [ "${lines[8]}" = rc=1 ]
  [ "${lines[9]}" = "rs-dnat: iptables raw table: removed LVSDNS-ZONE and its jump ($D/dnat.rules has no *raw section)" ]
  [[ "${lines[10]}" == *"nat table already matches"* ]]
  [ "${lines[11]}" = "rs-dnat: iptables nat table matches $D/dnat.rules (4 rules)" ]
  [ "${lines[12]}" = 0 ]
  [ "${#lines[@]}" -eq 13 ]
}

@test "zones: a file without *raw leaves a raw table the kernel has not set up alone" {
  in_netns '$RS apply $D/dnat.rules >/dev/null; $RS check $D/dnat.rules; cat /proc/net/ip_tables_names'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table matches $D/dnat.rules (4 rules)" ]
  [ "${lines[1]}" = nat ]
  [ "${#lines[@]}" -eq 2 ]
}

@test "zones: a malformed *raw section is refused with file:line before the kernel is touched" {
  # two VLANs sharing a zone
  sed 's/--zone-orig 1109/--zone-orig 1105/' "$D/zones.rules" >"$D/shared.rules"
  # an older cluster-gen's render
  { old_zones_section; grep -v '^#' "$D/dnat.rules"; } >"$D/old.rules"
  in_netns '$RS apply $D/shared.rules || echo rc=$?; $RS check $D/old.rules || echo rc=$?
    cat /proc/net/ip_tables_names'
  [ "${lines[0]}" = "$D/shared.rules:7: zone 1105 is already interface eth1.105's (line 5), not eth1.109's" ]
  [ "${lines[1]}" = "  hint: two VLANs must never share a zone: their conntrack entries would meet again" ]
  [ "${lines[4]}" = rc=2 ]
  [ "${lines[5]}" = "$D/old.rules:2: LVSDNS-ZONE-IN is the zone chain of an older cluster-gen" ]
  [ "${lines[6]}" = "  hint: render the rules again with this cluster-gen: zones now cover only the flows to a VIP, in one chain LVSDNS-ZONE" ]
  [ "${lines[7]}" = rc=2 ]
  [ "${#lines[@]}" -eq 8 ]
}

# Today's first zone release may be installed: its chains are ours.
@test "zones: an older rs-dnat's LVSDNS-ZONE-IN/-OUT are listed by check and removed by apply and remove" {
  old_zones_section >"$D/old.raw"
  in_netns '$RS apply $D/dnat.rules >/dev/null
    iptables-legacy-restore --noflush <$D/old.raw
    $RS check $D/zones.rules || echo rc=$?
    $RS apply $D/zones.rules
    iptables-legacy-save -t raw | grep -c -e LVSDNS-ZONE-IN -e LVSDNS-ZONE-OUT || true
    iptables-legacy-restore --noflush <$D/old.raw
    $RS --dry-run -4 remove; $RS -4 remove
    iptables-legacy-save -t raw | grep -c LVSDNS || true'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "rs-dnat: iptables nat table matches $D/zones.rules (4 rules)" ]
  [ "${lines[1]}" = "rs-dnat: iptables raw table differs from $D/zones.rules (+ missing, - unexpected):" ]
  [ "${lines[8]}" = "- -A PREROUTING -j LVSDNS-ZONE-IN (an older rs-dnat's)" ]
  [ "${lines[9]}" = "- :LVSDNS-ZONE-IN and its 1 rules (an older rs-dnat's chain)" ]
  [ "${lines[10]}" = "- -A OUTPUT -j LVSDNS-ZONE-OUT (an older rs-dnat's)" ]
  [ "${lines[11]}" = "- :LVSDNS-ZONE-OUT and its 1 rules (an older rs-dnat's chain)" ]
  [ "${lines[12]}" = rc=1 ]
  [ "${lines[13]}" = "rs-dnat: iptables raw table: committed LVSDNS-ZONE with 4 zone rules from $D/zones.rules" ]
  [ "${lines[14]}" = "rs-dnat: iptables raw table: removed an older rs-dnat's LVSDNS-ZONE-IN/-OUT and their jumps" ]
  [[ "${lines[15]}" == *"nat table already matches"* ]]
  [ "${lines[16]}" = 0 ]
  [ "${lines[18]}" = "rs-dnat: dry run: would remove 1 jump(s) from PREROUTING and chain LVSDNS-ZONE (4 rules) from the iptables raw table" ]
  [ "${lines[19]}" = "rs-dnat: dry run: would remove an older rs-dnat's LVSDNS-ZONE-IN/-OUT, their jumps and 2 rules from the iptables raw table" ]
  [ "${lines[21]}" = "rs-dnat: iptables raw table: removed LVSDNS-ZONE and its jump" ]
  [ "${lines[22]}" = "rs-dnat: iptables raw table: removed an older rs-dnat's LVSDNS-ZONE-IN/-OUT and their jumps" ]
  [ "${lines[23]}" = 0 ]
  [ "${#lines[@]}" -eq 24 ]
}

# srv: the real server, its VLAN interfaces eth1.105 and eth1.109 veths to
# namespaces a and b, which both hold the client's address (the balancer
# moving a client from one VLAN to the other, as far as srv can tell).
make_vlans() {
  local c v net
  for c in srv a b; do ip netns add "$NS-$c"; ip -n "$NS-$c" link set lo up; done
  ip netns exec "$NS-srv" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  for c in a b; do
    v=105 net=10.1.53; [ "$c" = b ] && v=109 net=10.3.53
    ip -n "$NS-srv" link add "eth1.$v" type veth peer name c0 netns "$NS-$c"
    ip -n "$NS-srv" addr add "$net.2/24" dev "eth1.$v"
    ip -n "$NS-srv" link set "eth1.$v" up
    ip -n "$NS-$c" addr add 192.0.2.10/24 dev c0
    ip -n "$NS-$c" link set c0 up
    ip -n "$NS-$c" route add 198.51.100.53/32 dev c0
    ip -n "$NS-$c" neigh replace 198.51.100.53 dev c0 nud permanent \
      lladdr "$(ip -n "$NS-srv" -br link show "eth1.$v" | awk '{ print $3 }')"
  done
}

# send_from C: one UDP datagram from the client's port 5300 to the VIP through C.
send_from() {
  ip netns exec "$NS-$1" python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.10", 5300))
s.sendto(b"q", ("198.51.100.53", 53))'
}

# entries N: waits (up to 2 s) for N conntrack entries of the client's port
# in srv, then prints "ZONE INSTANCE" for each.
entries() {
  local i out
  for i in $(seq 1 20); do
    out=$(ip netns exec "$NS-srv" conntrack -L -p udp --sport 5300 2>/dev/null)
    [ "$(grep -c . <<<"$out")" -ge "$1" ] && break
    sleep 0.1
  done
  sed -n 's/.*\[UNREPLIED\] src=\([0-9.]*\) .*/\1 &/p' <<<"$out" |
    awk '{ z = "zone=0"; for (i = 2; i <= NF; i++) if ($i ~ /^zone(-orig)?=/) z = $i; print z, $1 }' | sort
}

@test "zones: a client that moves VLAN keeping its source port is DNATed to the new VLAN's instance" {
  make_vlans
  # without zones (an older render): the entry made on eth1.105 catches the
  # frames from eth1.109 too, and they go on to eth1.105's instance
  ip netns exec "$NS-srv" "$RS" apply "$D/dnat.rules"
  send_from a; [ "$(entries 1)" = "zone=0 10.1.53.2" ]
  send_from b; sleep 0.3
  [ "$(entries 2)" = "zone=0 10.1.53.2" ]
  # with zones: each VLAN's frames have their own entry and instance
  ip netns exec "$NS-srv" "$RS" apply "$D/zones.rules"
  ip netns exec "$NS-srv" conntrack -F 2>/dev/null
  send_from a; [ "$(entries 1)" = "zone-orig=1105 10.1.53.2" ]
  send_from b
  run entries 2
  [ "${lines[0]}" = "zone-orig=1105 10.1.53.2" ]
  [ "${lines[1]}" = "zone-orig=1109 10.3.53.2" ]
  [ "${#lines[@]}" -eq 2 ]
}

# exchange PORT: from srv (10.1.53.2) one UDP query to the peer 10.1.53.9
# on eth1.105 and its reply, retried for up to 3 s; prints "reply".
exchange() {
  ip netns exec "$NS-srv" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.53.2", 0))
s.settimeout(0.3)
for _ in range(10):
    s.sendto(b"q", ("10.1.53.9", int(sys.argv[1])))
    try:
        s.recvfrom(64)
        print("reply")
        break
    except socket.timeout:
        pass' "$1"
}

# The operator's NOTRACK rules for the host's own DNS traffic stay in force:
# only flows to a VIP are zoned, so nothing takes that traffic first.
@test "zones: the operator's CT --notrack rules still apply to traffic of a VLAN that is not to a VIP" {
  make_vlans
  ip -n "$NS-a" addr add 10.1.53.9/24 dev c0
  ip netns exec "$NS-srv" iptables-legacy -t raw -A OUTPUT -p udp --dport 53 -j CT --notrack
  ip netns exec "$NS-srv" iptables-legacy -t raw -A PREROUTING -p udp --sport 53 -j CT --notrack
  ip netns exec "$NS-srv" "$RS" apply "$D/zones.rules"
  # the peer answers on ports 53 and 5353 (5353: not NOTRACKed, the control)
  timeout 15 ip netns exec "$NS-a" python3 -c 'import select, socket
socks = []
for p in (53, 5353):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.1.53.9", p))
    socks.append(s)
while True:
    for s in select.select(socks, [], [], 10)[0]:
        d, a = s.recvfrom(64)
        s.sendto(d, a)' &
  responder=$!
  run exchange 53
  [ "$output" = reply ]
  run exchange 5353
  [ "$output" = reply ]
  kill "$responder" 2>/dev/null || true
  wait "$responder" 2>/dev/null || true
  # the raw jump of ours is first in PREROUTING, the operator's rule after it
  run ip netns exec "$NS-srv" iptables-legacy -t raw -S PREROUTING
  [ "${lines[1]}" = "-A PREROUTING -j LVSDNS-ZONE" ]
  [ "${lines[2]}" = "-A PREROUTING -p udp -m udp --sport 53 -j CT --notrack" ]
  run ip netns exec "$NS-srv" conntrack -L -p udp --dport 5353
  [[ "$output" == *"dst=10.1.53.9 sport="*"dport=5353"* ]]   # conntrack is on in srv
  run ip netns exec "$NS-srv" conntrack -L -p udp --orig-dst 10.1.53.9 --dport 53
  [ "$(grep -c 'src=' <<<"$output")" -eq 0 ]
}
