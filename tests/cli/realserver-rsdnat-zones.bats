#!/usr/bin/env bats
# rs-dnat against the real kernel, the raw table's conntrack zones
# (LVSDNS-ZONE, committed before the nat chain): apply, check and remove in
# both families, what an older render or an older rs-dnat left, a malformed
# *raw section, and two data-plane tests in named namespaces (a client that
# moves VLAN, the operator's NOTRACK rules). setup, teardown and in_netns are
# in realserver-rsdnat-lib.bash.

load realserver-rsdnat-lib.bash

# The *raw section of today's first zone release (every frame of the VLAN
# interfaces, both ways), for the leftover tests.
old_zones_section() {
  printf '*raw\n:LVSDNS-ZONE-IN - [0:0]\n:LVSDNS-ZONE-OUT - [0:0]\n'
  printf -- '-A PREROUTING -j LVSDNS-ZONE-IN\n-A OUTPUT -j LVSDNS-ZONE-OUT\n'
  printf -- '-A LVSDNS-ZONE-IN -i eth1.105 -j CT --zone 1105\n-A LVSDNS-ZONE-OUT -o eth1.105 -j CT --zone 1105\nCOMMIT\n'
}

# The rule lines of one section (raw or nat) of a rules file.
section_rules() {
  sed -n "/^\*$1\$/,/^COMMIT\$/p" "$2" | grep '^-A'
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
