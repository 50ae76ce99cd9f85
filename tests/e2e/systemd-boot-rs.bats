#!/usr/bin/env bats
# The real server under a real systemd as PID 1: host rs, a systemd-nspawn
# container in namespace NS_RS of the data-plane test bed (how, and what a
# container does not give: systemd-boot-lib.bash), gets the onboarding
# bundle (cluster-gen onboard) installed by its own install.sh, with
# Debian's named (bind { prefix = "/usr" }): bundles it must refuse (a VLAN
# interface or a BIND the host lacks), the first install, a VLAN bounced
# and brought back by ifup's if-up.d link, reboots that lost the rules and
# routes, a VLAN down at boot or at install, and install.sh run again with
# changed bundles (a reload, a renamed instance, a changed named@.service's
# rolling restart, an IPv6 instance added and removed, with nftables and
# with rs-dnat). nftables.service with install.sh's drop-in is
# systemd-boot-nftables.bats, the balancer systemd-boot-lb.bats.
#
# Namespaces, machine names and cgroups carry this file's prefix (lvssr)
# and this run's PID; teardown_file stops only the containers started here.
# Needs root and systemd-nspawn; fails without.

load systemd-boot-lib
VIP6=2001:db8:53::53

setup_file() {
	sd_setup_file lvssr build/san/rs-dnat
	# the same host with one VLAN interface it does not have
	sed 's/eth1\.105/eth1.199/g' "$DP_TMP/site.conf" >"$DP_TMP/novlan.conf"
	"$GEN" onboard "$DP_TMP/novlan.conf" rs -o "$DP_TMP/rs/root/onboard-novlan" >/dev/null
	# the same host with a BIND it does not have
	sed 's|prefix = "/usr"|prefix = "/opt/lvsdns-nobind"|' "$DP_TMP/site.conf" >"$DP_TMP/nobind.conf"
	grep -q '/opt/lvsdns-nobind' "$DP_TMP/nobind.conf"
	"$GEN" onboard "$DP_TMP/nobind.conf" rs -o "$DP_TMP/rs/root/onboard-nobind" >/dev/null
	# the same host with instance b renamed c, and instance a's server-id changed
	sed 's/instance b /instance c /' "$DP_TMP/site.conf" >"$DP_TMP/renamed.conf"
	"$GEN" onboard "$DP_TMP/renamed.conf" rs -o "$DP_TMP/onboard-c" >/dev/null
	add_bundle "$DP_TMP/onboard-c" onboard-c
	sed -i 's/"rs-a"/"rs-a2"/' "$DP_TMP/rs/root/onboard-c/files/named-a.conf"
	# the same host with an IPv6 instance c on a VLAN of its own (eth1.605),
	# behind an IPv6 VIP: the bundle has dnat6.rules
	sed -e 's/^\tprimary = { resolver }$/\tprimary = { resolver, resolver6 }/' \
		-e "s/^service resolver { .*\$/&\nservice resolver6 { vip = \"$VIP6\"  ports = { \"udp\/53\", \"tcp\/53\" } }/" \
		-e 's/^\tneighbor core { .*$/&\n\tneighbor core6 { address = "2001:db8:ffff::fe" }/' \
		-e 's/^\tvlan 109 { .*$/&\n\tvlan 605 { interface = "eth1.605"  address = "2001:db8:605::1\/64" }/' \
		-e 's/^\tclients = { "192.0.2.0\/24" }$/\tclients = { "192.0.2.0\/24", "2001:db8:1::\/64" }/' \
		-e 's/^\tinstance b { .*$/&\n\tinstance c { vlan = 605  interface = "eth1.605"  address = "2001:db8:605::2" }/' \
		"$DP_TMP/site.conf" >"$DP_TMP/v6.conf"
	grep -q 'instance c ' "$DP_TMP/v6.conf"
	"$GEN" onboard "$DP_TMP/v6.conf" rs -o "$DP_TMP/onboard-v6" >/dev/null
	[ -f "$DP_TMP/onboard-v6/files/dnat6.rules" ]
	add_bundle "$DP_TMP/onboard-v6" onboard-v6
	# the first bundle with a changed named@.service
	add_bundle "$DP_TMP/onboard-rs" onboard-u
	echo '# changed' >>"$DP_TMP/rs/root/onboard-u/files/named@.service"
}

teardown_file() {
	sd_teardown_file
}

teardown() {
	sd_teardown
}

@test "on a booted host, install.sh of a bundle whose VLAN interface the host lacks refuses before it changes anything" {
	boot_host rs "$NS_RS"
	[ "$(on_host rs ps -p 1 -o comm=)" = systemd ]
	run on_host rs sh -c 'cd /root/onboard-novlan && sh install.sh'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"install.sh: VLAN interface eth1.199 is not there: create it and bring it up with its address first (README, step 1); nothing was changed"* ]]
	[ ! -e "$DP_TMP/rs/etc/bind/named-a.conf" ]
	[ ! -e "$DP_TMP/rs/etc/systemd/system/named@.service" ]
}

@test "on a booted host, install.sh of a bundle whose BIND is not installed refuses before it changes anything" {
	[ "$(on_host rs ps -p 1 -o comm=)" = systemd ]
	run on_host rs sh -c 'cd /root/onboard-nobind && sh install.sh'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"install.sh: /opt/lvsdns-nobind/sbin/named is not there: install BIND 9."*" under /opt/lvsdns-nobind first (README, step 1); nothing was changed"* ]]
	[ ! -e "$DP_TMP/rs/etc/bind/named-a.conf" ]
	[ ! -e "$DP_TMP/rs/etc/systemd/system/named@.service" ]
}

@test "on a booted host, the bundle's install.sh enables and starts every instance, and the VIP is answered through each VLAN" {
	[ "$(on_host rs ps -p 1 -o comm=)" = systemd ]
	grep -qx 'systemctl enable --quiet named@a named@b' "$DP_TMP/onboard-rs/install.sh"
	[ "$(ask 105 udp)" = "no answer" ]
	# Debian's named (bind { prefix = "/usr" })
	onboard_rs /usr/sbin/named | tee "$DP_TMP/install.out"
	grep -qx 'install.sh: starting named@a named@b' "$DP_TMP/install.out"
	answered_by_each_instance
}

@test "a VLAN interface taken down loses its routes; ifup puts them back through the if-up.d link install.sh made" {
	[ "$(on_host rs readlink /etc/network/if-up.d/lvsdns)" = /etc/lvsdns/policy-routing.sh ]
	answered_by_each_instance
	on_host rs ip link set eth1.109 down
	on_host rs ip link set eth1.109 up
	[ -z "$(on_host rs ip route show table 1109)" ]
	[ "$(ask 109 udp)" = "no answer" ]
	# the real ifup, with a stanza and a state of its own: it runs run-parts
	# on /etc/network/if-up.d with IFACE, MODE and PHASE set
	on_host rs sh -c 'printf "iface eth1.109 inet manual\n" > /run/lvsdns-test-interfaces'
	# what Debian's ifupdown package has (this root is a bare one)
	on_host rs mkdir -p /etc/network/if-pre-up.d /etc/network/if-up.d
	on_host rs ifup -i /run/lvsdns-test-interfaces --state-dir /run/lvsdns-test-ifstate eth1.109
	on_host rs rm -rf /run/lvsdns-test-interfaces /run/lvsdns-test-ifstate
	[ -n "$(on_host rs ip route show table 1109)" ]
	# the first query after the bounce may still meet the neighbour entry
	# that failed while the link was down: bounded wait, then all of them
	for i in $(seq 10); do
		[ "$(ask 109 udp)" = "rs-b rs-b" ] && break
		sleep 0.5
	done
	answered_by_each_instance
}

@test "after a reboot that lost the rules and routes, systemd brings every instance and its data plane back" {
	stop_host rs
	forget_dataplane
	[ "$(ask 105 udp)" = "no answer" ]
	[ "$(ask 109 udp)" = "no answer" ]
	boot_host rs "$NS_RS"
	wait_active rs named@a named@b
	answered_by_each_instance
	[ "$(rs ip rule list from 10.3.53.2 | wc -l)" -eq 1 ]
}

@test "an instance whose VLAN is down at boot does not start, and starts by itself once the VLAN is up" {
	stop_host rs
	forget_dataplane
	rs ip link set eth1.109 down
	boot_host rs "$NS_RS"
	wait_active rs named@a
	# named@b's policy routing fails: its unit waits to try again, named not run
	local n state
	for n in $(seq 1 50); do
		on_host rs journalctl --no-pager -u named@b | grep -q 'instances not routed: b' && break
		sleep 0.2
	done
	on_host rs journalctl --no-pager -u named@b | grep 'policy-routing.sh: instances not routed: b (run again when their VLANs are up)'
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	# longer than systemd's start limit (5 starts in 10 s): still trying,
	# never given up (RestartSec=5)
	for n in $(seq 1 24); do
		state=$(on_host rs systemctl show -p ActiveState --value named@b)
		echo "named@b: $state"
		[ "$state" = activating ] || { on_host rs systemctl status --no-pager named@b; return 1; }
		sleep 0.5
	done
	[ "$(on_host rs systemctl show -p NRestarts --value named@b)" -ge 2 ]
	rs ip link set eth1.109 up
	wait_active rs named@b
	answered_by_each_instance
}

@test "install.sh with one VLAN interface down (and without its instance's address) warns and goes on: the rules loaded, the other instances started, the one behind the down VLAN once it is up" {
	on_host rs systemctl stop named@a named@b
	forget_dataplane
	rs ip link set eth1.109 down
	rs ip addr del 10.3.53.2/24 dev eth1.109
	run on_host rs timeout 120 sh -c 'cd /root/onboard && sh install.sh'
	rs ip addr add 10.3.53.2/24 dev eth1.109
	rs ip link set eth1.109 up
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"install.sh: warning: 10.3.53.2 is not on eth1.109: named@b answers there once it is (README, step 1)"* ]]
	[[ "$output" != *"10.1.53.2 is not on"* ]]
	[[ "$output" == *"policy-routing.sh: instances not routed: b (run again when their VLANs are up)"* ]]
	[[ "$output" == *"install.sh: warning: policy routing failed for the instances named above: they do not start until their VLANs are up (their units try again every 5 s)"* ]]
	[[ "$output" == *"rs: installed, but not every instance started (systemctl status named@a named@b); each tries again every 5 s"* ]]
	[ "$(on_host rs systemctl is-active named@a)" = active ]
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	rs nft list table inet lvsdns >/dev/null
	wait_active rs named@b
	answered_by_each_instance
}

# MainPID of named@$1 on rs
main_pid() { on_host rs systemctl show -p MainPID --value "named@$1"; }

@test "install.sh run again puts the changes into effect: a changed named-INSTANCE.conf is reloaded, an instance no longer in the site stopped and disabled, a new one started" {
	local pid n
	wait_active rs named@a named@b
	pid=$(main_pid a)
	run on_host rs sh -c 'cd /root/onboard-c && sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"install.sh: named@b.service is not an instance of rs: stopping and disabling it"* ]]
	[[ "$output" == *"install.sh: reloading named@a (named-a.conf changed)"* ]]
	[[ "$output" == *"install.sh: starting named@c"* ]]
	[[ "$output" == *"rs: installed; now apply balancer.diff"* ]]
	wait_active rs named@a named@c
	run on_host rs systemctl is-active named@b
	[ "$output" = inactive ]
	run on_host rs systemctl is-enabled named@b
	[ "$output" = disabled ]
	# reloaded, not restarted: the same named, with the new server-id
	[ "$(main_pid a)" = "$pid" ]
	for n in $(seq 1 25); do
		[ "$(ask 105 udp)" = "rs-a2 rs-a2" ] && break
		sleep 0.2
	done
	[ "$(ask 105 udp)" = "rs-a2 rs-a2" ]
	[ "$(ask 109 udp)" = "rs-c rs-c" ]
}

@test "a reload with a named-INSTANCE.conf named-checkconf refuses fails before named gets its SIGHUP; named runs on with the old one" {
	local pid loads
	loads() { on_host rs sh -c 'journalctl --no-pager -u named@a | grep -c "loading configuration from"'; }
	wait_active rs named@a
	pid=$(main_pid a)
	loads=$(loads)
	on_host rs cp /etc/bind/named-a.conf /root/named-a.conf.good
	on_host rs sh -c 'echo "bogus-statement yes;" >> /etc/bind/named-a.conf'
	run on_host rs systemctl reload named@a
	echo "$output"
	[ "$status" -ne 0 ]
	on_host rs journalctl --no-pager -u named@a | grep -q "unknown option 'bogus-statement'"
	# named got no SIGHUP: it did not start loading the broken file
	sleep 0.5
	[ "$(loads)" = "$loads" ]
	[ "$(main_pid a)" = "$pid" ]
	[ "$(on_host rs systemctl is-active named@a)" = active ]
	[ "$(ask 105 udp)" = "rs-a2 rs-a2" ]
	on_host rs cp /root/named-a.conf.good /etc/bind/named-a.conf
	on_host rs systemctl reload named@a
	# through install.sh (the bundle installed last, with that line): it says
	# which instance kept its configuration, goes on, and exits 1
	on_host rs sh -c 'rm -rf /root/onboard-bad && cp -a /root/onboard-c /root/onboard-bad &&
		echo "bogus-statement yes;" >>/root/onboard-bad/files/named-a.conf'
	run on_host rs sh -c 'cd /root/onboard-bad && sh install.sh'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"install.sh: reloading named@a failed (systemctl status named@a; does named-checkconf refuse named-a.conf?): it runs on with the configuration before"* ]]
	[[ "$output" == *"rs: installed, but named@a kept the configuration before"* ]]
	[ "$(main_pid a)" = "$pid" ]
	[ "$(ask 105 udp)" = "rs-a2 rs-a2" ]
	on_host rs sh -c 'cd /root/onboard-c && sh install.sh'
	[ "$(on_host rs systemctl is-active named@a)" = active ]
}

@test "install.sh run again with a changed named@.service restarts the running instances one at a time, each once it is back; unchanged, it restarts nothing" {
	local a b n wait
	a=$(main_pid a)
	run on_host rs sh -c 'cd /root/onboard-u && sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"install.sh: named@c.service is not an instance of rs: stopping and disabling it"* ]]
	[[ "$output" == *"install.sh: restarting named@a (named@.service changed)"* ]]
	[[ "$output" == *"install.sh: starting named@b"* ]]
	wait_active rs named@a named@b
	[ "$(main_pid a)" != "$a" ]
	run on_host rs systemctl is-enabled named@c
	[ "$output" = disabled ]
	# and back to the first bundle: both restart, a before b
	a=$(main_pid a) b=$(main_pid b)
	wait=$(sed -n 's/^roll_wait=${ROLL_WAIT:-\([0-9]*\)}$/\1/p' "$DP_TMP/onboard-rs/install.sh")
	[ "$wait" -ge 2 ]
	run on_host rs sh -c 'cd /root/onboard && sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	# each restarted instance is back (listening, and the balancer given
	# rise + 1 intervals of 1 s) before the next goes down
	[ "$(echo "$output" | grep -E '^install.sh: (restarting|reloading|starting|named@. listens)')" = "$(printf '%s\n' \
		'install.sh: restarting named@a (named@.service changed)' \
		"install.sh: named@a listens again; giving the balancer $wait s to see it up" \
		'install.sh: restarting named@b (named@.service changed)' \
		"install.sh: named@b listens again; giving the balancer $wait s to see it up")" ]
	wait_active rs named@a named@b
	[ "$(main_pid a)" != "$a" ]
	[ "$(main_pid b)" != "$b" ]
	for n in $(seq 1 25); do
		[ "$(ask 109 udp)" = "rs-b rs-b" ] && break
		sleep 0.2
	done
	answered_by_each_instance
	# unchanged: nothing restarted or reloaded
	a=$(main_pid a)
	run on_host rs sh -c 'cd /root/onboard && sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"install.sh: re"* ]]
	[[ "$output" != *"install.sh: starting"* ]]
	[ "$(main_pid a)" = "$a" ]
}

@test "a rolling restart stopped by an instance that does not come back is finished by the next run; a bad ROLL_WAIT changes nothing" {
	local r="$DP_TMP/rs/root"
	rm -rf "$r/onboard-v"
	cp -r "$r/onboard" "$r/onboard-v"
	echo '# changed again' >>"$r/onboard-v/files/named@.service"
	cp "$r/onboard-v/files/named-b.conf" "$DP_TMP/named-b.good"
	echo 'options { no-such-option yes; };' >>"$r/onboard-v/files/named-b.conf"
	run on_host rs sh -c 'cd /root/onboard-v && ROLL_WAIT=x sh install.sh'
	[ "$status" -eq 2 ]
	[[ "$output" == *"ROLL_WAIT must be a whole number of seconds, not 'x'; nothing was changed"* ]]
	cmp -s "$r/onboard/files/named@.service" "$DP_TMP/rs/etc/systemd/system/named@.service"
	run on_host rs sh -c 'cd /root/onboard-v && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"install.sh: named@b is not back"* ]]
	[ -e "$DP_TMP/rs/etc/lvsdns/restart-pending" ]
	# the same bundle with b's file fixed: the unit file is in place already,
	# but the restart is finished: a again, b (down) started
	cp "$DP_TMP/named-b.good" "$r/onboard-v/files/named-b.conf"
	run on_host rs sh -c 'cd /root/onboard-v && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"install.sh: restarting named@a"* ]]
	[[ "$output" == *"install.sh: starting named@b"* ]]
	[ ! -e "$DP_TMP/rs/etc/lvsdns/restart-pending" ]
	wait_active rs named@a named@b
	# back to the first bundle for the tests after this one
	on_host rs sh -c 'cd /root/onboard && ROLL_WAIT=0 sh install.sh' >/dev/null
	wait_active rs named@a named@b
	for n in $(seq 1 25); do
		[ "$(ask 109 udp)" = "rs-b rs-b" ] && break
		sleep 0.2
	done
	answered_by_each_instance
}

# ask6: the id.server answer and NSID of a query for the IPv6 VIP through
# VLAN 605 (instance c), from a client address in the host's clients
ask6() {
	local out
	cl ip -6 route replace "$VIP6/128" via 2001:db8:605::2 dev v605
	out=$(cl dig -6 +notcp +nsid +time=2 +tries=2 -b 2001:db8:1::10 @"$VIP6" CH TXT id.server) ||
		{ echo "no answer"; return 0; }
	echo "$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out") $(nsid_of "$out")"
}

# wait_ask6 WANT: ask6 answers WANT, waiting at most 10 s
wait_ask6() {
	local n got
	for n in $(seq 1 20); do
		got=$(ask6)
		[ "$got" = "$1" ] && return 0
		sleep 0.5
	done
	echo "IPv6 VIP: '$got', not '$1'" >&2
	return 1
}

@test "install.sh of a bundle without the host's IPv6 instance removes what the bundle with it installed: the IPv6 rules (rs-dnat -6 remove; with nftables the table is replaced whole) and dnat6.rules, named-c.conf and c's directory unless it holds more than named makes again" {
	local e="$DP_TMP/rs/etc" c="$DP_TMP/rs/var/cache/bind/c"
	# instance c's VLAN: a veth of its own between the two namespaces
	ip link add v605 netns "$NS_CL" type veth peer name eth1.605 netns "$NS_RS"
	cl ip -6 addr add 2001:db8:605::1/64 dev v605 nodad
	rs ip -6 addr add 2001:db8:605::2/64 dev eth1.605 nodad
	cl ip -6 addr add 2001:db8:1::10/128 dev lo nodad
	cl ip link set v605 up
	rs ip link set eth1.605 up
	# without rs-dnat: nft loads both families' rules, in the one table
	run on_host rs sh -c 'cd /root/onboard-v6 && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"install.sh: starting named@c"* ]]
	wait_active rs named@a named@b named@c
	rs nft list table inet lvsdns | grep -q 'map dnat6 '
	[ -f "$e/lvsdns/dnat6.rules" ]
	[ -f "$e/bind/named-c.conf" ]
	wait_ask6 "rs-c rs-c"
	answered_by_each_instance
	[ -d "$c" ]
	ls -A "$c"
	# the first bundle again: c stopped and disabled, its files gone; nft's
	# table, loaded whole, has no IPv6 map left
	run on_host rs sh -c 'cd /root/onboard && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"install.sh: named@c.service is not an instance of rs: stopping and disabling it"* ]]
	[[ "$output" == *"install.sh: removed /etc/bind/named-c.conf"* ]]
	[[ "$output" == *"install.sh: removed /var/cache/bind/c"* ]]
	run on_host rs systemctl is-enabled named@c
	[ "$output" = disabled ]
	run on_host rs systemctl is-active named@c
	[ "$output" = inactive ]
	[ ! -e "$e/bind/named-c.conf" ]
	[ ! -e "$c" ]
	[ ! -e "$e/lvsdns/dnat6.rules" ]
	rs nft list table inet lvsdns >"$DP_TMP/table"
	grep -q 'map dnat4 ' "$DP_TMP/table"
	run grep -E 'dnat6|ip6' "$DP_TMP/table"
	[ "$status" -eq 1 ]
	[ "$(ask6)" = "no answer" ]
	answered_by_each_instance
	# with rs-dnat: the IPv6 rules in ip6tables' legacy tables
	mkdir -p "$DP_TMP/rs/root/rs-dnat-bin"
	install -m 0755 build/san/rs-dnat "$DP_TMP/rs/root/rs-dnat-bin/"
	touch "$DP_TMP/run/rs-dnat-bound"
	on_host rs mount --bind /root/rs-dnat-bin /usr/local/sbin
	on_host rs rs-dnat --help >/dev/null
	run on_host rs sh -c 'cd /root/onboard-v6 && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	wait_active rs named@a named@b named@c
	rs ip6tables-legacy -t nat -S LVSDNS-PRE | grep -qF -- '--to-destination [2001:db8:605::2]:53'
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	wait_ask6 "rs-c rs-c"
	answered_by_each_instance
	# a file named does not make again, in c's directory: kept, and said
	on_host rs sh -c 'echo "; a zone of the admin" >/var/cache/bind/c/db.example'
	run on_host rs sh -c 'cd /root/onboard && ROLL_WAIT=0 sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rs-dnat: ip6tables nat table: removed LVSDNS-PRE and its jump"* ]]
	[[ "$output" == *"install.sh: removed /etc/bind/named-c.conf"* ]]
	[[ "$output" == *"install.sh: warning: kept /var/cache/bind/c: it holds what named does not make again by itself: db.example; remove it by hand once none of that is needed"* ]]
	[ "$(ls -A "$c")" = db.example ]
	[ ! -e "$e/bind/named-c.conf" ]
	[ ! -e "$e/lvsdns/dnat6.rules" ]
	run rs ip6tables-legacy -t nat -S
	echo "$output"
	[[ "$output" != *LVSDNS* ]]
	run rs ip6tables-legacy -t raw -S
	echo "$output"
	[[ "$output" != *LVSDNS* ]]
	rs iptables-legacy -t nat -S LVSDNS-PRE | grep -qF -- '--to-destination 10.1.53.2:53'
	[ "$(ask6)" = "no answer" ]
	answered_by_each_instance
	# run again: nothing of IPv6 left to remove, nothing else changed
	run on_host rs sh -c 'cd /root/onboard && sh install.sh'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rs-dnat: ip6tables nat and raw tables: nothing of ours to remove"* ]]
	[[ "$output" != *"install.sh: removed"* ]]
	# back to nftables without rs-dnat, and without c's VLAN, for the tests after this one
	rm -r "$c"
	on_host rs rs-dnat remove
	on_host rs umount /usr/local/sbin
	rm "$DP_TMP/run/rs-dnat-bound"
	on_host rs sh -c 'cd /root/onboard && sh install.sh' >/dev/null
	rs nft list table inet lvsdns >/dev/null
	rs ip link del eth1.605
	answered_by_each_instance
}
