#!/usr/bin/env bats
# The balancer under a real systemd as PID 1: host lb, a systemd-nspawn
# container in namespace NS_CL of the data-plane test bed, which holds its
# VLAN addresses (how, and what a container does not give:
# systemd-boot-lib.bash), checking the instances of real server rs, booted
# in NS_RS with its onboarding bundle installed (Debian's named) by
# setup_file. Tested: the rendered lvsdns-watch.service (its checks, a
# restart after it is killed, a reload with a targets file that does not
# parse, its confinement) and keepalived's three drop-ins (the VIP guard on
# stop; the programs keepalived will run, checked before a start or a
# reload, in watch and in probe mode; the watch state directory and the
# watcher on start). dnsprobe, the VIP guard and lvsdns-script-check are
# this build's, in /usr/local/sbin. Without IPVS in this kernel keepalived
# cannot run; its drop-ins are shown on its failed start, and a reload on a
# stand-in. The real server's own boot behaviour is systemd-boot-rs.bats and
# systemd-boot-nftables.bats.
#
# Namespaces, machine names and cgroups carry this file's prefix (lvssb)
# and this run's PID; teardown_file stops only the containers started here.
# Needs root, systemd-nspawn and keepalived; fails without.

load systemd-boot-lib

setup_file() {
	sd_setup_file lvssb keepalived build/san/dnsprobe build/san/lvsdns-vip-guard \
		build/san/lvsdns-script-check
	"$GEN" render "$DP_TMP/site.conf" -o "$DP_TMP/out"
	sed 's/checker = watch/checker = probe/' "$DP_TMP/site.conf" >"$DP_TMP/probe.conf"
	"$GEN" render "$DP_TMP/probe.conf" -o "$DP_TMP/out-probe"
	make_lb_root "$DP_TMP/lb"
	# the real server whose instances the balancer checks
	boot_onboarded_rs
}

teardown_file() {
	sd_teardown_file
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
	# Test bed only. keepalived ends at start-up here (no IPVS); now and then
	# this container's systemd (a cgroup v1/hybrid host) misses the moment
	# the ended keepalived's cgroup empties: journal "Main process exited",
	# then 90 s (TimeoutStopSec) later "State 'stop-sigterm' timed out.
	# Killing." with no process left to kill. The drop-ins under test run
	# after that wait, whatever its length; 5 s keeps the file's time.
	printf '[Service]\nTimeoutStopSec=5s\n' \
		>"$r/etc/systemd/system/keepalived.service.d/zz-test-stop-timeout.conf"
	ln -s ../lvsdns-watch.service "$r/etc/systemd/system/multi-user.target.wants/lvsdns-watch.service"
	install -m 0755 build/san/dnsprobe build/san/lvsdns-vip-guard build/san/lvsdns-script-check \
		"$r.local/sbin/"
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
