#!/usr/bin/env bats
# lvsdns-vip-guard: the list decides, changes are idempotent, exit codes are
# keepalived's contract (bgp/README.md). The up/down cases need root for a
# network namespace of their own; without root they fail, never skip.

GUARD=build/san/lvsdns-vip-guard

setup() {
	TMP=$(mktemp -d)
	cat >"$TMP/vips" <<-'LIST'
	# ADDRESS          INTERFACE  SERVICE
	192.0.2.10         vip0       resolver-a
	198.51.100.10      vip0       resolver-b   # backup here
	2001:db8:53::10    vip0       resolver-v6
	198.51.100.99      gone0      resolver-c
	LIST
	NS=""
	HOLDER=""
}

teardown() {
	if [ -n "$HOLDER" ]; then kill "$HOLDER" 2>/dev/null || true; fi
	if [ -n "$NS" ]; then ip netns del "$NS"; fi
	rm -rf "$TMP"
}

# A namespace with a VIP interface (dummy, or veth where the kernel has no
# dummy driver) and nothing else.
make_ns() {
	[ "$(id -u)" -eq 0 ] || { echo "this test needs root (network namespace)" >&2; return 1; }
	NS="lvsdns-vg$$-$BATS_TEST_NUMBER"
	ip netns add "$NS"
	if ! ip -n "$NS" link add vip0 type dummy 2>/dev/null; then
		ip -n "$NS" link add vip0 type veth peer name vip0-peer
		ip -n "$NS" link set vip0-peer up
	fi
	ip -n "$NS" link set vip0 up
}

# The quorum state goes to the test's own directory, never to /run.
guard() { ip netns exec "$NS" "$GUARD" -f "$TMP/vips" -s "$TMP/state" "$@"; }
# keepalived's calls for the udp and the tcp virtual server of one VIP
vs() { guard "$1" --vs "$2" --of udp/53,tcp/53 "${3:-192.0.2.10}"; }
addrs() { ip -n "$NS" -o addr show dev vip0 scope global | awk '{print $4}' | sort | tr '\n' ' '; }

@test "check accepts a valid list and rejects a broken one with its line" {
	run "$GUARD" -f "$TMP/vips" check
	[ "$status" -eq 0 ]
	echo "192.0.2.1 vip0" >>"$TMP/vips"
	run "$GUARD" -f "$TMP/vips" check
	[ "$status" -eq 2 ]
	[[ "$output" == *"vips:6: expected \"ADDRESS INTERFACE SERVICE\""* ]]
}

@test "messages go to syslog and stderr, but only to stderr, with their priority, when stderr is systemd's journal stream (no line twice)" {
	echo "192.0.2.1 vip0" >>"$TMP/vips"
	"$GUARD" -f "$TMP/vips" check 2>"$TMP/err" || true
	grep -q '^lvsdns-vip-guard\[[0-9]*\]: .*vips:6: expected' "$TMP/err"
	# JOURNAL_STREAM names the stream systemd gave the unit as stderr: the
	# line goes there, "<3>" (LOG_ERR) for journald, and not to syslog,
	# whose lines of an exited process journald often files under no unit
	JOURNAL_STREAM=$(stat -c '%d:%i' "$TMP/err") "$GUARD" -f "$TMP/vips" check 2>>"$TMP/err" || true
	[ "$(grep -c 'vips:6: expected' "$TMP/err")" -eq 2 ]
	grep -qx "<3>$TMP/vips:6: expected \"ADDRESS INTERFACE SERVICE\".*" "$TMP/err"
	# another stream's, or garbage: stderr is not the journal
	JOURNAL_STREAM=1:2 "$GUARD" -f "$TMP/vips" check 2>>"$TMP/err" || true
	JOURNAL_STREAM=x "$GUARD" -f "$TMP/vips" check 2>>"$TMP/err" || true
	[ "$(grep -c 'vips:6: expected' "$TMP/err")" -eq 4 ]
	[ "$(grep -c '^<3>' "$TMP/err")" -eq 1 ]
}

@test "usage errors exit 2" {
	run "$GUARD" -f "$TMP/vips"
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/vips" sideways 192.0.2.10
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'sideways'"* ]]
	run "$GUARD" -f "$TMP/vips" up
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/vips" check 192.0.2.10
	[ "$status" -eq 2 ]
	run "$GUARD" -f "$TMP/missing" up 192.0.2.10
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing: No such file or directory"* ]]
}

@test "up adds IPv4 and IPv6 host addresses; repeating it changes nothing" {
	make_ns
	run guard up 192.0.2.10 2001:db8:53:0::10
	[ "$status" -eq 0 ]
	[[ "$output" == *"up 192.0.2.10 (resolver-a) on vip0: added"* ]]
	[ "$(addrs)" = "192.0.2.10/32 2001:db8:53::10/128 " ]
	run guard up 192.0.2.10
	[ "$status" -eq 0 ]
	[[ "$output" == *"up 192.0.2.10 (resolver-a) on vip0: already present"* ]]
	[ "$(addrs)" = "192.0.2.10/32 2001:db8:53::10/128 " ]
	# IPv6 VIPs must be usable at once, not tentative during DAD.
	[ -z "$(ip -n "$NS" -6 addr show dev vip0 tentative | grep 2001:db8:53::10)" ]
}

@test "down removes only the named VIP; repeating it changes nothing" {
	make_ns
	guard up 192.0.2.10 198.51.100.10 2001:db8:53::10
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "198.51.100.10/32 2001:db8:53::10/128 " ]
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[[ "$output" == *"down 192.0.2.10 (resolver-a) on vip0: already absent"* ]]
	[ "$(addrs)" = "198.51.100.10/32 2001:db8:53::10/128 " ]
}

@test "an address not in the list is refused and nothing changes" {
	make_ns
	guard up 192.0.2.10
	run guard down 192.0.2.10 192.0.2.11
	[ "$status" -eq 2 ]
	[[ "$output" == *"192.0.2.11 is not listed in $TMP/vips; refusing to touch it"* ]]
	[ "$(addrs)" = "192.0.2.10/32 " ]
	run guard up 192.0.2.0/24
	[ "$status" -eq 2 ]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "a missing interface is a kernel error (exit 1); the other VIPs still move" {
	make_ns
	run guard up 198.51.100.99 192.0.2.10
	[ "$status" -eq 1 ]
	[[ "$output" == *"interface gone0"* ]]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "down removes a VIP somebody put on with another prefix length, and says so" {
	make_ns
	ip -n "$NS" addr add 192.0.2.10/24 dev vip0
	ip -n "$NS" addr add 2001:db8:53::10/64 dev vip0 nodad
	run guard down 192.0.2.10 2001:db8:53::10
	[ "$status" -eq 0 ]
	[[ "$output" == *"down 192.0.2.10 (resolver-a) on vip0: removed (it was /24)"* ]]
	[[ "$output" == *"down 2001:db8:53::10 (resolver-v6) on vip0: removed (it was /64)"* ]]
	[ "$(addrs)" = "" ]
	# both the host prefix and another one: all go
	guard up 192.0.2.10
	ip -n "$NS" addr add 192.0.2.10/28 dev vip0
	run guard down 192.0.2.10
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "" ]
	run guard down 192.0.2.10
	[[ "$output" == *"already absent"* ]]
}

@test "--vs: udp down and tcp up keep the VIP off; both up put it on; either down takes it off" {
	make_ns
	run vs up udp/53
	[ "$status" -eq 0 ]
	[[ "$output" == *"192.0.2.10 udp/53: quorum up, but tcp/53 has none (or has not reported): the VIP stays off"* ]]
	[ "$(addrs)" = "" ]
	vs up tcp/53
	[ "$(addrs)" = "192.0.2.10/32 " ]
	vs down udp/53
	[ "$(addrs)" = "" ]
	run vs up tcp/53
	[ "$status" -eq 0 ]
	[[ "$output" == *"tcp/53: quorum up, but udp/53 has none"* ]]
	[ "$(addrs)" = "" ]
	vs up udp/53
	[ "$(addrs)" = "192.0.2.10/32 " ]
	vs down tcp/53
	[ "$(addrs)" = "" ]
	# the state is private to root
	[ "$(stat -c %a "$TMP/state")" = 700 ]
}

@test "--vs: concurrent udp and tcp reports end as the reports say, whatever their order" {
	make_ns
	for round in $(seq 1 40); do
		vs up udp/53 >/dev/null 2>&1 & vs up tcp/53 >/dev/null 2>&1 & wait
		[ "$(addrs)" = "192.0.2.10/32 " ] || { echo "round $round: both up: $(addrs)"; return 1; }
		vs down udp/53 >/dev/null 2>&1 & vs up tcp/53 >/dev/null 2>&1 & wait
		[ "$(addrs)" = "" ] || { echo "round $round: udp down, tcp up: $(addrs)"; return 1; }
		vs up udp/53 >/dev/null 2>&1 & vs down tcp/53 >/dev/null 2>&1 & wait
		[ "$(addrs)" = "" ] || { echo "round $round: udp up, tcp down: $(addrs)"; return 1; }
	done
}

# keepalived's call of one report, forked now but run after $1 seconds: the
# subshell execs ip, which execs the guard, so the guard keeps the PID and the
# start time of this fork
late_vs() {
	( sleep "$1"; exec ip netns exec "$NS" "$GUARD" -f "$TMP/vips" -s "$TMP/state" \
		"$2" --vs "$3" --of udp/53,tcp/53 192.0.2.10 ) >"$TMP/late.out" 2>&1 3>&- &
	LATE=$!
}

# a stuck holder of STATE/lock (at most 5 s to take it); teardown kills it
# (bats' fd 3 closed, or bats would wait for it)
hold_lock() {
	( flock -x 9 && touch "$TMP/locked" && exec sleep 60 ) 9>"$TMP/state/lock" >/dev/null 2>&1 3>&- &
	HOLDER=$!
	for _ in $(seq 1 100); do [ -e "$TMP/locked" ] && break; sleep 0.05; done
	[ -e "$TMP/locked" ]
}

# both virtual servers of 192.0.2.10 report quorum: the VIP is on
both_up() {
	vs up udp/53
	vs up tcp/53
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "--vs: two reports of one virtual server that run in the reverse of their fork order end as the later fork says" {
	make_ns
	both_up
	# udp loses quorum and regains it at once: keepalived forks down, then up;
	# the up runs first, the down a second later
	late_vs 1 down udp/53
	vs up udp/53
	wait "$LATE"
	cat "$TMP/late.out"
	grep -q "192.0.2.10 udp/53: quorum down ignored: keepalived forked it before the report recorded (pid [0-9]*), which ran first" "$TMP/late.out"
	[ "$(addrs)" = "192.0.2.10/32 " ]
	# and the other way round: up forked first, down forked next and run first
	late_vs 1 up udp/53
	vs down udp/53
	[ "$(addrs)" = "" ]
	wait "$LATE"
	cat "$TMP/late.out"
	grep -q "udp/53: quorum up ignored" "$TMP/late.out"
	[ "$(addrs)" = "" ]
	# reports that run in their fork order are not ignored
	run vs up udp/53
	[[ "$output" != *ignored* ]]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "--vs without --of: the VIP goes on when every virtual server that reported has quorum" {
	make_ns
	guard up --vs udp/53 192.0.2.10
	[ "$(addrs)" = "192.0.2.10/32 " ]
	guard down --vs tcp/53 192.0.2.10
	[ "$(addrs)" = "" ]
	guard up --vs udp/53 192.0.2.10
	[ "$(addrs)" = "" ]
	guard up --vs tcp/53 192.0.2.10
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

@test "a call without --vs acts directly and forgets the reports; --all means every listed VIP" {
	make_ns
	vs down udp/53
	guard up 192.0.2.10
	[ "$(addrs)" = "192.0.2.10/32 " ]
	guard down 192.0.2.10
	# udp's old down is forgotten: only tcp has reported now
	guard up --vs tcp/53 192.0.2.10
	[ "$(addrs)" = "192.0.2.10/32 " ]
	guard up 198.51.100.10 2001:db8:53::10
	run guard down --all
	[ "$status" -eq 1 ]   # gone0 does not exist; the others still go
	[[ "$output" == *"interface gone0"* ]]
	[ "$(addrs)" = "" ]
}

@test "--vs, --of and --all are checked before anything changes" {
	make_ns
	for bad in "--vs udp 192.0.2.10" "--vs sctp/53 192.0.2.10" "--vs udp/0 192.0.2.10" \
		   "--vs udp/65536 192.0.2.10" "--of udp/53 192.0.2.10" \
		   "--vs udp/53 --of tcp/53 192.0.2.10" "--vs udp/53 --of udp/53,,x 192.0.2.10" \
		   "--all 192.0.2.10" "--vs udp/53 --all" "--vs udp/53" "--vs"; do
		run guard up $bad
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
	done
	[ "$(addrs)" = "" ]
	[ ! -e "$TMP/state" ]
}

@test "a state directory others may write is refused for --vs; a direct call still acts" {
	make_ns
	mkdir -m 0777 "$TMP/state"
	run vs up udp/53
	[ "$status" -eq 1 ]
	[[ "$output" == *"not owned by uid 0 or writable by others; refusing it"* ]]
	run guard up 192.0.2.10
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

# keepalived runs quorum_down once per transition: a down the state cannot
# record must still take the VIP off, or it stays announced with no healthy
# instance behind it. An up cannot know the other virtual servers' quorum
# without the state, so it changes nothing.
@test "--vs down takes the VIP off when the state directory is unusable; up leaves it off" {
	make_ns
	guard up 192.0.2.10   # creates the state directory, to forget reports
	chmod 0770 "$TMP/state"
	run vs down udp/53
	[ "$status" -eq 1 ]
	[ "$(addrs)" = "" ]
	[[ "$output" == *"not owned by uid 0 or writable by others; refusing it"* ]]
	[[ "$output" == *"192.0.2.10 udp/53: quorum down not recorded; taking the VIP off all the same"* ]]
	[[ "$output" == *"down 192.0.2.10 (resolver-a) on vip0: removed"* ]]
	[ ! -e "$TMP/state/192.0.2.10,udp-53" ]
	run vs up udp/53
	[ "$status" -eq 1 ]
	[[ "$output" == *"192.0.2.10 udp/53: quorum up not recorded; the VIP is left as it is"* ]]
	[ "$(addrs)" = "" ]
	# a state path that cannot be a directory at all
	guard up 192.0.2.10
	rm -r "$TMP/state" && touch "$TMP/state"
	run vs down tcp/53
	[ "$status" -eq 1 ]
	[ "$(addrs)" = "" ]
	[[ "$output" == *"state directory $TMP/state: Not a directory"* ]]
}

@test "--vs down takes the VIP off when another process holds the state lock past the wait" {
	make_ns
	both_up
	hold_lock
	SECONDS=0
	run vs down udp/53
	[ "$status" -eq 1 ]
	[ "$SECONDS" -le 13 ]   # the guard waits 10 s for the lock, no longer
	[ "$(addrs)" = "" ]
	[[ "$output" == *"state directory $TMP/state: lock: Connection timed out"* ]]
	[[ "$output" == *"192.0.2.10 udp/53: quorum down recorded without the lock; taking the VIP off"* ]]
	# recorded: once the lock is free, tcp's loss and regain leave the VIP off
	kill "$HOLDER"
	HOLDER=""
	vs down tcp/53
	run vs up tcp/53
	echo "$output"
	[[ "$output" == *"tcp/53: quorum up, but udp/53 has none"* ]]
	[ "$(addrs)" = "" ]
	[ -z "$(ls "$TMP/state" | grep '^new')" ]
}

@test "--vs: a down that cannot take the state lock, forked before the report recorded, still changes nothing" {
	make_ns
	both_up
	# keepalived forks down, then up; the up runs and is recorded; then the
	# lock is held past the down's wait
	late_vs 1 down udp/53
	vs up udp/53
	hold_lock
	wait "$LATE" || true
	cat "$TMP/late.out"
	grep -q "state directory $TMP/state: lock: Connection timed out" "$TMP/late.out"
	grep -q "192.0.2.10 udp/53: quorum down not recorded, and ignored: keepalived forked it before the report recorded (pid [0-9]*)" "$TMP/late.out"
	[ "$(addrs)" = "192.0.2.10/32 " ]
}

# The rendered quorum commands of one virtual server of 192.0.2.124, without
# the program path: $1 quorum_up|quorum_down, $2 UDP|TCP.
rendered() {
	awk -v key="$1" -v proto="$2" '
		/^virtual_server 192\.0\.2\.124 / { vs = 1 }
		vs && $1 == "protocol" { p = $2 }
		vs && $1 == key && p == proto { sub(/^[^"]*"[^ ]* /, ""); sub(/" root root$/, ""); print; exit }
		/^}/ { vs = 0; p = "" }' "$TMP/out/balancers/ffm4/keepalived.conf"
}

@test "the quorum commands cluster-gen renders keep a VIP off until udp and tcp both have quorum" {
	make_ns
	"${GEN:-build/san/cluster-gen}" render site.conf.example -o "$TMP/out" >/dev/null
	sed 's/lvsdns0/vip0/' "$TMP/out/balancers/ffm4/vips" >"$TMP/vips"
	[ "$(rendered quorum_up UDP)" = "up --vs udp/53 --of udp/53,tcp/53 192.0.2.124" ]
	[ "$(rendered quorum_down TCP)" = "down --vs tcp/53 --of udp/53,tcp/53 192.0.2.124" ]
	guard $(rendered quorum_up TCP)
	[ "$(addrs)" = "" ]
	guard $(rendered quorum_up UDP)
	[ "$(addrs)" = "192.0.2.124/32 " ]
	guard $(rendered quorum_down UDP)
	guard $(rendered quorum_up TCP)
	[ "$(addrs)" = "" ]
}

@test "every rendered virtual server runs quorum_down when keepalived stops (omega)" {
	"${GEN:-build/san/cluster-gen}" render site.conf.example -o "$TMP/out" >/dev/null
	for f in "$TMP"/out/balancers/*/keepalived.conf; do
		n=$(grep -c '^virtual_server ' "$f")
		[ "$n" -gt 0 ]
		[ "$(awk '/^virtual_server /{vs=1} vs && /^    omega$/{n++; vs=0} END{print n+0}' "$f")" = "$n" ]
	done
}
