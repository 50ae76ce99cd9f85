#!/usr/bin/env bats
# cluster-gen list (and --json), get and graph: the site as tables, keys and a
# DOT graph, and docs/site.svg as the graph of the example.

load workflow-lib.bash

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
assert d["check"]["name"] == "resolve.test.example" and d["check"]["tries"] == 3, d["check"]
assert d["bgp"]["holdtime"] == 3 and d["bgp"]["bfd"] is True, d["bgp"]
assert d["bind"]["threads"] is False and d["bind"]["internal-malloc"] is True, d["bind"]
'
	# check, bgp and bind say what get says, key by key, in the JSON forms
	# (lists as arrays, booleans and numbers bare)
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for sec in ("check", "bgp", "bind"):
    for k, v in d[sec].items():
        text = " ".join(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
        print("%s.%s=%s" % (sec, k, text))
' > "$TMP/json-keys"
	[ "$(wc -l < "$TMP/json-keys")" -ge 25 ]
	while IFS='=' read -r key value; do
		[ "$("$GEN" get "$TMP/site.conf" "$key")" = "$value" ] || { echo "$key: json '$value', get '$("$GEN" get "$TMP/site.conf" "$key")'"; false; }
	done < "$TMP/json-keys"
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
