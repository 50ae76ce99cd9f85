#!/usr/bin/env bash
# make bench-dnsprobe: CPU per check of dnsprobe one-shot next to a trivial
# static program, plain dig and the old Perl+dig wrapper (interleaved, same
# run, median of ROUNDS), then watch mode at WATCH_TARGETS targets against a
# loopback named. Prints markdown for docs/PERFORMANCE.md.
set -eu
ROUNDS=${ROUNDS:-300}
WATCH_TARGETS=${WATCH_TARGETS:-1000}
WATCH_SECONDS=${WATCH_SECONDS:-20}
REL=${REL:-build/rel}
BATS_FILE_TMPDIR=$(mktemp -d)
source tests/dnsprobe/lib.bash
cleanup() {
  [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null
  stop_pidfile "$BATS_FILE_TMPDIR/bench/pid"
  rm -rf "$BATS_FILE_TMPDIR"
}
trap cleanup EXIT
port=$(( $(dp_base_port) + 2 ))
start_named bench 127.0.0.1 "$port" probe.test "$DP_DIR/probe.test.zone"
wait_dns 127.0.0.1 "$port" probe.test
export WRAPPER_PORT=$port

echo "### One-shot: CPU per check (user+sys from wait4, median of $ROUNDS interleaved runs)"
echo
echo "$(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)."
echo
echo "| command | median cpu µs | p10 | p90 | median wall µs | peak RSS KiB | exit codes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
"$REL/bench-exec" "$ROUNDS" \
  "trivial static program" "$REL/bench-true" ::: \
  "/bin/true (dynamic)" /bin/true ::: \
  "dnsprobe www.probe.test" "$REL/dnsprobe" -p "$port" www.probe.test 127.0.0.1 ::: \
  "dnsprobe, compat arguments" "$REL/dnsprobe" -p "$port" 127.0.0.1 IN A www.probe.test 127.0.0.1 1 3 SERVFAIL udp ::: \
  "dig" /usr/bin/dig -p "$port" -b 127.0.0.1 IN A www.probe.test @127.0.0.1 +time=1 +tries=3 +fail +notcp ::: \
  "old wrapper (perl + dig)" /usr/bin/perl tests/dnsprobe/old-wrapper.pl 127.0.0.1 IN A www.probe.test 127.0.0.1 1 3 SERVFAIL udp \
  | tee "$BATS_FILE_TMPDIR/oneshot.md"
med() { awk -F'|' -v l="$1" '$2 ~ l {gsub(/ /,"",$3); print $3}' "$BATS_FILE_TMPDIR/oneshot.md"; }
triv=$(med "trivial static"); probe=$(med "dnsprobe www"); perl=$(med "old wrapper")
echo
awk -v t="$triv" -v p="$probe" -v w="$perl" 'BEGIN {
  printf "dnsprobe / trivial static program: %.2fx (target <= 1.15x)\n\n", p / t
  printf "old wrapper / dnsprobe: %.1fx (target >= 25x)\n", w / p }'

# Watch mode, twice: as the scheduler likes, and with named and dnsprobe on
# one CPU. Over loopback the sender's sendto() also runs the receiver's side
# of the stack and wakes named; on another CPU of a VM that wake-up is an
# IPI and a VM exit, charged to dnsprobe. A real balancer sends to another
# host, so the pinned figure is the closer one; both are printed.
dir="$BATS_FILE_TMPDIR/watch"; mkdir -p "$dir"
for i in $(seq 1 "$WATCH_TARGETS"); do
  echo "t$i - 127.0.0.1 $port www.probe.test A udp 1000 500 2 2 3 $dir/t$i.state"
done >"$dir/targets"
sum_metric() { awk -v m="^$1" '$0 ~ m {s += $2} END {print s + 0}' "$dir/metrics.prom"; }
# Samples right after a metrics write, so checks and CPU describe one moment.
sample() {
  local m i
  m=$(stat -c %Y%N "$dir/metrics.prom" 2>/dev/null || echo none)
  for i in $(seq 1 300); do
    [ "$(stat -c %Y%N "$dir/metrics.prom" 2>/dev/null || echo none)" != "$m" ] && break
    sleep 0.01
  done
  echo "$(awk '{print $1}' "/proc/$WATCH_PID/schedstat") $(sum_metric dnsprobe_checks_total) $(date +%s%N)"
}
run_watch() { # LABEL [taskset args...]
  local label=$1 i; shift
  rm -f "$dir"/*.state "$dir/metrics.prom"
  "$@" "$REL/dnsprobe" --watch "$dir/targets" --metrics "$dir/metrics.prom" 2>"$dir/log" &
  WATCH_PID=$!
  # warm-up: every target written down at start, then up after rise=2
  # checks: 2 x WATCH_TARGETS state-file writes, counted as start-up
  for i in $(seq 1 100); do
    [ -f "$dir/metrics.prom" ] && [ "$(sum_metric dnsprobe_up)" -eq "$WATCH_TARGETS" ] && break
    sleep 0.1
  done
  read -r cpu0 checks0 t0 < <(sample)
  sleep "$WATCH_SECONDS"
  read -r cpu1 checks1 t1 < <(sample)
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$WATCH_PID/status")
  kill -TERM "$WATCH_PID"
  wait "$WATCH_PID" || true
  WATCH_PID=
  awk -v l="$label" -v c0="$cpu0" -v c1="$cpu1" -v n0="$checks0" -v n1="$checks1" -v t0="$t0" \
      -v t1="$t1" -v h="$hwm" -v f="$(sum_metric dnsprobe_failures_total)" 'BEGIN {
    c = c1 - c0; n = n1 - n0; s = (t1 - t0) / 1e9
    printf "| %s | %d | %d | %.1f | %.2f | %.2f%% | %.1f | %d |\n", l, n, f, c / 1e6, c / 1e3 / n,
      c / 1e7 / s, c0 / 1e6, h }'
}
echo
echo "### Watch mode: $WATCH_TARGETS targets, 1 s interval, loopback named"
echo
echo "Steady state over ${WATCH_SECONDS} s after all targets rose; CPU from /proc/PID/schedstat."
echo "Start-up CPU includes writing every state file twice (down at start, up after rise)."
echo
echo "| placement | checks | failed (whole run) | cpu ms | cpu per check µs | share of one core | start-up cpu ms | peak RSS KiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
run_watch "any CPU"
taskset -a -p -c 0 "$(cat "$BATS_FILE_TMPDIR/bench/pid")" >/dev/null
run_watch "named and dnsprobe on CPU 0" taskset -c 0
