#!/usr/bin/env bats
# cluster-gen check on the site file alone: every malformed file in tests/bad,
# each value's limits, lb-address, and the sites it accepts.

load cluster-gen-lib.bash

@test "every malformed site file gives exactly its expected errors, exit 2" {
  n=0 bad=0
  for conf in tests/bad/*.conf; do
    run "$GEN" check "$conf"
    if [ "$status" -ne 2 ] || [ "$output" != "$(cat "${conf%.conf}.err")" ]; then
      echo "--- $conf (exit $status)"; echo "$output" | diff "${conf%.conf}.err" - || true
      bad=$((bad + 1))
    fi
    n=$((n + 1))
  done
  [ "$n" -ge 25 ]
  [ "$bad" -eq 0 ]
}

# A one-balancer site, each part changed by a variable: SITE_NAME, SITE (options
# of site { }), CHECK, SERVICE, LB (the balancer's name), INST (instance
# a's name), INST_OPTS, TOP (sections of their own).
limit_site() {
  cat <<CONF
site "${SITE_NAME:-ex}" { asn = 64512 ${SITE:-} }
check { name = "resolve.test.example" ${CHECK:-} }
service resolver-a { vip = 192.0.2.124 ${SERVICE:-} }
balancer ${LB:-lb1} {
	router-id = 198.51.100.1
	primary = { resolver-a }
	neighbor core { address = 198.51.100.254 }
	vlan 105 { interface = "eth1.105"  address = "10.1.53.1/24" }
}
realserver kai {
	balancer = ${LB:-lb1}
	clients = { "192.0.2.0/24" }
	instance ${INST:-a} { vlan = 105  interface = "eth1.105"  address = 10.1.53.2 ${INST_OPTS:-} }
}
${TOP:-}
CONF
}

# check exits $1 on the limit site made with the variable assignments that
# follow $2; on exit 2 the output must hold $2.
limit_is() {
  local want=$1 msg=$2; shift 2
  (export "$@"; limit_site) > "$TMP/limit.conf"
  run "$GEN" check "$TMP/limit.conf"
  [ "$status" -eq "$want" ] || { echo "exit $status, not $want: $*"; echo "$output"; return 1; }
  [ "$want" -eq 0 ] || [[ "$output" == *"$msg"* ]] || { echo "no '$msg' in: $output"; return 1; }
}

@test "limits: each value at its limit passes, one past it is refused" {
  local n49 n50 n51
  n49=$(printf 'i%.0s' $(seq 49)) n50=$(printf 's%.0s' $(seq 50)) n51=$(printf 'b%.0s' $(seq 51))
  limit_is 0 "" X=
  # numbers: the largest of each range passes, one more does not
  limit_is 0 "" SITE="asn = 4294967295"
  limit_is 2 "asn 4294967296 is out of range (1..4294967295)" SITE="asn = 4294967296"
  limit_is 0 "" CHECK="timeout = 60 tries = 10"
  limit_is 2 "tries 11 is out of range (1..10)" CHECK="tries = 11"
  limit_is 2 "timeout 0 is out of range (1..60)" CHECK="timeout = 0"
  limit_is 0 "" INST_OPTS="weight = 65535"
  limit_is 2 "weight 65536 is out of range (0..65535)" INST_OPTS="weight = 65536"
  limit_is 0 "" TOP="bgp { holdtime = 65535 keepalive = 21845 }"
  limit_is 2 "holdtime 65536 is out of range (3..65535)" TOP="bgp { holdtime = 65536 }"
  limit_is 0 "" SERVICE='ports = { "udp/65535", "tcp/1", "tcp/9" }'
  limit_is 2 "'udp/65536'" SERVICE='ports = { "udp/65536" }'
  limit_is 2 "'tcp/0'" SERVICE='ports = { "tcp/0" }'
  # strtoul would take these as 53 and 65535
  limit_is 2 "'udp/+53'" SERVICE='ports = { "udp/+53" }'
  limit_is 2 "'udp/-1'" SERVICE='ports = { "udp/-1" }'
  # dynamic-weight: strictly rising thresholds of 1..600000 ms, 200 characters in all
  limit_is 0 "" CHECK='dynamic-weight = "9,600000"'
  limit_is 2 "not a list of rising numbers" CHECK='dynamic-weight = "9,600001"'
  limit_is 2 "not a list of rising numbers" CHECK='dynamic-weight = "20,20"'
  limit_is 0 "" CHECK="dynamic-weight = \"$(seq -s, 1 70)\""
  limit_is 2 "longer than 200 characters" CHECK="dynamic-weight = \"$(seq -s, 1 71)\""
  # persistence-netmask: at most the VIP's length
  limit_is 0 "" SERVICE="persistence-timeout = 60 persistence-netmask = 32"
  limit_is 2 "persistence-netmask /33 is longer than an IPv4 address" \
    SERVICE="persistence-timeout = 60 persistence-netmask = 33"
  # watch target ids HOST+INSTANCE+tcp-65535: at most 63 characters
  limit_is 0 "" CHECK="checker = watch" INST="$n49"
  limit_is 2 "could exceed dnsprobe's 63 characters" CHECK="checker = watch" INST="${n49}x"
  # FRR's names: site and balancer names of 100 characters together
  limit_is 0 "" SITE_NAME="$n50" LB="$n50"
  limit_is 2 "too long for FRR's prefix-list and route-map names" SITE_NAME="$n50" LB="$n51"
}

# An instance's lb-address may repeat its vlan's balancer address (as the old
# article's sites wrote it); any other address is refused.
@test "lb-address: the vlan's own balancer address passes, another is refused" {
  limit_is 0 "" INST_OPTS="lb-address = 10.1.53.1"
  limit_is 2 "lb-address 10.1.53.9 is not balancer lb1's address on vlan 105" INST_OPTS="lb-address = 10.1.53.9"
}

@test "check accepts the example and names what it found" {
  run "$GEN" check site.conf.example
  [ "$status" -eq 0 ]
  [[ "$output" == *"site resolvers-example is valid (3 services, 2 balancers, 2 real servers)"* ]]
}

@test "a missing site file is reported, exit 2" {
  run "$GEN" check "$TMP/nope.conf"
  [ "$status" -eq 2 ]
  [[ "$output" == *"nope.conf: cannot read the site file: No such file or directory"* ]]
}

@test "a NUL byte is refused at its line: the file is not text" {
  { head -c 40 site.conf.example; printf '\0'; tail -c +41 site.conf.example; } > "$TMP/nul.conf"
  run "$GEN" check "$TMP/nul.conf"
  [ "$status" -eq 2 ]
  [ "${lines[0]}" = "$TMP/nul.conf:1: a NUL byte: the site file is not text" ]
  [ "${#lines[@]}" -eq 3 ]
}

@test "a UTF-8 byte order mark at the start is ignored: the same site, the same files" {
  { printf '\357\273\277'; cat site.conf.example; } > "$TMP/bom.conf"
  run "$GEN" check "$TMP/bom.conf"
  [ "$status" -eq 0 ]
  "$GEN" render "$TMP/bom.conf" -o "$TMP/bom"
  "$GEN" render site.conf.example -o "$TMP/plain"
  diff -r "$TMP/bom" "$TMP/plain"
}

@test "a site with nothing in it yet (no address at all) is valid and renders" {
  printf 'site "only" {\n\tasn = 64512\n}\ncheck {\n\tname = "resolve.test.example"\n}\n' > "$TMP/only.conf"
  run "$GEN" check "$TMP/only.conf"
  [ "$status" -eq 0 ]
  [ "$output" = "$TMP/only.conf: site only is valid (0 services, 0 balancers, 0 real servers)" ]
  "$GEN" render "$TMP/only.conf" -o "$TMP/out"
  [ -f "$TMP/out/bind-build/build.env" ]
}

# BIND answers class CH from its built-in _bind view, at most 3 times a
# second per client network (tests/bad/check-chaos-rate.conf: 4 a second).
@test "a CH check is refused only where an instance would be asked over UDP more than 3 times a second" {
  bad=tests/bad/check-chaos-rate.conf
  run "$GEN" check "$bad"
  [ "$status" -eq 2 ]
  [[ "$output" == *"balancer ffm4 would check each of its IPv4 instances 4.00 times a second over UDP"* ]]
  # 3 a second is what BIND answers
  sed 's/^service resolver-d .*$//; s/, resolver-d//' "$bad" >"$BATS_TEST_TMPDIR/three.conf"
  "$GEN" check "$BATS_TEST_TMPDIR/three.conf"
  # class IN, TCP checks and watch mode (one target per instance and port) ask no CH over UDP that often
  sed 's/class = CH/class = IN/' "$bad" >"$BATS_TEST_TMPDIR/in.conf"
  "$GEN" check "$BATS_TEST_TMPDIR/in.conf"
  sed 's/class = CH/&\n\ttransport = tcp/' "$bad" >"$BATS_TEST_TMPDIR/tcp.conf"
  "$GEN" check "$BATS_TEST_TMPDIR/tcp.conf"
  sed 's/class = CH/&\n\tchecker = watch\n\tinterval = 1/' "$bad" >"$BATS_TEST_TMPDIR/watch.conf"
  "$GEN" check "$BATS_TEST_TMPDIR/watch.conf"
  # watch mode with four UDP ports checked every second: refused
  sed -e 's/class = CH/&\n\tchecker = watch\n\tinterval = 1/' \
    -e 's/^service resolver-\([a-d]\) { vip = \(192.0.2.12[4-7]\)  delay-loop = 1 }$/service resolver-\1 { vip = \2  ports = { "udp\/53", "udp\/5300", "udp\/5301", "udp\/5302" } }/' \
    "$bad" >"$BATS_TEST_TMPDIR/ports.conf"
  grep -q 'udp/5302' "$BATS_TEST_TMPDIR/ports.conf"
  run "$GEN" check "$BATS_TEST_TMPDIR/ports.conf"
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"IPv4 instances 4.00 times a second over UDP"* ]]
}

@test "an instance no VIP reaches is a warning: check and render go on, exit 0" {
	# the example without its IPv6 service: kai's instance c (IPv6) idles
	python3 - site.conf.example "$TMP/nov6.conf" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'service resolver-v6 \{.*?\n\}\n', '', s, flags=re.S)
s = s.replace(', resolver-v6', '')
open(sys.argv[2], 'w').write(s)
PY
	! grep -q resolver-v6 "$TMP/nov6.conf"
	line=$(grep -n 'instance c {' "$TMP/nov6.conf" | cut -d: -f1)
	run "$GEN" check "$TMP/nov6.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$TMP/nov6.conf:$line: warning: kai instance c: balancer ffm4 carries no IPv6 VIP, so no query reaches it" ]
	[ "${lines[1]}" = "  hint: add a service of that family to what the balancer carries (primary, services), or leave the instance out; until then its named runs idle" ]
	[[ "${lines[2]}" == *"site resolvers-example is valid"* ]]
	run "$GEN" render "$TMP/nov6.conf" -o "$TMP/out"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: kai instance c"* ]]
	[ -f "$TMP/out/realservers/kai/named-c.conf" ]
	# the example itself, where every instance has a VIP of its family, has none
	run "$GEN" check site.conf.example
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]
}
