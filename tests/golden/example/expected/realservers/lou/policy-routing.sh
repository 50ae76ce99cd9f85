#!/bin/sh
# Per-VLAN policy routing of real server lou, site resolvers-example.
# Rendered by cluster-gen from the site file; edit that, not this one.
#
# Replies must leave through the VLAN their query came in on: each instance
# address gets a rule to a table of its VLAN whose default route goes out of
# that VLAN interface. The next hop is the balancer's address on the VLAN,
# the one router the site model knows there: with LVS direct routing the
# balancer then forwards the replies to the clients (its rendered
# sysctl.conf: forwarding, accept_local, loose rp_filter). If the VLAN has
# another router, override the template policy-routing.sh.mustache and put it
# in "gateway".
#
# Usage: policy-routing.sh [INSTANCE]: every instance, or only INSTANCE;
#        policy-routing.sh --interface IFACE: the instances on IFACE (none:
#        nothing to do, exit 0).
# named@INSTANCE runs it for its instance before named starts (so the route
# is back after a reboot). Idempotent: run it after the VLAN interfaces are
# up, and again after changes. An instance whose routes cannot be set (its VLAN is down, say)
# does not stop the others: each is tried, and the ones that failed are
# named at the end with exit status 1; run it again once their VLANs are up.
#
# It is also ifupdown's hook /etc/network/if-up.d/lvsdns (a link to this
# file): taking an interface down (ifdown, a restart of networking, a
# bounced parent link) deletes every route through it, in every table, and
# nothing else would put them back while named runs on; its VIP queries
# would go unanswered while the balancer's health check, sent to the
# instance address, still passes. Run by ifup (no arguments, MODE=start,
# PHASE=post-up, IFACE set, as interfaces(5) says) it routes the instances
# on IFACE and exits 0 whatever happens, logging a failure: the interface
# is up either way, and ifup should not report it otherwise.
# IP=... runs another ip binary (e.g. "ip -n NETNS" in tests).
set -u
ip=${IP:-ip}
failed=
only=
iface=
hook=
if [ $# -eq 0 ] && [ "${MODE-}" = start ] && [ "${PHASE-}" = post-up ] && [ -n "${IFACE-}" ]; then
	hook=1
	iface=$IFACE
fi
case ${1-} in
--interface)
	[ $# -eq 2 ] || { echo "usage: policy-routing.sh --interface IFACE" >&2; exit 2; }
	iface=$2 ;;
''|a|b)
	only=${1-} ;;
*)
	echo "policy-routing.sh: real server lou has no instance '$1'" >&2
	exit 2 ;;
esac

# want INSTANCE INTERFACE: whether this run routes INSTANCE
want() {
	{ [ -z "$only" ] || [ "$only" = "$1" ]; } && { [ -z "$iface" ] || [ "$iface" = "$2" ]; }
}

# rule FAMILY ADDRESS TABLE: add "from ADDRESS lookup TABLE" unless present.
rule() {
	if [ -z "$($ip -"$1" rule list from "$2" table "$3" priority "$3")" ]; then
		$ip -"$1" rule add from "$2" table "$3" priority "$3"
	fi
}

# route FAMILY ADDRESS NETWORK INTERFACE GATEWAY TABLE: the VLAN's table
# (its network and a default route through the gateway), then the rule.
route() {
	$ip -"$1" route replace "$3" dev "$4" table "$6" &&
		$ip -"$1" route replace default via "$5" dev "$4" table "$6" &&
		rule "$1" "$2" "$6"
}

# instance a: 10.2.53.2 on eth1.205 (VLAN 205), table 1205
if want a eth1.205; then
	route 4 10.2.53.2 10.2.53.0/24 eth1.205 10.2.53.1 1205 ||
		failed="$failed a"
fi

# instance b: 10.4.53.2 on eth1.209 (VLAN 209), table 1209
if want b eth1.209; then
	route 4 10.4.53.2 10.4.53.0/24 eth1.209 10.4.53.1 1209 ||
		failed="$failed b"
fi

if [ -n "$failed" ]; then
	msg="policy-routing.sh: instances not routed:$failed (run again when their VLANs are up)"
	echo "$msg" >&2
	if [ -n "$hook" ]; then
		logger -t lvsdns -p daemon.err "if-up $iface: $msg" 2>/dev/null
		exit 0
	fi
	exit 1
fi
