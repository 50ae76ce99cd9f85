#!/usr/bin/env bats
# The real-server renderer: what it writes for a host, checked by the real
# programs that read it (iptables-restore, ip6tables-restore, nft,
# named-checkconf, sysctl, ip), each in a namespace of its own so the host
# is never touched. Needs root and those tools; fails (not skips) without.

GEN=build/san/cluster-gen
RS=build/san/rs-dnat

setup() {
  [ "$(id -u)" -eq 0 ] || { echo "realserver.bats needs root (namespaces)" >&2; return 1; }
  for t in unshare iptables-restore iptables-legacy-restore ip6tables-restore nft named-checkconf sysctl ip; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; return 1; }
  done
  TMP=$(mktemp -d)
  cat >"$TMP/site.conf" <<'S'
check { name = "id.server" }
site "rs-test" { asn = 64512 }
service resolver { vip = 198.51.100.53  ports = { "udp/53", "tcp/53" } }
balancer lb {
	router-id = 10.255.0.1
	primary = { resolver }
	neighbor core { address = 198.51.100.254 }
	vlan 105 { interface = "eth1.105"  address = "10.1.53.1/24" }
	vlan 109 { interface = "eth1.109"  address = "10.3.53.1/24" }
}
realserver rs {
	balancer = lb
	clients = { "192.0.2.0/24" }
	nat = stateful
	instance a { vlan = 105  interface = "eth1.105"  address = 10.1.53.2  control-port = 9531 }
	instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 }
}
S
  sed 's/nat = stateful/nat = stateless/' "$TMP/site.conf" >"$TMP/stateless.conf"
  "$GEN" render site.conf.example -o "$TMP/example"
  "$GEN" render "$TMP/site.conf" -o "$TMP/small"
  "$GEN" render "$TMP/stateless.conf" -o "$TMP/stateless"
}

teardown() {
  rm -rf "$TMP"
}

@test "every real-server host gets its files" {
  run bash -c "cd $TMP/example/realservers && find . -type f | sort"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '%s\n' ./kai/dnat.nft ./kai/dnat.rules ./kai/dnat6.rules ./kai/named-a.conf \
    ./kai/named-b.conf ./kai/named-c.conf ./kai/named@.service ./kai/policy-routing.sh ./kai/sysctl.conf \
    ./lou/dnat.nft ./lou/dnat.rules ./lou/named-a.conf ./lou/named-b.conf ./lou/named@.service \
    ./lou/policy-routing.sh ./lou/sysctl.conf)" ]
  [ -x "$TMP/example/realservers/kai/policy-routing.sh" ]
}

@test "every dnat.rules passes iptables-restore --test (nft and legacy backends)" {
  n=0
  for f in "$TMP"/*/realservers/*/dnat.rules; do
    unshare -n iptables-restore --test --noflush "$f"
    unshare -n iptables-legacy-restore --test --noflush "$f"
    n=$((n + 1))
  done
  [ "$n" -eq 3 ]
}

@test "every dnat6.rules passes ip6tables-restore --test" {
  n=0
  for f in "$TMP"/*/realservers/*/dnat6.rules; do
    unshare -n ip6tables-restore --test --noflush "$f"
    n=$((n + 1))
  done
  [ "$n" -eq 1 ]
}

@test "every dnat.nft passes nft -c -f, and loading it twice leaves one table" {
  n=0
  for f in "$TMP"/*/realservers/*/dnat.nft; do
    unshare -n nft -c -f "$f"
    n=$((n + 1))
  done
  [ "$n" -eq 4 ]
  run unshare -n bash -c "nft -f $TMP/example/realservers/kai/dnat.nft && nft -f $TMP/example/realservers/kai/dnat.nft && nft list tables"
  [ "$status" -eq 0 ]
  [ "$output" = "table inet lvsdns" ]
}

@test "every named-*.conf passes named-checkconf" {
  run unshare -m bash -ec "mount -t tmpfs none /var/cache/bind
    mkdir /var/cache/bind/a /var/cache/bind/b /var/cache/bind/c
    for f in $TMP/*/realservers/*/named-*.conf; do named-checkconf -z \"\$f\"; echo ok; done"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^ok$' <<<"$output")" -eq 9 ]
}

@test "the rules: one per VLAN interface, client network, VIP and protocol, and rs-dnat reads them" {
  f="$TMP/small/realservers/rs/dnat.rules"
  [ "$(grep -c '^-A LVSDNS-PRE ' "$f")" -eq 4 ]
  grep -qx -- '-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2:53' "$f"
  run unshare -n bash -c "$RS check $f; $RS apply $f >/dev/null && $RS check $f"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"differs"* ]]
  [[ "${lines[-2]}" == *"nat table matches"*"(4 rules)" ]]
  [[ "${lines[-1]}" == *"raw table matches"*"(2 zone rules)" ]]
}

@test "example: IPv6 rules only for the IPv6 instance and client networks; 0.0.0.0/0 means no -s" {
  f="$TMP/example/realservers/kai/dnat6.rules"
  [ "$(grep -c '^-A LVSDNS-PRE ' "$f")" -eq 2 ]
  # no IPv4 instance, VLAN or address (a bare "! grep" here could not fail)
  run grep -E 'eth1\.105|10\.' "$f"
  [ "$status" -eq 1 ]
  grep -q -- '-i eth1.605 -p udp -m udp --dport 53 -j DNAT --to-destination \[2001:db8:105::2\]:53$' "$f"
  ! grep -q -- ' -s ' tests/golden/old-article/expected/realservers/kai/dnat.rules
}

@test "named-<instance>.conf: only its own address, own files, ACL, NSID, control port" {
  a="$TMP/small/realservers/rs/named-a.conf" b="$TMP/small/realservers/rs/named-b.conf"
  grep -qx '	listen-on port 53 { 10.1.53.2; };' "$a"
  grep -qx '	listen-on-v6 { none; };' "$a"
  [ "$(grep -c 'listen-on port' "$a")" -eq 1 ]
  grep -qx '	pid-file "/var/cache/bind/a/named.pid";' "$a"
  grep -qx '	directory "/var/cache/bind/a";' "$a"
  grep -qx '	session-keyfile "/var/cache/bind/a/session.key";' "$a"
  # every file named writes is in its own directory, which Debian's AppArmor
  # profile for /usr/sbin/named lets it write ("/var/cache/bind/** lrw")
  [ "$(grep -cE '^	([a-z-]*file|directory) "' "$a")" -eq 6 ]
  [ "$(grep -E '^	([a-z-]*file|directory) "' "$a" | grep -cv '"/var/cache/bind/a[/"]')" -eq 0 ]
  if [ -f /etc/apparmor.d/usr.sbin.named ]; then
    grep -q '^ *@\?/var/cache/bind/\*\* lrw,' /etc/apparmor.d/usr.sbin.named
  fi
  grep -qx '	server-id "rs-a";' "$a"
  grep -qx '	allow-recursion { "clients"; };' "$a"
  grep -qx '	allow-query-cache { "clients"; };' "$a"
  # the clients, and the balancer's VLAN address for its health checks
  [ "$(sed -n '/^acl "clients" {$/,/^};$/p' "$a" | grep -c ';')" -eq 3 ]
  grep -qx '	10.1.53.1;' "$a"
  grep -qx '	inet 127.0.0.1 port 9531 allow { 127.0.0.1; } keys { "rndc-key"; };' "$a"
  grep -qx 'controls { };' "$b"
  grep -qx '	server-id "rs-b";' "$b"
  grep -qx '	listen-on-v6 port 53 { 2001:db8:105::2; };' "$TMP/example/realservers/kai/named-c.conf"
  grep -qx '	listen-on { none; };' "$TMP/example/realservers/kai/named-c.conf"
}

@test "named@.service runs named -f with the version table's flags, from bind { prefix }" {
  u=$TMP/example/realservers/kai/named@.service
  # the default: what bind-build installs (its --prefix default), 9.18's layout
  grep -qx 'ExecStartPre=/usr/local/bin/named-checkconf /etc/bind/named-%i.conf' "$u"
  grep -qx 'ExecStart=/usr/local/sbin/named -f -u bind -n 1 -c /etc/bind/named-%i.conf' "$u"
  # "/usr": Debian's package. This host is Debian 12 with bind9 9.18 (the
  # tests need its named-checkconf), so both programs must be where the unit
  # says, and systemd must accept the unit (verify checks only ExecStart=).
  printf 'bind {\n\tversion = "9.18.49"\n\tprefix = "/usr/"\n}\n' | cat "$TMP/site.conf" - >"$TMP/usr.conf"
  "$GEN" render "$TMP/usr.conf" -o "$TMP/usr"
  u=$TMP/usr/realservers/rs/named@.service
  grep -qx 'ExecStartPre=/usr/bin/named-checkconf /etc/bind/named-%i.conf' "$u"
  grep -qx 'ExecStart=/usr/sbin/named -f -u bind -n 1 -c /etc/bind/named-%i.conf' "$u"
  for p in $(sed -n 's/^ExecStart\(Pre\)\{0,1\}=\([^ ]*\) .*/\2/p' "$u"); do
    [ -x "$p" ] || { echo "$p: not on this host"; false; }
  done
  if command -v systemd-analyze >/dev/null; then
    mkdir "$TMP/unit"
    sed '/^Documentation=/d' "$u" >"$TMP/unit/named@.service"
    systemd-analyze verify "$TMP/unit/named@a.service"
  fi
  # 9.16 (Debian 11) still had named-checkconf in sbin
  sed 's/9\.18\.49/9.16.44/' "$TMP/usr.conf" >"$TMP/usr916.conf"
  "$GEN" render "$TMP/usr916.conf" -o "$TMP/usr916"
  u=$TMP/usr916/realservers/rs/named@.service
  grep -qx 'ExecStartPre=/usr/sbin/named-checkconf /etc/bind/named-%i.conf' "$u"
  grep -qx 'ExecStart=/usr/sbin/named -f -u bind -n 1 -M internal -c /etc/bind/named-%i.conf' "$u"
}

@test "with a control port the unit makes the rndc key where no package did, and named-checkconf then accepts the config" {
  printf 'bind {\n\tversion = "9.18.49"\n\tprefix = "/usr"\n}\n' | cat "$TMP/site.conf" - >"$TMP/usr.conf"
  "$GEN" render "$TMP/usr.conf" -o "$TMP/usr"
  u=$TMP/usr/realservers/rs/named@.service
  line=$(grep '^ExecStartPre=/usr/bin/flock /run/lvsdns-rndc-key.lock ' "$u")
  [ "$line" = "ExecStartPre=/usr/bin/flock /run/lvsdns-rndc-key.lock /bin/sh -c 'test -e /etc/bind/rndc.key || /usr/sbin/rndc-confgen -a -u bind -c /etc/bind/rndc.key'" ]
  # before named-checkconf, which needs the key
  [ "$(grep -n 'rndc-key.lock' "$u" | cut -d: -f1)" -lt "$(grep -n '^ExecStartPre=.*named-checkconf' "$u" | cut -d: -f1)" ]
  # run in a mount namespace where /etc/bind holds only the instance's config
  make_key=${line#ExecStartPre=/usr/bin/flock /run/lvsdns-rndc-key.lock }
  cp "$TMP/usr/realservers/rs/named-a.conf" "$TMP/named-a.conf"
  run unshare -m bash -ec "mount -t tmpfs none /etc/bind
    mount -t tmpfs none /var/cache/bind
    mkdir /var/cache/bind/a
    cp $TMP/named-a.conf /etc/bind/
    if named-checkconf /etc/bind/named-a.conf; then echo 'accepted without a key'; exit 1; fi
    eval \"\$1\"
    stat -c '%U %a' /etc/bind/rndc.key
    named-checkconf /etc/bind/named-a.conf
    sum=\$(md5sum < /etc/bind/rndc.key)
    eval \"\$1\"
    [ \"\$(md5sum < /etc/bind/rndc.key)\" = \"\$sum\" ] && echo kept" _ "$make_key"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind 6"* ]]
  [ "${lines[-1]}" = kept ]
  # without a control port, no key
  ! grep -q rndc "$TMP/example/realservers/kai/named@.service"
}

@test "sysctl.conf uses the slash form and sets the dotted interfaces' keys" {
  f="$TMP/example/realservers/kai/sysctl.conf"
  grep -qx 'net/ipv4/conf/eth1.109/rp_filter = 1' "$f"
  run unshare -n bash -ec "n=0; for i in eth1.105 eth1.109 eth1.605; do n=\$((n+1)); ip link add \$i type veth peer name peer\$n; done
    sysctl -q -w net.ipv4.conf.eth1/109.rp_filter=0
    sysctl -p $f >/dev/null
    cat /proc/sys/net/ipv4/conf/eth1.109/rp_filter /proc/sys/net/ipv4/conf/eth1.105/arp_ignore /proc/sys/net/ipv6/conf/eth1.605/accept_ra"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '1\n1\n0')" ]
}

@test "policy-routing.sh: replies from each instance leave through its VLAN; running it twice adds nothing" {
  f="$TMP/example/realservers/kai/policy-routing.sh"
  run unshare -n bash -ec "ip link set lo up
    for i in 105:10.1.53.2/24 109:10.3.53.2/24; do ip link add eth1.\${i%%:*} type veth peer name p\${i%%:*}; ip link set p\${i%%:*} up; ip link set eth1.\${i%%:*} up; ip addr add \${i#*:} dev eth1.\${i%%:*}; done
    ip link add eth1.605 type veth peer name p605; ip link set p605 up; ip link set eth1.605 up; ip -6 addr add 2001:db8:105::2/64 dev eth1.605 nodad
    sh $f; sh $f
    ip -4 rule list | grep -c lookup
    ip route get 192.0.2.7 from 10.3.53.2
    ip route get 192.0.2.7 from 10.1.53.2
    ip -6 rule list | grep -c 'lookup 1605'"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" -eq 5 ]  # local, main, default + ours
  [[ "${lines[1]}" == "192.0.2.7 from 10.3.53.2 via 10.3.53.1 dev eth1.109 table 1109"* ]]
  [[ "${lines[3]}" == "192.0.2.7 from 10.1.53.2 via 10.1.53.1 dev eth1.105 table 1105"* ]]
  [ "${lines[-1]}" -eq 1 ]
}

@test "policy-routing.sh INSTANCE routes that instance only; an unknown one is exit 2 and changes nothing" {
  f="$TMP/example/realservers/kai/policy-routing.sh"
  run unshare -n bash -c "ip link set lo up
    for i in 105:10.1.53.2/24 109:10.3.53.2/24; do ip link add eth1.\${i%%:*} type veth peer name p\${i%%:*}; ip link set p\${i%%:*} up; ip link set eth1.\${i%%:*} up; ip addr add \${i#*:} dev eth1.\${i%%:*}; done
    sh $f zz; echo \"exit \$?\"
    echo \"rules: \$(ip -4 rule list | grep -c lookup)\"
    sh $f b; echo \"exit \$?\"
    ip -4 rule list | grep -o 'from [0-9.]* lookup [0-9]*'
    ip -4 route show table 1105 2>&1 | head -n 1"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "policy-routing.sh: real server kai has no instance 'zz'" ]
  [ "${lines[1]}" = "exit 2" ]
  [ "${lines[2]}" = "rules: 3" ]   # local, main, default: nothing added
  [ "${lines[3]}" = "exit 0" ]
  [ "${lines[4]}" = "from 10.3.53.2 lookup 1109" ]
  # a's table was never made
  [ "${lines[5]}" = "Error: ipv4: FIB table does not exist." ]
  [ "${#lines[@]}" -eq 6 ]
}

@test "stateless: only dnat.nft, rewriting both ways without conntrack" {
  d="$TMP/stateless/realservers/rs"
  [ ! -e "$d/dnat.rules" ]
  grep -q 'ip daddr set iifname . ip daddr . meta l4proto . th dport map @in4 notrack$' "$d/dnat.nft"
  grep -q 'ip saddr set ip saddr . meta l4proto . th sport map @out4 notrack$' "$d/dnat.nft"
  grep -q 'fragmented queries' "$d/dnat.nft"
  # and the unit loads what there is, nftables only
  grep -qx 'ExecStartPre=/usr/sbin/nft -f /etc/lvsdns/dnat.nft' "$d/named@.service"
  [ "$(grep -c 'rs-dnat.*apply' "$d/named@.service")" -eq 0 ]
  # rs-dnat only takes away its chains, left from an earlier nat mode, and
  # its failure does not keep named from starting
  grep -qx "ExecStartPre=-/bin/sh -c 'if rs-dnat --help >/dev/null 2>&1; then rs-dnat remove; fi'" "$d/named@.service"
  ! grep -q ' dnat ' "$d/dnat.nft"
}

@test "stateless with two VIPs of one family is refused with the reason" {
  sed 's/primary = { resolver }/primary = { resolver, second }/' "$TMP/stateless.conf" >"$TMP/two.conf"
  echo 'service second { vip = 198.51.100.54  ports = { "udp/53" } }' >>"$TMP/two.conf"
  run "$GEN" render "$TMP/two.conf" -o "$TMP/two"
  [ "$status" -ne 0 ]
  [[ "$output" == *"realserver rs: nat = stateless, but balancer lb carries 2 IPv4 VIPs"*"cannot be mapped back"* ]]
  [ ! -e "$TMP/two" ]
}
