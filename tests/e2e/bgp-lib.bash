# BGP test bed shared by tests/e2e/bgp-failover.bats and tests/e2e/bgp-bench.sh.
#
# Four network namespaces, named with a per-run prefix so parallel runs never
# collide:   core ---+
#                    sw (a bridge) --- ffm4   (balancer, primary for VIP_A)
#                           +--------- dus2   (balancer, primary for VIP_B)
# The switch sits in the middle so that cutting a balancer's port leaves the
# core's own link up: the core must notice the loss through BFD or the BGP hold
# timer, as it would behind a real switch, not through carrier loss.
# Each router runs its own zebra, bgpd and bfdd from Debian's FRR with private
# pid, vty and zserv paths, started with an empty config and then configured
# through vtysh -f, as `vtysh -b` does at boot.
# Only addresses inside these namespaces are used: links 10.0.0.0/24, VIPs in
# 192.0.2.0/24 and 198.51.100.0/24.

FRR_DIR=${FRR_DIR:-/usr/lib/frr}
VIP_A=192.0.2.10
VIP_B=198.51.100.10
declare -gA LINK_ADDR=([core]=10.0.0.1 [ffm4]=10.0.0.2 [dus2]=10.0.0.3)

# Everything a run creates lives below BED (a temp dir) and in namespaces
# named "$BED_PREFIX-<router>"; BED/pids lists the PIDs started.
# When BED_REGISTRY names a file, every bed is recorded there, so a teardown
# in another process (bats' teardown_file) finds beds a test started.
bed_init() {
	BED=$(mktemp -d /tmp/lvsdns-bgp.XXXXXX)
	BED_PREFIX="lvb$$-${BED##*.}"
	: >"$BED/pids"
	[ -z "${BED_REGISTRY:-}" ] || echo "$BED $BED_PREFIX" >>"$BED_REGISTRY"
}

ns() { echo "$BED_PREFIX-$1"; }

# True when PID $1 is still a daemon of this bed: its command line names a
# file below $BED (a PID that ended may since have been given to another
# process, which must not be killed).
bed_owns() {
	[ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- " $BED/"
}

# Kills only what this run started, then removes its namespaces.
bed_teardown() {
	[ -n "${BED:-}" ] || return 0
	local pid
	if [ -f "$BED/pids" ]; then
		while read -r pid; do
			bed_owns "$pid" && kill "$pid" 2>/dev/null || true
		done <"$BED/pids"
		sleep 0.2
		while read -r pid; do
			bed_owns "$pid" && kill -9 "$pid" 2>/dev/null || true
		done <"$BED/pids"
		# each daemon's crash-log directory, /var/tmp/frr/DAEMON.PID, when
		# empty (a crash log is worth keeping)
		while read -r pid; do
			rmdir /var/tmp/frr/{zebra,bgpd,bfdd}."$pid" 2>/dev/null || true
		done <"$BED/pids"
	fi
	for r in core ffm4 dus2 sw; do ip netns del "$(ns $r)" 2>/dev/null || true; done
	rm -rf "$BED"
	BED=
}

bed_teardown_all() {
	local line
	[ -f "${BED_REGISTRY:-}" ] || return 0
	while read -r line; do
		BED=${line% *} BED_PREFIX=${line#* }
		bed_teardown
	done <"$BED_REGISTRY"
	rm -f "$BED_REGISTRY"
}

bed_net() {
	local r
	for r in sw core ffm4 dus2; do ip netns add "$(ns $r)"; done
	ip -n "$(ns sw)" link add br0 type bridge
	ip -n "$(ns sw)" link set br0 up
	for r in core ffm4 dus2; do
		ip -n "$(ns sw)" link add "p-$r" type veth peer name eth0 netns "$(ns $r)"
		ip -n "$(ns sw)" link set "p-$r" master br0 up
		ip -n "$(ns $r)" link set lo up
		ip -n "$(ns $r)" addr add "${LINK_ADDR[$r]}/24" dev eth0
		ip -n "$(ns $r)" link set eth0 up
	done
	for r in ffm4 dus2; do vip_interface "$r" lvsdns0; done
}

# The VIP interface of balancer $1: a dummy interface as rendered for
# production; where the kernel has no dummy driver (some VM kernels), a veth
# pair whose peer stays in the namespace, which FRR sees the same way:
# an interface that is up, carrying connected /32 routes.
vip_interface() {
	local n
	n=$(ns "$1")
	if ! ip -n "$n" link add "$2" type dummy 2>/dev/null; then
		ip -n "$n" link add "$2" type veth peer name "$2-peer"
		ip -n "$n" link set "$2-peer" up
	fi
	ip -n "$n" link set "$2" up
}

# Starts one FRR daemon of router $1 in its namespace, in the foreground (so
# $! is the daemon itself: ip netns exec execs it).
frr_daemon() {
	local r=$1 d=$2 dir=$BED/$1
	local args=(-f "$dir/empty.conf" -i "$dir/$d.pid" --vty_socket "$dir"
		-u frr -g frr -P 0 --log "file:$dir/$d.log" -z "$dir/zserv.api")
	case $d in
	bgpd) args+=(-p 179) ;;
	bfdd) args+=(--bfdctl "$dir/bfdd.sock") ;;
	esac
	# 3>&-: bats waits for every holder of its fd 3 before it finishes
	ip netns exec "$(ns "$r")" "$FRR_DIR/$d" "${args[@]}" >>"$dir/$d.out" 2>&1 3>&- &
	echo $! >>"$BED/pids"
	echo $! >"$dir/$d.started"
}

# Waits (bounded) until daemon $2 of router $1 answers on its vty socket.
wait_vty() {
	local i
	for i in $(seq 1 100); do
		[ -S "$BED/$1/$2.vty" ] && return 0
		sleep 0.05
	done
	echo "$1: $2 did not open its vty socket in 5 s" >&2
	cat "$BED/$1/$2.out" "$BED/$1/$2.log" >&2 2>/dev/null
	return 1
}

vty() { # router, vtysh arguments... (at most VTY_TIMEOUT s, default 5)
	local r=$1; shift
	ip netns exec "$(ns "$r")" timeout "${VTY_TIMEOUT:-5}" vtysh --vty_socket "$BED/$r" "$@"
}

# Starts zebra, bfdd and bgpd of router $1 and loads config file $2 into them.
frr_start() {
	local r=$1 conf=$2 d
	mkdir -p "$BED/$r"
	: >"$BED/$r/empty.conf"
	# The daemons drop to the frr user (as root they would demand to be in
	# the frrvty group); their pid files, sockets and logs live here.
	chown frr:frr "$BED/$r"
	chmod 755 "$BED"
	for d in zebra bfdd bgpd; do
		frr_daemon "$r" "$d"
		wait_vty "$r" "$d" || return 1
	done
	frr_load "$r" "$conf"
}

frr_load() {
	cp "$2" "$BED/$1/frr.conf"
	vty "$1" -f "$BED/$1/frr.conf" >"$BED/$1/load.out" 2>&1 || {
		echo "$1: vtysh -f $2 failed:" >&2; cat "$BED/$1/load.out" >&2; return 1; }
}

# Reloads router $1 with config file $2 as an operator does:
# frr-reload.py --reload, which applies only the difference to the running
# configuration (its vtysh.conf: an empty one in the router's directory).
frr_reload() {
	: >"$BED/$1/vtysh.conf"
	ip netns exec "$(ns "$1")" timeout 60 python3 "$FRR_DIR/frr-reload.py" --reload \
		--bindir "$(dirname "$(command -v vtysh)")" --vty_socket "$BED/$1" \
		--confdir "$BED/$1" --rundir "$BED/$1" "$2" >"$BED/$1/reload.out" 2>&1 || {
		echo "$1: frr-reload.py --reload $2 failed:" >&2; cat "$BED/$1/reload.out" >&2; return 1; }
}

# Stops one daemon (SIGTERM, as systemctl stop does) and waits for it; once
# it has ended, its PID leaves BED/pids (the teardown must not kill whoever
# gets that PID next).
frr_stop_daemon() {
	local r=$1 d=$2 pid i
	pid=$(cat "$BED/$r/$d.started")
	bed_owns "$pid" || { echo "$r: $d ($pid) is not running" >&2; return 1; }
	kill "$pid"
	for i in $(seq 1 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$BED/$r/$d.vty" "$BED/$r/$d.started"
			grep -vx -- "$pid" "$BED/pids" >"$BED/pids.new" || true
			mv "$BED/pids.new" "$BED/pids"
			rmdir "/var/tmp/frr/$d.$pid" 2>/dev/null || true
			return 0
		fi
		sleep 0.05
	done
	echo "$r: $d ($pid) still running 5 s after SIGTERM" >&2
	return 1
}

# The core's view of prefix $1 in `show bgp ipv4 unicast json`: the next
# hops of its best and multipath paths (sorted, space separated), then the
# best path's selection reason, e.g. "10.0.0.2 MED"; "" when it has no path.
core_best() {
	vty core -c "show bgp ipv4 unicast json" 2>/dev/null | python3 -c '
import json, sys
prefix = sys.argv[1] + "/32"
try:
    paths = json.load(sys.stdin).get("routes", {}).get(prefix, [])
except ValueError:
    sys.exit(0)
hops, reason = set(), ""
for p in paths:
    if not p.get("valid"):
        continue
    if p.get("bestpath"):
        reason = p.get("selectionReason", "")
    if p.get("bestpath") or p.get("multipath"):
        hops.update(n["ip"] for n in p.get("nexthops", []))
print(" ".join(sorted(hops) + ([reason] if reason else [])))' "$1"
}

# The core's BFD session with neighbor $1 as `show bfd peers` has it (up,
# down, init); "" when there is none.
core_bfd() {
	vty core -c "show bfd peers json" 2>/dev/null | python3 -c '
import json, sys
try:
    peers = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
print(" ".join(p.get("status", "") for p in peers if p.get("peer") == sys.argv[1]))' "$1"
}

# Why the core's BGP session with neighbor $1 went down, as the last
# notification says ("Cease/BFD Down" when BFD took it down, "Hold Timer
# Expired" when the hold timer did); "" when it has none.
core_down_reason() {
	vty core -c "show bgp neighbors $1 json" 2>/dev/null | python3 -c '
import json, sys
try:
    print(json.load(sys.stdin).get(sys.argv[1], {}).get("lastNotificationReason", ""))
except ValueError:
    pass' "$1"
}

# Every prefix the core has a path for from a balancer (10.0.0.2 or
# 10.0.0.3), sorted, space separated: what the balancers announce.
core_balancer_prefixes() {
	vty core -c "show bgp ipv4 unicast json" 2>/dev/null | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin).get("routes", {})
except ValueError:
    sys.exit(0)
print(" ".join(sorted(p for p in r if any(x.get("peerId") in ("10.0.0.2", "10.0.0.3") for x in r[p]))))'
}

# Appends core_balancer_prefixes to file $2, one line a poll, every 0.05 s
# until file $1 exists; at most 1,000 polls (a minute or two).
record_core_prefixes() {
	local i
	for i in $(seq 1 1000); do
		[ -e "$1" ] && return 0
		core_balancer_prefixes >>"$2"
		sleep 0.05
	done
}

# Only the next hops of core_best: where the core sends the VIP's traffic.
core_hops() {
	local best
	best=$(core_best "$1")
	echo "$best" | grep -o '10\.[0-9.]*' | tr '\n' ' ' | sed 's/ $//'
}

# The core's kernel route to $1 (what forwarding uses): "via" hops, sorted.
core_fib_nexthops() {
	ip -n "$(ns core)" -4 route show "$1/32" | grep -o 'via [0-9.]*' |
		awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}

# Waits until command "$2 $3" prints exactly $4, at most $1 seconds; polls
# every $POLL seconds (default 0.1; the benchmark uses 0.01 on the FIB). Prints the seconds since $T0 (date +%s%N of the fault; now
# when unset), 3 decimals; fails on timeout, and after $1/$POLL + 10 tries
# whatever the clock says.
wait_for() {
	local limit=$1 fn=$2 arg=$3 want=$4 t0 now got= tries=0 max
	t0=${T0:-$(date +%s%N)}
	max=$(awk -v l="$limit" -v p="${POLL:-0.1}" 'BEGIN { print int(l / p) + 10 }')
	while :; do
		tries=$((tries + 1))
		if [ "$tries" -gt "$max" ]; then
			echo "gave up after $max tries: $fn $arg is '$got', want '$want'" >&2
			return 1
		fi
		got=$($fn "$arg")
		now=$(date +%s%N)
		if [ "$got" = "$want" ]; then
			printf '%d.%03d\n' $(((now - t0) / 1000000000)) $(((now - t0) / 1000000 % 1000))
			return 0
		fi
		if [ $((now - t0)) -gt $((limit * 1000000000)) ]; then
			echo "timeout after ${limit}s: $fn $arg is '$got', want '$want'" >&2
			return 1
		fi
		sleep "${POLL:-0.1}"
	done
}

# A configuration variant of the test site: "standby" (as written: active/
# standby, BFD 300 ms x 3, timers 1 3), "anycast", "nobfd" (timers 1 3, no
# BFD) and "oldtimers" (the old article: no BFD, FRR's default 60/180 s).
SITE_CONF=${SITE_CONF:-tests/e2e/bgp-site.conf}
CLUSTER_GEN=${CLUSTER_GEN:-build/san/cluster-gen}
VIP_GUARD=${VIP_GUARD:-build/san/lvsdns-vip-guard}

variant_sed() {
	case $1 in
	standby) echo 's/^//' ;;
	anycast) echo 's/mode = active-standby/mode = anycast/; /^[[:space:]]*primary = /d' ;;
	nobfd) echo 's/bfd = true/bfd = false/' ;;
	oldtimers) echo 's/bfd = true/bfd = false/; s/keepalive = 1/keepalive = 60/; s/holdtime = 3/holdtime = 180/' ;;
	*) echo "unknown variant $1" >&2; return 1 ;;
	esac
}

# Renders the test site in variant $1 into $BED/render (the real cluster-gen
# output the balancers are loaded with) and writes the core's config.
bed_render() {
	local expr
	expr=$(variant_sed "$1") || return 1
	sed "$expr" "$SITE_CONF" >"$BED/site.conf"
	rm -rf "$BED/render"
	"$CLUSTER_GEN" render "$BED/site.conf" -o "$BED/render" >&2 || return 1
	core_conf "$1" >"$BED/core.conf"
}

# The core router: iBGP to both balancers, two-way multipath, and one route
# of its own (10.0.0.0/24) that the balancers must refuse.
core_conf() {
	local bfd=1 timers="timers bgp 1 3"
	case $1 in nobfd) bfd=0 ;; oldtimers) bfd=0 timers="" ;; esac
	cat <<-CONF
	frr defaults traditional
	hostname core
	!
	bgp route-map delay-timer 0
	CONF
	[ $bfd = 1 ] && printf 'bfd\n profile fast\n  detect-multiplier 3\n  receive-interval 300\n  transmit-interval 300\n!\n'
	printf 'router bgp 64512\n bgp router-id 10.0.0.1\n no bgp ebgp-requires-policy\n'
	printf ' no bgp default ipv4-unicast\n'
	[ -n "$timers" ] && printf ' %s\n' "$timers"
	for r in ffm4 dus2; do
		printf ' neighbor %s remote-as 64512\n' "${LINK_ADDR[$r]}"
		[ $bfd = 1 ] && printf ' neighbor %s bfd\n neighbor %s bfd profile fast\n' \
			"${LINK_ADDR[$r]}" "${LINK_ADDR[$r]}"
	done
	printf ' address-family ipv4 unicast\n  network 10.0.0.0/24\n  maximum-paths ibgp 2\n'
	for r in ffm4 dus2; do printf '  neighbor %s activate\n' "${LINK_ADDR[$r]}"; done
	printf ' exit-address-family\nexit\n'
}

# The whole bed in variant $1: namespaces, VIPs raised through the guard from
# the rendered vips list (as the boot stanza does), FRR loaded with the
# rendered frr.conf; waits until the core has a path for both VIPs.
bed_start() {
	local r
	bed_init
	bed_render "$1" || return 1
	bed_net || return 1
	frr_start core "$BED/core.conf" || return 1
	for r in ffm4 dus2; do
		guard "$r" up "$VIP_A" "$VIP_B" >/dev/null || return 1
		frr_start "$r" "$BED/render/balancers/$r/frr.conf" || return 1
	done
}

guard() { # balancer, up|down, VIPs...
	local r=$1; shift
	ip netns exec "$(ns "$r")" "$VIP_GUARD" -f "$BED/render/balancers/$r/vips" -s "$BED/guard-state-$r" "$@" 2>&1
}

# Cuts (down) or restores (up) a balancer's port on the switch: the core's
# own link stays up, as behind a real switch.
link() { # balancer, up|down
	ip -n "$(ns sw)" link set "p-$1" "$2"
}

# Restarts a balancer's bgpd after frr_stop_daemon and reloads its config.
bgpd_restart() {
	frr_daemon "$1" bgpd
	wait_vty "$1" bgpd || return 1
	frr_load "$1" "$BED/render/balancers/$1/frr.conf"
}
