#!/usr/bin/env bats
# dnsprobe one-shot mode against real servers on loopback: a named serving
# tests/dnsprobe/probe.test.zone, a named whose zone fails to load (SERVFAIL),
# and tests/dnsprobe/responder.py for everything a real server will not do.
# Every server is started here and stopped by its PID in teardown_file.

load ../dnsprobe/lib.bash

setup_file() {
  command -v named >/dev/null || { echo "named (bind9) is not installed" >&2; return 1; }
  command -v dig >/dev/null || { echo "dig (bind9-dnsutils) is not installed" >&2; return 1; }
  [ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing" >&2; return 1; }
  [ -x "$DNSPROBE" ] || { echo "$DNSPROBE is not built" >&2; return 1; }
  export BASE; BASE=$(dp_base_port)
  export NAMED_PORT=$BASE BROKEN_PORT=$((BASE + 1)) RESP_PORT=$((BASE + 2))
  export ALT_PORT=$((BASE + 3)) SILENT_PORT=$((BASE + 4))
  start_named good 127.0.0.1 "$NAMED_PORT" probe.test "$DP_DIR/probe.test.zone"
  start_named broken 127.0.0.1 "$BROKEN_PORT" broken.test "$DP_DIR/broken.zone"
  start_responder 127.0.0.1 "$RESP_PORT" "$ALT_PORT" "$SILENT_PORT"
  wait_dns 127.0.0.1 "$NAMED_PORT" probe.test
  wait_dns 127.0.0.1 "$BROKEN_PORT" broken.test
}

teardown_file() {
  stop_pidfile "$BATS_FILE_TMPDIR/good/pid"
  stop_pidfile "$BATS_FILE_TMPDIR/broken/pid"
  stop_pidfile "$BATS_FILE_TMPDIR/responder/pid"
}

named_probe() { "$DNSPROBE" -v -p "$NAMED_PORT" "$@"; }
resp_probe() { "$DNSPROBE" -v -p "$RESP_PORT" "$@"; }
resp_log() { cat "$BATS_FILE_TMPDIR/responder/log"; }

# --- a real named -----------------------------------------------------------

@test "named: an A query that is answered is up (exit 0)" {
  run named_probe www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"www.probe.test. IN A: up, NOERROR, 2 answers in "*" ms over udp"* ]]
}

@test "named: every query type is asked and answered" {
  local t
  for t in "A www" "AAAA www" "NS @" "MX @" "SOA @" "TXT @" "PTR ptr" "SRV _dns._udp" "CNAME alias" "ANY www"; do
    set -- $t
    local n=$2.probe.test; [ "$2" = @ ] && n=probe.test
    run named_probe -t "$1" -m 1 "$n" 127.0.0.1
    echo "$t: $output"
    [ "$status" -eq 0 ]
    [[ "$output" == *" IN $1: up, NOERROR"* ]]
  done
}

@test "named: class CH asks version.bind" {
  run named_probe -c CH -t TXT -m 1 version.bind 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"version.bind. CH TXT: up"* ]]
}

@test "named: --expect-address must be in the answer section" {
  run named_probe -a 192.0.2.11 www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  run named_probe -t AAAA -a 2001:db8::10 www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  run named_probe -a 192.0.2.12 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"expected address missing"* ]]
  # through a CNAME: the address is owned by another name
  run named_probe -a 192.0.2.10 alias.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
}

@test "named: --min-answers; NOERROR with an empty answer is down only when answers are required" {
  run named_probe nodata.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  run named_probe -m 1 nodata.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"too few answers, NOERROR, 0 answers"* ]]
  run named_probe -m 2 www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  run named_probe --min-answers 3 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
}

@test "named: NXDOMAIN is up by default and down when listed in --fail-rcodes" {
  run named_probe nope.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"up, NXDOMAIN"* ]]
  run named_probe -f SERVFAIL,REFUSED,NXDOMAIN nope.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"failing rcode, NXDOMAIN"* ]]
}

@test "named: REFUSED for a zone it does not serve is down; -f NONE makes it up" {
  run named_probe other.example 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"failing rcode, REFUSED"* ]]
  run named_probe -f NONE other.example 127.0.0.1
  [ "$status" -eq 0 ]
}

@test "broken named: SERVFAIL over udp and tcp is down" {
  run "$DNSPROBE" -v -p "$BROKEN_PORT" www.broken.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"failing rcode, SERVFAIL"*"over udp"* ]]
  run "$DNSPROBE" -v -p "$BROKEN_PORT" -T tcp www.broken.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"failing rcode, SERVFAIL"*"over tcp"* ]]
  run "$DNSPROBE" -v -p "$BROKEN_PORT" -f REFUSED www.broken.test 127.0.0.1
  [ "$status" -eq 0 ]
}

@test "named: tcp transport" {
  run named_probe -T tcp -a 192.0.2.10 www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"over tcp"* ]]
}

@test "named: a truncated udp answer is down over udp, retried over tcp with udp-tcp" {
  run named_probe -t TXT big.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"truncated over udp"* ]]
  run named_probe -T udp-tcp -t TXT -m 30 big.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"30 answers"*"over tcp"* ]]
  run named_probe -T tcp -t TXT -m 30 --edns 4096 big.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
}

@test "named over IPv6 (::1): udp, tcp, source address, AAAA expectation" {
  ip -6 addr show dev lo | grep -q 'inet6 ::1/128' || { echo "::1 is not configured on lo" >&2; return 1; }
  run named_probe -t AAAA -a 2001:db8::10 www.probe.test ::1
  [ "$status" -eq 0 ]
  [[ "$output" == "::1#$NAMED_PORT www.probe.test. IN AAAA: up"* ]]
  run named_probe -T tcp -b ::1 www.probe.test ::1
  [ "$status" -eq 0 ]
  [[ "$output" == *"over tcp"* ]]
  run named_probe -a 2001:db8::99 -t AAAA www.probe.test ::1
  [ "$status" -eq 1 ]
}

@test "named: --dynamic-weight exits 2+w, w = thresholds the rtt stays below" {
  run named_probe --dynamic-weight 60000 www.probe.test 127.0.0.1
  [ "$status" -eq 3 ]
  run named_probe --dynamic-weight 50000,60000,70000 www.probe.test 127.0.0.1
  [ "$status" -eq 5 ]
  run named_probe --dynamic-weight 60000 -m 1 nodata.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
}

@test "named: --nagios gives 0 OK with perfdata, 2 CRITICAL" {
  run "$DNSPROBE" --nagios -p "$NAMED_PORT" www.probe.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^DNS\ OK\ -\ .*\|rtt=[0-9.]+s\;\;\;0\ rcode=0\ answers=2$ ]]
  run "$DNSPROBE" --nagios -p "$NAMED_PORT" other.example 127.0.0.1
  [ "$status" -eq 2 ]
  [[ "$output" =~ ^DNS\ CRITICAL\ -\ .*REFUSED.*rcode=5\ answers=0$ ]]
  # no answer: nothing was measured, so U (undetermined), not 0
  run "$DNSPROBE" --nagios --warning 50 -p "$SILENT_PORT" -w 100 -r 1 x.r.test 127.0.0.1
  [ "$status" -eq 2 ]
  [[ "$output" =~ ^DNS\ CRITICAL\ -\ .*timeout\ after\ 1\ try.*\|rtt=U\;0\.050\;\;0\ rcode=U\ answers=U$ ]]
}

@test "compat: the old wrapper's nine arguments, with and without --compat" {
  run "$DNSPROBE" -p "$NAMED_PORT" 127.0.0.1 IN A www.probe.test 127.0.0.1 1 2 SERVFAIL udp
  [ "$status" -eq 0 ]
  run "$DNSPROBE" -p "$NAMED_PORT" --compat 127.0.0.1 IN A www.probe.test 127.0.0.1 1 2 SERVFAIL tcp
  [ "$status" -eq 0 ]
  run "$DNSPROBE" -p "$BROKEN_PORT" 127.0.0.1 IN A www.broken.test 127.0.0.1 1 2 SERVFAIL udp
  [ "$status" -eq 1 ]
  run "$DNSPROBE" -p "$BROKEN_PORT" 127.0.0.1 IN A www.broken.test 127.0.0.1 1 2 REFUSED udp
  [ "$status" -eq 0 ]
  run "$DNSPROBE" -p "$NAMED_PORT" 127.0.0.1 IN A nope.probe.test 127.0.0.1 1 2 'SERVFAIL|NXDOMAIN' udp
  [ "$status" -eq 1 ]
  # the old wrapper ran dig +notcp for anything but exactly "tcp"
  run "$DNSPROBE" -v -p "$NAMED_PORT" 127.0.0.1 IN A www.probe.test 127.0.0.1 1 2 SERVFAIL notcp
  [ "$status" -eq 0 ]
  [[ "$output" == *"over udp"* ]]
  # dig's generic type form
  run "$DNSPROBE" -v -p "$NAMED_PORT" 127.0.0.1 IN TYPE65 www.probe.test 127.0.0.1 1 2 SERVFAIL udp
  [ "$status" -eq 0 ]
  [[ "$output" == *"www.probe.test. IN TYPE65: up, NOERROR, 0 answers"* ]]
  # dig retried truncated udp answers over tcp; so does compat "udp"
  run "$DNSPROBE" -v -p "$NAMED_PORT" 127.0.0.1 IN TXT big.probe.test 127.0.0.1 1 2 SERVFAIL udp
  [ "$status" -eq 0 ]
  [[ "$output" == *"over tcp"* ]]
}

# --- the responder ----------------------------------------------------------

@test "responder: REFUSED is down, NXDOMAIN and empty NOERROR are up by default" {
  run resp_probe refused.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"failing rcode, REFUSED"* ]]
  run resp_probe nxdomain.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  run resp_probe empty.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  run resp_probe -m 1 empty.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  run resp_probe -f NXDOMAIN nxdomain.r.test 127.0.0.1
  [ "$status" -eq 1 ]
}

@test "responder: TC over udp is down; udp-tcp asks again over tcp and is up" {
  run resp_probe tc.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"truncated over udp"* ]]
  run resp_probe -T udp-tcp -a 192.0.2.53 tc.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  [[ "$output" == *"over tcp"* ]]
}

@test "responder: wrong id, opcode, question, type, source port, QR clear and garbage are ignored until the deadline" {
  local k
  for k in wrongid wrongopcode wrongq wrongtype wrongport notqr garbage; do
    run resp_probe -w 150 -r 2 "$k.r.test" 127.0.0.1
    echo "$k: $output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"timeout after 2 tries"* ]]
  done
}

# The flood fills the socket faster than it is read: each step reads a
# bounded number of them, so the deadline is still kept.
@test "responder: a tcp peer flooding answers with another ID is a timeout at the deadline, not a hang" {
  run timeout 20 "$DNSPROBE" -v -p "$RESP_PORT" -T tcp -w 300 -r 2 flood.r.test 127.0.0.1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"timeout after 2 tries"* ]]
}

@test "responder: the right answer after every kind of decoy is still taken" {
  run resp_probe -w 1000 -r 1 -a 192.0.2.53 decoys.r.test 127.0.0.1
  [ "$status" -eq 0 ]
}

@test "responder: a compression loop in our answer is a malformed answer, down" {
  run resp_probe loop.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"malformed answer"* ]]
}

@test "responder: a slow answer is down with a short timeout, up with a long one" {
  run resp_probe -w 100 -r 1 slow.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  run resp_probe -w 2000 -r 1 slow.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  run "$DNSPROBE" -p "$RESP_PORT" --dynamic-weight 100,60000 -w 2000 -r 1 slow.r.test 127.0.0.1
  [ "$status" -eq 3 ]
  run "$DNSPROBE" --nagios --warning 100 -p "$RESP_PORT" -w 2000 -r 1 slow.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == "DNS WARNING - "*"rtt="*";0.100;;0 rcode=0 answers=1" ]]
}

@test "responder: tries: a dropped first query is answered on the second try" {
  run resp_probe -w 200 -r 1 dropfirst.one.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  run resp_probe -w 1000 -r 2 dropfirst.two.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  [ "$(resp_log | grep -c 'name=dropfirst.two.r.test.')" -eq 2 ]
}

@test "silent server: udp and tcp time out after exactly the given tries" {
  local proto n i
  # a socket that never reads and a listener that never accepts
  for proto in udp tcp udp-tcp; do
    run "$DNSPROBE" -v -T "$proto" -p "$SILENT_PORT" -w 300 -r 3 x.r.test 127.0.0.1
    echo "$proto: $output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"timeout after 3 tries"* ]]
  done
  # the responder reads, logs and never answers silent.*: three queries, no
  # fourth, and over udp-tcp no tcp at all
  for proto in udp tcp udp-tcp; do
    run "$DNSPROBE" -v -T "$proto" -p "$RESP_PORT" -w 300 -r 3 "silent.$proto.r.test" 127.0.0.1
    echo "$proto: $output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"timeout after 3 tries"* ]]
    for i in $(seq 1 50); do
      n=$(resp_log | grep -c "name=silent.$proto.r.test.")
      [ "$n" -ge 3 ] && break
      sleep 0.1
    done
    [ "$n" -eq 3 ]
  done
  [ "$(resp_log | grep -c 'query udp .*name=silent.udp.r.test.')" -eq 3 ]
  [ "$(resp_log | grep -c 'query tcp .*name=silent.tcp.r.test.')" -eq 3 ]
  [ "$(resp_log | grep -c 'query udp .*name=silent.udp-tcp.r.test.')" -eq 3 ]
}

@test "a source address this machine lacks (a VLAN not up) is down, and says whose address is missing" {
  # bind() refuses the address: nothing is sent
  run "$DNSPROBE" -v -b 192.0.2.77 -p "$NAMED_PORT" -w 500 -r 1 probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"network error after 1 try"*": Cannot assign requested address (source 192.0.2.77 is not an address of this machine)" ]]
  run "$DNSPROBE" -v -T tcp -b 2001:db8::77 -p "$NAMED_PORT" -w 500 -r 1 probe.test ::1
  [ "$status" -eq 1 ]
  [[ "$output" == *"(source 2001:db8::77 is not an address of this machine)" ]]
}

@test "nothing listening: port unreachable is down without waiting" {
  # the port above the silent one is unused: the responder binds only up to +4
  run "$DNSPROBE" -v -p $((SILENT_PORT + 1)) -w 5000 -r 2 x.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"network error after 2 tries"*"refused"* ]]
  run "$DNSPROBE" -v -T tcp -p $((SILENT_PORT + 1)) -w 5000 -r 1 x.r.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"network error"* ]]
}

@test "query bits: source address, RD, CD, DO and EDNS size reach the server" {
  run resp_probe -b 127.0.0.2 --no-rd --cd --do --edns 1400 bits1.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  resp_log | grep -q 'query udp from=127.0.0.2 .* name=bits1.r.test. type=1 class=1 rd=0 cd=1 edns=1400 do=1$'
  run resp_probe -t AAAA bits2.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  resp_log | grep -q 'query udp from=127.0.0.1 .* name=bits2.r.test. type=28 class=1 rd=1 cd=0 edns=0 do=0$'
  run resp_probe -T tcp -b 127.0.0.3 bits3.r.test 127.0.0.1
  [ "$status" -eq 0 ]
  resp_log | grep -q 'query tcp from=127.0.0.3 .* name=bits3.r.test.'
}

@test "query id and source port are random per query" {
  local i
  for i in 1 2 3 4 5 6; do resp_probe rand.r.test 127.0.0.1 >/dev/null; done
  [ "$(resp_log | grep 'name=rand.r.test.' | grep -c .)" -eq 6 ]
  [ "$(resp_log | grep 'name=rand.r.test.' | sed 's/.*sport=\([0-9]*\).*/\1/' | sort -u | wc -l)" -ge 5 ]
  [ "$(resp_log | grep 'name=rand.r.test.' | sed 's/.* id=\([0-9]*\).*/\1/' | sort -u | wc -l)" -ge 5 ]
}

# --- usage ------------------------------------------------------------------

@test "usage errors exit 1 with a reason on stderr (3 UNKNOWN with --nagios)" {
  local long63 long64
  long63=$(printf 'a%.0s' $(seq 63)); long64=${long63}a
  run "$DNSPROBE"
  [ "$status" -eq 1 ]
  [[ "$output" == *"expected QNAME SERVER"* ]]
  run "$DNSPROBE" www.probe.test localhost
  [ "$status" -eq 1 ]
  [[ "$output" == *"not a numeric address"* ]]
  run "$DNSPROBE" "$long64.probe.test" 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"label longer than 63"* ]]
  run "$DNSPROBE" "$long63.$long63.$long63.$long63.test" 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"longer than 255"* ]]
  run "$DNSPROBE" "bücher.example" 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"xn--"* ]]
  run "$DNSPROBE" -t BOGUS www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  run "$DNSPROBE" -w 0 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  run "$DNSPROBE" --dynamic-weight 10,5 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  run "$DNSPROBE" -b ::1 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"different families"* ]]
  # an expected address no answer of that type can hold: always down, so refused
  run "$DNSPROBE" -t A -a ::1 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "dnsprobe: --expect-address: the expected address is IPv6, and an A answer holds only IPv4 addresses" ]
  run "$DNSPROBE" -t AAAA -a 192.0.2.1 www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "dnsprobe: --expect-address: the expected address is IPv4, and an AAAA answer holds only IPv6 addresses" ]
  echo "t - 127.0.0.1 53 www.probe.test A udp 1000 100 1 1 1 $BATS_TEST_TMPDIR/t.state" > "$BATS_TEST_TMPDIR/targets"
  run "$DNSPROBE" -a ::1 --watch "$BATS_TEST_TMPDIR/targets" --check
  [ "$status" -eq 1 ]
  [[ "$output" == *"targets:1: qtype A: the expected address is IPv6, and an A answer holds only IPv4 addresses (--expect-address)"* ]]
  run "$DNSPROBE" --compat www.probe.test 127.0.0.1
  [ "$status" -eq 1 ]
  run "$DNSPROBE" --nagios -t BOGUS www.probe.test 127.0.0.1
  [ "$status" -eq 3 ]
  [[ "$output" == *"DNS UNKNOWN - "* ]]
}

@test "--help and --version exit 0" {
  run "$DNSPROBE" --help
  [ "$status" -eq 0 ]
  [[ "$output" == usage:* ]]
  run "$DNSPROBE" -V
  [ "$status" -eq 0 ]
  [[ "$output" == "dnsprobe "* ]]
}
