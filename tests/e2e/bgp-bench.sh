#!/usr/bin/env bash
# Failover times of a VIP on the BGP test bed (bgp-lib.bash), per fault and
# configuration: from the fault to the core router's kernel route for VIP_A
# pointing at the backup balancer (polled every 10 ms). Prints a Markdown
# table for docs/PERFORMANCE.md. Needs root. Runs about two minutes.
#   RUNS=5 tests/e2e/bgp-bench.sh
set -eu
cd "$(dirname "$0")/../.."
. tests/e2e/bgp-lib.bash
RUNS=${RUNS:-5}
export POLL=0.01
[ "$(id -u)" -eq 0 ] || { echo "bgp-bench.sh needs root" >&2; exit 1; }
BED_REGISTRY=$(mktemp /tmp/lvsdns-bgp-beds.XXXXXX)
trap bed_teardown_all EXIT

fault() { # name: cause the fault on the primary of VIP_A (ffm4)
	case $1 in
	guard) guard ffm4 down "$VIP_A" >/dev/null ;;
	bgpd) frr_stop_daemon ffm4 bgpd ;;
	link) link ffm4 down ;;
	esac
}

repair() {
	case $1 in
	guard) guard ffm4 up "$VIP_A" >/dev/null ;;
	bgpd) bgpd_restart ffm4 ;;
	link) link ffm4 up ;;
	esac
	POLL=0.1 T0= wait_for 60 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
	POLL=0.1 T0= wait_for 10 core_fib_nexthops "$VIP_A" "10.0.0.2" >/dev/null
	sleep 1 # let BFD and keepalives settle before the next fault
}

# min / median / max of the numbers on stdin
stats() {
	sort -n | awk '{v[NR]=$1} END {printf "%.2f | %.2f | %.2f", v[1], v[int((NR+1)/2)], v[NR]}'
}

measure() { # fault, description, limit (s)
	local times="" t i
	for i in $(seq 1 "$RUNS"); do
		T0=$(date +%s%N)
		fault "$1"
		t=$(wait_for "$3" core_fib_nexthops "$VIP_A" "10.0.0.3") || {
			echo "| $2 | not moved within $3 s | | | $i |"; repair "$1"; return 0; }
		times+="$t"$'\n'
		repair "$1"
	done
	echo "| $2 | $(printf '%s' "$times" | stats) | $RUNS |"
}

start() {
	bed_start "$1"
	POLL=0.1 wait_for 30 core_best "$VIP_A" "10.0.0.2 MED" >/dev/null
	POLL=0.1 wait_for 30 core_fib_nexthops "$VIP_A" "10.0.0.2" >/dev/null
	sleep 2
}

echo "| fault (configuration) | min s | median s | max s | runs |"
echo "| --- | ---: | ---: | ---: | ---: |"
start standby
measure guard "VIP guard \`down\` on the primary (defaults)" 10
measure bgpd "primary's bgpd stopped (SIGTERM)" 10
measure link "primary's link cut, BFD 300 ms x 3 (defaults)" 10
bed_teardown
start nobfd
measure link "primary's link cut, no BFD, \`timers bgp 1 3\`" 10
bed_teardown
RUNS=1 start oldtimers
RUNS=1 measure link "primary's link cut, no BFD, FRR default timers 60/180 s (old article)" 5
