#!/usr/bin/env bats
# cluster-gen's workflow commands: check --with-tools, diff (the CI gate),
# onboard, list, get and graph, with every exit status.

setup() {
	GEN=${GEN:-build/san/cluster-gen}
	TMP=$(mktemp -d)
	# bgpd -C (check --with-tools) drops to the frr user
	chmod 755 "$TMP"
	cp site.conf.example "$TMP/site.conf"
	# check --with-tools runs the VIP guard and dnsprobe the balancers run,
	# from PATH
	mkdir -m 755 "$TMP/guard"
	cp "$(dirname "$GEN")/lvsdns-vip-guard" "$(dirname "$GEN")/dnsprobe" "$TMP/guard/"
	PATH="$TMP/guard:$PATH"
}

teardown() {
	rm -rf "$TMP"
}

# No line of FILE (default: stdin) matches extended regexp $1; fails when one
# does or when grep cannot read. (A bare "! grep" that is not the last command
# of a test never fails it.)
refute_grep() {
	local rc=0
	grep -E -- "$1" "${2:--}" || rc=$?
	[ "$rc" -eq 1 ] || { echo "refute_grep: '$1' in ${2:-the output} (grep exit $rc)" >&2; return 1; }
}

# ---- diff ----

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

@test "diff: a rule set that gains an instance and loses another says to make two changes; new client networks or an added instance alone do not" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# instance b replaced by d: flows to 10.3.53.2 go, flows to 10.3.53.7 come
	sed 's/instance b { vlan = 109  interface = "eth1.109"  address = 10.3.53.2 /instance d { vlan = 109  interface = "eth1.109"  address = 10.3.53.7 /' \
		"$TMP/site.conf" > "$TMP/swap.conf"
	run "$GEN" diff --stat "$TMP/swap.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	for f in dnat.rules dnat.nft; do
		echo "$output" | grep -E "^changed +realservers/kai/${f/./\\.} .*this change both adds rules and drops others, which belong on opposite sides of the balancer's reload: make it two changes, first the site with the new instances or VIPs added, then with the old ones removed$"
	done
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
	echo "$output" | grep -E '^removed +realservers/kai/dnat6\.rules .*on real server kai: with rs-dnat: rs-dnat -6 remove, then remove /etc/lvsdns/dnat6\.rules; where the host.s instances of that family leave the site, only after their balancer.s keepalived\.conf \(in this diff\) is reloaded without them \(until then it sends them queries\); where the host turns to nat = stateless, after nft -f dnat\.nft$'
}

@test "diff: a changed vips file says to take dropped VIPs off first; changed targets, to reload lvsdns-watch" {
	"$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
	echo '# old' >>"$TMP/out/balancers/lvs1/vips"
	echo '# old' >>"$TMP/out/balancers/lvs1/dnsprobe.targets"
	run "$GEN" diff --stat tests/golden/watch/site.conf "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +balancers/lvs1/vips .*on balancer lvs1: first take off each VIP the new file no longer lists \(lvsdns-vip-guard down VIP\), then install as /etc/lvsdns/vips'
	echo "$output" | grep -E '^changed +balancers/lvs1/dnsprobe\.targets .*on balancer lvs1: install as /etc/lvsdns/dnsprobe\.targets, then systemctl reload lvsdns-watch \(it checks the file first'
}

@test "diff: a changed unit restarts the host's instances one at a time; a changed named-I.conf reloads that instance" {
	"$GEN" render site.conf.example -o "$TMP/out"
	echo '# old' >>"$TMP/out/realservers/kai/named@.service"
	echo '# old' >>"$TMP/out/realservers/kai/named-a.conf"
	run "$GEN" diff --stat site.conf.example "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +realservers/kai/named@\.service .*systemctl daemon-reload, then restart the named@ instances one at a time, each once its balancer sees the one before up again$'
	echo "$output" | grep -E '^changed +realservers/kai/named-a\.conf .*on real server kai: install as /etc/bind/named-a\.conf, then systemctl reload named@a$'
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
	# a port added, or a whole service gone with its VIP: a reload does
	sed 's/ports = { "udp\/53", "tcp\/53" }/ports = { "udp\/53", "tcp\/53", "tcp\/853" }/' \
		site.conf.example > "$TMP/more.conf"
	run "$GEN" diff --stat "$TMP/more.conf" "$TMP/out"
	echo "$output" | grep -E '^changed +balancers/ffm4/keepalived\.conf .*systemctl reload keepalived$'
	printf '%s\n' "$output" | refute_grep 'restart keepalived'
	"$GEN" render "$TMP/no-tcp.conf" -o "$TMP/out"
	run "$GEN" diff site.conf.example "$TMP/out"
	echo "$output" | grep -E '^# changed balancers/ffm4/keepalived\.conf: .*systemctl reload keepalived$'
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
	echo "$output" | grep -E '^removed +realservers/mia/policy-routing\.sh .*on real server mia: remove /etc/lvsdns/policy-routing\.sh and its link /etc/network/if-up\.d/lvsdns \(the rules and routes it set stay'
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

# ---- check ----

@test "check: a valid site exits 0, a bad one 2, usage 2" {
	run "$GEN" check "$TMP/site.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"site resolvers-example is valid (3 services, 2 balancers, 2 real servers)"* ]]
	sed -i 's/asn = 64512/asn = "x"/' "$TMP/site.conf"
	run "$GEN" check "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" check
	[ "$status" -eq 2 ]
	run "$GEN" check --bogus "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" check --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--with-tools"* ]]
}

@test "check --with-tools: every real checker runs on the example and accepts it; temp dir removed" {
	mkdir "$TMP/tmpdir"
	TMPDIR="$TMP/tmpdir" run "$GEN" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	for f in balancers/ffm4/keepalived.conf balancers/dus2/keepalived.conf; do
		echo "$output" | grep -E "^  pass +$f +keepalived -t$"
	done
	for f in balancers/ffm4/frr.conf balancers/dus2/frr.conf; do
		echo "$output" | grep -E "^  pass +$f +vtysh -C$"
		echo "$output" | grep -E "^  pass +$f +bgpd -C$"
	done
	for f in kai/named-a kai/named-b kai/named-c lou/named-a lou/named-b; do
		echo "$output" | grep -E "^  pass +realservers/$f\.conf +named-checkconf$"
	done
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat6\.rules +ip6tables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/lou/dnat\.nft +nft -c$'
	echo "$output" | grep -E '^  pass +realservers/lou/policy-routing\.sh +sh -n$'
	echo "$output" | grep -E '^  pass +bind-build/build\.env +sh -n$'
	for h in kai lou; do
		echo "$output" | grep -E "^  pass +realservers/$h/named@\.service +systemd-analyze verify$"
	done
	for b in ffm4 dus2; do
		echo "$output" | grep -E "^  pass +balancers/$b/vips +lvsdns-vip-guard check$"
		echo "$output" | grep -E "^  pass +balancers/$b/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$"
		echo "$output" | grep -E "^  pass +balancers/$b/interfaces\.d/lvsdns0 +ifup --no-act$"
	done
	echo "$output" | grep -x 'missing checkers (not installed): none'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; 0 not run'
	printf '%s\n' "$output" | refute_grep '^  (FAIL|missing) '
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}

@test "check --with-tools: a script-user the checking machine lacks is the balancer's: keepalived -t checks a copy as nobody, and says so" {
	! getent passwd lvsdns-nouser-test
	sed 's/script-user = "nobody"/script-user = "lvsdns-nouser-test"/' "$TMP/site.conf" >"$TMP/su.conf"
	grep -q 'script-user = "lvsdns-nouser-test"' "$TMP/su.conf"
	run "$GEN" check --with-tools "$TMP/su.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	for b in ffm4 dus2; do
		echo "$output" | grep -A1 -E "^  pass +balancers/$b/keepalived.conf +keepalived -t$" |
			grep -Fx '          | script_user lvsdns-nouser-test does not exist here: checked with script_user nobody (the balancer must have lvsdns-nouser-test)'
	done
	# the copy is still keepalived's test of the rest of the file
	mkdir "$TMP/tpl"
	sed 's/^\(\s*\)lvs_sched /\1lvs_schedd /' templates/keepalived.conf.mustache >"$TMP/tpl/keepalived.conf.mustache"
	grep -q lvs_schedd "$TMP/tpl/keepalived.conf.mustache"
	run "$GEN" check --with-tools "$TMP/su.conf" --templates "$TMP/tpl"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^  FAIL +balancers/ffm4/keepalived.conf +keepalived -t$"
	echo "$output" | grep -q "lvs_schedd"
}

@test "check --with-tools: every golden site (watch, keepalived-dns, the old article) passes" {
	n=0
	for d in tests/golden/*/; do
		run "$GEN" check --with-tools "$d/site.conf"
		echo "$d: ${lines[${#lines[@]}-1]}"
		[ "$status" -eq 0 ]
		echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; 0 not run'
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "check --with-tools: dnsprobe --check parses a watch site's targets file, and rejects a broken one" {
	run "$GEN" check --with-tools tests/golden/watch/site.conf
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  pass +balancers/lvs1/dnsprobe\.targets +dnsprobe --check$'
	mkdir "$TMP/tpl"
	sed 's/ {{state_file}}$//' templates/dnsprobe.targets.mustache >"$TMP/tpl/dnsprobe.targets.mustache"
	run "$GEN" check --with-tools --templates "$TMP/tpl" tests/golden/watch/site.conf
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +balancers/lvs1/dnsprobe\.targets +dnsprobe --check$'
	echo "$output" | grep -q 'dnsprobe.targets:4: 12 fields, expected 13'
}

@test "check --with-tools: files the real checkers reject make it exit 1 and say why" {
	mkdir "$TMP/tpl"
	sed 's/lvs_sched {{scheduler}}/lvs_schedule {{scheduler}}/' templates/keepalived.conf.mustache > "$TMP/tpl/keepalived.conf.mustache"
	sed 's/recursion yes;/recursio yes;/' templates/named.conf.mustache > "$TMP/tpl/named.conf.mustache"
	sed 's/ timers bgp {{keepalive}} {{holdtime}}/ timers bgp {{keepalive}} {{holdtime}} x/' templates/frr.conf.mustache > "$TMP/tpl/frr.conf.mustache"
	sed '0,/table inet {{table}} {/s//table inet {{table}} { bogus/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
	# verify exits 0 for an unknown key, but says so: that fails the unit
	sed 's/^Restart=on-failure$/Restart=on-failure\nRestartEvery=5/' 'templates/named@.service.mustache' > "$TMP/tpl/named@.service.mustache"
	sed '0,/^{{#vips}}/s//bogus line\n{{#vips}}/' templates/vips.mustache > "$TMP/tpl/vips.mustache"
	sed 's/^\[Service\]$/[Service]\nExecStopPst=\/bin\/true/' templates/vip-interface.keepalived-dropin.mustache > "$TMP/tpl/vip-interface.keepalived-dropin.mustache"
	sed 's/^iface {{interface}} inet manual$/iface {{interface}} inet manul/' templates/vip-interface.ifupdown.mustache > "$TMP/tpl/vip-interface.ifupdown.mustache"
	run "$GEN" check --with-tools --templates "$TMP/tpl" "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +realservers/kai/named@\.service +systemd-analyze verify$'
	echo "$output" | grep -q "Unknown key 'RestartEvery'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/vips +lvsdns-vip-guard check$'
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$'
	echo "$output" | grep -q "Unknown key 'ExecStopPst'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/interfaces\.d/lvsdns0 +ifup --no-act$'
	echo "$output" | grep -q 'unknown or no method'

	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -q "unknown option 'recursio'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +vtysh -C$'
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/dnat\.nft +nft -c$'
	# what was not broken still passes
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 21 failed;'
}

@test "check --with-tools: checkers that are not installed are reported, not failed" {
	mkdir "$TMP/bin"
	for t in named-checkconf sh; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
	PATH="$TMP/bin" run "$GEN" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'missing checkers (not installed): env ifup ip6tables-restore iptables-restore keepalived lvsdns-vip-guard nft systemd-analyze unshare vtysh'
	echo "$output" | grep -E '^  missing +balancers/ffm4/keepalived\.conf +keepalived -t \(not installed: unshare, keepalived\)$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; [1-9][0-9]* not run \(checker missing\)$'
}

@test "check --with-tools --require-all: a missing checker fails the check, after the same report" {
	mkdir "$TMP/bin"
	for t in named-checkconf sh; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
	PATH="$TMP/bin" run "$GEN" check --with-tools --require-all "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  missing +balancers/ffm4/keepalived\.conf +keepalived -t \(not installed: unshare, keepalived\)$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	total=$(echo "$output" | sed -n 's/^[0-9]* checks run: [0-9]* passed, 0 failed; \([0-9]*\) not run (checker missing)$/\1/p')
	[ -n "$total" ] && [ "$total" -gt 0 ]
	[ "${lines[-1]}" = "--require-all: $total checks did not run, so the render is not proven" ]
	# where every checker is installed it changes nothing
	run "$GEN" check --with-tools --require-all "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | refute_grep 'require-all|^  (missing|skipped) '
}

@test "check --require-all without --with-tools is a usage error" {
	run "$GEN" check --require-all "$TMP/site.conf"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "cluster-gen check: --require-all needs --with-tools" ]
}

# ---- list and get ----

@test "list: aligned tables of services, balancers and instances" {
	run "$GEN" list "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "site resolvers-example (site.conf): ASN 64512, bgp active-standby, metric 0 primary / 100 backup, checker probe" ]
	echo "$output" | grep -x 'SERVICE      VIP               PORTS          SCHEDULER  METHOD  PRIMARY  BACKUP'
	echo "$output" | grep -x 'resolver-a   192.0.2.124       udp/53 tcp/53  wrr        DR      ffm4     dus2'
	echo "$output" | grep -x 'resolver-v6  2001:db8:53::124  udp/53 tcp/53  wrr        DR      ffm4     -'
	echo "$output" | grep -E '^ffm4 +198\.51\.100\.1 +lvsdns0 +resolver-a resolver-v6 +resolver-a resolver-b resolver-v6 +core-ffm 198\.51\.100\.254, core-ffm-v6 2001:db8:ffff::fe$'
	echo "$output" | grep -x 'kai          c         ffm4      605   eth1.605   2001:db8:105::2  2001:db8:105::1  1       stateful'
	echo "$output" | grep -x 'lou          b         dus2      209   eth1.209   10.4.53.2        10.4.53.1        1       stateful'
	[ "$(echo "$output" | grep -cE '^(kai|lou) ')" -eq 5 ]
	run "$GEN" list
	[ "$status" -eq 2 ]
	run "$GEN" list --bogus "$TMP/site.conf"
	[ "$status" -eq 2 ]
	sed -i 's/vip = 192.0.2.124/vip = 192.0.2.1245/' "$TMP/site.conf"
	run "$GEN" list "$TMP/site.conf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"site.conf:"* ]]
}

@test "list --json: the same inventory for other tools" {
	run "$GEN" list --json "$TMP/site.conf"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["site"] == {"name": "resolvers-example", "file": "site.conf", "asn": 64512}, d["site"]
assert d["bgp"]["mode"] == "active-standby"
sv = {s["name"]: s for s in d["services"]}
assert sv["resolver-a"]["vip"] == "192.0.2.124"
assert sv["resolver-a"]["ports"] == ["udp/53", "tcp/53"]
assert sv["resolver-a"]["primary"] == ["ffm4"] and sv["resolver-a"]["backup"] == ["dus2"]
assert sv["resolver-v6"]["backup"] == []
assert sv["resolver-a"]["balancers"] == ["dus2", "ffm4"], sv["resolver-a"]
lb = {b["name"]: b for b in d["balancers"]}
assert lb["ffm4"]["router-id"] == "198.51.100.1"
assert lb["ffm4"]["neighbors"] == [{"name": "core-ffm", "address": "198.51.100.254", "remote-as": 64512},
    {"name": "core-ffm-v6", "address": "2001:db8:ffff::fe", "remote-as": 64512}], lb["ffm4"]["neighbors"]
assert [v["name"] for v in lb["ffm4"]["vlans"]] == ["105", "109", "605"]
rs = {r["name"]: r for r in d["realservers"]}
assert rs["kai"]["balancer"] == "ffm4"
assert rs["kai"]["instances"][2] == {"name": "c", "vlan": "605", "interface": "eth1.605",
    "address": "2001:db8:105::2", "lb-address": "2001:db8:105::1", "weight": 1}, rs["kai"]["instances"][2]
assert len(rs["lou"]["instances"]) == 2
'
}

@test "list, list --json, get: anycast has one MED on every balancer and no primary or backup" {
	sed -i 's/mode = active-standby/mode = anycast/; /^[[:space:]]*primary = /d' "$TMP/site.conf"
	run "$GEN" list "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "site resolvers-example (site.conf): ASN 64512, bgp anycast, metric 0 on every balancer, checker probe" ]
	echo "$output" | grep -x 'SERVICE      VIP               PORTS          SCHEDULER  METHOD  BALANCERS'
	echo "$output" | grep -x 'resolver-a   192.0.2.124       udp/53 tcp/53  wrr        DR      dus2 ffm4'
	echo "$output" | grep -x 'resolver-v6  2001:db8:53::124  udp/53 tcp/53  wrr        DR      ffm4'
	echo "$output" | grep -E '^BALANCER +ROUTER-ID +VIP-IF +CARRIES +NEIGHBORS$'
	echo "$output" | grep -E '^dus2 +198\.51\.100\.2 +lvsdns0 +resolver-a resolver-b +core-dus 198\.51\.100\.253$'
	printf '%s\n' "$output" | refute_grep 'PRIMARY|BACKUP|backup'
	run "$GEN" list --json "$TMP/site.conf"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["bgp"]["mode"] == "anycast" and d["bgp"]["primary-metric"] == 0, d["bgp"]
for s in d["services"]:
    assert s["primary"] == [] and s["backup"] == [], s
sv = {s["name"]: s for s in d["services"]}
assert sv["resolver-a"]["balancers"] == ["dus2", "ffm4"], sv["resolver-a"]
assert all(b["primary"] == [] for b in d["balancers"])
'
	[ "$("$GEN" get "$TMP/site.conf" service.resolver-a.backup)" = "" ]
	[ "$("$GEN" get "$TMP/site.conf" service.resolver-a.balancers)" = "dus2 ffm4" ]
}

@test "get: resolved values, defaults included; unknown key exits 2" {
	g() { "$GEN" get "$TMP/site.conf" "$1"; }
	[ "$(g site.asn)" = 64512 ]
	[ "$(g site.name)" = resolvers-example ]
	[ "$(g check.timeout)" = 1 ]
	[ "$(g check.fail-rcodes)" = "REFUSED SERVFAIL" ]
	[ "$(g service.resolver-a.vip)" = 192.0.2.124 ]
	[ "$(g service.resolver-a.primary)" = ffm4 ]
	[ "$(g service.resolver-b.backup)" = ffm4 ]
	[ "$(g balancer.ffm4.router-id)" = 198.51.100.1 ]
	[ "$(g balancer.ffm4.vlan.105.address)" = 10.1.53.1/24 ]
	[ "$(g balancer.dus2.neighbor.core-dus.address)" = 198.51.100.253 ]
	[ "$(g balancer.dus2.realservers)" = lou ]
	[ "$(g realserver.kai.instance.a.address)" = 10.1.53.2 ]
	[ "$(g realserver.kai.instance.a.lb-address)" = 10.1.53.1 ]
	[ "$(g realserver.kai.instance.c.vlan)" = 605 ]
	[ "$(g realserver.kai.instances)" = "a b c" ]
	[ "$(g realservers)" = "kai lou" ]
	# a default the example does not set
	[ "$(g service.resolver-v6.scheduler)" = "$(g service.resolver-a.scheduler)" ]
	# bind-build's default prefix: the units run the build the site describes
	[ "$(g bind.prefix)" = /usr/local ]
	run "$GEN" get "$TMP/site.conf" realserver.kai.instance.z.address
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no key 'realserver.kai.instance.z.address'"* ]]
	run "$GEN" get "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" get --all "$TMP/site.conf"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'bgp.backup-metric = 100'
	# every key --all names resolves by itself to the same value
	while IFS= read -r line; do
		key=${line%% = *}
		[ "$(g "$key")" = "${line#* = }" ]
	done < <(printf '%s\n' "$output" | head -n 40)
	run "$GEN" get --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"realserver.NAME.instance.NAME."* ]]
}

# ---- graph ----

@test "graph: DOT of routers, balancers with VIPs and metrics, VLANs, hosts, instances; deterministic" {
	run "$GEN" graph "$TMP/site.conf"
	[ "$status" -eq 0 ]
	echo "$output" | grep -F '"router 198.51.100.254" [shape=ellipse, style=filled, fillcolor="#e8eef7", label="core router ffm\n198.51.100.254\nAS 64512"];'
	echo "$output" | grep -F '"router 198.51.100.254" -> "balancer ffm4" [dir=both, label="iBGP + BFD"];'
	echo "$output" | grep -F 'label="balancer ffm4\nrouter-id 198.51.100.1\nresolver-a 192.0.2.124: primary, MED 0\lresolver-b 192.0.2.125: backup, MED 100\lresolver-v6 2001:db8:53::124: primary, MED 0\l"'
	echo "$output" | grep -F '"vlan ffm4/605" [shape=note, label="VLAN 605\neth1.605 2001:db8:105::1/64"];'
	echo "$output" | grep -F '"vlan dus2/209" -> "instance lou/b";'
	echo "$output" | grep -F 'label="named c\n2001:db8:105::2 on eth1.605\nweight 1"'
	[ "$(echo "$output" | grep -c '^	subgraph "cluster_')" -eq 2 ]
	# the same site in reverse section order gives the same graph
	mkdir "$TMP/r"
	awk 'BEGIN{RS="\n\n"; ORS="\n\n"} {b[NR]=$0} END{for(i=NR;i>0;i--) print b[i]}' "$TMP/site.conf" > "$TMP/r/site.conf"
	"$GEN" graph "$TMP/site.conf" >"$TMP/graph"
	"$GEN" graph "$TMP/r/site.conf" >"$TMP/r/graph"
	[ -s "$TMP/graph" ]
	diff "$TMP/graph" "$TMP/r/graph"
	# Graphviz reads it
	command -v dot >/dev/null || { echo "dot is not installed (graphviz)" >&2; return 1; }
	"$GEN" graph "$TMP/site.conf" | dot -Tsvg > "$TMP/site.svg"
	grep -q '<svg' "$TMP/site.svg"
}

@test "graph: anycast shows every VIP with one metric; errors exit 2" {
	sed -i 's/mode = active-standby/mode = anycast/; /^[[:space:]]*primary = /d' "$TMP/site.conf"
	run "$GEN" graph "$TMP/site.conf"
	[ "$status" -eq 0 ]
	echo "$output" | grep -F 'resolver-b 192.0.2.125: anycast, MED 0\l'
	echo "$output" | grep -F 'label="site resolvers-example: AS 64512, BGP anycast, MED 0 on every balancer"];'
	printf '%s\n' "$output" | refute_grep 'backup|primary'
	# BFD only where the site has it
	echo "$output" | grep -F -- '-> "balancer ffm4" [dir=both, label="iBGP + BFD"];'
	sed -i 's/bfd = true/bfd = false/' "$TMP/site.conf"
	"$GEN" graph "$TMP/site.conf" | grep -F -- '-> "balancer ffm4" [dir=both, label="iBGP"];'
	run "$GEN" graph
	[ "$status" -eq 2 ]
	echo 'x {' > "$TMP/bad.conf"
	run "$GEN" graph "$TMP/bad.conf"
	[ "$status" -eq 2 ]
}

@test "docs/site.svg is the graph of site.conf.example (else: make docs)" {
	command -v dot >/dev/null || { echo "dot is not installed (graphviz)" >&2; return 1; }
	"$GEN" graph site.conf.example | dot -Tsvg > "$TMP/site.svg"
	diff "$TMP/site.svg" docs/site.svg || { echo "docs/site.svg is stale: run make docs" >&2; return 1; }
}

# ---- onboard ----

# A new host mia behind dus2 on a new VLAN 213 (and, with a second
# argument, a second instance b on VLAN 217).
add_mia_vlans() {
	sed -i 's/^\tvlan 209 { interface = "eth1.209"  address = "10.4.53.1\/24" }/&\n\tvlan 213 { interface = "eth1.213"  address = "10.5.53.1\/24" }\n\tvlan 217 { interface = "eth1.217"  address = "10.6.53.1\/24" }/' "$TMP/site.conf"
	grep -q 'vlan 217' "$TMP/site.conf"
}

add_mia() {
	grep -q 'vlan 217' "$TMP/site.conf" || add_mia_vlans
	{
		printf '\nrealserver mia {\n\tbalancer = dus2\n\tclients = { "10.0.0.0/8" }\n'
		printf '\tinstance a { vlan = 213  interface = "eth1.213"  address = 10.5.53.2  weight = 2 }\n'
		[ -z "${1:-}" ] || printf '\tinstance b { vlan = 217  interface = "eth1.217"  address = 10.6.53.2  weight = 2 }\n'
		printf '}\n'
	} >> "$TMP/site.conf"
	"$GEN" check "$TMP/site.conf" >/dev/null
}

@test "onboard: a new host's files, install.sh, README and the balancer-side diff" {
	add_mia_vlans
	mkdir "$TMP/w"
	cp "$TMP/site.conf" "$TMP/w/site.conf"   # the site without mia
	add_mia
	cd "$TMP"
	run "$OLDPWD/$GEN" onboard site.conf mia
	cd "$OLDPWD"
	echo "$output"
	[ "$status" -eq 0 ]
	b=$TMP/onboard-mia
	[ "${lines[0]}" = "mia: wrote onboard-mia (files/ with 6 files, install.sh, README, balancer.diff)" ]
	echo "$output" | grep -E '^changed +balancers/dus2/keepalived\.conf +\+36 -0 +on balancer dus2: .*systemctl reload keepalived$'
	[ "${lines[${#lines[@]}-1]}" = "1 file differs: 0 added, 0 removed, 1 changed; +36 -0 lines" ]
	# files/ is byte for byte the host's part of the render
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	diff -r "$TMP/out/realservers/mia" "$b/files"
	# the balancer diff: only real_server blocks of mia are added, on dus2
	[ "$(grep -c '^+++ ' "$b/balancer.diff")" -eq 1 ]
	grep -qx '+++ b/balancers/dus2/keepalived.conf' "$b/balancer.diff"
	refute_grep '^-[^-]' "$b/balancer.diff"
	[ "$(grep -cx '+    real_server 10.5.53.2 53 {' "$b/balancer.diff")" -eq 4 ]
	# applied to the render without mia, it gives the render with mia
	"$GEN" render "$TMP/w/site.conf" -o "$TMP/wo"
	(cd "$TMP/wo" && patch -s -p1 < "$b/balancer.diff")
	diff "$TMP/wo/balancers/dus2/keepalived.conf" "$TMP/out/balancers/dus2/keepalived.conf"
	# install.sh: POSIX sh; DESTDIR only copies, to the places the files name
	sh -n "$b/install.sh"
	[ -x "$b/install.sh" ]
	grep -qx 'set -eu' "$b/install.sh"
	grep -qx 'systemctl enable --quiet named@a' "$b/install.sh"
	DESTDIR="$TMP/root" sh "$b/install.sh"
	cmp "$b/files/named-a.conf" "$TMP/root/etc/bind/named-a.conf"
	cmp "$b/files/named@.service" "$TMP/root/etc/systemd/system/named@.service"
	cmp "$b/files/sysctl.conf" "$TMP/root/etc/sysctl.d/60-lvsdns.conf"
	cmp "$b/files/dnat.rules" "$TMP/root/etc/lvsdns/dnat.rules"
	[ -x "$TMP/root/etc/lvsdns/policy-routing.sh" ]
	grep -q 'Install as /etc/bind/named-a.conf' "$TMP/root/etc/bind/named-a.conf"
	# README: the steps and where every file goes
	grep -q '^  named@a    10.5.53.2/24 on eth1.213 (VLAN 213; balancer dus2 at 10.5.53.1, weight 2)$' "$b/README"
	grep -q 'sh install.sh' "$b/README"
	# the balancer's own address on the host's VLAN, which nothing rendered creates
	grep -qx '3. The balancer dus2 needs its address up on each of these VLANs (its' "$b/README"
	grep -qx '       eth1.213 10.5.53.1/24 (VLAN 213)' "$b/README"
	grep -qx '   Run again (the bundle of a changed site), it also puts the changes' "$b/README"
	# which BIND the host needs: the one bind { prefix } names
	grep -qx '   describes, installed under /usr/local (bind { prefix }: named@.service' "$b/README"
	grep -qx '   runs /usr/local/sbin/named), then ldconfig, and a user .bind.' "$b/README"
	grep -qx '  files/sysctl.conf          -> /etc/sysctl.d/60-lvsdns.conf' "$b/README"
}

@test "onboard: with nat = stateless install.sh loads dnat.nft whether or not rs-dnat is installed" {
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -qx '	nat = stateless' "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	[ ! -e "$TMP/b/files/dnat.rules" ]
	sh -n "$TMP/b/install.sh"
	# not only in the branch taken without rs-dnat: there is no such branch
	grep -qx 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh"
	refute_grep 'rs-dnat.*apply' "$TMP/b/install.sh"
	# rs-dnat only removes its chains left from an earlier nat mode (it
	# skips the tables the kernel has not set up: workflow-dataplane.bats)
	grep -A3 -x 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh" | sed 's/ ||.*//' > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
nft -f /etc/lvsdns/dnat.nft
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat remove
fi
E
	# and rs-dnat's rule files, left from an earlier nat = stateful, go
	grep -B1 -x 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh" |
		grep -qx 'rm -f /etc/lvsdns/dnat.rules /etc/lvsdns/dnat6.rules'
	# and with iptables rules, rs-dnat first, nftables otherwise (this host
	# has no IPv6 rules: those an earlier bundle loaded are removed)
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	grep -A8 -x 'if rs-dnat --help >/dev/null 2>&1; then' "$TMP/sf/install.sh" | sed 's/ ||.*//' > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat -4 apply /etc/lvsdns/dnat.rules
	rs-dnat -6 remove
	if nft list table inet lvsdns >/dev/null 2>&1; then
		nft delete table inet lvsdns
	fi
else
	nft -f /etc/lvsdns/dnat.nft
fi
E
}

@test "onboard: a host that loses its IPv6 instances: install.sh removes the installed dnat6.rules and, where rs-dnat runs, the IPv6 rules" {
	# kai of the example site has an IPv6 instance, c: its rules applied, none removed
	"$GEN" onboard "$TMP/site.conf" kai -o "$TMP/v6" >/dev/null
	[ -f "$TMP/v6/files/dnat6.rules" ]
	grep -qx '	rs-dnat -6 apply /etc/lvsdns/dnat6.rules' "$TMP/v6/install.sh"
	refute_grep 'rs-dnat -6 remove|rm -f /etc/lvsdns/dnat' "$TMP/v6/install.sh"
	# c moved to a new host kim (the balancer keeps an IPv6 instance behind
	# its IPv6 VIP, as it must): kai's bundle has no dnat6.rules; the
	# installed one goes first (an instance restarted before the
	# daemon-reload, under the old unit, then cannot load it again), then
	# the rules, where rs-dnat runs
	sed -i '/^\tinstance c { vlan = 605 /d' "$TMP/site.conf"
	printf '%s\n' 'realserver kim {' '	balancer = ffm4' '	clients = { "2001:db8::/32" }' \
		'	instance c { vlan = 605  interface = "eth1.605"  address = "2001:db8:105::2" }' '}' \
		>>"$TMP/site.conf"
	"$GEN" check "$TMP/site.conf" >/dev/null
	"$GEN" onboard "$TMP/site.conf" kai -o "$TMP/v4" >/dev/null
	[ ! -e "$TMP/v4/files/dnat6.rules" ]
	sed -n '/^rm -f \/etc\/lvsdns\/dnat6.rules$/,/^fi$/p' "$TMP/v4/install.sh" > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
rm -f /etc/lvsdns/dnat6.rules
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat -4 apply /etc/lvsdns/dnat.rules
	rs-dnat -6 remove || echo "install.sh: warning: rs-dnat -6 remove failed: the IPv6 rules an earlier bundle loaded stay (the next run tries again)" >&2
	if nft list table inet lvsdns >/dev/null 2>&1; then
		nft delete table inet lvsdns
	fi
else
	nft -f /etc/lvsdns/dnat.nft
fi
E
	# after the files are installed, before the instances (nothing under DESTDIR)
	[ "$(grep -n '^rm -f /etc/lvsdns/dnat6.rules$' "$TMP/v4/install.sh" | cut -d: -f1)" -gt \
	  "$(grep -n '^if \[ -n "\$D" \]; then$' "$TMP/v4/install.sh" | cut -d: -f1)" ]
	# nftables needs nothing more: dnat.nft replaces the table whole, and
	# this one has no IPv6 part
	grep -qx 'delete table inet lvsdns' "$TMP/v4/files/dnat.nft"
	refute_grep 'ip6|dnat6' "$TMP/v4/files/dnat.nft"
	grep -qx '   that family.s rs-dnat rules and its installed file, dnat6.rules),' "$TMP/v4/README"
}

# forget_in ROOT BUNDLE INSTANCE: install.sh's forget function of BUNDLE,
# its /etc/bind and /var/cache/bind moved below ROOT, run for INSTANCE.
forget_in() {
	sed -n '/^forget() {$/,/^}$/p' "$2/install.sh" |
		sed -e "s|/etc/bind/|$1/etc/bind/|g" -e "s|/var/cache/bind/|$1/var/cache/bind/|g" > "$TMP/forget.sh"
	grep -q "$1/var/cache/bind/" "$TMP/forget.sh"
	sh -euc '. "$1"; forget "$2"' sh "$TMP/forget.sh" "$3"
}

@test "onboard: install.sh removes the configuration of an instance it disables, and its directory only when named makes all it holds again" {
	local r="$TMP/r"
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/b" >/dev/null
	# called for each instance the loop stops and disables, and only for those
	sed -n '/^\tnamed@?\*.service)$/,/;;$/p' "$TMP/b/install.sh" > "$TMP/arm"
	diff - "$TMP/arm" <<'E'
	named@?*.service)
		echo "install.sh: $u is not an instance of kai: stopping and disabling it"
		systemctl disable --now "$u"
		i=${u#named@}
		forget "${i%.service}" ||
			echo "install.sh: warning: not every file of $u could be removed" >&2 ;;
E
	[ "$(grep -c '^[[:space:]]*forget ' "$TMP/b/install.sh")" -eq 1 ]
	# what named makes again by itself (named.conf's files, the managed keys):
	# the directory goes with the configuration
	mkdir -p "$r/etc/bind" "$r/var/cache/bind/x" "$r/var/cache/bind/y"
	echo 'options { };' > "$r/etc/bind/named-x.conf"
	for f in named.pid session.key named_dump.db named.stats managed-keys.bind \
		managed-keys.bind.jnl 3bf305731dd26307.mkeys 3bf305731dd26307.mkeys.jnl; do
		: > "$r/var/cache/bind/x/$f"
	done
	run forget_in "$r" "$TMP/b" x
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "install.sh: removed $r/etc/bind/named-x.conf" ]
	[ "${lines[1]}" = "install.sh: removed $r/var/cache/bind/x" ]
	[ ! -e "$r/etc/bind/named-x.conf" ]
	[ ! -e "$r/var/cache/bind/x" ]
	# zone data and keys stay, with the directory, and are named; the rest goes
	for f in session.key db.example Kexample.+013+01234.private; do : > "$r/var/cache/bind/y/$f"; done
	run forget_in "$r" "$TMP/b" y
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "install.sh: warning: kept $r/var/cache/bind/y: it holds what named does not make again by itself: "*"; remove it by hand once none of that is needed" ]]
	[[ "$output" == *" db.example"* ]]
	[[ "$output" == *" Kexample.+013+01234.private"* ]]
	[ "$(ls "$r/var/cache/bind/y" | LC_ALL=C sort | tr '\n' ' ')" = "Kexample.+013+01234.private db.example " ]
	# nothing left: nothing to say; and only a name a site could declare is
	# taken ("..": /var/cache/bind itself)
	run forget_in "$r" "$TMP/b" x
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	: > "$r/var/cache/bind/named.pid"
	: > "$r/var/cache/named.pid"
	for n in .. . '' 'a/../..' '-rf' 'a b'; do
		run forget_in "$r" "$TMP/b" "$n"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
	[ -e "$r/var/cache/bind/named.pid" ]
	[ -e "$r/var/cache/named.pid" ]
}

# dropin_script FILE KEY: the shell script of the drop-in FILE's KEY=/bin/sh -c "..."
# line, its continuation lines joined and systemd's \" unquoted.
dropin_script() {
	sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$1" |
		sed -n "s|^$2=/bin/sh -c \"\\(.*\\)\"\$|\\1|p" | sed 's/\\"/"/g'
}

@test "onboard: install.sh's nftables.service drop-in replaces Debian's start and reload with one nft load of nftables.conf and dnat.nft, and its stop with the flush and dnat.nft in one; it asks for rs-dnat only where there are iptables rules" {
	local f=etc/systemd/system/nftables.service.d/lvsdns.conf k
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	DESTDIR="$TMP/sl" sh "$TMP/b/install.sh" >/dev/null
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	DESTDIR="$TMP/sf" sh "$TMP/sf/install.sh" >/dev/null
	for k in ExecStart ExecReload; do
		# Debian's line reset, then one of ours
		[ "$(grep -c "^$k=" "$TMP/sl/$f")" -eq 2 ]
		grep -qx "$k=" "$TMP/sl/$f"
		dropin_script "$TMP/sl/$f" "$k" > "$TMP/sl.sh"
		dropin_script "$TMP/sf/$f" "$k" > "$TMP/sf.sh"
		cat "$TMP/sl.sh"
		sh -n "$TMP/sl.sh"
		sh -n "$TMP/sf.sh"
		grep -q "^if \[ -f /etc/lvsdns/dnat.nft \]; then" "$TMP/sl.sh"
		grep -q "^if \[ -f /etc/lvsdns/dnat.nft \] && ! rs-dnat --help >/dev/null 2>&1; then" "$TMP/sf.sh"
		# both files, in that order, through one nft -f
		grep -qF "echo 'include \"/etc/nftables.conf\"; include \"/etc/lvsdns/dnat.nft\"' | /usr/sbin/nft -f - && exit 0;" "$TMP/sl.sh"
		grep -q 'fi; exec /usr/sbin/nft -f /etc/nftables.conf$' "$TMP/sl.sh"
	done
	# stop: the flush and dnat.nft in one nft -f, else Debian's flush
	[ "$(grep -c "^ExecStop=" "$TMP/sl/$f")" -eq 2 ]
	grep -qx "ExecStop=" "$TMP/sl/$f"
	dropin_script "$TMP/sl/$f" ExecStop > "$TMP/stop.sh"
	cat "$TMP/stop.sh"
	sh -n "$TMP/stop.sh"
	grep -qF "echo 'flush ruleset; include \"/etc/lvsdns/dnat.nft\"' | /usr/sbin/nft -f - && exit 0;" "$TMP/stop.sh"
	grep -q 'fi; exec /usr/sbin/nft flush ruleset$' "$TMP/stop.sh"
	refute_grep 'rs-dnat|ExecStartPost' "$TMP/sl/$f"
	[ "$(grep -c 'rs-dnat --help' "$TMP/sf/$f")" -eq 4 ]
	# systemd would take these for its specifiers and variables
	refute_grep '[%$]' "$TMP/sl/$f"
	refute_grep '[%$]' "$TMP/sf/$f"
}

@test "onboard: the README of a nat = stateless host asks for nftables, not rs-dnat" {
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -qx '	nat = stateless' "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	# install.sh and named@.service load dnat.nft with nft only
	grep -qx '   nftables (nat = stateless has no rules rs-dnat could load), and the' "$TMP/b/README"
	refute_grep 'nftables or rs-dnat' "$TMP/b/README"
	# with iptables rules either will do
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	grep -qx '   nftables or rs-dnat, and the VLAN interfaces up with the instance' "$TMP/sf/README"
}

@test "onboard: the new host's files pass the real checkers" {
	add_mia
	"$GEN" onboard "$TMP/site.conf" mia -o "$TMP/b" >/dev/null
	f=$TMP/b/files
	# in a network namespace of their own: never the host's tables
	unshare -n iptables-restore --test "$f/dnat.rules"
	unshare -n nft -c -f "$f/dnat.nft"
	sh -n "$f/policy-routing.sh"
	grep -qx 'ln -sfn /etc/lvsdns/policy-routing.sh "$D/etc/network/if-up.d/lvsdns"' "$TMP/b/install.sh"
	mkdir -p "$TMP/chroot/var/cache/bind/a"
	cp "$f/named-a.conf" "$TMP/chroot/named.conf"
	named-checkconf -t "$TMP/chroot" /named.conf
}

@test "onboard --tar: one archive with onboard-HOST/, the same files; -o - writes to stdout" {
	add_mia
	"$GEN" onboard "$TMP/site.conf" mia -o "$TMP/dir" >/dev/null
	run "$GEN" onboard --tar "$TMP/site.conf" mia -o "$TMP/mia.tar"
	[ "$status" -eq 0 ]
	[ "$(tar -tf "$TMP/mia.tar" | head -n 1)" = "onboard-mia/" ]
	[ "$(tar -tf "$TMP/mia.tar" | grep -c '/$')" -eq 2 ]
	mkdir "$TMP/x"
	tar -xf "$TMP/mia.tar" -C "$TMP/x"
	diff -r -x .lvsdns-render "$TMP/dir" "$TMP/x/onboard-mia"
	[ -x "$TMP/x/onboard-mia/install.sh" ]
	[ "$(stat -c %a "$TMP/x/onboard-mia/files/dnat.rules")" = 644 ]
	"$GEN" onboard --tar -o - "$TMP/site.conf" mia | tar -tf - > "$TMP/list"
	tar -tf "$TMP/mia.tar" | diff - "$TMP/list"
}

@test "onboard: errors (unknown host 2, usage 2, a directory that is not ours 1)" {
	run "$GEN" onboard "$TMP/site.conf" nobody -o "$TMP/o"
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no real server 'nobody'"* ]]
	[ ! -e "$TMP/o" ]
	run "$GEN" onboard "$TMP/site.conf"
	[ "$status" -eq 2 ]
	mkdir "$TMP/mine"; echo precious > "$TMP/mine/file"
	run "$GEN" onboard "$TMP/site.conf" kai -o "$TMP/mine"
	[ "$status" -eq 1 ]
	[ "$(cat "$TMP/mine/file")" = precious ]
	run "$GEN" onboard --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--probe"* ]]
}

@test "onboard --probe: asks each instance from the balancer's VLAN address; refuses when one fails" {
	add_mia two
	# a stand-in dnsprobe: logs its arguments, answers for 10.5.53.2 only
	cat > "$TMP/probe" <<EOF2
#!/bin/sh
echo "\$*" >> "$TMP/probe.log"
for a; do last=\$a; done
[ "\$last" = 10.5.53.2 ] && { echo "up"; exit 0; }
echo "timeout"; exit 1
EOF2
	chmod +x "$TMP/probe"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	echo "$output"
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/b" ]
	echo "$output" | grep -x 'probe mia/a 10.5.53.2 udp/53 from 10.5.53.1: up'
	echo "$output" | grep -x 'probe mia/a 10.5.53.2 tcp/53 from 10.5.53.1: up'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 udp/53 from 10.6.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 tcp/53 from 10.6.53.1: DOWN (exit 1)'
	[[ "$output" == *"1 of 2 instances of mia did not answer; refusing to onboard it (the probes ask from balancer dus2's VLAN addresses, as keepalived will: run --probe there, with the host's VLANs up)"* ]]
	# the site's check, as keepalived's MISC_CHECK runs it for each virtual
	# server's port and protocol, plus -v
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.5.53.2' "$TMP/probe.log"
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T tcp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.5.53.2' "$TMP/probe.log"
	grep -x -- '-v -b 10.6.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.6.53.2' "$TMP/probe.log"
	[ "$(wc -l < "$TMP/probe.log")" -eq 4 ]
	# the check's expected address and answer count go along
	sed -i 's/^\tprobe = /\texpect-address = 192.0.2.53\n\tmin-answers = 1\n&/' "$TMP/site.conf"
	: > "$TMP/probe.log"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	[ "$status" -eq 1 ]
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL -a 192.0.2.53 -m 1 resolve.test.example 10.5.53.2' "$TMP/probe.log"
	# all answering: written
	sed -i 's/= 10.5.53.2 \]/!= x ]/' "$TMP/probe"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	[ "$status" -eq 0 ]
	[ -f "$TMP/b/install.sh" ]
	# no dnsprobe at all: refused
	run "$GEN" onboard --probe --dnsprobe "$TMP/nonexistent" "$TMP/site.conf" mia -o "$TMP/c"
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/c" ]
}

@test "onboard --probe with the real dnsprobe in a network namespace" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (unshare -n)" >&2; return 1; }
	[ -x build/san/dnsprobe ] || { echo "build/san/dnsprobe is not built" >&2; return 1; }
	add_mia two
	sed -i 's/tries = 3/tries = 1/' "$TMP/site.conf"
	run unshare -n bash -c '
		set -u
		ip link set lo up
		for a in 10.5.53.1 10.5.53.2 10.6.53.1 10.6.53.2; do ip addr add $a/32 dev lo; done
		pids=""
		trap "for p in \$pids; do kill \$p 2>/dev/null; done" EXIT
		responder() { # ADDR LOG: the dnsprobe tests responder on port 53
			/usr/bin/python3 tests/dnsprobe/responder.py "$1" 53 10053 10054 > "$2" 2>&1 &
			pids="$pids $!"
			for i in $(seq 1 100); do grep -q "^ready" "$2" && return 0; sleep 0.1; done
			echo "responder on $1 did not start" >&2; cat "$2" >&2; return 1
		}
		responder 10.5.53.2 "$1/r1.log" || exit 9
		"$2" onboard --probe --dnsprobe build/san/dnsprobe "$1/site.conf" mia -o "$1/b1"
		echo "first=$?"
		responder 10.6.53.2 "$1/r2.log" || exit 9
		"$2" onboard --probe --dnsprobe build/san/dnsprobe "$1/site.conf" mia -o "$1/b2"
		echo "second=$?"
	' probe-netns "$TMP" "$GEN"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'first=1'
	echo "$output" | grep -x 'second=0'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 udp/53 from 10.6.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 tcp/53 from 10.6.53.1: DOWN (exit 1)'
	[ "$(echo "$output" | grep -cx 'probe mia/a 10.5.53.2 udp/53 from 10.5.53.1: up')" -eq 2 ]
	[ "$(echo "$output" | grep -cx 'probe mia/a 10.5.53.2 tcp/53 from 10.5.53.1: up')" -eq 2 ]
	[ ! -e "$TMP/b1" ]
	[ -f "$TMP/b2/install.sh" ]
}

# ---- help and man page ----

@test "every command has --help (exit 0) and a section in cluster-gen(1)" {
	cmds=$("$GEN" --help | awk '$1 == "cluster-gen" && $2 != "COMMAND" {print $2}')
	[ "$(echo "$cmds" | wc -l)" -eq 7 ]
	for c in $cmds; do
		run "$GEN" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: cluster-gen $c "* ]]
		grep -q "^\\\\fB$c\\\\fR" docs/cluster-gen.1 || { echo "cluster-gen.1 has no section for $c" >&2; return 1; }
	done
	for o in --with-tools --stat --json --all --tar --probe --dnsprobe; do
		grep -qF -- "\\fB$(echo "$o" | sed 's/-/\\-/g')\\fR" docs/cluster-gen.1 || { echo "cluster-gen.1 does not describe $o" >&2; return 1; }
	done
}

@test "check --with-tools as an unprivileged user: namespaces of its own, bgpd -C skipped, rejections still found" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root to become nobody (setpriv)" >&2; return 1; }
	chmod 755 "$TMP"; chmod 644 "$TMP/site.conf"
	mkdir -m 1777 "$TMP/tmpdir" "$TMP/tpl"
	sed 's/lvs_sched {{scheduler}}/lvs_schedule {{scheduler}}/' templates/keepalived.conf.mustache > "$TMP/tpl/keepalived.conf.mustache"
	sed '0,/table inet {{table}} {/s//table inet {{table}} { bogus/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
	chmod -R a+rX "$TMP/tpl"
	# a copy nobody can run wherever the checkout lives (/root is 0700)
	cp "$GEN" "$TMP/cluster-gen"
	chmod 755 "$TMP/cluster-gen"
	nobody() { (cd "$TMP" && TMPDIR="$TMP/tmpdir" setpriv --reuid 65534 --regid 65534 --clear-groups "$@"); }
	# The real checkers run in namespaces nobody makes for itself; where user
	# namespaces do not work, cluster-gen would skip them and this test would
	# assert nothing of them: fail instead.
	err=$(nobody unshare --map-root-user --net true 2>&1) || {
		echo "user namespaces do not work for an unprivileged user here ($err);" \
			"enable them (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)" >&2
		return 1
	}
	run nobody "$TMP/cluster-gen" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  skipped +balancers/ffm4/frr\.conf +bgpd -C \(needs root\)$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +vtysh -C$'
	echo "$output" | grep -E '^  pass +realservers/kai/policy-routing\.sh +sh -n$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.nft +nft -c$'
	echo "$output" | grep -E ', 2 skipped \(needs root\)$'
	# in CI a skipped check is a failure when asked
	run nobody "$TMP/cluster-gen" check --with-tools --require-all "$TMP/site.conf"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "--require-all: 2 checks did not run, so the render is not proven" ]
	run nobody "$TMP/cluster-gen" check --with-tools --templates "$TMP/tpl" "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/dnat\.nft +nft -c$'
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}

# Runs "$@" in a user namespace of its own (uids and gids 0-65535 mapped to
# themselves) in which no further user namespace can be made, as on a host
# without unprivileged user namespaces; the host's own limit is not touched.
without_userns() {
	local pid i
	unshare --user sh -c '
		i=0
		while [ -z "$(cat /proc/self/uid_map)" ]; do
			i=$((i + 1))
			[ "$i" -le 100 ] || { echo "without_userns: no uid_map after 5 s" >&2; exit 97; }
			sleep 0.05
		done
		# a new process: this shell lost its capabilities when it ran unmapped
		sh -c "echo 0 > /proc/sys/user/max_user_namespaces" || exit 98
		exec "$@"' without_userns "$@" 3>&- &
	pid=$!
	for i in $(seq 100); do
		[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.05
	done
	if ! { echo '0 0 65536' >"/proc/$pid/gid_map" && echo '0 0 65536' >"/proc/$pid/uid_map"; }; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" || true
		echo "without_userns: cannot map the namespace's ids" >&2
		return 1
	fi
	wait "$pid"
}

@test "check --with-tools as an unprivileged user without user namespaces: those checkers are skipped, not failed" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root to make the user namespace" >&2; return 1; }
	chmod 644 "$TMP/site.conf"
	mkdir -m 1777 "$TMP/tmpdir"
	cp "$GEN" "$TMP/cluster-gen"
	chmod 755 "$TMP/cluster-gen"
	# the limit really is 0 in there, for root and for nobody
	run without_userns sh -c 'cat /proc/sys/user/max_user_namespaces; unshare --user true'
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 0 ]
	run without_userns setpriv --reuid 65534 --regid 65534 --clear-groups \
		env --chdir="$TMP" TMPDIR="$TMP/tmpdir" "$TMP/cluster-gen" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  skipped +realservers/kai/dnat\.nft +nft -c \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +balancers/ffm4/keepalived\.conf +keepalived -t \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +realservers/kai/named-a\.conf +named-checkconf \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +balancers/ffm4/frr\.conf +bgpd -C \(needs root\)$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +vtysh -C$'
	printf '%s\n' "$output" | refute_grep '^  (FAIL|missing) '
	echo "$output" | grep -E '^  pass +realservers/kai/named@\.service +systemd-analyze verify$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/vips +lvsdns-vip-guard check$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/interfaces\.d/lvsdns0 +ifup --no-act$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.service\.d/lvsdns-preflight\.conf +systemd-analyze verify$'
	echo "$output" | grep -E '^15 checks run: 15 passed, 0 failed;'
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}
