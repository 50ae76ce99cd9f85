#!/usr/bin/env bats
# cluster-gen's workflow commands: check --with-tools, diff (the CI gate),
# onboard, list, get and graph, with every exit status.

setup() {
	GEN=${GEN:-build/san/cluster-gen}
	TMP=$(mktemp -d)
	# bgpd -C (check --with-tools) drops to the frr user
	chmod 755 "$TMP"
	cp site.conf.example "$TMP/site.conf"
}

teardown() {
	rm -rf "$TMP"
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
	[ "${lines[0]}" = "# changed balancers/dus2/keepalived.conf: on balancer dus2: install as /etc/keepalived/keepalived.conf, then systemctl reload keepalived" ]
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

@test "diff: added, removed and changed files each say what their machine must do" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	# lou's instance b goes away; a new instance d comes on a new VLAN 213
	sed -i -e 's/^\tvlan 209 { interface = "eth1.209"  address = "10.4.53.1\/24" }/&\n\tvlan 213 { interface = "eth1.213"  address = "10.5.53.1\/24" }/' \
		-e 's/^\tinstance b { vlan = 209  interface = "eth1.209"  address = 10.4.53.2  weight = 1 }/\tinstance d { vlan = 213  interface = "eth1.213"  address = 10.5.53.2  weight = 1 }/' \
		"$TMP/site.conf"
	grep -q 'instance d' "$TMP/site.conf"
	grep -q 'vlan 213' "$TMP/site.conf"
	echo stray > "$TMP/out/balancers/ffm4/stray.txt"
	chmod 0755 "$TMP/out/realservers/lou/sysctl.conf"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +realservers/lou/named-d\.conf +\+[0-9]+ -0 +on real server lou: install as /etc/bind/named-d\.conf, then systemctl enable --now named@d$'
	echo "$output" | grep -E '^removed +realservers/lou/named-b\.conf +\+0 -[0-9]+ +on real server lou: systemctl disable --now named@b, then remove /etc/bind/named-b\.conf$'
	echo "$output" | grep -E '^removed +balancers/ffm4/stray\.txt .*no daemon action known'
	echo "$output" | grep -E '^changed +balancers/dus2/keepalived\.conf .*systemctl reload keepalived$'
	echo "$output" | grep -E '^changed +realservers/lou/dnat\.rules .*rs-dnat apply dnat\.rules'
	echo "$output" | grep -E '^changed +realservers/lou/sysctl\.conf +\+[0-9]+ -[0-9]+ mode 0755 -> 0644 +on real server lou: .*sysctl -p'
	# ffm4 and kai are not behind the change: their files are unchanged
	! echo "$output" | grep -E '^changed +(balancers/ffm4|realservers/kai)/'
	echo "$output" | tail -n 1 | grep -E '^[0-9]+ files differ: 1 added, 2 removed, [0-9]+ changed; \+[0-9]+ -[0-9]+ lines$'
	# the full diff has a /dev/null side for added and removed files
	run "$GEN" diff "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -qx -- '--- /dev/null'
	echo "$output" | grep -qx -- '+++ b/realservers/lou/named-d.conf'
	echo "$output" | grep -qx -- '--- a/realservers/lou/named-b.conf'
	echo "$output" | grep -qx -- '+++ /dev/null'
}

@test "diff: the marker counts only when it differs; a missing DIR is all added" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	echo edited >> "$TMP/out/.lvsdns-render"
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/out"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^changed +\.lvsdns-render .*cluster-gen.s marker'
	run "$GEN" diff --stat "$TMP/site.conf" "$TMP/nonexistent"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^added +balancers/ffm4/keepalived\.conf'
	echo "$output" | tail -n 1 | grep -E ' 0 removed, 0 changed;'
}

@test "diff: errors exit 2 (bad site, foreign directory, unreadable file, usage)" {
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	echo 'garbage {' > "$TMP/bad.conf"
	run "$GEN" diff "$TMP/bad.conf" "$TMP/out"
	[ "$status" -eq 2 ]
	mkdir "$TMP/foreign"
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
	echo "$output" | grep -x 'missing checkers (not installed): none'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; 0 not run'
	! echo "$output" | grep -E '^  (FAIL|missing) '
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}

@test "check --with-tools: files the real checkers reject make it exit 1 and say why" {
	mkdir "$TMP/tpl"
	sed 's/lvs_sched {{scheduler}}/lvs_schedule {{scheduler}}/' templates/keepalived.conf.mustache > "$TMP/tpl/keepalived.conf.mustache"
	sed 's/recursion yes;/recursio yes;/' templates/named.conf.mustache > "$TMP/tpl/named.conf.mustache"
	sed 's/ timers bgp {{keepalive}} {{holdtime}}/ timers bgp {{keepalive}} {{holdtime}} x/' templates/frr.conf.mustache > "$TMP/tpl/frr.conf.mustache"
	sed '0,/table inet {{table}} {/s//table inet {{table}} { bogus/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
	run "$GEN" check --with-tools --templates "$TMP/tpl" "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -q "unknown option 'recursio'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +vtysh -C$'
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/dnat\.nft +nft -c$'
	# what was not broken still passes
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 13 failed;'
}

@test "check --with-tools: checkers that are not installed are reported, not failed" {
	mkdir "$TMP/bin"
	for t in named-checkconf sh; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
	PATH="$TMP/bin" run "$GEN" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'missing checkers (not installed): ip6tables-restore iptables-restore keepalived nft unshare vtysh'
	echo "$output" | grep -E '^  missing +balancers/ffm4/keepalived\.conf +keepalived -t \(not installed: unshare, keepalived\)$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; [1-9][0-9]* not run \(checker missing\)$'
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
	echo "$output" | grep -E '^ffm4 +198\.51\.100\.1 +lvsdns0 +resolver-a resolver-v6 +resolver-a resolver-b resolver-v6 +core-ffm 198\.51\.100\.254$'
	echo "$output" | grep -x 'kai          c         ffm4      605   eth1.605   2001:db8:105::2  2001:db8:105::1  1       stateful'
	echo "$output" | grep -x 'lou          b         dus2      209   eth1.209   10.4.53.2        10.4.53.1        1       stateful'
	[ "$(echo "$output" | grep -cE '^(kai|lou) ')" -eq 5 ]
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
lb = {b["name"]: b for b in d["balancers"]}
assert lb["ffm4"]["router-id"] == "198.51.100.1"
assert lb["ffm4"]["neighbors"] == [{"name": "core-ffm", "address": "198.51.100.254", "remote-as": 64512}]
assert [v["name"] for v in lb["ffm4"]["vlans"]] == ["105", "109", "605"]
rs = {r["name"]: r for r in d["realservers"]}
assert rs["kai"]["balancer"] == "ffm4"
assert rs["kai"]["instances"][2] == {"name": "c", "vlan": "605", "interface": "eth1.605",
    "address": "2001:db8:105::2", "lb-address": "2001:db8:105::1", "weight": 1}, rs["kai"]["instances"][2]
assert len(rs["lou"]["instances"]) == 2
'
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
	diff <("$GEN" graph "$TMP/site.conf") <("$GEN" graph "$TMP/r/site.conf")
	# Graphviz reads it
	command -v dot >/dev/null || { echo "dot is not installed (graphviz)" >&2; return 1; }
	"$GEN" graph "$TMP/site.conf" | dot -Tsvg > "$TMP/site.svg"
	grep -q '<svg' "$TMP/site.svg"
}

@test "graph: anycast shows every VIP with one metric; errors exit 2" {
	sed -i 's/mode = active-standby/mode = anycast/' "$TMP/site.conf"
	run "$GEN" graph "$TMP/site.conf"
	[ "$status" -eq 0 ]
	echo "$output" | grep -F 'resolver-b 192.0.2.125: anycast, MED 0\l'
	! echo "$output" | grep -q 'backup, MED'
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
