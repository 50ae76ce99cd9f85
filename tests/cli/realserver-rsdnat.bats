#!/usr/bin/env bats
# rs-dnat against the real kernel, the nat table: apply, check, remove and
# --dry-run of our LVSDNS-PRE chain in both families, what is refused before
# the kernel is touched, usage and the man page, --site --host, and the
# xtables lock. The raw table's conntrack zones are in
# realserver-rsdnat-zones.bats; setup, teardown and in_netns in
# realserver-rsdnat-lib.bash.

load realserver-rsdnat-lib.bash

# Sets nat to $lines without what rs-dnat says about the raw table, so that
# the --site tests hold whether the built-in templates render zones or not
# (the exit status still covers raw: check exits 0 only if both match).
nat_only() {
  mapfile -t nat < <(printf '%s\n' "${lines[@]}" | grep -v -e '^rs-dnat: ip6\{0,1\}tables raw table' -e 'LVSDNS-ZONE')
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
