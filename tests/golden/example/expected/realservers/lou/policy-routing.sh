#!/bin/sh
# Per-VLAN policy routing of real server lou, site resolvers-example.
# Rendered by cluster-gen from site.conf; edit the site file, not this one.
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
# Idempotent: run it after the VLAN interfaces are up (e.g. ifupdown
# post-up, or a oneshot unit After=network-online.target) and after changes.
# IP=... runs another ip binary (e.g. "ip -n NETNS" in tests).
set -eu
ip=${IP:-ip}

# rule FAMILY ADDRESS TABLE: add "from ADDRESS lookup TABLE" unless present.
rule() {
	if [ -z "$($ip -"$1" rule list from "$2" table "$3" priority "$3")" ]; then
		$ip -"$1" rule add from "$2" table "$3" priority "$3"
	fi
}

# instance a: 10.2.53.2 on eth1.205 (VLAN 205), table 1205
$ip -4 route replace 10.2.53.0/24 dev eth1.205 table 1205
$ip -4 route replace default via 10.2.53.1 dev eth1.205 table 1205
rule 4 10.2.53.2 1205

# instance b: 10.4.53.2 on eth1.209 (VLAN 209), table 1209
$ip -4 route replace 10.4.53.0/24 dev eth1.209 table 1209
$ip -4 route replace default via 10.4.53.1 dev eth1.209 table 1209
rule 4 10.4.53.2 1209
