#!/usr/bin/env bash
# make bench-dataplane: the real-server data plane, measured in the netns
# topology of tests/e2e/dataplane.bats (client namespace = balancer side,
# real-server namespace with two named -n 1 from the rendered configs).
#  1. dnsperf to an instance directly vs through the VIP, stateful nft DNAT
#     and stateless nft, interleaved, repeated;
#  2. conntrack entries after a churn run (a new socket per query);
#  3. two named -n 1 behind DNAT vs one named -n 2, same two-link load;
#  4. rs-dnat apply of 100 instances x 4 VIPs (800 rules) vs the same rules
#     as individual iptables-legacy commands, and iptables-legacy-restore.
# Results are printed and written to build/bench-dataplane.md; copy them
# into docs/PERFORMANCE.md by hand. Needs root. DUR=seconds per dnsperf
# run (default 3), REPS=rounds (default 9).
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-dataplane needs root" >&2; exit 1; }
for t in dnsperf hyperfine python3 conntrack nft iptables-legacy named taskset; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
GEN=build/rel/cluster-gen RS=build/rel/rs-dnat
DUR=${DUR:-3} REPS=${REPS:-9}
export DP_TMP NS_CL="lvsbench$$-cl" NS_RS="lvsbench$$-rs"
DP_TMP=$(mktemp -d)
# shellcheck source=../tests/e2e/dataplane-lib.bash
source tests/e2e/dataplane-lib.bash
trap dp_teardown EXIT
RESULTS=build/bench-dataplane.md
OUT=$DP_TMP/out/realservers/rs OUT_SL=$DP_TMP/out-stateless/realservers/rs

say() { echo "$*" | tee -a "$RESULTS"; }

setup() {
  write_site stateful >"$DP_TMP/site.conf"
  write_site stateless >"$DP_TMP/stateless.conf"
  "$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out" >/dev/null
  "$GEN" render "$DP_TMP/stateless.conf" -o "$DP_TMP/out-stateless" >/dev/null
  make_namespaces
  # a second client address whose queries take VLAN 109 (policy routing
  # on the balancer side), so one run can load both links at once
  cl ip addr add 192.0.2.11/32 dev lo
  cl ip route add "$VIP/32" via 10.1.53.2 dev v105 table 105
  cl ip route add "$VIP/32" via 10.3.53.2 dev v109 table 109
  cl ip rule add from "$CLIENT" table 105 priority 105
  cl ip rule add from 192.0.2.11 table 109 priority 109
  # names in BIND's automatic empty zone 10.in-addr.arpa: answered from
  # memory (NXDOMAIN), so the bench measures the path, not recursion
  for i in $(seq 1 200); do echo "$i.$((i % 7)).0.10.in-addr.arpa PTR"; done >"$DP_TMP/queries"
  start_named a
  start_named b
}

rules() { # none | stateful | stateless
  rs nft flush ruleset
  rs conntrack -F >/dev/null 2>&1 || true
  case $1 in
    stateful) rs nft -f "$OUT/dnat.nft" ;;
    stateless) rs nft -f "$OUT_SL/dnat.nft" ;;
  esac
}

# qps SERVER SOURCE: one dnsperf run, prints queries per second (and
# complains when queries were lost).
qps() {
  local out
  out=$(cl taskset -c 0 dnsperf -s "$1" -a "$2" -d "$DP_TMP/queries" -l "$DUR" -c 4 -q 64 2>&1)
  grep -q 'Queries lost: *0 ' <<<"$out" || grep 'Queries lost' <<<"$out" >&2
  awk '/Queries per second/ { printf "%.0f\n", $4 }' <<<"$out"
}

# median of one number per line (the mean of the middle two for an even count)
median() {
  sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
    else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }

# The machine is shared, so load changes between rounds: each round's modes
# run back to back and are compared with that round's direct run; the
# figure is the median of those per-round ratios.
bench_paths() {
  local r rf="" rl="" d f l a b named_a
  local modes=(none stateful stateless) k m
  # dnsperf on CPU 0, instance a's named (all its threads) on CPU 1: the
  # client and the server do not steal each other's core
  named_a=$(cat "$DP_TMP/run/named-a.bats-pid")
  taskset -a -p -c 1 "$named_a" >/dev/null
  say ""
  say "### dnsperf: direct vs through the VIP ($REPS rounds x ${DUR} s per mode, order rotating, 4 clients, 64 outstanding, dnsperf on CPU 0, named on CPU 1)"
  say ""
  say "| round | direct to 10.1.53.2 qps | VIP, stateful nft DNAT qps | VIP, stateless nft qps | stateful/direct | stateless/direct |"
  say "| --- | ---: | ---: | ---: | ---: | ---: |"
  for r in $(seq 1 "$REPS"); do
    # the order rotates every round, so no mode always runs first
    for k in 0 1 2; do
      m=${modes[$(((k + r) % 3))]}
      rules "$m"
      case $m in
        none) d=$(qps 10.1.53.2 "$CLIENT") ;;
        stateful) f=$(qps "$VIP" "$CLIENT") ;;
        stateless) l=$(qps "$VIP" "$CLIENT") ;;
      esac
    done
    a=$(ratio "$f" "$d") b=$(ratio "$l" "$d")
    say "| $r | $d | $f | $l | $a | $b |"
    rf+="$a"$'\n' rl+="$b"$'\n'
  done
  say "| median of the rounds' ratios | | | | $(median <<<"${rf%$'\n'}") | $(median <<<"${rl%$'\n'}") |"
  taskset -a -p -c 0-"$(($(nproc) - 1))" "$named_a" >/dev/null  # unpinned again for the next part
}

# churn N: N queries to the VIP, each from a new socket (new source port).
churn() {
  cl python3 - "$1" "$CLIENT" "$VIP" <<'PY'
import socket, struct, sys
n, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
qname = b"".join(bytes([len(l)]) + l for l in b"1.0.0.10.in-addr.arpa".split(b".")) + b"\0"
ok = 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(0.5)
    s.sendto(struct.pack(">HHHHHH", i & 0xffff, 0x0100, 1, 0, 0, 0) + qname + b"\0\x0c\0\x01", (dst, 53))
    try:
        s.recv(512)
        ok += 1
    except socket.timeout:
        pass
    s.close()
print(ok)
PY
}

bench_churn() {
  local n=5000 mode answered entries
  say ""
  say "### conntrack after a churn run ($n queries, a new socket each)"
  say ""
  say "| mode | answered | conntrack entries afterwards |"
  say "| --- | ---: | ---: |"
  for mode in stateful stateless; do
    rules "$mode"
    answered=$(churn "$n")
    entries=$(rs conntrack -C)
    say "| $mode | $answered | $entries |"
  done
}

# Both links loaded at once: client .10 through VLAN 105, .11 through 109.
pair_qps() {
  local a b
  cl dnsperf -s "$VIP" -a "$CLIENT" -d "$DP_TMP/queries" -l "$DUR" -c 4 -q 64 >"$DP_TMP/p1" 2>&1 &
  local p1=$!
  cl dnsperf -s "$VIP" -a 192.0.2.11 -d "$DP_TMP/queries" -l "$DUR" -c 4 -q 64 >"$DP_TMP/p2" 2>&1
  wait "$p1"
  a=$(awk '/Queries per second/ { print $4 }' "$DP_TMP/p1")
  b=$(awk '/Queries per second/ { print $4 }' "$DP_TMP/p2")
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f\n", a + b }'
}

bench_threads() {
  local r ratios="" t o q conf="$DP_TMP/named-both.conf"
  # one named listening on both instance addresses, two worker threads
  sed -e "s|{ 10.1.53.2; }|{ 10.1.53.2; 10.3.53.2; }|" -e 's|/a"|/both"|' -e 's|/a/|/both/|g' \
    -e 's|named-a.pid|named-both.pid|' -e 's|session-a.key|session-both.key|' \
    -e 's|"rs-a"|"rs-both"|g' "$DP_TMP/named-a.conf" >"$conf"
  mkdir -p "$DP_TMP/cache/both"
  rules stateful
  say ""
  say "### two named -n 1 vs one named -n 2 (both links loaded at once, stateful DNAT, $REPS x ${DUR} s)"
  say ""
  say "| run | two named -n 1 | one named -n 2 | ratio |"
  say "| --- | ---: | ---: | ---: |"
  for r in $(seq 1 "$REPS"); do
    t=$(pair_qps)
    stop_named a; stop_named b
    launch_named both "$conf" 10.1.53.2 -n 2
    o=$(pair_qps)
    stop_named both
    start_named a; start_named b
    q=$(ratio "$t" "$o")
    say "| $r | $t | $o | $q |"
    ratios+="$q"$'\n'
  done
  say "| median of the rounds' ratios | | | $(median <<<"${ratios%$'\n'}") |"
}

bench_apply() {
  local f="$DP_TMP/big.rules" sh="$DP_TMP/big.sh" i v p
  {
    echo '*nat'; echo ':LVSDNS-PRE - [0:0]'; echo '-A PREROUTING -j LVSDNS-PRE'
    for i in $(seq 1 100); do
      for v in 124 125 126 127; do
        for p in udp tcp; do
          echo "-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.$v/32 -i eth1.$i -p $p -m $p --dport 53 -j DNAT --to-destination 10.$((i / 250)).$((i % 250)).2:53"
        done
      done
    done
    echo COMMIT
  } >"$f"
  {
    echo 'set -e'
    echo 'iptables-legacy -t nat -N LVSDNS-PRE'
    echo 'iptables-legacy -t nat -A PREROUTING -j LVSDNS-PRE'
    grep '^-A LVSDNS-PRE' "$f" | sed 's/^/iptables-legacy -t nat /'
  } >"$sh"
  say ""
  say "### installing 100 instances x 4 VIPs x udp/tcp = 800 rules into an empty nat table (fresh netns per run)"
  say ""
  hyperfine --warmup 1 --runs 5 --export-markdown "$DP_TMP/h.md" \
    -n "rs-dnat apply (one iptc_commit)" "unshare -n $RS apply $f" \
    -n "iptables-legacy-restore --noflush" "unshare -n iptables-legacy-restore --noflush $f" \
    -n "802 iptables-legacy commands" "unshare -n sh $sh" >/dev/null 2>&1
  tee -a "$RESULTS" <"$DP_TMP/h.md"
}

mkdir -p build
: >"$RESULTS"
say "## bench-dataplane, $(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) cores"
setup
bench_paths
bench_churn
bench_threads
bench_apply
