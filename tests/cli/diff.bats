#!/usr/bin/env bats
# cluster-gen diff, the CI gate: the hunks, what each added, removed or changed
# file asks of its machine, and every exit status.

load workflow-lib.bash

@test "diff: a fresh render has no changes (exit 0, no output)" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 0 ]
	[ "$output" = "no changes" ]
}

@test "diff: CI scenario: render, change the site, diff shows exactly the hunks, render, diff is clean" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# one real server's weight: only the balancer that carries lou changes
	sed -i '/^realserver lou/,/^}/ s/instance b { vlan = 209  interface = "eth1.209"  address = 10.4.53.2  weight = 1 }/instance b { vlan = 209  interface = "eth1.209"  address = 10.4.53.2  weight = 3 }/' "$TMP/site.conf"
	grep -q 'weight = 3' "$TMP/site.conf"
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	# exactly one file, the balancer behind lou, and in it only the weight of
	# lou's instance b, once per virtual server (2 services x udp/tcp)
	[ "$(printf '%s\n' "$output" | grep -c '^# ')" -eq 1 ]
	[ "${lines[0]}" = "# changed balancers/dus2/keepalived.conf: on balancer dus2: once this balancer's other changed files are in place (added, changed or removed: keepalived.service.d drop-ins, vips; with checker = watch, lvsdns-watch running on its new targets), install as /etc/keepalived/keepalived.conf, then systemctl daemon-reload; systemctl reload keepalived" ]
	[ "${lines[1]}" = "--- a/balancers/dus2/keepalived.conf" ]
	[ "${lines[2]}" = "+++ b/balancers/dus2/keepalived.conf" ]
	[ "$(printf '%s\n' "$output" | grep -c '^@@ ')" -eq 4 ]
	[ "$(printf '%s\n' "$output" | grep -cx -- '-        weight 1')" -eq 4 ]
	[ "$(printf '%s\n' "$output" | grep -cx -- '+        weight 3')" -eq 4 ]
	[ "$(printf '%s\n' "$output" | grep -c '^[-+] ')" -eq 8 ]
	# and the hunks are the ones GNU diff -u prints for the two files
	"$GEN" render "$TMP/site.conf" -o "$TMP/new"
	expected=$(diff -u "$TMP/out/balancers/dus2/keepalived.conf" "$TMP/new/balancers/dus2/keepalived.conf" | tail -n +3)
	[ -n "$expected" ]
	diff -u <(printf '%s\n' "$expected") <(printf '%s\n' "$output" | tail -n +4)
	# the same change as patch(1) sees it: applying it gives the new render
	cp -a "$TMP/out" "$TMP/patched"
	"$GEN" diff "$TMP/site.conf" "$TMP/out" | patch -s -p1 -d "$TMP/patched"
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	diff -r "$TMP/out" "$TMP/patched"
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "diff: a new BIND version says to rebuild or reinstall BIND, then restart the instances" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed 's/version = "9.18.49"/version = "9.18.50"/' "$TMP/site.conf" > "$TMP/newbind.conf"
	run "$GEN" diff --stat "$TMP/newbind.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +bind-build/build\.env .*rebuild BIND with bind-build and install it on every real server \(with bind \{ prefix = "/usr" \}: install the distribution.s bind9 it names\), then restart the named@ instances one at a time, each once its balancer sees the one before up again$'
}

@test "diff: new BGP timers say to reset each balancer's sessions, one balancer at a time; a new MED only to reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed 's/holdtime = 3$/holdtime = 9/' "$TMP/site.conf" > "$TMP/timers.conf"
	run "$GEN" diff --stat "$TMP/timers.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^changed +balancers/ffm4/frr\.conf .*on balancer ffm4: install as /etc/frr/frr\.conf, then /usr/lib/frr/frr-reload\.py --reload /etc/frr/frr\.conf; bgpd agrees the hold time with a peer only when their session opens, so the new timers bgp hold once it opens again: then vtysh -c 'clear bgp \*' on one balancer at a time"
	[ "$(echo "$output" | grep -c "clear bgp")" -eq "$(ls "$TMP/out/balancers" | wc -l)" ]
	sed 's/backup-metric = 100$/backup-metric = 200/' "$TMP/site.conf" > "$TMP/med.conf"
	run "$GEN" diff --stat "$TMP/med.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/ffm4/frr\.conf .*frr-reload\.py --reload /etc/frr/frr\.conf$'
	echo "$output" | refute_grep 'clear bgp'
}

@test "diff: a frr.conf of an earlier release (bgp route-map delay-timer 0) says to re-announce with clear bgp soft out after the reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	for lb in ffm4 dus2; do
		sed -i 's/^! No "bgp route-map delay-timer": /bgp route-map delay-timer 0\n&/' "$TMP/out/balancers/$lb/frr.conf"
		grep -qx 'bgp route-map delay-timer 0' "$TMP/out/balancers/$lb/frr.conf"
	done
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for lb in ffm4 dus2; do
		echo "$output" | grep -E "^changed +balancers/$lb/frr\.conf .*on balancer $lb: install as /etc/frr/frr\.conf, then /usr/lib/frr/frr-reload\.py --reload /etc/frr/frr\.conf; this frr\.conf drops bgp route-map delay-timer 0, under which bgpd applied no reload's route-map or prefix-list changes to the routes it already announced \(a VIP whose primary moved kept its old metric\): after this reload, vtysh -c 'clear bgp \* soft out' \(no session is reset\) announces every VIP as frr\.conf says now\$"
	done
	# once reloaded, other changes do not say it again
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed -i 's/holdtime = 3$/holdtime = 9/' "$TMP/site.conf"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	echo "$output" | grep -E '^changed +balancers/ffm4/frr\.conf '
	echo "$output" | refute_grep 'soft out'
}

@test "diff: a change of bgp mode says to reload frr, naming the clauses whose match changes; a moved primary says only to reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed -e 's/mode = active-standby/mode = anycast/' -e '/^[[:space:]]*primary = /d' "$TMP/site.conf" > "$TMP/anycast.conf"
	# frr-reload.py deletes clause 10's match (primary-vips-v4) before adding
	# its new one (anycast-vips-v4); bgpd's route-map delay timer applies
	# both at once (tests/e2e/bgp-failover.bats)
	run "$GEN" diff --stat "$TMP/anycast.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for lb in ffm4 dus2; do
		echo "$output" | grep -E "^changed +balancers/$lb/frr\.conf .*on balancer $lb: install as /etc/frr/frr\.conf, then /usr/lib/frr/frr-reload\.py --reload /etc/frr/frr\.conf; bgp mode changed, so a route-map clause that stays matches another prefix-list now: .*delay timer.*advertised-routes"
	done
	echo "$output" | refute_grep 'restart frr'
	# and back
	"$GEN" render "$TMP/anycast.conf" -o "$TMP/any"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/any"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c 'frr-reload\.py --reload /etc/frr/frr\.conf; bgp mode changed')" -eq 2 ]
	# resolver-a's primary moves to dus2: clauses come and go, none changes
	# its match
	sed -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-v6 }/' \
		-e 's/primary = { resolver-b }/primary = { resolver-a, resolver-b }/' "$TMP/site.conf" > "$TMP/moved.conf"
	run "$GEN" diff --stat "$TMP/moved.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -cE 'frr\.conf .*frr-reload\.py --reload /etc/frr/frr\.conf$')" -eq 2 ]
	echo "$output" | refute_grep 'bgp mode changed'
}

@test "diff: a new bgp router-id (a balancer's new hardware) says its sessions restart: one balancer at a time" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed 's/router-id = 198.51.100.1$/router-id = 198.51.100.11/' "$TMP/site.conf" > "$TMP/rid.conf"
	run "$GEN" diff --stat "$TMP/rid.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^changed +balancers/ffm4/frr\.conf .*frr-reload\.py --reload /etc/frr/frr\.conf; the new bgp router-id makes bgpd end every session of this balancer and open it again: .*one balancer at a time"
	# a new neighbor address alone restarts no other session
	sed 's/address = 198.51.100.254 /address = 198.51.100.250 /' "$TMP/site.conf" > "$TMP/nbr.conf"
	run "$GEN" diff --stat "$TMP/nbr.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/ffm4/frr\.conf .*frr-reload\.py --reload /etc/frr/frr\.conf$'
}

@test "diff: a rule set that gains an instance and loses another says to make two changes; new client networks or an added instance alone do not" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# instance b on VLAN 109 replaced by d on a new VLAN 113: flows from
	# eth1.109 go, flows from eth1.113 come
	sed -e 's/^\(\tvlan 109 .*\)$/\1\n\tvlan 113 { interface = "eth1.113"  address = "10.5.53.1\/24" }/' \
		-e 's/instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 /instance d { vlan = 113  interface = "eth1.113"  address = 10.5.53.2 /' \
		"$TMP/site.conf" > "$TMP/swap.conf"
	grep -q 'instance d' "$TMP/swap.conf"
	run "$GEN" diff --stat "$TMP/swap.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for f in dnat.rules dnat.nft; do
		echo "$output" | grep -E "^changed +realservers/kai/${f/./\\.} .*this change both adds rules and drops others, which belong on opposite sides of the balancer's reload: make it two changes, first the site with the new instances or VIPs added, then with the old ones removed$"
	done
	echo "$output" | refute_grep 'an instance renumbered'
	# d added on a new VLAN beside b: only gains
	sed -e 's/^\(\tvlan 109 .*\)$/\1\n\tvlan 113 { interface = "eth1.113"  address = "10.5.53.1\/24" }/' \
		-e 's/^\(\tinstance c .*\)$/\tinstance d { vlan = 113  interface = "eth1.113"  address = 10.5.53.2 }\n\1/' \
		"$TMP/site.conf" > "$TMP/add.conf"
	# a client network split in two: every iptables rule of kai changes, no flow does
	sed 's#clients = { "192.0.2.0/24", "198.51.100.0/24", "10.0.0.0/8", "2001:db8::/32" }#clients = { "192.0.2.0/25", "192.0.2.128/25", "198.51.100.0/24", "10.0.0.0/8", "2001:db8::/32" }#' \
		"$TMP/site.conf" > "$TMP/clients.conf"
	# d added while resolver-a stops serving tcp/53: a flow comes, others go
	sed -e '/^service resolver-a {$/,/^}$/s#ports = { "udp/53", "tcp/53" }#ports = { "udp/53" }#' "$TMP/add.conf" > "$TMP/add-udp.conf"
	run "$GEN" diff --stat "$TMP/add-udp.conf" "$TMP/out"
	echo "$output"
	echo "$output" | grep -E "^changed +realservers/kai/dnat\.rules .*this change both adds rules and drops others"
	for conf in add clients; do
		run "$GEN" diff --stat "$TMP/$conf.conf" "$TMP/out"
		echo "$output"
		[ "$status" -eq 1 ]
		echo "$output" | grep -E '^changed +realservers/kai/dnat\.rules .*where it adds rules \(a new instance or VIP\), before'
		echo "$output" | refute_grep 'both adds rules'
	done
}

@test "diff: an instance renumbered on its VLAN says to drain it first, then (drained) to apply the rules before the balancers' reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# b keeps VLAN 109 and changes its address: no second instance could
	# stand on eth1.109 for a two-step change (the check refuses it)
	sed 's/instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 /instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.7 /' \
		"$TMP/site.conf" > "$TMP/renumber.conf"
	grep -q '10.3.53.7' "$TMP/renumber.conf"
	run "$GEN" diff --stat "$TMP/renumber.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for f in dnat.rules dnat.nft; do
		echo "$output" | grep -E "^changed +realservers/kai/${f/./\\.} .*a flow here keeps its interface and VIP and goes to another address \(an instance renumbered\): .*so drain the instance first: render and apply the site with it at weight = 0 .*then, once ipvsadm -Ln on each balancer shows no connection left to it, this change, its weight back as well$"
	done
	echo "$output" | refute_grep 'make it two changes'
	# the procedure it gives works: the drained site is valid, and from it
	# the renumbering (weight back) is one change, rules before the reload
	sed 's/instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2  weight = 1 /instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2  weight = 0 /' \
		"$TMP/site.conf" > "$TMP/drained.conf"
	grep -q 'weight = 0' "$TMP/drained.conf"
	run "$GEN" diff --stat "$TMP/drained.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | refute_grep 'realservers/kai/dnat'
	"$GEN" render "$TMP/drained.conf" -o "$TMP/out"
	run "$GEN" diff --stat "$TMP/renumber.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for f in dnat.rules dnat.nft; do
		echo "$output" | grep -E "^changed +realservers/kai/${f/./\\.} .*the instance whose flows go to another address here is at weight = 0 \(drained: .*\), so apply this before its balancers' keepalived reload, once ipvsadm -Ln on each balancer shows no connection left to it"
	done
	echo "$output" | refute_grep 'an instance renumbered\|make it two changes'
}

@test "diff: with nat = stateless too, a rule set that gains an instance and loses another says to make two changes" {
	# stateless maps end in an address (": ADDR,"), not "ADDR . PORT,"
	sed 's/^\tbalancer = lvs1$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	"$GEN" render "$TMP/sl.conf" -o "$TMP/out"
	grep -qx '			"eth1.109" . 194.97.173.124 . udp . 53 : 10.3.53.2,' "$TMP/out/realservers/kai/dnat.nft"
	# instance b on VLAN 109 replaced by d on a new VLAN 113
	sed -e 's/^\(\tvlan 109 .*\)$/\1\n\tvlan 113 { interface = "eth1.113"  address = "10.5.53.1\/24" }/' \
		-e 's/instance b { lb-address = 10.3.53.1  interface = "eth1.109"  address = 10.3.53.2 /instance d { lb-address = 10.5.53.1  interface = "eth1.113"  address = 10.5.53.2 /' \
		"$TMP/sl.conf" > "$TMP/sl-swap.conf"
	grep -q 'instance d' "$TMP/sl-swap.conf"
	run "$GEN" diff --stat "$TMP/sl-swap.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^changed +realservers/kai/dnat\.nft .*nft -f dnat\.nft .*this change both adds rules and drops others, .*make it two changes"
	# d added beside b: only gains
	sed -e 's/^\(\tvlan 109 .*\)$/\1\n\tvlan 113 { interface = "eth1.113"  address = "10.5.53.1\/24" }/' \
		-e 's/^\(\tinstance b .*\)$/\1\n\tinstance d { lb-address = 10.5.53.1  interface = "eth1.113"  address = 10.5.53.2  weight = 1 }/' \
		"$TMP/sl.conf" > "$TMP/sl-add.conf"
	grep -q 'instance d' "$TMP/sl-add.conf"
	run "$GEN" diff --stat "$TMP/sl-add.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/dnat\.nft .*where it adds rules \(a new instance or VIP\), before'
	echo "$output" | refute_grep 'both adds rules'
}

@test "diff: a host turning to nat = stateless or back keeps its flows: no 'two changes'" {
	# the maps' elements change form (": ADDR . PORT" and a zone map, or
	# ": ADDR" and an out map), not what they send where
	sed 's/^\tbalancer = lvs1$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -q 'nat = stateless' "$TMP/sl.conf"
	"$GEN" render tests/golden/old-article/site.conf -o "$TMP/stateful"
	"$GEN" render "$TMP/sl.conf" -o "$TMP/stateless"
	run "$GEN" diff --stat "$TMP/sl.conf" "$TMP/stateful"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/dnat\.nft .*nft -f dnat\.nft'
	echo "$output" | refute_grep 'both adds rules'
	run "$GEN" diff --stat tests/golden/old-article/site.conf "$TMP/stateless"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/dnat\.nft .*nft -f dnat\.nft'
	echo "$output" | refute_grep 'both adds rules'
}

@test "diff: IPv6 coming to an IPv4 site: the host's new rule file is loaded before the balancer's reload; the balancer's sysctl.conf warns that forwarding ignores router advertisements" {
	# the IPv4-only example: no resolver-v6, no IPv6 neighbor, VLAN or instance
	sed -e '/^service resolver-v6 {$/,/^}$/d' -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-a }/' \
		-e '/neighbor core-ffm-v6/d' -e '/vlan 605 /d' -e '/instance c { vlan = 605/d' \
		-e 's#, "2001:db8::/32" }# }#' "$TMP/site.conf" > "$TMP/v4.conf"
	"$GEN" check "$TMP/v4.conf" >/dev/null
	"$GEN" render "$TMP/v4.conf" -o "$TMP/out"
	[ ! -e "$TMP/out/realservers/kai/dnat6.rules" ]
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	# the instance's check passes without the rules: loaded after the
	# reload, the new VIP would be announced with its queries dropped
	echo "$output" | grep -E "^added +realservers/kai/dnat6\.rules .*rs-dnat -6 apply dnat6\.rules \(one atomic commit each of the raw and nat tables\); before its balancer's keepalived reload that adds the instances or VIP it has rules for"
	echo "$output" | grep -E "^changed +realservers/kai/dnat\.nft .*where it adds rules \(a new instance or VIP\), before its balancer's keepalived reload"
	# the balancer starts forwarding IPv6, and then ignores router
	# advertisements where accept_ra is 1: its RA default route would expire
	echo "$output" | grep -E "^changed +balancers/ffm4/sysctl\.conf .*sysctl -p /etc/sysctl\.d/60-lvsdns\.conf once the VLAN interfaces .*; it turns IPv6 forwarding on, and a forwarding host ignores router advertisements on interfaces with accept_ra = 1: where this balancer learns its IPv6 default route that way \(ip -6 route show default: proto ra\), set accept_ra = 2 on that interface first, or the route goes when its lifetime ends\$"
	# a balancer that forwarded IPv6 before is not warned again
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed -i 's/^\tvlan 109 { interface = "eth1.109"  address = "10.3.53.1\/24" }/&\n\tvlan 113 { interface = "eth1.113"  address = "10.7.53.1\/24" }/' "$TMP/site.conf"
	grep -q 'vlan 113' "$TMP/site.conf"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	echo "$output" | grep -E '^changed +balancers/ffm4/sysctl\.conf '
	echo "$output" | refute_grep 'IPv6 forwarding on'
}

@test "diff: a unit that comes with checker = watch is enabled; the IPv6 rules of a host without IPv6 instances are removed" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# watch mode; resolver-v6 and kai's IPv6 instance leave the site
	sed -e 's/checker = probe/checker = watch/' -e '/instance c { vlan = 605/d' \
		-e '/^service resolver-v6 {$/,/^}$/d' -e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-a }/' \
		"$TMP/site.conf" > "$TMP/new.conf"
	grep -q 'checker = watch' "$TMP/new.conf"
	run "$GEN" diff --stat "$TMP/new.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +balancers/ffm4/lvsdns-watch\.service .*on balancer ffm4: install in /etc/systemd/system/, systemctl daemon-reload, then systemctl enable --now lvsdns-watch\.service$'
	echo "$output" | grep -E '^added +balancers/ffm4/dnsprobe\.targets .*on balancer ffm4: install as /etc/lvsdns/dnsprobe\.targets before lvsdns-watch\.service \(added too\) starts: it reads the file then$'
	echo "$output" | grep -E '^removed +realservers/kai/dnat6\.rules .*on real server kai: with rs-dnat: rs-dnat -6 remove, then remove /etc/lvsdns/dnat6\.rules; where the host.s instances of that family leave the site, only after their balancer.s keepalived\.conf \(in this diff\) is reloaded without them \(until then it sends them queries\); where the host turns to nat = stateless, after nft -f dnat\.nft$'
}

@test "diff: checks moving to lvsdns-watch say to reload keepalived only once the watcher has checked every target" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed 's/checker = probe/checker = watch/' "$TMP/site.conf" > "$TMP/watch.conf"
	run "$GEN" diff --stat "$TMP/watch.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	# the watcher's first start writes every state file 1 (down): a reload
	# before its first checks would take the instances out of LVS
	for lb in ffm4 dus2; do
		echo "$output" | grep -E "^changed +balancers/$lb/keepalived\.conf .*systemctl reload keepalived; its checks move to lvsdns-watch: reload only once that has checked every target, the state file in /run/lvsdns of each instance that answers saying 0"
	done
	# once on the watcher, and away from it: nothing to wait for
	"$GEN" render "$TMP/watch.conf" -o "$TMP/watched"
	sed -i 's/weight = 1 }/weight = 2 }/' "$TMP/watch.conf"
	run "$GEN" diff --stat "$TMP/watch.conf" "$TMP/watched"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/ffm4/keepalived\.conf .*systemctl reload keepalived$'
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/watched"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/ffm4/keepalived\.conf .*systemctl reload keepalived$'
	echo "$output" | refute_grep 'move to lvsdns-watch'
}

@test "diff: policy-routing.sh never deletes: a removed instance's rule and table are named, a renumbered one's rule alone" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# lou's instance b leaves: its VLAN's table 1209 is used by no other
	sed '/instance b { vlan = 209/d' "$TMP/site.conf" > "$TMP/nob.conf"
	run "$GEN" diff --stat "$TMP/nob.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/lou/policy-routing\.sh .*on real server lou: run policy-routing\.sh again \(idempotent\); it adds and replaces but never deletes, so once the instances it no longer routes are stopped or renumbered: ip -4 rule del from 10\.4\.53\.2 table 1209 priority 1209; ip -4 route flush table 1209$'
	# kai's instance b renumbered on VLAN 109: table 1109 stays in use
	sed 's/address = 10.3.53.2 /address = 10.3.53.7 /' "$TMP/site.conf" > "$TMP/renumber.conf"
	run "$GEN" diff --stat "$TMP/renumber.conf" "$TMP/out"
	echo "$output"
	echo "$output" | grep -E '^changed +realservers/kai/policy-routing\.sh .*: ip -4 rule del from 10\.3\.53\.2 table 1109 priority 1109$'
	# a change that routes every instance still says nothing of deleting
	sed 's/weight = 1 }/weight = 2 }/' "$TMP/site.conf" > "$TMP/weights.conf"
	echo '# old' >>"$TMP/out/realservers/kai/policy-routing.sh"
	run "$GEN" diff --stat "$TMP/weights.conf" "$TMP/out"
	echo "$output" | grep -E '^changed +realservers/kai/policy-routing\.sh .*on real server kai: run policy-routing\.sh again \(idempotent\)$'
}

@test "diff: a changed vips file names the dropped VIPs to take off first; changed targets, to reload lvsdns-watch" {
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
	# the running file lists two VIPs the site no longer has (and a comment)
	printf '%s\n' '198.51.100.77 lvsdns0 gone # primary' '# old' '2001:db8:77::1 lvsdns0 gone6 # backup' \
		>>"$TMP/out/balancers/lvs1/vips"
	echo '# old' >>"$TMP/out/balancers/lvs1/dnsprobe.targets"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/lvs1/vips .*on balancer lvs1: first take off each VIP the new file no longer lists \(lvsdns-vip-guard down VIP, for 198\.51\.100\.77 2001:db8:77::1\), then install as /etc/lvsdns/vips'
	echo "$output" | grep -E '^changed +balancers/lvs1/dnsprobe\.targets .*on balancer lvs1: install as /etc/lvsdns/dnsprobe\.targets, then systemctl reload lvsdns-watch \(it checks the file first'
	# more dropped VIPs than the advice has room for: the first ones, then "..."
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
	for i in $(seq 100 119); do echo "198.51.100.$i lvsdns0 gone$i"; done >>"$TMP/out/balancers/lvs1/vips"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/out"
	echo "$output" | grep -E '^changed +balancers/lvs1/vips .*\(lvsdns-vip-guard down VIP, for 198\.51\.100\.100 198\.51\.100\.101 [0-9. ]+ \.\.\.\), then install as /etc/lvsdns/vips'
	# a file that drops no VIP (a comment more) has nothing to take off
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
	echo '# old' >>"$TMP/out/balancers/lvs1/vips"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/lvs1/vips .*on balancer lvs1: install as /etc/lvsdns/vips \(lvsdns-vip-guard reads it on every call; nothing to reload\)$'
}

@test "diff: a changed unit restarts the host's instances one at a time; a changed named-I.conf reloads that instance" {
	"$GEN" render site.conf.example -o "$TMP/out"
	# named's own flags differ: the running instances have the old ones
	sed -i 's/^\(ExecStart=.*\) -c /\1 -4 -c /' "$TMP/out/realservers/kai/named@.service"
	grep -q '^ExecStart=.* -4 -c ' "$TMP/out/realservers/kai/named@.service"
	echo '# old' >>"$TMP/out/realservers/kai/named-a.conf"
	run "$GEN" diff --stat site.conf.example "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/named@\.service .*systemctl daemon-reload, then restart the named@ instances one at a time, each once its balancer sees the one before up again$'
	echo "$output" | grep -E '^changed +realservers/kai/named-a\.conf .*on real server kai: install as /etc/bind/named-a\.conf, then systemctl reload named@a$'
}

@test "diff: a unit whose ExecStartPre= lines or comments alone changed (a new nat mode) asks for daemon-reload, no restart" {
	start_only="install in /etc/systemd/system/, then systemctl daemon-reload; only its comments or ExecStartPre= lines changed, which run at the next start: no restart\$"
	"$GEN" render tests/golden/old-article/site.conf -o "$TMP/out"
	sed 's/^\tbalancer = lvs1$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -q 'nat = stateless' "$TMP/sl.conf"
	run "$GEN" diff --stat "$TMP/sl.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^changed +realservers/kai/named@\.service .*on real server kai: $start_only"
	# the rules themselves change through their own files' actions
	echo "$output" | grep -E '^changed +realservers/kai/dnat\.nft '
	# comments alone, here of the watcher's unit: the same
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/watch"
	echo '# old' >>"$TMP/watch/balancers/lvs1/lvsdns-watch.service"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/watch"
	echo "$output"
	echo "$output" | grep -E "^changed +balancers/lvs1/lvsdns-watch\.service .*on balancer lvs1: $start_only"
	# a line that stays in force while the program runs: a restart
	sed -i 's/^ExecStart=/ExecStart=\/bin\/true /' "$TMP/watch/balancers/lvs1/lvsdns-watch.service"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/watch"
	echo "$output"
	echo "$output" | grep -E "^changed +balancers/lvs1/lvsdns-watch\.service .*on balancer lvs1: install in /etc/systemd/system/, systemctl daemon-reload, then systemctl restart lvsdns-watch\.service\$"
}

@test "diff: a VIP that loses a port asks for a keepalived restart, not a reload (a reload would leave it withdrawn)" {
	"$GEN" render site.conf.example -o "$TMP/out"
	# resolver-a (192.0.2.124) keeps udp/53 and loses tcp/53
	awk '/ports = \{ "udp\/53", "tcp\/53" \}/ && !done { sub(/, "tcp\/53"/, ""); done = 1 } { print }' \
		site.conf.example > "$TMP/no-tcp.conf"
	[ "$(diff site.conf.example "$TMP/no-tcp.conf" | grep -c '^>')" -eq 1 ]
	run "$GEN" diff --stat "$TMP/no-tcp.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/ffm4/keepalived\.conf .*systemctl restart keepalived, not reload: a virtual server of a VIP that stays is gone'
	echo "$output" | grep -E '^changed +balancers/dus2/keepalived\.conf .*systemctl restart keepalived, not reload'
	# every balancer restarting at once would withdraw the VIPs everywhere
	[ "$(echo "$output" | grep -c 'keepalived\.conf .*restart keepalived, not reload.*one balancer at a time, each once the one before has its VIPs back')" -eq 2 ]
	# a port added, or a whole service gone with its VIP: a reload does (a
	# port added is a query of its own to try first: its virtual server's
	# quorum is its VIP's too)
	sed 's/ports = { "udp\/53", "tcp\/53" }/ports = { "udp\/53", "tcp\/53", "tcp\/853" }/' \
		site.conf.example > "$TMP/more.conf"
	run "$GEN" diff --stat "$TMP/more.conf" "$TMP/out"
	echo "$output" | grep -E '^changed +balancers/ffm4/keepalived\.conf .*systemctl reload keepalived; the health check.s query changed \(name, type, class, port, '
	printf '%s\n' "$output" | refute_grep 'restart keepalived'
	"$GEN" render "$TMP/no-tcp.conf" -o "$TMP/out"
	run "$GEN" diff site.conf.example "$TMP/out"
	echo "$output" | grep -E '^# changed balancers/ffm4/keepalived\.conf: .*systemctl reload keepalived(; the health check.s query changed .*)?$'
}

@test "diff: modes compare as git keeps them, executable or not, so a checked-out tree is not stale" {
	"$GEN" render site.conf.example -o "$TMP/out"
	[ "$(stat -c %a "$TMP/out/balancers/ffm4/frr.conf")" = 640 ]
	# what a clone under umask 002 gives: 0664 and 0775, frr.conf too
	find "$TMP/out" -type f -exec chmod g+w,o+r {} +
	run "$GEN" diff site.conf.example "$TMP/out"
	echo "$output"
	[ "$status" -eq 0 ]
	chmod a-x "$TMP/out/realservers/kai/policy-routing.sh"
	run "$GEN" diff --stat site.conf.example "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/policy-routing\.sh +\+0 -0  mode 0664 -> 0755  on real server kai: '
}

@test "diff: a removed host's or balancer's files say to remove them, not to install them" {
	add_mia_vlans
	cp "$TMP/site.conf" "$TMP/without.conf"
	add_mia
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# a balancer the site no longer has, as render left it
	mkdir -p "$TMP/out/balancers/ams9/interfaces.d" "$TMP/out/balancers/ams9/keepalived.service.d"
	for f in sysctl.conf vips dnsprobe.targets interfaces.d/lvsdns0 modules-load.conf \
		keepalived.service.d/lvsdns-vip-guard.conf keepalived.service.d/lvsdns-preflight.conf; do
		cp "$TMP/out/balancers/dus2/$f" "$TMP/out/balancers/ams9/$f" 2>/dev/null || echo x > "$TMP/out/balancers/ams9/$f"
	done
	run "$GEN" diff --stat "$TMP/without.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	# a host goes from its balancer first: until the balancer's reload it
	# sends the host queries, and the host's checks, sent to the instance
	# addresses, pass without its DNAT rules
	after_lb="on real server mia: after its balancer's keepalived\.conf \(in this diff\) is reloaded without this host \(until then the balancer sends it queries\): "
	echo "$output" | grep -E "^removed +realservers/mia/named-a\.conf .*${after_lb}systemctl disable --now named@a, then remove /etc/bind/named-a\.conf and /var/cache/bind/a \(unless it holds zone files or keys of your own; install\.sh does both\)\$"
	echo "$output" | grep -E "^removed +realservers/mia/named@\.service .*${after_lb}systemctl disable --now every named@ instance, then remove /etc/systemd/system/named@\.service and systemctl daemon-reload\$"
	echo "$output" | grep -E "^removed +realservers/mia/dnat\.rules .*${after_lb}once its named@ instances are stopped: rs-dnat -4 remove where rs-dnat loaded the rules, then remove /etc/lvsdns/dnat\.rules\$"
	# install.sh's nftables drop-in would load dnat.nft again at every start
	echo "$output" | grep -E "^removed +realservers/mia/dnat\.nft .*${after_lb}once its named@ instances are stopped: nft delete table inet lvsdns .*remove /etc/lvsdns/dnat\.nft and install\.sh's drop-in /etc/systemd/system/nftables\.service\.d/lvsdns\.conf, then systemctl daemon-reload "
	echo "$output" | grep -E '^removed +realservers/mia/sysctl\.conf .*on real server mia: remove /etc/sysctl\.d/60-lvsdns\.conf \(the running kernel keeps its values'
	echo "$output" | grep -E '^removed +realservers/mia/policy-routing\.sh .*on real server mia: remove /etc/lvsdns/policy-routing\.sh and its link /etc/network/if-up\.d/lvsdns \(the rules and routes it set stay until the machine reboots\); to take them away once its instances are stopped: ip -4 rule del from 10\.5\.53\.2 table 1213 priority 1213; ip -4 route flush table 1213'
	echo "$output" | grep -E '^removed +balancers/ams9/sysctl\.conf .*on balancer ams9: remove /etc/sysctl\.d/60-lvsdns\.conf \(the running kernel keeps its values'
	echo "$output" | grep -E '^removed +balancers/ams9/vips .*on balancer ams9: remove /etc/lvsdns/vips$'
	echo "$output" | grep -E '^removed +balancers/ams9/modules-load\.conf .*on balancer ams9: remove /etc/modules-load\.d/lvsdns\.conf$'
	for f in lvsdns-vip-guard lvsdns-preflight; do
		echo "$output" | grep -E "^removed +balancers/ams9/keepalived\.service\.d/$f\.conf .*on balancer ams9: remove /etc/systemd/system/keepalived\.service\.d/$f\.conf, then systemctl daemon-reload$"
	done
	echo "$output" | grep -E '^removed +balancers/ams9/dnsprobe\.targets .*on balancer ams9: remove /etc/lvsdns/dnsprobe\.targets once dnsprobe --watch is stopped$'
	echo "$output" | grep -E '^removed +balancers/ams9/interfaces\.d/lvsdns0 .*on balancer ams9: ifdown lvsdns0, then remove /etc/network/interfaces\.d/lvsdns0$'
	# nothing that went away is to be installed or run again
	printf '%s\n' "$output" | grep -E '^removed ' | refute_grep 'install (as|in) |rs-dnat -. apply|nft -f|run policy-routing|restart every'
}

@test "diff: a host replaced by another with its addresses, or an instance renamed, is stopped just before the new holder takes the address, not after a reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# new hardware: kai's instances, addresses and all, now on host kim
	sed 's/^realserver kai {/realserver kim {/' "$TMP/site.conf" > "$TMP/kim.conf"
	run "$GEN" diff --stat "$TMP/kim.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	moved_host="on real server kai: addresses of its instances stay real servers of its balancer \(another host has them now: no keepalived\.conf change stops their queries\), so do this just before the new host takes them over; queries to them are lost in between: "
	echo "$output" | grep -E "^removed +realservers/kai/dnat\.rules .*${moved_host}once its named@ instances are stopped: rs-dnat -4 remove"
	echo "$output" | grep -E "^removed +realservers/kai/named@\.service .*${moved_host}systemctl disable --now"
	echo "$output" | grep -E "^removed +realservers/kai/named-a\.conf .*on real server kai: its address stays a real server of its balancer \(another host or instance has it now: no keepalived\.conf change stops its queries\), so do this just before the new holder takes the address over; queries to it are lost in between: systemctl disable --now named@a"
	printf '%s\n' "$output" | grep -E '^removed +realservers/kai/' | refute_grep 'is reloaded without'
	# instance b of lou renamed b2, same address
	sed 's/^\tinstance b { vlan = 209 /\tinstance b2 { vlan = 209 /' "$TMP/site.conf" > "$TMP/b2.conf"
	grep -q 'instance b2' "$TMP/b2.conf"
	run "$GEN" diff --stat "$TMP/b2.conf" "$TMP/out"
	echo "$output"
	echo "$output" | grep -E "^removed +realservers/lou/named-b\.conf .*on real server lou: its address stays a real server of its balancer"
	# a host that really leaves still goes after the reload (the test above)
}

@test "diff: a new balancer's and a new host's files say what a fresh machine needs, not what a changed one does" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	add_mia
	# a balancer ams9 for resolver-b beside dus2, and mia behind dus2
	sed -i 's/^\(balancer dus2 {\)$/balancer ams9 {\n\trouter-id = 198.51.100.9\n\tservices = { resolver-b }\n\tneighbor core-ams { address = 198.51.100.252 }\n\tvlan 305 { interface = "eth1.305"  address = "10.9.53.1\/24" }\n}\n\n\1/' "$TMP/site.conf"
	printf '\nrealserver ann {\n\tbalancer = ams9\n\tclients = { "10.0.0.0/8" }\n\tinstance a { vlan = 305  interface = "eth1.305"  address = 10.9.53.2 }\n}\n' >> "$TMP/site.conf"
	"$GEN" check "$TMP/site.conf"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +balancers/ams9/vips .*on balancer ams9: install as /etc/lvsdns/vips before keepalived starts \(lvsdns-vip-guard reads it on every call\)$'
	echo "$output" | grep -E '^added +balancers/ams9/interfaces\.d/lvsdns0 .*on balancer ams9: install in /etc/network/interfaces\.d/, then ifup lvsdns0 before keepalived starts \(the stanza raises no VIP: keepalived.s quorum_up does\)$'
	echo "$output" | grep -E '^added +realservers/mia/named@\.service .*on real server mia: install in /etc/systemd/system/, then systemctl daemon-reload \(the named@ instances start with their configurations\)$'
	printf '%s\n' "$output" | grep -E '^added ' | refute_grep 'first take off|ifdown|one at a time|systemctl reload lvsdns-watch'
}

@test "diff: a host that leaves with its balancer goes once that balancer's keepalived is stopped, not after a reload" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# dus2 and lou, its only host, leave; ffm4 takes resolver-b
	sed -e '/^balancer dus2 {$/,/^}$/d' -e '/^realserver lou {$/,/^}$/d' \
		-e 's/primary = { resolver-a, resolver-v6 }/primary = { resolver-a, resolver-b, resolver-v6 }/' \
		"$TMP/site.conf" > "$TMP/nodus.conf"
	"$GEN" check "$TMP/nodus.conf"
	run "$GEN" diff --stat "$TMP/nodus.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	gone="on real server lou: after keepalived is stopped on its balancer, which this diff removes too \(nothing reloads without this host; the stop ends its queries and withdraws that balancer.s VIPs\): "
	echo "$output" | grep -E "^removed +realservers/lou/named-a\.conf .*${gone}systemctl disable --now named@a"
	echo "$output" | grep -E "^removed +realservers/lou/dnat\.rules .*${gone}once its named@ instances are stopped"
	echo "$output" | grep -E "^removed +realservers/lou/named@\.service .*${gone}"
	echo "$output" | grep -E '^removed +balancers/dus2/keepalived\.conf .*on balancer dus2: systemctl disable --now keepalived$'
}

@test "diff: a new check query says to try it first and change one balancer at a time; a new weight or instance does not" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	sed 's/name = "resolve.test.example"/name = "probe.test.example"/' "$TMP/site.conf" > "$TMP/q.conf"
	run "$GEN" diff --stat "$TMP/q.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for lb in ffm4 dus2; do
		echo "$output" | grep -E "^changed +balancers/$lb/keepalived\.conf .*systemctl reload keepalived; the health check.s query changed \(name, type, class, port, transport, fail-rcodes or timing\): one every instance fails withdraws every VIP, so try it first from this balancer \(cluster-gen onboard SITE HOST --probe runs it against a host.s instances\) and change one balancer at a time$"
	done
	sed 's/weight = 1 }/weight = 2 }/' "$TMP/site.conf" > "$TMP/w.conf"
	add_mia
	for conf in "$TMP/w.conf" "$TMP/site.conf"; do
		run "$GEN" diff --stat "$conf" "$TMP/out"
		echo "$output"
		[ "$status" -eq 1 ]
		echo "$output" | refute_grep 'query changed'
	done
	# watch mode: the query is in the targets file
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/wout"
	sed 's/resolve\.test\.roka\.net/probe.roka.net/' tests/golden/watch/site.conf > "$TMP/wq.conf"
	run "$GEN" diff --stat "$TMP/wq.conf" "$TMP/wout"
	echo "$output"
	echo "$output" | grep -E '^changed +balancers/lvs1/dnsprobe\.targets .*systemctl reload lvsdns-watch \(it checks the file first\); the health check.s query changed'
}

@test "diff: added, removed and changed files each say what their machine must do" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# lou's instance b goes away; a new instance d comes on a new VLAN 213
	sed -i -e 's/^\tvlan 209 { interface = "eth1.209"  address = "10.4.53.1\/24" }/&\n\tvlan 213 { interface = "eth1.213"  address = "10.5.53.1\/24" }/' \
		-e 's/^\tinstance b { vlan = 209  interface = "eth1.209"  address = 10.4.53.2  weight = 1 }/\tinstance d { vlan = 213  interface = "eth1.213"  address = 10.5.53.2  weight = 1 }/' \
		"$TMP/site.conf"
	grep -q 'instance d' "$TMP/site.conf"
	grep -q 'vlan 213' "$TMP/site.conf"
	echo stray > "$TMP/out/balancers/ffm4/stray.txt"
	echo '[Unit]' > "$TMP/out/realservers/kai/lvsdns-old.service"
	chmod 0755 "$TMP/out/realservers/lou/sysctl.conf"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output" | grep -E '^added +realservers/lou/named-d\.conf +\+[0-9]+ -0 +on real server lou: install as /etc/bind/named-d\.conf, then systemctl enable --now named@d$'
	# an instance goes from its balancer first, then from its host (which stays)
	echo "$output" | grep -E '^removed +realservers/lou/named-b\.conf +\+0 -[0-9]+ +on real server lou: after its balancer.s keepalived\.conf \(in this diff\) is reloaded without the instance \(until then the balancer sends it queries\): systemctl disable --now named@b, then remove /etc/bind/named-b\.conf and /var/cache/bind/b \(unless it holds zone files or keys of your own; install\.sh does both\)$'
	echo "$output" | grep -E '^removed +balancers/ffm4/stray\.txt .*no daemon action known'
	echo "$output" | grep -E '^removed +realservers/kai/lvsdns-old\.service .*on real server kai: systemctl disable --now lvsdns-old\.service, then remove /etc/systemd/system/lvsdns-old\.service$'
	# adding and removing instances leaves the host's unit as it was
	printf '%s\n' "$output" | refute_grep 'realservers/lou/named@\.service'
	echo "$output" | grep -E '^changed +balancers/dus2/keepalived\.conf .*systemctl reload keepalived$'
	echo "$output" | grep -E '^changed +balancers/dus2/sysctl\.conf .*on balancer dus2: install as /etc/sysctl\.d/60-lvsdns\.conf, then modprobe ip_vs; sysctl -p /etc/sysctl\.d/60-lvsdns\.conf once the VLAN interfaces it names are up \(sysctl -p reports the keys of one that is not and sets the rest; at boot systemd sets an interface.s keys when it appears\)$'
	# b's flows go and d's come in one rule set: no one moment suits both
	echo "$output" | grep -E '^changed +realservers/lou/dnat\.rules .*rs-dnat -4 apply dnat\.rules .*this change both adds rules and drops others, .*make it two changes'
	echo "$output" | grep -E '^changed +realservers/lou/dnat\.nft .*nft -f dnat\.nft .*this change both adds rules and drops others, .*make it two changes'
	echo "$output" | grep -E '^changed +realservers/lou/sysctl\.conf +\+[0-9]+ -[0-9]+ +mode 0755 -> 0644  on real server lou: .*sysctl -p'
	# one column each: the mode change and every action start where the others do
	printf '%s\n' "$output" | sed '$d' | awk '{ a = index($0, " on "); if (!a) a = index($0, " no daemon"); print a }' | sort -u > "$TMP/action-cols"
	[ "$(wc -l < "$TMP/action-cols")" -eq 1 ]
	mcol=$(printf '%s\n' "$output" | grep -F 'mode 0755 -> 0644' | awk '{ print index($0, "mode 0") }')
	printf '%s\n' "$output" | grep -E '^added +realservers/lou/named-d\.conf' | cut -c "$mcol-" | grep -E '^ {17}  on real server lou'
	# ffm4 and kai are not behind the change: their files are unchanged
	printf '%s\n' "$output" | refute_grep '^changed +(balancers/ffm4|realservers/kai)/'
	echo "$output" | tail -n 1 | grep -E '^[0-9]+ files differ: 1 added, 3 removed, [0-9]+ changed; \+[0-9]+ -[0-9]+ lines$'
	# the full diff has a /dev/null side for added and removed files
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -qx -- '--- /dev/null'
	echo "$output" | grep -qx -- '+++ b/realservers/lou/named-d.conf'
	echo "$output" | grep -qx -- '--- a/realservers/lou/named-b.conf'
	echo "$output" | grep -qx -- '+++ /dev/null'
	# a binary file is named, not dumped
	printf 'a\0b' > "$TMP/out/balancers/ffm4/blob"
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -qx 'Binary files a/balancers/ffm4/blob and /dev/null differ'
}

@test "diff: the marker counts only when it differs; a missing or empty DIR is all added, as render takes it" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	echo edited >> "$TMP/out/.lvsdns-render"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +\.lvsdns-render .*cluster-gen.s marker'
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/nonexistent"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +balancers/ffm4/keepalived\.conf'
	echo "$output" | tail -n 1 | grep -E ' 0 removed, 0 changed;'
	mkdir "$TMP/empty"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/empty"
	[ "$status" -eq 1 ]
	echo "$output" | tail -n 1 | grep -E ' 0 removed, 0 changed;'
	"$GEN" render "$TMP/site.conf" -o "$TMP/empty"
	"$GEN" diff "$TMP/site.conf" "$TMP/empty"
}

@test "diff: errors exit 2 (bad site, foreign directory, unreadable file, usage)" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	echo 'garbage {' > "$TMP/bad.conf"
	run "$GEN" diff "$TMP/bad.conf" "$TMP/out"
	[ "$status" -eq 2 ]
	mkdir "$TMP/foreign"
	echo keep >"$TMP/foreign/data"
	run "$GEN" diff "$TMP/site.conf" "$TMP/foreign"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a directory written by cluster-gen render"* ]]
	ln -s /etc/passwd "$TMP/out/link"
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 2 ]
	[[ "$output" == *"link: not a regular file"* ]]
	run "$GEN" diff "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" diff -U x "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 2 ]
	run "$GEN" diff --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--stat"* ]]
}
