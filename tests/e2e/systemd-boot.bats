#!/usr/bin/env bats
# A real server under a real systemd as PID 1: the onboarding bundle of host
# rs (cluster-gen onboard) is installed by its own install.sh on a booted
# host, and the host is rebooted. The host is a systemd-nspawn container
# booting this machine's own /usr (read-only) with an /etc of its own, inside
# the data-plane test bed's host namespace (tests/e2e/dataplane-lib.bash):
# its systemd runs named@.service as rendered, ExecStartPre= lines, User=,
# Restart= and all, with Debian's named (bind { prefix = "/usr" }).
#
# What a container does not give: the kernel is shared, so a "reboot" keeps
# the namespace's rules, routes and sysctls; forget_dataplane drops the rules
# and routes between boots (the sysctls stay: the container's systemd-sysctl
# skips a read-only /proc/sys, and the data-plane tests cover them).
# The container gets CAP_NET_ADMIN and a writable /proc/sys/net, which a real
# host's root has and nspawn withholds when it is handed a namespace.
#
# Namespaces and the machine name carry this run's PID; teardown_file stops
# only the container started here. Needs root and systemd-nspawn; fails
# without.

GEN=build/san/cluster-gen
load dataplane-lib

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "systemd-boot.bats needs root" >&2; return 1; }
	for t in systemd-nspawn nsenter ip dig nft named; do
		command -v "$t" >/dev/null || { echo "missing tool: $t (tools/deps installs it)" >&2; return 1; }
	done
	export DP_TMP NS_CL="lvssd$$-cl" NS_RS="lvssd$$-rs" MACHINE="lvssd$$"
	DP_TMP=$(mktemp -d)
	mkdir -p "$DP_TMP/run"
	write_onboard_site > "$DP_TMP/site.conf"
	"$GEN" onboard "$DP_TMP/site.conf" rs -o "$DP_TMP/onboard-rs" > "$DP_TMP/onboard.log"
	make_links
	make_root "$DP_TMP/host"
}

teardown_file() {
	stop_host
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
	dp_teardown
}

# make_root DIR: the host's file system. /usr is this machine's (bound
# read-only at boot; bin, lib and sbin point into it as on Debian 12), /etc
# holds only users, the OS name and an empty machine-id, and /root the
# bundle, whose named configurations get the test bed's root hints: a
# recursing named primes from 10.1.53.1, inside the test bed, instead of
# the root servers.
make_root() {
	local r=$1 i
	mkdir -p "$r"/etc "$r"/var "$r"/run "$r"/tmp "$r"/root "$r"/proc "$r"/sys "$r"/dev "$r"/usr
	for i in bin lib lib64 sbin; do ln -s "usr/$i" "$r/$i"; done
	cp /usr/lib/os-release "$r/etc/os-release"
	printf 'root:x:0:0:root:/root:/bin/sh\nbind:x:100:101::/var/cache/bind:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf 'root:x:0:\nbind:x:101:\n' >"$r/etc/group"
	: >"$r/etc/machine-id"
	cp -r "$DP_TMP/onboard-rs" "$r/root/onboard"
	printf '.\t3600000\tIN\tNS\tns.testbed.\nns.testbed.\t3600000\tIN\tA\t10.1.53.1\n' \
		>"$r/root/onboard/files/root.hints"
	for i in a b; do
		printf 'zone "." { type hint; file "/root/onboard/files/root.hints"; };\n' \
			>>"$r/root/onboard/files/named-$i.conf"
	done
}

# boot_host LOG: boots the host in the background and waits (bounded, 60 s)
# until its systemd has finished starting up; HOST_PID is then its PID 1 as
# this machine sees it.
boot_host() {
	local n
	SYSTEMD_NSPAWN_API_VFS_WRITABLE=network systemd-nspawn -D "$DP_TMP/host" \
		--machine="$MACHINE" --register=no --keep-unit --bind-ro=/usr \
		--capability=CAP_NET_ADMIN --network-namespace-path="/run/netns/$NS_RS" \
		--boot --console=pipe </dev/null >"$DP_TMP/$1" 2>&1 3>&- &
	echo $! >"$DP_TMP/run/nspawn.bats-pid"
	HOST_PID=
	for n in $(seq 1 100); do
		# nspawn's child, once it has become the container's systemd
		HOST_PID=$(ps -o pid= --ppid "$(cat "$DP_TMP/run/nspawn.bats-pid")" | tr -d ' ')
		[ -n "$HOST_PID" ] && [ "$(ps -o comm= -p "$HOST_PID")" = systemd ] && break
		HOST_PID=
		sleep 0.1
	done
	[ -n "$HOST_PID" ] || { cat "$DP_TMP/$1" >&2; return 1; }
	timeout 60 nsenter -t "$HOST_PID" -a systemctl is-system-running --wait || true
}

# on_host CMD...: CMD run on the booted host, as its root.
on_host() {
	nsenter -t "$HOST_PID" -a "$@"
}

# stop_host: powers the host off (SIGTERM to nspawn halts it) and waits,
# bounded (30 s), for the container to end; then kills it if still there.
stop_host() {
	local p="$DP_TMP/run/nspawn.bats-pid" n
	[ -f "$p" ] || return 0
	kill "$(cat "$p")" 2>/dev/null || true
	for n in $(seq 1 300); do
		kill -0 "$(cat "$p")" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$(cat "$p")" 2>/dev/null || true
	rm -f "$p"
}

# wait_active UNIT...: each UNIT active on the host, waiting at most 20 s.
wait_active() {
	local u n
	for u in "$@"; do
		for n in $(seq 1 100); do
			[ "$(on_host systemctl is-active "$u")" = active ] && break
			sleep 0.2
		done
		on_host systemctl status --no-pager "$u" || return 1
	done
}

@test "on a booted host, the bundle's install.sh enables and starts every instance, and the VIP is answered through each VLAN" {
	boot_host boot-1.log
	[ "$(on_host ps -p 1 -o comm=)" = systemd ]
	grep -qx 'systemctl enable --now named@a named@b' "$DP_TMP/onboard-rs/install.sh"
	[ "$(ask 105 udp)" = "no answer" ]
	on_host sh -c 'cd /root/onboard && sh install.sh'
	wait_active named@a named@b
	# systemd runs named as the unit says: as user bind, from Debian's package
	on_host ps -o user=,args= -C named | awk '{ $1 = $1; print }' | sort >"$DP_TMP/named.ps"
	cat "$DP_TMP/named.ps"
	printf '%s\n' 'bind /usr/sbin/named -f -u bind -n 1 -c /etc/bind/named-a.conf' \
		'bind /usr/sbin/named -f -u bind -n 1 -c /etc/bind/named-b.conf' | diff - "$DP_TMP/named.ps"
	answered_by_each_instance
}

@test "after a reboot that lost the rules and routes, systemd brings every instance and its data plane back" {
	stop_host
	forget_dataplane
	[ "$(ask 105 udp)" = "no answer" ]
	[ "$(ask 109 udp)" = "no answer" ]
	boot_host boot-2.log
	wait_active named@a named@b
	answered_by_each_instance
	[ "$(rs ip rule list from 10.3.53.2 | wc -l)" -eq 1 ]
}

@test "an instance whose VLAN is down at boot does not start, and starts by itself once the VLAN is up" {
	stop_host
	forget_dataplane
	rs ip link set eth1.109 down
	boot_host boot-3.log
	wait_active named@a
	# named@b's policy routing fails: its unit waits to try again, named not run
	local n state
	for n in $(seq 1 50); do
		on_host journalctl --no-pager -u named@b | grep -q 'instances not routed: b' && break
		sleep 0.2
	done
	on_host journalctl --no-pager -u named@b | grep 'policy-routing.sh: instances not routed: b (run again when their VLANs are up)'
	[ "$(ask 105 udp)" = "rs-a rs-a" ]
	# longer than systemd's start limit (5 starts in 10 s): still trying,
	# never given up (RestartSec=5)
	for n in $(seq 1 24); do
		state=$(on_host systemctl show -p ActiveState --value named@b)
		echo "named@b: $state"
		[ "$state" = activating ] || { on_host systemctl status --no-pager named@b; return 1; }
		sleep 0.5
	done
	[ "$(on_host systemctl show -p NRestarts --value named@b)" -ge 2 ]
	rs ip link set eth1.109 up
	wait_active named@b
	answered_by_each_instance
}
