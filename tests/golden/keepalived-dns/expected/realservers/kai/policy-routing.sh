#!/bin/sh
# Per-VLAN policy routing of real server kai, site roka-keepalived-dns.
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

# instance a: 10.1.53.2 on eth1.105 (VLAN 105), table 1105
$ip -4 route replace 10.1.53.0/24 dev eth1.105 table 1105
$ip -4 route replace default via 10.1.53.1 dev eth1.105 table 1105
rule 4 10.1.53.2 1105

# instance b: 10.3.53.2 on eth1.109 (VLAN 109), table 1109
$ip -4 route replace 10.3.53.0/24 dev eth1.109 table 1109
$ip -4 route replace default via 10.3.53.1 dev eth1.109 table 1109
rule 4 10.3.53.2 1109
