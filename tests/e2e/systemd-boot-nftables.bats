#!/usr/bin/env bats
# nftables.service on the booted real server rs, with the drop-in its
# install.sh writes: host rs, a systemd-nspawn container in namespace NS_RS
# of the data-plane test bed (how: systemd-boot-lib.bash), is booted and
# its onboarding bundle installed (Debian's named) by setup_file. Debian's
# /etc/nftables.conf flushes the whole ruleset on each start and reload,
# and the service flushes on stop: the DNAT table inet lvsdns must come back
# each time, in the same nft transaction as the flush (watched with nft
# monitor); where nft refuses dnat.nft the firewall still comes up and the
# failure says why; where rs-dnat runs, the service is Debian's. The rest of
# the real server's boot behaviour is systemd-boot-rs.bats.
#
# Namespaces, machine names and cgroups carry this file's prefix (lvssn)
# and this run's PID; teardown_file stops only the containers started here,
# teardown only the nft monitor a test started. Needs root and
# systemd-nspawn; fails without.

load systemd-boot-lib

setup_file() {
	sd_setup_file lvssn build/san/rs-dnat
	boot_onboarded_rs
}

teardown_file() {
	sd_teardown_file
}

teardown() {
	sd_teardown
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
