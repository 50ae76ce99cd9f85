#!/usr/bin/env bats
# frr.conf, vips and the VIP-interface stanza as cluster-gen renders them:
# FRR's own checks, our reference check, and what each mode announces.

setup() {
	GEN=${GEN:-build/san/cluster-gen}
	GUARD=${GUARD:-build/san/lvsdns-vip-guard}
	TMP=$(mktemp -d)
	# bgpd -C drops to the frr user, which must be able to read the copy.
	chmod 755 "$TMP"
}

teardown() {
	if [ -n "${NS_IF:-}" ]; then ip netns del "$NS_IF" 2>/dev/null || true; fi
	rm -rf "$TMP"
}

# vtysh -C: exit 0 means FRR's integrated parser accepts every line.
vtysh_ok() {
	command -v vtysh >/dev/null || { echo "vtysh is not installed (frr)" >&2; return 1; }
	vtysh -C -f "$1" >&2 || { echo "$1: vtysh -C failed" >&2; return 1; }
}

# bgpd -C always exits 0: judge its output. Run alone it reads the whole
# integrated file, so it may only complain about bfdd's block (bfd, profile
# and the profile's settings); any other line means a BGP line it rejected.
bgpd_ok() {
	local copy=$TMP/bgpd-check.conf out bad
	[ -x /usr/lib/frr/bgpd ] || { echo "/usr/lib/frr/bgpd is missing (frr)" >&2; return 1; }
	cp "$1" "$copy"
	chmod 644 "$copy"
	# bgpd leaves its crash-log directory /var/tmp/frr/bgpd.PID behind; a
	# later bgpd of the same PID then cannot make it (and says so). Ours is
	# removed, and that complaint about someone else's is not the file's.
	/usr/lib/frr/bgpd -C -p 0 -f "$copy" > "$TMP/bgpd.out" 2>&1 &
	local pid=$! i
	# bounded: a bgpd -C that hangs is killed and fails the check
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		rmdir "/var/tmp/frr/bgpd.$pid" 2>/dev/null || true
		echo "$1: bgpd -C ($pid) still running after 30 s, killed" >&2
		return 1
	fi
	wait "$pid" || true
	rmdir "/var/tmp/frr/bgpd.$pid" 2>/dev/null || true
	out=$(cat "$TMP/bgpd.out")
	bad=$(printf '%s\n' "$out" | grep -v '^$' |
		grep -Ev 'No such command on config line [0-9]+: *(bfd|profile [^ ]+|detect-multiplier [0-9]+|receive-interval [0-9]+|transmit-interval [0-9]+)$' |
		grep -Ev 'failed to mkdir "/var/tmp/frr/bgpd\.[0-9]+": |crashlog and per-thread log buffering unavailable!$' || true)
	[ -z "$bad" ] || { echo "$1: bgpd -C: $bad" >&2; return 1; }
}

# Fails when the pattern occurs (a bare "! grep" would not fail a bats test).
absent() { # grep pattern, file
	if grep -q -- "$1" "$2"; then echo "unexpected '$1' in $2" >&2; return 1; fi
}

render() { # site file, output dir
	"$GEN" render "$1" -o "$2"
}

@test "every rendered frr.conf passes vtysh -C and bgpd -C" {
	for dir in tests/golden/*/; do
		render "$dir/site.conf" "$TMP/$(basename "$dir")"
	done
	render site.conf.example "$TMP/example-live"
	sed 's/mode = active-standby/mode = anycast/; s/bfd = true/bfd = false/; /^[[:space:]]*primary = /d' \
		site.conf.example >"$TMP/anycast.conf"
	render "$TMP/anycast.conf" "$TMP/anycast"
	n=0
	for f in "$TMP"/*/balancers/*/frr.conf; do
		vtysh_ok "$f"
		bgpd_ok "$f"
		n=$((n + 1))
	done
	[ "$n" -ge 7 ]
}

@test "the bgpd judgement catches a bad BGP line" {
	render site.conf.example "$TMP/out"
	sed 's/^ timers bgp 1 3$/ timers bgp one three/' "$TMP/out/balancers/ffm4/frr.conf" >"$TMP/bad.conf"
	run bgpd_ok "$TMP/bad.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"timers bgp one three"* ]]
}

@test "active/standby: primary VIPs get the primary metric, the others the backup metric" {
	render site.conf.example "$TMP/out"
	f=$TMP/out/balancers/ffm4/frr.conf
	grep -qx 'ip prefix-list resolvers-example-ffm4-primary-vips-v4 seq 3221226108 permit 192.0.2.124/32' "$f"
	grep -qx 'ip prefix-list resolvers-example-ffm4-primary-vips-v4 seq 4294967295 deny any' "$f"
	grep -qx 'ip prefix-list resolvers-example-ffm4-backup-vips-v4 seq 3221226109 permit 192.0.2.125/32' "$f"
	grep -qx 'ipv6 prefix-list resolvers-example-ffm4-primary-vips-v6 seq 3778804568 permit 2001:db8:53::124/128' "$f"
	# each clause: its prefix-list, then local-preference and metric
	clauses=$(awk '/^route-map resolvers-example-ffm4-announce-vips permit/{c=$4} c && /match|set/{printf "%s %s %s|", c, $NF, $2} /^exit/{c=""}' "$f")
	[ "$clauses" = "10 resolvers-example-ffm4-primary-vips-v4 ip|10 100 local-preference|10 0 metric|20 resolvers-example-ffm4-backup-vips-v4 ip|20 100 local-preference|20 100 metric|30 resolvers-example-ffm4-primary-vips-v6 ipv6|30 100 local-preference|30 0 metric|" ]
	# dus2 is the mirror image for the IPv4 VIPs and does not carry the IPv6 one
	g=$TMP/out/balancers/dus2/frr.conf
	grep -qx 'ip prefix-list resolvers-example-dus2-primary-vips-v4 seq 3221226109 permit 192.0.2.125/32' "$g"
	grep -qx 'ip prefix-list resolvers-example-dus2-backup-vips-v4 seq 3221226108 permit 192.0.2.124/32' "$g"
	grep -v 'access' "$g" >"$TMP/dus2-no-vty"
	absent 'ipv6' "$TMP/dus2-no-vty"
}

# "N PREFIX-LIST|..." for each clause of the outbound route-map of FILE.
clause_numbers() {
	awk '/^route-map .*-announce-vips permit/{c=$4} c && /^ match/{printf "%s %s|", c, $NF} /^exit/{c=""}' "$1"
}

@test "a route-map clause keeps its number when the clauses before it come or go" {
	render site.conf.example "$TMP/before"
	# resolver-a's primary moves from ffm4 to dus2: ffm4 has no IPv4
	# primary VIP left, dus2 no IPv4 backup one
	sed -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-v6 }/' \
		-e 's/primary = { resolver-b }/primary = { resolver-a, resolver-b }/' \
		site.conf.example >"$TMP/switch.conf"
	render "$TMP/switch.conf" "$TMP/after"
	[ "$(clause_numbers "$TMP/before/balancers/ffm4/frr.conf")" = "10 resolvers-example-ffm4-primary-vips-v4|20 resolvers-example-ffm4-backup-vips-v4|30 resolvers-example-ffm4-primary-vips-v6|" ]
	[ "$(clause_numbers "$TMP/after/balancers/ffm4/frr.conf")" = "20 resolvers-example-ffm4-backup-vips-v4|30 resolvers-example-ffm4-primary-vips-v6|" ]
	[ "$(clause_numbers "$TMP/after/balancers/dus2/frr.conf")" = "10 resolvers-example-dus2-primary-vips-v4|" ]
	# anycast: IPv4 10, IPv6 30
	sed 's/mode = active-standby/mode = anycast/; /^[[:space:]]*primary = /d' site.conf.example >"$TMP/anycast.conf"
	render "$TMP/anycast.conf" "$TMP/anycast"
	[ "$(clause_numbers "$TMP/anycast/balancers/ffm4/frr.conf")" = "10 resolvers-example-ffm4-anycast-vips-v4|30 resolvers-example-ffm4-anycast-vips-v6|" ]
	# frr-reload.py, which applies its deletions first, line by line, then
	# deletes the clause that went and changes no other: no moment with a
	# clause without its match (permitting every connected route) or the
	# IPv6 VIP matched by none (withdrawn)
	[ -x /usr/lib/frr/frr-reload.py ] || skip "frr-reload.py is not installed (frr)"
	python3 /usr/lib/frr/frr-reload.py --test --input "$TMP/before/balancers/ffm4/frr.conf" \
		"$TMP/after/balancers/ffm4/frr.conf" >"$TMP/reload.out" 2>&1
	cat "$TMP/reload.out"
	grep -qx 'no route-map resolvers-example-ffm4-announce-vips permit 10' "$TMP/reload.out"
	absent 'announce-vips permit [23]0' "$TMP/reload.out"
	absent ' no match' "$TMP/reload.out"
}

# The lines frr-reload.py --test would apply to go from frr.conf $1 to $2
# (additions, and deletions as "no ..." lines), headers left out.
reload_lines() {
	python3 /usr/lib/frr/frr-reload.py --test --input "$1" "$2" 2>"$TMP/reload.err" |
		grep -v -e '^$' -e '^Lines To \(Add\|Delete\)$' -e '^=*$' || true
}

# Fails unless reload_lines $1 $2 are the lines $3 (one a line), in any order.
reload_is() { # before, after, expected lines
	local got
	got=$(reload_lines "$1" "$2" | sort)
	[ "$got" = "$(printf '%s\n' "$3" | sort)" ] && return 0
	echo "frr-reload.py --test $1 -> $2 would apply:" >&2
	echo "$got" >&2
	echo "expected:" >&2
	echo "$3" >&2
	cat "$TMP/reload.err" >&2
	return 1
}

# Fails when a line frr-reload.py would apply (reload_lines $1 $2) deletes
# or re-adds a "deny any" or any of the VIPs $3...: whatever the numbers.
untouched() { # before, after, VIP...
	local before=$1 after=$2 vip
	shift 2
	reload_lines "$before" "$after" >"$TMP/reload.lines"
	[ -s "$TMP/reload.lines" ] || { echo "frr-reload.py --test: no change?" >&2; cat "$TMP/reload.err" >&2; return 1; }
	for vip in "$@" 'deny any'; do
		if grep -F -- " $vip" "$TMP/reload.lines" >&2; then
			echo "frr-reload.py would delete or re-add $vip ($before -> $after)" >&2
			return 1
		fi
	done
}

@test "a prefix-list entry keeps its number when VIPs come, go or move: a reload touches no other VIP" {
	[ -x /usr/lib/frr/frr-reload.py ] || skip "frr-reload.py is not installed (frr)"
	render site.conf.example "$TMP/before"
	# 1. a service whose VIP sorts before every other: dus2's primary, so
	# ffm4's backup list gains it before 192.0.2.125 and dus2's primary
	# list before 192.0.2.125 too
	sed -e '/^service resolver-b {/i service resolver-0 {\n\tvip = 192.0.2.10\n}\n' \
		-e 's/primary = { resolver-b }/primary = { resolver-0, resolver-b }/' \
		-e 's/services = { resolver-a, resolver-b }/services = { resolver-0, resolver-a, resolver-b }/' \
		site.conf.example >"$TMP/added.conf"
	render "$TMP/added.conf" "$TMP/added"
	# 2. resolver-b moves: ffm4 becomes its primary, dus2 its backup
	sed -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-a, resolver-b, resolver-v6 }/' \
		-e 's/primary = { resolver-0, resolver-b }/primary = { resolver-0 }/' \
		"$TMP/added.conf" >"$TMP/moved.conf"
	render "$TMP/moved.conf" "$TMP/moved"
	b=$TMP/before/balancers a=$TMP/added/balancers m=$TMP/moved/balancers
	untouched "$b/ffm4/frr.conf" "$a/ffm4/frr.conf" 192.0.2.124/ 192.0.2.125/ 2001:db8:53::124/
	untouched "$b/dus2/frr.conf" "$a/dus2/frr.conf" 192.0.2.124/ 192.0.2.125/
	untouched "$a/ffm4/frr.conf" "$m/ffm4/frr.conf" 192.0.2.10/ 192.0.2.124/ 2001:db8:53::124/
	untouched "$a/dus2/frr.conf" "$m/dus2/frr.conf" 192.0.2.10/ 192.0.2.124/
	pl=ip\ prefix-list\ resolvers-example
	# 192.0.2.10 is 3221225994, 192.0.2.125 3221226109: only their lines
	# change; 192.0.2.124, the IPv6 VIP and each "deny any" are left alone
	reload_is "$b/ffm4/frr.conf" "$a/ffm4/frr.conf" \
		"$pl-ffm4-backup-vips-v4 seq 3221225994 permit 192.0.2.10/32"
	reload_is "$b/dus2/frr.conf" "$a/dus2/frr.conf" \
		"$pl-dus2-primary-vips-v4 seq 3221225994 permit 192.0.2.10/32"
	reload_is "$a/ffm4/frr.conf" "$m/ffm4/frr.conf" \
		"$pl-ffm4-primary-vips-v4 seq 3221226109 permit 192.0.2.125/32
no $pl-ffm4-backup-vips-v4 seq 3221226109 permit 192.0.2.125/32"
	reload_is "$a/dus2/frr.conf" "$m/dus2/frr.conf" \
		"$pl-dus2-backup-vips-v4 seq 3221226109 permit 192.0.2.125/32
no $pl-dus2-primary-vips-v4 seq 3221226109 permit 192.0.2.125/32"
	# and back: removing the service deletes its line alone
	reload_is "$a/ffm4/frr.conf" "$b/ffm4/frr.conf" \
		"no $pl-ffm4-backup-vips-v4 seq 3221225994 permit 192.0.2.10/32"
	for f in "$TMP"/{added,moved}/balancers/*/frr.conf; do
		vtysh_ok "$f"
	done
}

@test "the session: timers, no inbound routes, BFD profile, vty from localhost" {
	render site.conf.example "$TMP/out"
	f=$TMP/out/balancers/ffm4/frr.conf
	for line in 'frr defaults traditional' 'hostname ffm4' 'router bgp 64512' \
		' bgp router-id 198.51.100.1' ' no bgp ebgp-requires-policy' \
		' no bgp default ipv4-unicast' ' timers bgp 1 3' \
		' neighbor 198.51.100.254 remote-as 64512' \
		' neighbor 198.51.100.254 description core router ffm' \
		' neighbor 198.51.100.254 bfd profile lvsdns' \
		' profile lvsdns' '  receive-interval 300' '  detect-multiplier 3' \
		'route-map resolvers-example-ffm4-accept-nothing deny 10' \
		'  redistribute connected route-map resolvers-example-ffm4-announce-vips' \
		'  neighbor 198.51.100.254 route-map resolvers-example-ffm4-accept-nothing in' \
		'  neighbor 198.51.100.254 route-map resolvers-example-ffm4-announce-vips out' \
		'  neighbor 198.51.100.254 send-community both' \
		'access-list resolvers-example-ffm4-vty-from-localhost seq 10 permit 127.0.0.1/32' \
		' access-class resolvers-example-ffm4-vty-from-localhost'; do
		grep -qxF -- "$line" "$f" || { echo "missing: '$line'" >&2; return 1; }
	done
	# the accept-nothing route-map has no permit clause
	absent '^route-map resolvers-example-ffm4-accept-nothing permit' "$f"
	# and nothing refused is kept: soft-reconfiguration inbound would hold
	# every route the core sends (a full table) in Adj-RIB-In
	absent 'soft-reconfiguration' "$f"
	# FRR's route-map delay (5 s) stays: with 0, bgpd would never apply a
	# reload's route-map changes to what it announces (bgp-failover.bats)
	absent '^ *bgp route-map delay-timer' "$f"
	# the IPv4 neighbor is activated in ipv4 unicast only
	[ "$(grep -c '^  neighbor 198.51.100.254 activate$' "$f")" -eq 1 ]
}

# address-family AFI's lines of frr.conf $2
af_lines() {
	sed -n "/^ address-family $1 unicast\$/,/^ exit-address-family\$/p" "$2"
}

@test "each neighbor is activated in its own address family only; FRR accepts it" {
	# the example's ffm4 has an IPv6 neighbor beside its IPv4 one; with a
	# long site name the BFD profile's name stays short
	grep -q 'neighbor core-ffm-v6 { address = "2001:db8:ffff::fe"' site.conf.example
	sed -e 's/site "resolvers-example"/site "resolvers-example-with-a-name-long-enough-for-any-limit-of-frr"/' \
		site.conf.example >"$TMP/v6.conf"
	render "$TMP/v6.conf" "$TMP/out"
	f=$TMP/out/balancers/ffm4/frr.conf
	af_lines ipv4 "$f" > "$TMP/v4"
	af_lines ipv6 "$f" > "$TMP/v6"
	grep -qx '  neighbor 198.51.100.254 activate' "$TMP/v4"
	grep -qx '  neighbor 2001:db8:ffff::fe activate' "$TMP/v6"
	absent '2001:db8:ffff::fe' "$TMP/v4"
	absent '198.51.100.254' "$TMP/v6"
	grep -qx ' neighbor 2001:db8:ffff::fe bfd profile lvsdns' "$f"
	vtysh_ok "$f"
	bgpd_ok "$f"
}

@test "anycast: one prefix-list per family, one metric; BFD off means no BFD lines" {
	sed 's/mode = active-standby/mode = anycast/; s/bfd = true/bfd = false/; /^[[:space:]]*primary = /d' \
		site.conf.example >"$TMP/anycast.conf"
	render "$TMP/anycast.conf" "$TMP/out"
	for lb in ffm4 dus2; do
		f=$TMP/out/balancers/$lb/frr.conf
		absent 'primary\|backup' "$f"
		absent 'bfd' "$f"
		grep -qx "ip prefix-list resolvers-example-$lb-anycast-vips-v4 seq 3221226108 permit 192.0.2.124/32" "$f"
		grep -qx "ip prefix-list resolvers-example-$lb-anycast-vips-v4 seq 3221226109 permit 192.0.2.125/32" "$f"
		grep -qx "ip prefix-list resolvers-example-$lb-anycast-vips-v4 seq 4294967295 deny any" "$f"
		[ "$(grep '^ set metric' "$f" | sort -u)" = " set metric 0" ]
	done
}

@test "a template override with an undefined name is refused by the reference check" {
	mkdir "$TMP/tpl"
	sed 's/route-map {{route_map_out}} permit {{seq}}/route-map {{route_map_out}}-typo permit {{seq}}/' \
		templates/frr.conf.mustache >"$TMP/tpl/frr.conf.mustache"
	run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
	[ "$status" -ne 0 ]
	[[ "$output" == *"balancers/dus2/frr.conf:"*"route-map 'resolvers-example-dus2-announce-vips' is referenced but never defined"* ]]
	[ ! -e "$TMP/out" ]
	# and vtysh alone would have accepted it
	render site.conf.example "$TMP/ok" >/dev/null
	f=$TMP/ok/balancers/ffm4/frr.conf
	[ -s "$f" ]
	grep -q '^route-map resolvers-example-ffm4-announce-vips permit' "$f"
	sed 's/^route-map resolvers-example-ffm4-announce-vips permit/route-map other permit/' "$f" >"$TMP/typo.conf"
	grep -q '^route-map other permit' "$TMP/typo.conf"
	vtysh_ok "$TMP/typo.conf"
}

@test "vips lists every VIP the balancer carries and the guard accepts it" {
	render site.conf.example "$TMP/out"
	[ "$(grep -v '^#' "$TMP/out/balancers/ffm4/vips")" = "192.0.2.124 lvsdns0 resolver-a # primary
192.0.2.125 lvsdns0 resolver-b # backup
2001:db8:53::124 lvsdns0 resolver-v6 # primary" ]
	[ "$(grep -v '^#' "$TMP/out/balancers/dus2/vips")" = "192.0.2.124 lvsdns0 resolver-a # backup
192.0.2.125 lvsdns0 resolver-b # primary" ]
	"$GUARD" -f "$TMP/out/balancers/ffm4/vips" check
	"$GUARD" -f "$TMP/out/balancers/dus2/vips" check
}

@test "the ifupdown stanza creates the dummy interface empty and takes the VIPs off through the guard" {
	render site.conf.example "$TMP/out"
	f=$TMP/out/balancers/dus2/interfaces.d/lvsdns0
	grep -qx 'auto lvsdns0' "$f"
	grep -qx '    pre-up ip link add dev lvsdns0 type dummy' "$f"
	# no VIP before keepalived has checked its instances: quorum_up adds them
	[ "$(grep -cE '^ +(pre-|post-)?up .*lvsdns-vip-guard' "$f")" -eq 0 ]
	grep -qx '    pre-down /usr/local/sbin/lvsdns-vip-guard down --all' "$f"
	# so a VIP that changes does not change it (diff would ask for an ifdown/ifup)
	mkdir "$TMP/m"   # the same file name: it is in the header
	sed 's/192\.0\.2\.124/192.0.2.126/' site.conf.example >"$TMP/m/site.conf.example"
	render "$TMP/m/site.conf.example" "$TMP/moved"
	grep -q '^192\.0\.2\.126 ' "$TMP/moved/balancers/dus2/vips"
	cmp "$f" "$TMP/moved/balancers/dus2/interfaces.d/lvsdns0"
	# ifupdown itself runs the stanza, in a network namespace of this test,
	# with this build's guard and the balancer's vips file
	command -v ifup >/dev/null || { echo "ifup is not installed (ifupdown)" >&2; return 1; }
	NS_IF="lvsfrr$$-if"
	ip netns add "$NS_IF"
	mkdir "$TMP/ifstate" "$TMP/guard"
	# (a veth where this kernel has no dummy driver, as in the other tests)
	dev="type dummy"
	if ! ip -n "$NS_IF" link add probe0 type dummy 2>/dev/null; then
		dev="type veth peer name lvsdns0-peer"
	fi
	sed -e "s|/usr/local/sbin/lvsdns-vip-guard down|$PWD/$GUARD -f $TMP/out/balancers/dus2/vips -s $TMP/guard down|" \
		-e "s|ip link add dev lvsdns0 type dummy|ip link add dev lvsdns0 $dev|" "$f" >"$TMP/lvsdns0"
	grep -q "ip link add dev lvsdns0 $dev\$" "$TMP/lvsdns0"
	ifupdown() { ip netns exec "$NS_IF" "$1" --no-scripts --state-dir "$TMP/ifstate" -i "$TMP/lvsdns0" lvsdns0; }
	ifupdown ifup
	ip -n "$NS_IF" -o link show dev lvsdns0 | grep -q '[<,]UP[,>]'
	# up, and empty: no VIP (only IPv6's link-local address)
	[ "$(ip -n "$NS_IF" -o addr show dev lvsdns0 scope global | wc -l)" -eq 0 ]
	# a VIP as keepalived's quorum_up puts it on, then ifdown takes it off first
	ip netns exec "$NS_IF" "$GUARD" -f "$TMP/out/balancers/dus2/vips" -s "$TMP/guard" up 192.0.2.125
	ip -n "$NS_IF" -o addr show dev lvsdns0 | grep -q 'inet 192\.0\.2\.125/32'
	run ifupdown ifdown
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '192\.0\.2\.125.*removed'   # by the guard, from pre-down
	run ip -n "$NS_IF" link show dev lvsdns0
	[ "$status" -ne 0 ]
}

@test "keepalived's drop-in takes every VIP of the balancer off when it stops, and systemd accepts it" {
	command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed" >&2; return 1; }
	render site.conf.example "$TMP/out"
	f=$TMP/out/balancers/ffm4/keepalived.service.d/lvsdns-vip-guard.conf
	grep -qx 'ExecStopPost=-/usr/local/sbin/lvsdns-vip-guard down 192.0.2.124 192.0.2.125 2001:db8:53::124' "$f"
	grep -qx 'After=networking.service' "$f"
	# a stand-in keepalived.service with the drop-in beside it: verify reads
	# both (and wants the guard it runs: the one built here)
	mkdir -p "$TMP/units/keepalived.service.d"
	printf '[Service]\nExecStart=/bin/true\n' >"$TMP/units/keepalived.service"
	sed "s|/usr/local/sbin/lvsdns-vip-guard|$PWD/$GUARD|" "$f" >"$TMP/units/keepalived.service.d/lvsdns-vip-guard.conf"
	out=$(SYSTEMD_UNIT_PATH="$TMP/units:" systemd-analyze verify "$TMP/units/keepalived.service" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

@test "diff tells how to install the drop-in and that the VIP interface needs a keepalived restart" {
	render site.conf.example "$TMP/out"
	rm "$TMP/out/balancers/ffm4/keepalived.service.d/lvsdns-vip-guard.conf"
	echo '# old' >>"$TMP/out/balancers/ffm4/interfaces.d/lvsdns0"
	run "$GEN" diff --stat site.conf.example "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +balancers/ffm4/keepalived\.service\.d/lvsdns-vip-guard\.conf .*on balancer ffm4: install as /etc/systemd/system/keepalived\.service\.d/lvsdns-vip-guard\.conf, then systemctl daemon-reload$'
	echo "$output" | grep -E '^changed +balancers/ffm4/interfaces\.d/lvsdns0 .*ifdown lvsdns0; ifup lvsdns0; systemctl restart keepalived '
}
