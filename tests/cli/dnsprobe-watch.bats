#!/usr/bin/env bats
# dnsprobe --watch: one process, many targets, rise/fall, atomic state files
# for keepalived's FILE_CHECK, SIGHUP reload, SIGTERM, metrics. Targets are a
# real named on loopback and the responder's flag.NAME names, which answer
# while $FLAGS/NAME exists and SERVFAIL otherwise.

load ../dnsprobe/lib.bash
bats_require_minimum_version 1.5.0 # run ! (a bare "! cmd" fails a test only on its last line)

setup_file() {
  command -v named >/dev/null || { echo "named (bind9) is not installed" >&2; return 1; }
  [ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing" >&2; return 1; }
  [ -x "$DNSPROBE" ] || { echo "$DNSPROBE is not built" >&2; return 1; }
  export BASE=$(( 20000 + ( ($$ + 1250) % 2500 ) * 5 )) # apart from dnsprobe.bats
  export NAMED_PORT=$BASE RESP_PORT=$((BASE + 2)) ALT_PORT=$((BASE + 3)) SILENT_PORT=$((BASE + 4))
  export FLAGS="$BATS_FILE_TMPDIR/flags"
  mkdir -p "$FLAGS"
  start_named good 127.0.0.1 "$NAMED_PORT" probe.test "$DP_DIR/probe.test.zone"
  start_responder 127.0.0.1 "$RESP_PORT" "$ALT_PORT" "$SILENT_PORT" "$FLAGS"
  wait_dns 127.0.0.1 "$NAMED_PORT" probe.test
}

teardown_file() {
  stop_pidfile "$BATS_FILE_TMPDIR/good/pid"
  stop_pidfile "$BATS_FILE_TMPDIR/responder/pid"
}

setup() {
  W="$BATS_TEST_TMPDIR"
  rm -f "$FLAGS"/*
}

teardown() {
  stop_pidfile "$W/watch.pid"
}

# target ID SERVERPORT QNAME [TRANSPORT] [RISE] [FALL]: one targets-file line,
# checked every 100 ms, two tries of 100 ms (generous: the responder is python
# and the machine is shared, and a spurious failure must not flip a state)
target() {
  echo "$1 - 127.0.0.1 $2 $3 A ${4:-udp} 100 100 2 ${5:-2} ${6:-2} $W/$1.state"
}

start_watch() { # extra options in "$@"
  "$DNSPROBE" --watch "$W/targets" "$@" 2>"$W/log" &
  echo $! >"$W/watch.pid"
}

@test "watch: state files start at 1 (down) and turn 0 after rise successes" {
  { target named "$NAMED_PORT" www.probe.test udp 3 2
    target tcp "$NAMED_PORT" www.probe.test tcp 1 1
    echo "v6 ::1 ::1 $NAMED_PORT www.probe.test AAAA udp-tcp 100 50 2 1 1 $W/v6.state"
    target dead "$SILENT_PORT" x.r.test udp 1 1; } >"$W/targets"
  start_watch
  wait_grep "$W/log" 'watching 4 targets'
  [ "$(cat "$W/dead.state")" = 1 ]
  wait_content "$W/named.state" 0 5
  wait_content "$W/tcp.state" 0 5
  wait_content "$W/v6.state" 0 5
  wait_grep "$W/log" 'target named is up after 3 successes'
  wait_grep "$W/log" 'target tcp is up after 1 successes'
  sleep 0.5
  [ "$(cat "$W/dead.state")" = 1 ]
  run ! grep -q 'target dead is' "$W/log"
  [ -z "$(ls "$W" | grep dnsprobe-tmp)" ]
}

@test "watch: a restart starts each target in the state its file holds; no file or garbage is down" {
  touch "$FLAGS/up" "$FLAGS/down"
  { target up "$RESP_PORT" flag.up.r.test udp 3 3
    target down "$RESP_PORT" flag.down.r.test udp 3 3
    target junk "$RESP_PORT" flag.junk.r.test udp 3 3
    target none "$RESP_PORT" flag.none.r.test udp 3 3; } >"$W/targets"
  echo 0 >"$W/up.state"
  echo 1 >"$W/down.state"
  echo maybe >"$W/junk.state"
  start_watch
  wait_grep "$W/log" 'watching 4 targets .*\(1 up'
  # the files are set before that line is logged
  [ "$(cat "$W/up.state")" = 0 ]
  [ "$(cat "$W/down.state")" = 1 ]
  [ "$(cat "$W/junk.state")" = 1 ]
  [ "$(cat "$W/none.state")" = 1 ]
  wait_grep "$W/log" 'target down is up after 3 successes'
  rm "$FLAGS/up"
  wait_grep "$W/log" 'target up is down after 3 failures'
  [ "$(grep -c 'target up is' "$W/log")" -eq 1 ] # no down and up again at start
}

@test "watch: down after fall failures, up again after rise; files written only on change" {
  touch "$FLAGS/one"
  target one "$RESP_PORT" flag.one.r.test udp 2 3 >"$W/targets"
  start_watch
  wait_content "$W/one.state" 0 5
  ino=$(stat -c %i "$W/one.state")
  sleep 0.6 # about six more successful checks
  [ "$(stat -c %i "$W/one.state")" = "$ino" ] # not rewritten while the state holds
  rm "$FLAGS/one"
  wait_content "$W/one.state" 1 5
  wait_grep "$W/log" 'target one is down after 3 failures \(failing rcode\)'
  touch "$FLAGS/one"
  wait_content "$W/one.state" 0 5
  wait_grep "$W/log" 'target one is up after 2 successes'
  [ "$(grep -c 'target one is' "$W/log")" -eq 3 ]
}

@test "watch: SIGHUP keeps unchanged targets' state, restarts changed ones, adds and drops" {
  touch "$FLAGS/keep" "$FLAGS/change" "$FLAGS/gone" "$FLAGS/new"
  { target keep "$RESP_PORT" flag.keep.r.test udp 1 3
    target change "$RESP_PORT" flag.change.r.test udp 1 3
    target gone "$RESP_PORT" flag.gone.r.test udp 1 3; } >"$W/targets"
  start_watch
  wait_content "$W/keep.state" 0 5
  wait_content "$W/change.state" 0 5
  wait_content "$W/gone.state" 0 5
  ino=$(stat -c %i "$W/keep.state")
  { target keep "$RESP_PORT" flag.keep.r.test udp 1 3
    target change "$RESP_PORT" flag.change.r.test udp 5 3   # rise changed
    target new "$RESP_PORT" flag.new.r.test udp 1 3; } >"$W/targets"
  kill -HUP "$(cat "$W/watch.pid")"
  wait_grep "$W/log" 'reloaded .*: 3 targets'
  # the dropped target is no longer checked: its file says down, so that
  # keepalived does not keep a server in that nothing checks any more
  [ "$(cat "$W/gone.state")" = 1 ]
  grep -q 'removed target gone: state file .*gone.state set to 1 (down)' "$W/log"
  # the changed target starts over in the state its file holds (up, not
  # down until 5 successes), and is checked with the new line
  [ "$(cat "$W/change.state")" = 0 ]
  wait_content "$W/new.state" 0 5
  rm "$FLAGS/change"
  wait_grep "$W/log" 'target change is down after 3 failures'
  [ "$(stat -c %i "$W/keep.state")" = "$ino" ]
  [ "$(grep -c 'target keep is' "$W/log")" -eq 1 ]
  [ "$(grep -c 'removed target' "$W/log")" -eq 1 ] # only gone: change kept its file
  kill -0 "$(cat "$W/watch.pid")"
}

@test "watch: a broken targets file on SIGHUP is reported and the old targets stay" {
  touch "$FLAGS/a"
  target a "$RESP_PORT" flag.a.r.test udp 1 1 >"$W/targets"
  start_watch
  wait_content "$W/a.state" 0 5
  printf '%s\n' "# comment" "" "b - 127.0.0.1 53 x.test A udp 100 50 2 1 1" >"$W/targets"
  kill -HUP "$(cat "$W/watch.pid")"
  wait_grep "$W/log" 'targets:3: 12 fields, expected 13'
  wait_grep "$W/log" 'reload failed; still checking the 1 targets'
  rm "$FLAGS/a"
  wait_content "$W/a.state" 1 5
}

@test "watch: SIGTERM exits 0 promptly and writes the final metrics" {
  touch "$FLAGS/m"
  { target m "$RESP_PORT" flag.m.r.test udp 1 5
    target n "$NAMED_PORT" www.probe.test udp 1 5
    target f "$RESP_PORT" refused.f.r.test udp 1 1; } >"$W/targets"
  start_watch --metrics "$W/metrics.prom"
  wait_content "$W/m.state" 0 5
  wait_content "$W/n.state" 0 5
  wait_grep "$W/metrics.prom" '^dnsprobe_failures_total\{id="f"\} [1-9]' 5
  pid=$(cat "$W/watch.pid")
  kill -TERM "$pid"
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "dnsprobe still runs 5 s after SIGTERM" >&2
    kill -9 "$pid"
    wait "$pid" || true # returns at once after SIGKILL
    false
  fi
  status=0
  wait "$pid" || status=$? # it has exited: this only collects the status
  [ "$status" -eq 0 ]
  grep -q '^dnsprobe_up{id="m"} 1$' "$W/metrics.prom"
  grep -q '^dnsprobe_up{id="n"} 1$' "$W/metrics.prom"
  grep -qE '^dnsprobe_rtt_seconds\{id="n"\} 0\.[0-9]{6}$' "$W/metrics.prom"
  grep -qE '^dnsprobe_checks_total\{id="m"\} [1-9][0-9]*$' "$W/metrics.prom"
  grep -qE '^dnsprobe_failures_total\{id="m"\} [0-9]+$' "$W/metrics.prom"
  grep -q '^dnsprobe_state_changes_total{id="m"} 1$' "$W/metrics.prom"
  grep -q '^dnsprobe_up{id="f"} 0$' "$W/metrics.prom"
  grep -qE '^dnsprobe_failures_total\{id="f"\} [1-9][0-9]*$' "$W/metrics.prom"
  grep -q '^dnsprobe_state_changes_total{id="f"} 0$' "$W/metrics.prom"
  grep -q '^# TYPE dnsprobe_checks_total counter$' "$W/metrics.prom"
  grep -q 'stopping' "$W/log"
  # a stopped watcher leaves the files as they are (a restart must not
  # withdraw the site); keepalived's init_file covers a missing one
  [ "$(cat "$W/m.state")" = 0 ]
}

@test "watch: the metrics file is refreshed while running" {
  target r "$NAMED_PORT" www.probe.test >"$W/targets"
  start_watch --metrics "$W/metrics.prom"
  wait_grep "$W/metrics.prom" '^dnsprobe_up\{id="r"\} 1$' 5
}

@test "watch: errors in the targets file at start-up exit 1 with file:line" {
  printf '%s\n' \
    "a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 $W/a.state" \
    "a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 $W/b.state" \
    "c ::1 127.0.0.1 53 x.test A udp 100 50 2 1 1 $W/c.state" \
    "d - localhost 0 x..test BOGUS sctp 5 0 0 0 0 $W/d.state" >"$W/targets"
  run "$DNSPROBE" --watch "$W/targets"
  [ "$status" -eq 1 ]
  [[ "$output" == *"targets:2: id 'a' is already used on line 1"* ]]
  [[ "$output" == *"targets:3: source and server are of different address families"* ]]
  [[ "$output" == *"targets:4: server 'localhost' is not a numeric address"* ]]
  [[ "$output" == *"targets:4: port '0' is not a number from 1 to 65535"* ]]
  [[ "$output" == *"targets:4: qname 'x..test': empty label"* ]]
  [[ "$output" == *"targets:4: transport 'sctp'"* ]]
  [ ! -e "$W/a.state" ]
  run "$DNSPROBE" --watch "$W/missing"
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such file"* ]]
}

@test "watch --check: parses the targets file as a start would, sends nothing, writes no state file" {
  printf '%s\n' "# a comment" \
    "a - 127.0.0.1 $SILENT_PORT x.test A udp 100 50 2 1 1 $W/a.state" \
    "b 127.0.0.1 127.0.0.1 $SILENT_PORT x.test A tcp 100 50 2 1 1 $W/b.state" >"$W/targets"
  run "$DNSPROBE" -c CH -f REFUSED --watch "$W/targets" --check
  [ "$status" -eq 0 ]
  [ "$output" = "$W/targets: 2 targets" ]
  [ ! -e "$W/a.state" ] && [ ! -e "$W/b.state" ]
  # the same errors as a start, with the hint on a line of its own
  printf '%s\n' \
    "a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 $W/a.state" \
    "a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 $W/b.state" \
    "c - 127.0.0.1 53 x.test A udp 100" >"$W/targets"
  run "$DNSPROBE" --watch "$W/targets" --check
  echo "$output"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "$W/targets:2: id 'a' is already used on line 1" ]
  [ "${lines[1]}" = "$W/targets:3: 8 fields, expected 13" ]
  [ "${lines[2]}" = "  hint: id source server port qname qtype transport interval_ms timeout_ms tries rise fall state_file" ]
  run "$DNSPROBE" --watch "$W/missing" --check
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: No such file or directory"* ]]
  # only with --watch
  run "$DNSPROBE" --check x.test 127.0.0.1
  [ "$status" -eq 1 ]
  [[ "$output" == *"--check need --watch"* ]]
}

@test "watch: a start-up error with a hint is logged on one line, the hint in parentheses" {
  echo "c - 127.0.0.1 53 x.test A udp 100" >"$W/targets"
  run "$DNSPROBE" --watch "$W/targets"
  [ "$status" -eq 1 ]
  [[ "$output" == *"targets:1: 8 fields, expected 13 (id source server port qname qtype transport interval_ms timeout_ms tries rise fall state_file)"* ]]
}

@test "watch: an unwritable state file is fatal at start-up" {
  target x "$NAMED_PORT" www.probe.test >"$W/targets"
  sed -i "s|$W/x.state|$W/no/such/dir/x.state|" "$W/targets"
  run "$DNSPROBE" --watch "$W/targets"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot write state file"* ]]
}

@test "watch: a state file that cannot be written is tried again after every check" {
  touch "$FLAGS/w"
  target w "$RESP_PORT" flag.w.r.test udp 1 1 >"$W/targets"
  start_watch
  wait_content "$W/w.state" 0 5
  mkdir "$W/w.state.dnsprobe-tmp" # the temporary file cannot be made: the write fails
  rm "$FLAGS/w"
  wait_grep "$W/log" 'target w is down after 1 failures'
  wait_grep "$W/log" 'target w: cannot write state file'
  [ "$(cat "$W/w.state")" = 0 ]
  rmdir "$W/w.state.dnsprobe-tmp"
  wait_content "$W/w.state" 1 5 # no state change since: only a retry writes it
  wait_grep "$W/log" "target w: state file .*w.state written"
  [ "$(grep -c 'cannot write state file' "$W/log")" -eq 1 ] # logged once, not per retry
}

@test "watch: --syslog sends the log away from stderr" {
  target s "$NAMED_PORT" www.probe.test udp 1 1 >"$W/targets"
  start_watch --syslog
  wait_content "$W/s.state" 0 5
  run ! grep -q 'target s' "$W/log"
}

@test "watch: a udp socket serves at most 10 checks, query ids differ, a timeout gets a new port" {
  touch "$FLAGS/port"
  echo "port - 127.0.0.1 $RESP_PORT flag.port.r.test A udp 30 20 1 1 1 $W/port.state" >"$W/targets"
  start_watch
  log="$BATS_FILE_TMPDIR/responder/log"
  for i in $(seq 1 100); do
    [ "$(grep -c 'name=flag.port.r.test.' "$log")" -ge 31 ] && break
    sleep 0.05
  done
  stop_pidfile "$W/watch.pid"
  grep 'name=flag.port.r.test.' "$log" | head -31 >"$W/q"
  # 31 checks: at least 4 sockets, none used for more than 10 queries
  [ "$(sed 's/.*sport=\([0-9]*\).*/\1/' "$W/q" | sort -u | wc -l)" -ge 4 ]
  [ "$(sed 's/.*sport=\([0-9]*\).*/\1/' "$W/q" | sort | uniq -c | sort -rn | awk 'NR==1 {print $1}')" -le 10 ]
  [ "$(sed 's/.* id=\([0-9]*\).*/\1/' "$W/q" | sort -u | wc -l)" -ge 29 ]
}

@test "watch: after a timeout the next query comes from a new source port" {
  echo "t - 127.0.0.1 $RESP_PORT dropfirst.watch.r.test A udp 100 50 1 1 1 $W/t.state" >"$W/targets"
  start_watch
  wait_content "$W/t.state" 0 5
  stop_pidfile "$W/watch.pid"
  grep 'name=dropfirst.watch.r.test.' "$BATS_FILE_TMPDIR/responder/log" | head -2 >"$W/q"
  [ "$(wc -l <"$W/q")" -eq 2 ]
  [ "$(sed 's/.*sport=\([0-9]*\).*/\1/' "$W/q" | sort -u | wc -l)" -eq 2 ]
}

@test "watch: an answer is judged by when it arrived, not when the loop read it" {
  # a loop that reads only every 500 ms: slow.* answers 300 ms after the
  # query, after the 100 ms deadline, and must be a timeout; named answers at
  # once, inside the 400 ms deadline, and counts though it is read later
  coarse="$(dirname "$DNSPROBE")/dnsprobe-coarse-grid"
  [ -x "$coarse" ] || { echo "$coarse is not built" >&2; return 1; }
  { echo "late - 127.0.0.1 $RESP_PORT slow.late.r.test A udp 1000 100 1 1 1 $W/late.state"
    echo "ontime - 127.0.0.1 $NAMED_PORT www.probe.test A udp 1000 400 1 1 1 $W/ontime.state"; } >"$W/targets"
  DNSPROBE="$coarse" start_watch -v
  wait_content "$W/ontime.state" 0 5
  for i in $(seq 1 100); do
    [ "$(grep -c 'target late: check failed after 1 try: timeout' "$W/log")" -ge 2 ] && break
    sleep 0.1
  done
  [ "$(grep -c 'target late: check failed after 1 try: timeout' "$W/log")" -ge 2 ]
  [ "$(cat "$W/late.state")" = 1 ]
  run ! grep -q 'target late is up' "$W/log"
}

@test "watch: more targets than the soft open-files limit: raised to the hard one, every target comes up" {
  for i in $(seq 60); do target "n$i" "$NAMED_PORT" www.probe.test udp 1 1; done >"$W/targets"
  # a soft limit of 40 (systemd's default is 1024) with room under the hard one
  bash -c 'ulimit -Sn 40; exec "$0" --watch "$1"' "$DNSPROBE" "$W/targets" 2>"$W/log" &
  echo $! >"$W/watch.pid"
  wait_grep "$W/log" 'watching 60 targets'
  for i in $(seq 60); do wait_content "$W/n$i.state" 0 5; done
  [ "$(awk '/^Max open files/ { print $4 }' "/proc/$(cat "$W/watch.pid")/limits")" -gt 40 ]
}

@test "watch: more targets than the hard open-files limit allows: refused at start, naming the limit" {
  for i in $(seq 60); do target "n$i" "$NAMED_PORT" www.probe.test udp 1 1; done >"$W/targets"
  run bash -c 'ulimit -n 40; exec "$0" --watch "$1"' "$DNSPROBE" "$W/targets"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"dnsprobe: 60 targets need 76 open files, and the hard limit is 40 (raise it: LimitNOFILE= in the unit, ulimit -Hn)"* ]]
  [ ! -e "$W/n1.state" ]
  # and --check (the unit's ExecReload=) refuses it as the start did
  run bash -c 'ulimit -n 40; exec "$0" --watch "$1" --check' "$DNSPROBE" "$W/targets"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"dnsprobe: 60 targets need 76 open files, and the hard limit is 40 (raise it: LimitNOFILE= in the unit, ulimit -Hn)"* ]]
  run bash -c 'ulimit -n 80; exec "$0" --watch "$1" --check' "$DNSPROBE" "$W/targets"
  [ "$status" -eq 0 ]
}

# The responder's flood fills the tcp socket faster than it is read: each
# step reads a bounded number, so the other targets, the timeouts and the
# signals still get their turn.
@test "watch: a tcp peer flooding answers with another ID times out; the other targets are still checked and SIGTERM still ends it" {
  { target n "$NAMED_PORT" www.probe.test udp 1 1
    echo "flood - 127.0.0.1 $RESP_PORT flood.r.test A tcp 1000 200 1 1 1 $W/flood.state"; } >"$W/targets"
  start_watch -v --metrics "$W/metrics.prom"
  wait_content "$W/n.state" 0 5
  wait_grep "$W/metrics.prom" '^dnsprobe_failures_total\{id="flood"\} [3-9]' 10
  wait_grep "$W/metrics.prom" '^dnsprobe_checks_total\{id="n"\} [1-9][0-9]' 10
  pid=$(cat "$W/watch.pid")
  kill -TERM "$pid"
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  run kill -0 "$pid"
  [ "$status" -ne 0 ]
  grep -q 'flood.*timeout' "$W/log"
}

@test "watch: a network error is logged with the system's reason, and a source address this machine lacks is named" {
  # a source address this machine does not have: bind fails
  echo "bad 192.0.2.77 127.0.0.1 $NAMED_PORT www.probe.test A udp 100 100 1 1 1 $W/bad.state" >"$W/targets"
  echo 0 >"$W/bad.state"
  start_watch -v
  wait_grep "$W/log" 'target bad is down after 1 failures \(network error: Cannot assign requested address \(source 192\.0\.2\.77 is not an address of this machine\)\)$'
  wait_grep "$W/log" 'target bad: check failed after 1 try: network error: Cannot assign requested address \(source 192\.0\.2\.77 is not an address of this machine\)$'
}

@test "watch: -v logs every failed check with its reason" {
  echo "q - 127.0.0.1 $RESP_PORT refused.v.r.test A udp 100 50 1 1 2 $W/q.state" >"$W/targets"
  start_watch -v
  wait_grep "$W/log" 'target q: check failed after 1 try: failing rcode' 5
}

# watch_options EXPECT: the dnsprobe options of the lvsdns-watch.service that
# cluster-gen renders for the golden watch site, its check asking for
# www.probe.test with expect-address EXPECT
watch_options() {
  sed -e 's/^\tname = .*/\tname = "www.probe.test"/' \
      -e "s/^\\tchecker = watch/\\tchecker = watch\\n\\texpect-address = $1/" \
      tests/golden/watch/site.conf >"$W/site-$1.conf"
  build/san/cluster-gen render "$W/site-$1.conf" -o "$W/out-$1" >/dev/null
  sed -n 's|^ExecStart=[^ ]* \(.*\) --watch /etc/lvsdns/dnsprobe.targets --syslog$|\1|p' \
    "$W/out-$1/balancers/lvs1/lvsdns-watch.service"
}

@test "watch: the rendered lvsdns-watch.service passes the check's answer rules, so watch judges as probe does" {
  local opts
  opts=$(watch_options 192.0.2.99)
  echo "options: $opts"
  [ "$opts" = "-c IN -f SERVFAIL -a 192.0.2.99" ]
  target www "$NAMED_PORT" www.probe.test udp 1 1 >"$W/targets"
  # shellcheck disable=SC2086 # the unit's options are words
  start_watch -v $opts
  wait_grep "$W/log" 'target www: check failed after 1 try: expected address missing' 5
  [ "$(cat "$W/www.state")" = 1 ]
  stop_pidfile "$W/watch.pid"
  # the address the answer holds: up (the same target, the same named)
  opts=$(watch_options 192.0.2.10)
  # shellcheck disable=SC2086
  start_watch -v $opts
  wait_content "$W/www.state" 0 5
}
