#!/usr/bin/env bats
# Both sides of the site under a real systemd as PID 1. Each host is a
# systemd-nspawn container booting this machine's own /usr (read-only) with
# an /etc of its own, inside one namespace of the data-plane test bed
# (tests/e2e/dataplane-lib.bash): its systemd runs the rendered units as an
# installed host would, ExecStartPre= lines, User=, Restart= and all.
# - Real server rs (namespace NS_RS): the onboarding bundle (cluster-gen
#   onboard) installed by its own install.sh on the booted host, Debian's
#   named (bind { prefix = "/usr" }); then reboots.
# - Balancer lb (namespace NS_CL, which holds its VLAN addresses): the
#   rendered lvsdns-watch.service checking rs's instances, and keepalived's
#   three drop-ins (the VIP guard on stop; the programs keepalived will run,
#   checked before a start or a reload; the watch state directory and the
#   watcher on start); dnsprobe, the VIP guard and lvsdns-script-check are
#   this build's, in /usr/local/sbin.
#
# What a container does not give: the kernel is shared, so a "reboot" keeps
# the namespace's rules, routes and sysctls; forget_dataplane drops the rules
# and routes between boots (the sysctls stay: the container's systemd-sysctl
# skips a read-only /proc/sys, and the data-plane tests cover them). Without
# IPVS in this kernel keepalived cannot run; its drop-in is shown on its
# failed start. The containers get CAP_NET_ADMIN and a writable
# /proc/sys/net, which a real host's root has and nspawn withholds when it is
# handed a namespace.
#
# Namespaces, machine names and cgroups carry this run's PID; teardown_file stops
# only the containers started here. Needs root and systemd-nspawn; fails
# without.

GEN=build/san/cluster-gen
VIP6=2001:db8:53::53
load dataplane-lib
load container-lib

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "systemd-boot.bats needs root" >&2; return 1; }
	for t in systemd-nspawn nsenter ip dig nft named keepalived; do
		command -v "$t" >/dev/null || { echo "missing tool: $t (tools/deps installs it)" >&2; return 1; }
	done
	for t in build/san/dnsprobe build/san/lvsdns-vip-guard build/san/lvsdns-script-check build/san/rs-dnat; do
		[ -x "$t" ] || { echo "$t must be built" >&2; return 1; }
	done
	export DP_TMP NS_CL="lvssd$$-cl" NS_RS="lvssd$$-rs" MACHINE="lvssd$$"
	DP_TMP=$(mktemp -d)
	mkdir -p "$DP_TMP/run"
	# the balancer checks with dnsprobe --watch, once a second
	write_onboard_site |
		sed 's/^check { \(.*\) }$/check { \1  checker = watch  interval = 1 }/' >"$DP_TMP/site.conf"
	grep -q 'checker = watch' "$DP_TMP/site.conf"
	"$GEN" onboard "$DP_TMP/site.conf" rs -o "$DP_TMP/onboard-rs" >"$DP_TMP/onboard.log"
	"$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out"
	sed 's/checker = watch/checker = probe/' "$DP_TMP/site.conf" >"$DP_TMP/probe.conf"
	"$GEN" render "$DP_TMP/probe.conf" -o "$DP_TMP/out-probe"
	make_links
	make_rs_root "$DP_TMP/rs" "$DP_TMP/onboard-rs"
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
	make_lb_root "$DP_TMP/lb"
}

teardown_file() {
	stop_host lb
	stop_host rs
	remove_cgroups
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE-rs" "/run/systemd/nspawn/propagate/$MACHINE-lb"
	dp_teardown
}

# add_bundle BUNDLE NAME: another bundle of host rs, in its /root/NAME, its
# named configurations given the test bed's root hints as make_rs_root does.
add_bundle() {
	local d="$DP_TMP/rs/root/$2" f
	cp -r "$1" "$d"
	for f in "$d"/files/named-*.conf; do
		printf 'zone "." { type hint; file "/root/onboard/files/root.hints"; };\n' >>"$f"
	done
}

# make_lb_root DIR: the balancer, its rendered files installed as
# docs/guide.md says (lvsdns-watch enabled; keepalived is started by the
# test), and dnsprobe, the VIP guard and lvsdns-script-check in
# /usr/local/sbin: DIR.local,
# bound over the machine's /usr/local at boot.
make_lb_root() {
	local r=$1 o="$DP_TMP/out/balancers/lb"
	make_os_root "$r"
	install -d "$r/etc/keepalived" "$r/etc/lvsdns" "$r/etc/systemd/system/keepalived.service.d" \
		"$r.local/sbin"
	install -m 0644 "$o/keepalived.conf" "$r/etc/keepalived/keepalived.conf"
	install -m 0644 "$o/vips" "$o/dnsprobe.targets" "$r/etc/lvsdns/"
	install -m 0644 "$o/keepalived.service.d/lvsdns-vip-guard.conf" \
		"$o/keepalived.service.d/lvsdns-preflight.conf" \
		"$o/keepalived.service.d/lvsdns-watch.conf" "$r/etc/systemd/system/keepalived.service.d/"
	install -m 0644 "$o/lvsdns-watch.service" "$r/etc/systemd/system/"
	ln -s ../lvsdns-watch.service "$r/etc/systemd/system/multi-user.target.wants/lvsdns-watch.service"
	install -m 0755 build/san/dnsprobe build/san/lvsdns-vip-guard build/san/lvsdns-script-check \
		"$r.local/sbin/"
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

@test "nftables.service's start, reload and stop flush the ruleset; install.sh's drop-in loads the DNAT table again each time (without it the VIPs go)" {
	local d="$DP_TMP/rs/etc/systemd/system/nftables.service.d" verb
	# Debian's own /etc/nftables.conf: "flush ruleset", then an empty filter table
	install -m 0755 /dev/null "$DP_TMP/rs/etc/nftables.conf"
	printf '%s\n' '#!/usr/sbin/nft -f' 'flush ruleset' 'table inet filter {' \
		'	chain input { type filter hook input priority filter; }' '}' >"$DP_TMP/rs/etc/nftables.conf"
	[ -f "$d/lvsdns.conf" ]
	on_host rs systemd-analyze verify --man=no nftables.service
	answered_by_each_instance
	for verb in start reload stop start; do
		on_host rs systemctl "$verb" nftables
		echo "after $verb: $(on_host rs systemctl is-active nftables)"
		on_host rs nft list table inet lvsdns >/dev/null
		answered_by_each_instance
	done
	# the same reload without the drop-in
	mv "$d/lvsdns.conf" "$DP_TMP/nftables-dropin.conf"
	on_host rs systemctl daemon-reload
	on_host rs systemctl reload nftables
	run on_host rs nft list table inet lvsdns
	mv "$DP_TMP/nftables-dropin.conf" "$d/lvsdns.conf"
	on_host rs systemctl daemon-reload
	got=$(ask 105 udp)
	on_host rs systemctl stop nftables
	echo "without the drop-in: nft list: $status; VLAN 105: $got"
	[ "$status" -ne 0 ]
	[ "$got" = "no answer" ]
	answered_by_each_instance
}

# The lines the drop-in had before its start and reload became one nft
# transaction: Debian's loads, then dnat.nft again.
OLD_DROPIN="[Service]
ExecStartPost=-/bin/sh -c 'nft -f /etc/lvsdns/dnat.nft'
ExecReload=-/bin/sh -c 'nft -f /etc/lvsdns/dnat.nft'
ExecStopPost=-/bin/sh -c 'nft -f /etc/lvsdns/dnat.nft'"

teardown() {
	local p="$DP_TMP/run/monitor.bats-pid"
	if [ -f "$p" ]; then
		kill "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	fi
	# the rs-dnat test's program, bound over rs's /usr/local/sbin
	if [ -f "$DP_TMP/run/rs-dnat-bound" ]; then
		on_host rs rs-dnat remove || true
		on_host rs umount /usr/local/sbin || true
		rm -f "$DP_TMP/run/rs-dnat-bound"
	fi
	# the drop-in a test moved aside
	if [ -f "$DP_TMP/nftables-dropin.conf" ]; then
		rm -f "$DP_TMP/rs/etc/systemd/system/nftables.service.d/lvsdns-old.conf"
		mv "$DP_TMP/nftables-dropin.conf" "$DP_TMP/rs/etc/systemd/system/nftables.service.d/lvsdns.conf"
		on_host rs systemctl daemon-reload || true
	fi
	# the files the fallback test broke, as they were
	if [ -d "$DP_TMP/good" ]; then
		cp -r "$DP_TMP/good/." "$DP_TMP/rs/etc/"
		rm -r "$DP_TMP/good"
		on_host rs systemctl restart nftables || true
	fi
}

# mark NAME: a table ip NAME added and deleted in rs's namespace until the
# nft monitor writing $DP_TMP/monitor.out shows it (at most 5 s): then the
# monitor listens, and has written everything before.
mark() {
	local n
	for n in $(seq 1 50); do
		rs nft add table ip "$1"
		rs nft delete table ip "$1"
		grep -qx "delete table ip $1" "$DP_TMP/monitor.out" && return 0
		sleep 0.1
	done
	echo "nft monitor did not show table $1" >&2
	return 1
}

# transactions VERB: systemctl VERB nftables on rs, with its exit status,
# watched by nft monitor in rs's namespace (nftables 1.0.6 ends each
# transaction's events with "# new generation N by process P"). Prints one
# line per transaction VERB made: the tables it deleted and added, in order.
transactions() {
	local rc=0 out="$DP_TMP/monitor.out"
	: >"$out"
	# not through rs (a function): $! must be nft's PID (ip execs it)
	ip netns exec "$NS_RS" nft monitor >"$out" 2>&1 3>&- &
	echo $! >"$DP_TMP/run/monitor.bats-pid"
	mark "${MACHINE}a"
	on_host rs systemctl "$1" nftables || rc=$?
	mark "${MACHINE}z"
	kill "$(cat "$DP_TMP/run/monitor.bats-pid")"
	wait "$(cat "$DP_TMP/run/monitor.bats-pid")" || true
	rm "$DP_TMP/run/monitor.bats-pid"
	# the first marker may have been made more than once: its last deletion counts
	awk -v a="delete table ip ${MACHINE}a" -v z="add table ip ${MACHINE}z" '
		$0 == a { s = 1; n = 0; next }
		s == 1 && /^# new generation / { s = 2; t = ""; next }
		s == 2 && $0 == z { exit }
		s == 2 && /^# new generation / { g[++n] = t; t = ""; next }
		s == 2 && /^(add|delete) table / { t = t (t == "" ? "" : ", ") $0 }
		END { for (i = 1; i <= n; i++) print g[i] }' "$out"
	return "$rc"
}

@test "with install.sh's drop-in, nftables.service's start, reload, stop and restart flush the ruleset and make the DNAT table again in one nft transaction; the old drop-in's two loads left the VIPs without it in between" {
	local d="$DP_TMP/rs/etc/systemd/system/nftables.service.d" t
	on_host rs systemctl start nftables
	# Debian's ExecStart= and ExecReload= are replaced, not added to
	[ "$(on_host rs systemctl show -p ExecStart --value nftables | grep -c 'path=')" -eq 1 ]
	[ "$(on_host rs systemctl show -p ExecReload --value nftables | grep -c 'path=')" -eq 1 ]
	t=$(transactions reload)
	echo "reload: $t"
	[ "$(echo "$t" | wc -l)" -eq 1 ]
	[[ "$t" == *"delete table inet lvsdns"*"add table inet filter"*", add table inet lvsdns" ]]
	answered_by_each_instance
	# stop: the flush and dnat.nft in one transaction; ExecStopPost= loads
	# dnat.nft once more (for a failed start), its table replaced in one
	t=$(transactions stop)
	echo "stop: $t"
	[ "$(echo "$t" | wc -l)" -eq 2 ]
	[[ "$(echo "$t" | sed -n 1p)" == "delete table inet filter, delete table inet lvsdns"*", add table inet lvsdns" ]]
	[[ "$(echo "$t" | sed -n 2p)" == *"add table inet lvsdns" ]]
	answered_by_each_instance
	on_host rs systemctl start nftables
	# restart: that stop, then the start: no transaction leaves the table out
	t=$(transactions restart)
	echo "restart: $t"
	[ "$(echo "$t" | wc -l)" -eq 3 ]
	[[ "$(echo "$t" | sed -n 1p)" == "delete table inet filter, delete table inet lvsdns"*", add table inet lvsdns" ]]
	[[ "$(echo "$t" | sed -n 2p)" == *"add table inet lvsdns" ]]
	[[ "$(echo "$t" | sed -n 3p)" == "delete table inet lvsdns"*"add table inet filter"*", add table inet lvsdns" ]]
	answered_by_each_instance
	# the old drop-in: the reload's flush in one transaction, the table in the next
	mv "$d/lvsdns.conf" "$DP_TMP/nftables-dropin.conf"
	echo "$OLD_DROPIN" >"$d/lvsdns-old.conf"
	on_host rs systemctl daemon-reload
	t=$(transactions reload)
	rm "$d/lvsdns-old.conf"
	mv "$DP_TMP/nftables-dropin.conf" "$d/lvsdns.conf"
	on_host rs systemctl daemon-reload
	echo "old drop-in's reload: $t"
	[ "$(echo "$t" | wc -l)" -eq 2 ]
	[ "$(echo "$t" | sed -n 1p)" = "delete table inet filter, delete table inet lvsdns, add table inet filter" ]
	[[ "$(echo "$t" | sed -n 2p)" == "add table inet lvsdns"* ]]
	answered_by_each_instance
}

@test "a dnat.nft nft refuses: nftables.service's reload and start load /etc/nftables.conf alone (the firewall comes up) and fail, saying why; with a broken nftables.conf they fail as Debian's do" {
	local e="$DP_TMP/rs/etc" g="$DP_TMP/good" log="$DP_TMP/nftables.log"
	mkdir -p "$g/lvsdns"
	cp "$e/lvsdns/dnat.nft" "$g/lvsdns/"
	cp "$e/nftables.conf" "$g/"
	on_host rs systemctl start nftables
	answered_by_each_instance
	# a chain the kernel refuses (dnat in a filter chain): nft sends it with
	# the flush, and the kernel undoes the whole transaction
	printf '%s\n' 'table inet lvsdns {' \
		'	chain refused { type filter hook input priority filter; ip protocol udp dnat ip to 10.9.9.9; }' \
		'}' >>"$e/lvsdns/dnat.nft"
	# a changed firewall: its new table shows that it was loaded
	sed 's/^table inet filter /table inet firewall /' "$g/nftables.conf" >"$e/nftables.conf"
	grep -qx 'table inet firewall {' "$e/nftables.conf"
	run on_host rs systemctl reload nftables
	echo "reload: $status $output"
	[ "$status" -ne 0 ]
	[ "$(on_host rs systemctl is-active nftables)" = active ]
	rs nft list table inet firewall >/dev/null
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	[ "$(ask 105 udp)" = "no answer" ]
	run_log rs nftables >"$log"
	cat "$log"
	grep -q 'lvsdns: nft refused /etc/nftables.conf with /etc/lvsdns/dnat.nft; loading /etc/nftables.conf alone' "$log"
	grep -q '/etc/lvsdns/dnat.nft:[0-9]*:[0-9-]*: Error: Could not process rule: Operation not supported' "$log"
	grep -q 'lvsdns: the firewall is loaded, the DNAT table inet lvsdns is not: the VIPs go unanswered until /etc/lvsdns/dnat.nft loads (fix it, then: systemctl restart nftables)' "$log"
	# a start: the same, and the unit failed; the firewall stays (a failed
	# start runs no ExecStop=; ExecStopPost= tries dnat.nft alone, refused too)
	sed 's/^table inet filter /table inet firewall2 /' "$g/nftables.conf" >"$e/nftables.conf"
	run on_host rs systemctl restart nftables
	echo "restart: $status $output"
	[ "$status" -ne 0 ]
	[ "$(on_host rs systemctl is-active nftables)" = failed ]
	rs nft list table inet firewall2 >/dev/null
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	run_log rs nftables >"$log"
	cat "$log"
	grep -q 'lvsdns: the firewall is loaded, the DNAT table inet lvsdns is not' "$log"
	# fixed, a restart brings both back
	cp "$g/lvsdns/dnat.nft" "$e/lvsdns/dnat.nft"
	cp "$g/nftables.conf" "$e/nftables.conf"
	on_host rs systemctl restart nftables
	rs nft list table inet filter >/dev/null
	answered_by_each_instance
	# a broken nftables.conf: the reload fails and changes nothing (nft
	# applies neither load), the VIPs stay
	echo 'bogus' >>"$e/nftables.conf"
	run on_host rs systemctl reload nftables
	echo "reload: $status $output"
	[ "$status" -ne 0 ]
	rs nft list table inet filter >/dev/null
	answered_by_each_instance
	run_log rs nftables >"$log"
	cat "$log"
	grep -q '^.*/etc/nftables.conf:[0-9]*:[0-9-]*: Error: ' "$log"
	run grep 'the firewall is loaded' "$log"
	[ "$status" -ne 0 ]
	# and a start fails, as Debian's does (after the stop's flush its
	# ExecStopPost= loaded the DNAT table again: the VIPs stay)
	run on_host rs systemctl restart nftables
	[ "$status" -ne 0 ]
	[ "$(on_host rs systemctl is-active nftables)" = failed ]
	run rs nft list table inet filter
	[ "$status" -ne 0 ]
	answered_by_each_instance
	cp "$g/nftables.conf" "$e/nftables.conf"
	rm -r "$g"
	on_host rs systemctl restart nftables
	rs nft list table inet filter >/dev/null
	answered_by_each_instance
}

@test "where rs-dnat runs, nftables.service with install.sh's drop-in is Debian's: nftables.conf loaded alone, our nftables table flushed, the VIPs answered through rs-dnat's rules" {
	local t
	on_host rs systemctl start nftables
	mkdir -p "$DP_TMP/rs/root/rs-dnat-bin"
	install -m 0755 build/san/rs-dnat "$DP_TMP/rs/root/rs-dnat-bin/"
	touch "$DP_TMP/run/rs-dnat-bound"
	on_host rs mount --bind /root/rs-dnat-bin /usr/local/sbin
	on_host rs rs-dnat --help >/dev/null
	on_host rs rs-dnat -4 apply /etc/lvsdns/dnat.rules
	t=$(transactions reload)
	echo "reload: $t"
	[ "$(echo "$t" | wc -l)" -eq 1 ]
	[[ "$t" == *"delete table inet lvsdns"*"add table inet filter" ]]
	run rs nft list table inet lvsdns
	[ "$status" -ne 0 ]
	answered_by_each_instance
	# nor is it loaded after a stop's flush
	t=$(transactions stop)
	echo "stop: $t"
	[ "$t" = "delete table inet filter" ]
	answered_by_each_instance
	on_host rs systemctl start nftables
	# without rs-dnat again: the drop-in loads our table with the firewall
	on_host rs rs-dnat remove
	on_host rs umount /usr/local/sbin
	rm "$DP_TMP/run/rs-dnat-bound"
	t=$(transactions reload)
	echo "reload: $t"
	[[ "$t" == *"add table inet filter"*", add table inet lvsdns" ]]
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

# wait_state FILE VALUE: the balancer's watch state file /run/lvsdns/FILE.state
# holds VALUE (0 up, 1 down), waiting at most 15 s.
wait_state() {
	local n got
	for n in $(seq 1 75); do
		got=$(on_host lb cat "/run/lvsdns/$1.state" 2>/dev/null) || got=
		[ "$got" = "$2" ] && return 0
		sleep 0.2
	done
	echo "/run/lvsdns/$1.state: '$got', not $2" >&2
	on_host lb journalctl --no-pager -u lvsdns-watch | tail -20 >&2
	return 1
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
	echo "$(awk '$4 == "TXT" { gsub(/"/, "", $5); print $5 }' <<<"$out") $(sed -n 's/^; NSID: .*("\(.*\)")$/\1/p' <<<"$out")"
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

@test "a balancer booted with the rendered lvsdns-watch.service checks every instance of the booted real server: up, down when one stops, up again" {
	# the VIP interface, empty, as ifup lvsdns0 makes it (a veth where this
	# kernel has no dummy)
	if ! cl ip link add lvsdns0 type dummy 2>/dev/null; then
		cl ip link add lvsdns0 type veth peer name lvsdns0-peer
		cl ip link set lvsdns0-peer up
	fi
	cl ip link set lvsdns0 up
	EXTRA_NSPAWN="--bind-ro=$DP_TMP/lb.local:/usr/local" boot_host lb "$NS_CL"
	# each host's systemd in a cgroup of its own, not the other's
	cgroup_of lb
	cgroup_of rs
	[ -n "$(cgroup_of lb)" ]
	[ -z "$(cgroup_of lb | grep -Fx -f <(cgroup_of rs))" ]
	wait_active lb lvsdns-watch
	wait_active rs named@a named@b
	# the check is CH TXT id.server, as the site says: the unit passes the class
	for f in rs+a+udp-53 rs+a+tcp-53 rs+b+udp-53 rs+b+tcp-53; do
		wait_state "$f" 0
	done
	on_host rs systemctl stop named@b
	wait_state rs+b+udp-53 1
	wait_state rs+b+tcp-53 1
	[ "$(on_host lb cat /run/lvsdns/rs+a+udp-53.state)" = 0 ]
	on_host rs systemctl start named@b
	wait_state rs+b+udp-53 0
	wait_state rs+b+tcp-53 0
	# and it does so with no capabilities, unable to gain any, in a system
	# it may not write to but for its state files
	pid=$(on_host lb systemctl show -p MainPID --value lvsdns-watch)
	[ "$pid" -gt 0 ]
	on_host lb grep -E '^(CapEff|CapBnd|NoNewPrivs):' "/proc/$pid/status" | tee "$DP_TMP/watch.status"
	grep -Ex 'CapEff:\s+0+' "$DP_TMP/watch.status"
	grep -Ex 'CapBnd:\s+0+' "$DP_TMP/watch.status"
	grep -Ex 'NoNewPrivs:\s+1' "$DP_TMP/watch.status"
	on_host lb cat "/proc/$pid/mountinfo" >"$DP_TMP/watch.mounts"
	# (mountinfo: field 5 the mount point, field 6 its options)
	awk '$5 == "/" && $6 ~ /(^|,)ro(,|$)/ { ro = 1 } END { exit !ro }' "$DP_TMP/watch.mounts"
	awk '$5 == "/run/lvsdns" && $6 ~ /(^|,)rw(,|$)/ { rw = 1 } END { exit !rw }' "$DP_TMP/watch.mounts"
}

@test "a killed lvsdns-watch is restarted by systemd and goes on from the states its files hold" {
	local old new n
	old=$(on_host lb systemctl show -p MainPID --value lvsdns-watch)
	on_host lb systemctl kill -s KILL lvsdns-watch
	for n in $(seq 1 50); do
		new=$(on_host lb systemctl show -p MainPID --value lvsdns-watch)
		[ "$new" != "$old" ] && [ "$new" != 0 ] && break
		sleep 0.2
	done
	echo "MainPID $old, then $new"
	[ "$new" != "$old" ] && [ "$new" != 0 ]
	wait_active lb lvsdns-watch
	[ "$(on_host lb systemctl show -p NRestarts --value lvsdns-watch)" -ge 1 ]
	on_host lb journalctl --no-pager -u lvsdns-watch | grep -q 'watching 4 targets'
	for f in rs+a+udp-53 rs+a+tcp-53 rs+b+udp-53 rs+b+tcp-53; do
		wait_state "$f" 0
	done
}

@test "systemctl reload lvsdns-watch with a targets file that does not parse fails, naming its line; the watcher goes on" {
	local pid n
	pid=$(on_host lb systemctl show -p MainPID --value lvsdns-watch)
	on_host lb cp /etc/lvsdns/dnsprobe.targets /root/dnsprobe.targets
	on_host lb sh -c 'echo "rs+c+udp-53 10.1.53.1 10.1.53.3 53" >>/etc/lvsdns/dnsprobe.targets'
	run on_host lb systemctl reload lvsdns-watch
	echo "$output"
	[ "$status" -ne 0 ]
	run_log lb lvsdns-watch | grep -F '/etc/lvsdns/dnsprobe.targets:8: 4 fields, expected 13'
	[ "$(on_host lb systemctl is-active lvsdns-watch)" = active ]
	[ "$(on_host lb systemctl show -p MainPID --value lvsdns-watch)" = "$pid" ]
	on_host lb cp /root/dnsprobe.targets /etc/lvsdns/dnsprobe.targets
	on_host lb systemctl reload lvsdns-watch
	for n in $(seq 1 25); do
		run_log lb lvsdns-watch | grep -q 'reloaded /etc/lvsdns/dnsprobe.targets: 4 targets' && break
		sleep 0.2
	done
	run_log lb lvsdns-watch | grep 'reloaded /etc/lvsdns/dnsprobe.targets: 4 targets'
	wait_state rs+a+udp-53 0
}

@test "keepalived's rendered drop-in takes the VIP off when keepalived stops, however it stops" {
	local n state pid
	on_host lb /usr/local/sbin/lvsdns-vip-guard up "$VIP"
	cl ip -4 addr show dev lvsdns0 | grep -q "inet $VIP/32"
	# Without IPVS (as on this test machine) keepalived ends at start-up;
	# where it runs, it is killed: either way its ExecStopPost= runs.
	on_host lb systemctl start keepalived || true
	if [ "$(on_host lb systemctl is-active keepalived)" = active ]; then
		on_host lb systemctl kill -s KILL keepalived
	fi
	for n in $(seq 1 50); do
		state=$(on_host lb systemctl is-active keepalived) || true
		[ "$state" = active ] || [ "$state" = activating ] || [ "$state" = deactivating ] || break
		sleep 0.2
	done
	on_host lb systemctl status --no-pager keepalived || true
	run cl ip -4 addr show dev lvsdns0
	echo "$output"
	[[ "$output" != *"$VIP"* ]]
	# the drop-in's guard ran and logged its line once: on its journal stream
	# (JOURNAL_STREAM), no syslog copy. Counted by its PID: keepalived's own
	# quorum_down (omega), run on its way out, may take the VIP off first
	# (the drop-in's guard then finds it "already absent"), and journald
	# files a syslog line of an exited process under no unit at times.
	pid=$(on_host lb systemctl show -p ExecStopPost --value keepalived | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
	echo "ExecStopPost pid: $pid"
	[ -n "$pid" ]
	on_host lb journalctl --sync
	on_host lb journalctl --no-pager -o cat "_PID=$pid" >"$DP_TMP/guard.log"
	cat "$DP_TMP/guard.log"
	[ "$(grep -c "down $VIP (resolver) on lvsdns0: " "$DP_TMP/guard.log")" -eq 1 ]
	on_host lb journalctl --no-pager -u keepalived | grep -q "lvsdns-vip-guard\[$pid\]: down $VIP (resolver) on lvsdns0: "
}

@test "keepalived started without the watcher (not installed, state directory gone): its watch drop-in makes the directory, so every instance starts down, not unchecked" {
	local f
	on_host lb systemctl stop lvsdns-watch
	on_host lb mv /etc/systemd/system/lvsdns-watch.service /root/
	on_host lb systemctl daemon-reload
	on_host lb rm -rf /run/lvsdns
	on_host lb systemctl start keepalived || true
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	# keepalived's own init_file wrote them: there was no watcher
	[ "$(on_host lb systemctl is-active lvsdns-watch)" != active ]
	for f in rs+a+udp-53 rs+a+tcp-53 rs+b+udp-53 rs+b+tcp-53; do
		[ "$(on_host lb cat "/run/lvsdns/$f.state")" = 1 ]
	done
	run grep -e 'Unable to initialise track file' -e 'does not exist - removing' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
	on_host lb mv /root/lvsdns-watch.service /etc/systemd/system/
	on_host lb systemctl daemon-reload
}

@test "starting keepalived starts the watcher too (its watch drop-in: Wants=)" {
	[ "$(on_host lb systemctl is-active lvsdns-watch)" != active ]
	on_host lb systemctl start keepalived || true
	wait_active lb lvsdns-watch
	for f in rs+a+udp-53 rs+a+tcp-53 rs+b+udp-53 rs+b+tcp-53; do
		wait_state "$f" 0
	done
}

@test "with all three drop-ins, keepalived's reload makes the preflight checks and the watch directory, and signals keepalived last" {
	on_host lb systemctl show -p ExecReload --value keepalived | grep -o 'path=[^ ;]*' >"$DP_TMP/reload"
	cat "$DP_TMP/reload"
	[ "$(head -1 "$DP_TMP/reload")" = path=/usr/bin/unshare ]
	grep -qx path=/usr/local/sbin/lvsdns-script-check "$DP_TMP/reload"
	[ "$(tail -2 "$DP_TMP/reload" | head -1)" = path=/usr/bin/install ]
	[ "$(tail -1 "$DP_TMP/reload")" = path=/bin/kill ]
}

@test "keepalived does not start with a keepalived.conf its own config test refuses (the preflight drop-in's ExecStartPre=)" {
	cp "$DP_TMP/lb/etc/keepalived/keepalived.conf" "$DP_TMP/keepalived.conf.good"
	echo 'virtual_server 192.0.2.9 53 {' >>"$DP_TMP/lb/etc/keepalived/keepalived.conf"
	run on_host lb systemctl start keepalived
	cp "$DP_TMP/keepalived.conf.good" "$DP_TMP/lb/etc/keepalived/keepalived.conf"
	[ "$status" -ne 0 ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	grep -F "There are 1 missing '}'s or extra '{'s" "$DP_TMP/keepalived.log"
	run grep 'Starting Keepalived' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
}

@test "keepalived does not start while the VIP guard refuses its vips file (the preflight drop-in's ExecStartPre=)" {
	on_host lb cp /etc/lvsdns/vips /root/vips
	on_host lb sh -c 'echo "192.0.2.1 lvsdns0" >>/etc/lvsdns/vips'
	run on_host lb systemctl start keepalived
	[ "$status" -ne 0 ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	grep -q 'vips:6: expected "ADDRESS INTERFACE SERVICE"' "$DP_TMP/keepalived.log"
	run grep 'Starting Keepalived' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
	on_host lb cp /root/vips /etc/lvsdns/vips
}

@test "probe mode: keepalived does not start without the dnsprobe its checks run (the preflight drop-in's ExecStartPre=)" {
	local o="$DP_TMP/out-probe/balancers/lb" d=/etc/systemd/system/keepalived.service.d
	cp "$o/keepalived.conf" "$DP_TMP/lb/etc/keepalived/keepalived.conf"
	rm "$DP_TMP/lb$d/lvsdns-watch.conf"
	cp "$o/keepalived.service.d/lvsdns-preflight.conf" "$DP_TMP/lb$d/"
	grep -q dnsprobe "$DP_TMP/lb$d/lvsdns-preflight.conf"
	grep -q 'MISC_CHECK' "$DP_TMP/lb/etc/keepalived/keepalived.conf"
	on_host lb systemctl daemon-reload
	mv "$DP_TMP/lb.local/sbin/dnsprobe" "$DP_TMP/dnsprobe.away"
	run on_host lb systemctl start keepalived
	mv "$DP_TMP/dnsprobe.away" "$DP_TMP/lb.local/sbin/dnsprobe"
	[ "$status" -ne 0 ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	run grep 'Starting Keepalived' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
	# stopped by the drop-in: keepalived could not have run its dnsprobe
	grep -F 'lvsdns-script-check: /usr/local/sbin/dnsprobe: keepalived would not run it as nobody: nobody cannot reach /usr/local/sbin/dnsprobe: No such file or directory' "$DP_TMP/keepalived.log"
	on_host lb systemctl status --no-pager keepalived |
		grep -F 'ExecStartPre=/usr/local/sbin/lvsdns-script-check nobody /usr/local/sbin/dnsprobe (code=exited, status=1/FAILURE)'
	# with dnsprobe back, keepalived itself starts (and here ends on IPVS)
	on_host lb systemctl start keepalived || true
	run_log lb keepalived | grep 'Starting Keepalived'
	on_host lb systemctl stop keepalived || true
}

# Both need the probe-mode drop-ins the test above installed.
@test "probe mode: keepalived does not start with a dnsprobe only root may run (keepalived runs it as nobody)" {
	chmod 0700 "$DP_TMP/lb.local/sbin/dnsprobe"
	run on_host lb systemctl start keepalived
	chmod 0755 "$DP_TMP/lb.local/sbin/dnsprobe"
	[ "$status" -ne 0 ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	grep -F 'nobody may not execute /usr/local/sbin/dnsprobe (mode 0700; keepalived judges by the mode bits alone)' "$DP_TMP/keepalived.log"
	run grep 'Starting Keepalived' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
}

# Debian's base-files makes /usr/local/* root:staff 2775 where
# /etc/staff-group-for-usr-local exists; keepalived then drops quorum_up and
# quorum_down, so no VIP would ever be announced, or withdrawn.
@test "keepalived does not start while a group may write to the VIP guard's directory (keepalived would never run the guard)" {
	chgrp 50 "$DP_TMP/lb.local/sbin"
	chmod 2775 "$DP_TMP/lb.local/sbin"
	run on_host lb systemctl start keepalived
	chmod 0755 "$DP_TMP/lb.local/sbin"
	chgrp 0 "$DP_TMP/lb.local/sbin"
	[ "$status" -ne 0 ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	cat "$DP_TMP/keepalived.log"
	grep -F 'lvsdns-script-check: /usr/local/sbin/lvsdns-vip-guard: keepalived would not run it as root:root: group staff may write to /usr/local/sbin' "$DP_TMP/keepalived.log"
	run grep 'Starting Keepalived' "$DP_TMP/keepalived.log"
	[ "$status" -eq 1 ]
	# with the directory root's again, keepalived itself starts (and here ends on IPVS)
	on_host lb systemctl start keepalived || true
	run_log lb keepalived | grep 'Starting Keepalived'
	on_host lb systemctl stop keepalived || true
}

# keepalived re-checks its programs on a reload and drops those it will not
# run, and ExecStartPre= does not run then: the drop-in's ExecReload= makes
# the checks first. keepalived cannot stay up in this kernel (no IPVS), so
# here a stand-in takes its ExecStart= (a shell that logs each SIGHUP): what
# is shown is systemd running the drop-in's reload, not keepalived's.
@test "probe mode: a reload with a dnsprobe keepalived would not run, or a config keepalived's test refuses, fails before keepalived gets its SIGHUP" {
	local d=/etc/systemd/system/keepalived.service.d
	cat >"$DP_TMP/lb$d/zz-test-standin.conf" <<-'EOF'
	[Service]
	Type=simple
	ExecStart=
	ExecStart=/bin/sh -c 'trap "echo stand-in got SIGHUP" HUP; echo stand-in up with; grep ^Groups: /proc/$$$$/status; while :; do sleep 1 & wait $!; done'
	EOF
	on_host lb systemctl daemon-reload
	on_host lb systemctl start keepalived
	[ "$(on_host lb systemctl is-active keepalived)" = active ]
	on_host lb systemctl reload keepalived
	chmod 0700 "$DP_TMP/lb.local/sbin/dnsprobe"
	run on_host lb systemctl reload keepalived
	chmod 0755 "$DP_TMP/lb.local/sbin/dnsprobe"
	[ "$status" -ne 0 ]
	# a keepalived.conf its own config test refuses (keepalived itself would
	# reload it, with DR replaced by its default, NAT)
	cp "$DP_TMP/lb/etc/keepalived/keepalived.conf" "$DP_TMP/keepalived.conf.good"
	sed -i '0,/lvs_method DR/s//lvs_method DRR/' "$DP_TMP/lb/etc/keepalived/keepalived.conf"
	run on_host lb systemctl reload keepalived
	cp "$DP_TMP/keepalived.conf.good" "$DP_TMP/lb/etc/keepalived/keepalived.conf"
	[ "$status" -ne 0 ]
	[ "$(on_host lb systemctl is-active keepalived)" = active ]
	run_log lb keepalived >"$DP_TMP/keepalived.log"
	on_host lb systemctl stop keepalived
	rm "$DP_TMP/lb$d/zz-test-standin.conf"
	on_host lb systemctl daemon-reload
	cat "$DP_TMP/keepalived.log"
	grep -F 'nobody may not execute /usr/local/sbin/dnsprobe (mode 0700' "$DP_TMP/keepalived.log"
	grep -F 'unknown [DRR] routing method' "$DP_TMP/keepalived.log"
	# one SIGHUP: the first reload's, not the refused ones'
	[ "$(grep -c 'stand-in got SIGHUP' "$DP_TMP/keepalived.log")" -eq 1 ]
	# and keepalived's place has no supplementary groups, as lvsdns-script-check
	# assumes when it drops its own
	grep -A1 'stand-in up with' "$DP_TMP/keepalived.log" | grep -E ': Groups:\s*$'
}
