# Shared by tests/e2e/systemd-boot-lib.bash (the systemd-boot-*.bats files)
# and tests/slow/bind-build-debian.bats:
# hosts booted under a real systemd as PID 1, each a systemd-nspawn container
# of this machine's own /usr (read-only) and an /etc of its own, in a network
# namespace the caller made. The caller sets DP_TMP (its directory; the
# containers' roots are $DP_TMP/HOST, nspawn's PIDs go to $DP_TMP/run) and
# MACHINE (a per-run prefix of the machine names and cgroups), stops every
# host it booted with stop_host, then calls remove_cgroups and removes
# /run/systemd/nspawn/propagate/$MACHINE-HOST.

# make_os_root DIR: a host's file system. /usr is this machine's (bound
# read-only at boot; bin, lib and sbin point into it as on Debian 12), /etc
# holds only users, the OS name and an empty machine-id.
make_os_root() {
	local r=$1 i
	mkdir -p "$r"/etc/systemd/system/multi-user.target.wants "$r"/var "$r"/run "$r"/tmp \
		"$r"/root "$r"/proc "$r"/sys "$r"/dev "$r"/usr
	for i in bin lib lib64 sbin; do ln -s "usr/$i" "$r/$i"; done
	cp /usr/lib/os-release "$r/etc/os-release"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'bind:x:100:101::/var/cache/bind:/usr/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'bind:x:101:' 'nogroup:x:65534:' >"$r/etc/group"
	: >"$r/etc/machine-id"
}

# make_rs_root DIR BUNDLE: real server rs of the data-plane test bed, with
# the onboarding bundle BUNDLE (cluster-gen onboard) in /root/onboard, whose
# named configurations get the test bed's root hints: a recursing named
# primes from 10.1.53.1, inside the test bed, not the root servers.
make_rs_root() {
	local r=$1 i
	make_os_root "$r"
	cp -r "$2" "$r/root/onboard"
	printf '.\t3600000\tIN\tNS\tns.testbed.\nns.testbed.\t3600000\tIN\tA\t10.1.53.1\n' \
		>"$r/root/onboard/files/root.hints"
	for i in a b; do
		printf 'zone "." { type hint; file "/root/onboard/files/root.hints"; };\n' \
			>>"$r/root/onboard/files/named-$i.conf"
	done
}

# boot_host HOST NETNS: boots the container HOST (root $DP_TMP/HOST, the
# machine $MACHINE-HOST) in the network namespace NETNS, in the background,
# and waits (bounded, 60 s) until its systemd has finished starting up.
# Its console goes to $DP_TMP/HOST-boot.log; EXTRA_NSPAWN adds options.
boot_host() {
	local n d
	# nspawn --keep-unit puts the container in .../payload below its own
	# cgroup: started from this shell's, every container (the other host's,
	# another run's) would share one, each systemd managing the others'
	# units' cgroups. So each nspawn starts in a cgroup of its own, named
	# like its machine; remove_cgroups removes them.
	# shellcheck disable=SC2086 # EXTRA_NSPAWN: words
	(
		for d in $(cgroup_dirs); do
			echo "$d/$MACHINE-$1" >>"$DP_TMP/run/cgroups"
			mkdir -p "$d/$MACHINE-$1" && echo "$BASHPID" >"$d/$MACHINE-$1/cgroup.procs" || exit 1
		done
		export SYSTEMD_NSPAWN_API_VFS_WRITABLE=network
		exec systemd-nspawn -D "$DP_TMP/$1" \
			--machine="$MACHINE-$1" --register=no --keep-unit --bind-ro=/usr ${EXTRA_NSPAWN:-} \
			--capability=CAP_NET_ADMIN --network-namespace-path="/run/netns/$2" \
			--boot --console=pipe
	) </dev/null >>"$DP_TMP/$1-boot.log" 2>&1 3>&- &
	echo $! >"$DP_TMP/run/$1-nspawn.bats-pid"
	for n in $(seq 1 100); do
		[ -n "$(host_pid "$1")" ] && break
		sleep 0.1
	done
	[ -n "$(host_pid "$1")" ] || { cat "$DP_TMP/$1-boot.log" >&2; return 1; }
	timeout 60 nsenter -t "$(host_pid "$1")" -a systemctl is-system-running --wait || true
}

# cgroup_dirs: this shell's cgroup in each hierarchy nspawn places a
# container by: the unified one (cgroup v2, or hybrid's unified) and the
# named systemd one (v1, hybrid).
cgroup_dirs() {
	local p
	p=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup${p%/}"
		return 0
	fi
	if [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then echo "/sys/fs/cgroup/unified${p%/}"; fi
	p=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
	if [ -d /sys/fs/cgroup/systemd ]; then echo "/sys/fs/cgroup/systemd${p%/}"; fi
	return 0
}

# remove_cgroups: the cgroups boot_host made, and what the containers made
# in them, once the containers are gone (each made here: none is shared).
remove_cgroups() {
	local d
	[ -f "$DP_TMP/run/cgroups" ] || return 0
	sort -u "$DP_TMP/run/cgroups" | while read -r d; do
		case "$d" in */"$MACHINE"-*) ;; *) continue ;; esac
		if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
	done
	return 0
}

# cgroup_of HOST: the cgroup of HOST's systemd in the hierarchies
# cgroup_dirs names, as this machine sees it (0:: is "/" where unused).
cgroup_of() { grep -E '^0::|^[0-9]+:name=systemd:' "/proc/$(host_pid "$1")/cgroup" | grep -v '^0::/$'; }

# host_pid HOST: the PID (as this machine sees it) of HOST's systemd: the
# child of its nspawn once it has become systemd; empty before.
host_pid() {
	local p
	[ -f "$DP_TMP/run/$1-nspawn.bats-pid" ] || return 0
	p=$(ps -o pid= --ppid "$(cat "$DP_TMP/run/$1-nspawn.bats-pid")" | tr -d ' ')
	[ -n "$p" ] && [ "$(ps -o comm= -p "$p")" = systemd ] && echo "$p"
	return 0
}

# on_host HOST CMD...: CMD run on the booted HOST, as its root.
on_host() {
	local h=$1
	shift
	nsenter -t "$(host_pid "$h")" -a "$@"
}

# stop_host HOST: powers HOST off (SIGTERM to nspawn halts it) and waits,
# bounded (30 s), for the container to end. If it has not, its systemd is
# killed (which ends every process of its PID namespace), then nspawn: a
# killed nspawn alone would leave the container running without it.
stop_host() {
	local p="$DP_TMP/run/$1-nspawn.bats-pid" init n
	[ -f "$p" ] || return 0
	init=$(host_pid "$1")
	kill "$(cat "$p")" 2>/dev/null || true
	for n in $(seq 1 300); do
		kill -0 "$(cat "$p")" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$(cat "$p")" 2>/dev/null; then
		[ -z "$init" ] || kill -9 "$init" 2>/dev/null || true
		sleep 0.5
		kill -9 "$(cat "$p")" 2>/dev/null || true
	fi
	rm -f "$p"
}

# wait_active HOST UNIT...: each UNIT active on HOST, waiting at most 20 s.
wait_active() {
	local h=$1 u n
	shift
	for u in "$@"; do
		for n in $(seq 1 100); do
			[ "$(on_host "$h" systemctl is-active "$u")" = active ] && break
			sleep 0.2
		done
		on_host "$h" systemctl status --no-pager "$u" || return 1
	done
}

# run_log HOST UNIT: the journal of UNIT's last run on HOST (its invocation:
# what its own processes logged, ExecStartPre= and ExecStopPost= included).
run_log() {
	local id
	id=$(on_host "$1" systemctl show -p InvocationID --value "$2")
	[ -n "$id" ] || return 1
	# what was logged before now is in the journal files, not in journald's queue
	on_host "$1" journalctl --sync
	on_host "$1" journalctl --no-pager "_SYSTEMD_INVOCATION_ID=$id"
}

# onboard_rs NAMED: on the booted real server rs, the onboarding bundle's
# install.sh (as an operator runs it); then both instances must be active,
# each run as the unit says: by user bind, as NAMED (the program
# bind { prefix } names) with the worker flags "-n 1".
onboard_rs() {
	on_host rs sh -c 'cd /root/onboard && sh install.sh'
	wait_active rs named@a named@b
	on_host rs ps -o user=,args= -C named | awk '{ $1 = $1; print }' | sort >"$DP_TMP/named.ps"
	cat "$DP_TMP/named.ps"
	printf '%s\n' "bind $1 -f -u bind -n 1 -c /etc/bind/named-a.conf" \
		"bind $1 -f -u bind -n 1 -c /etc/bind/named-b.conf" | diff - "$DP_TMP/named.ps"
}
