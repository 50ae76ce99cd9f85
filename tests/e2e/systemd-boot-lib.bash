# Shared by tests/e2e/systemd-boot-rs.bats (the real server's install.sh,
# boots and reboots), systemd-boot-nftables.bats (nftables.service with
# install.sh's drop-in) and systemd-boot-lb.bats (the balancer's
# lvsdns-watch.service and keepalived's drop-ins): the site under a real
# systemd as PID 1. Each host is a systemd-nspawn container booting this
# machine's own /usr (read-only) with an /etc of its own (container-lib.bash),
# inside one namespace of the data-plane test bed (dataplane-lib.bash): its
# systemd runs the rendered units as an installed host would, ExecStartPre=
# lines, User=, Restart= and all. Real server rs runs in NS_RS, balancer lb
# in NS_CL, which holds the VLAN addresses.
#
# What a container does not give: the kernel is shared, so a "reboot" keeps
# the namespace's rules, routes and sysctls; forget_dataplane drops the rules
# and routes between boots (the sysctls stay: the container's systemd-sysctl
# skips a read-only /proc/sys, and the data-plane tests cover them). The
# containers get CAP_NET_ADMIN and a writable /proc/sys/net, which a real
# host's root has and nspawn withholds when it is handed a namespace.
#
# Each file's setup_file calls sd_setup_file with a prefix of its own, so
# namespaces, machine names and cgroups carry the file and this run's PID,
# and its teardown_file calls sd_teardown_file, which stops only the
# containers that file started. Needs root and systemd-nspawn; fails
# without.

GEN=build/san/cluster-gen
load dataplane-lib
load container-lib

# sd_setup_file PREFIX NEED...: fails unless run as root with the tools
# every file needs and each NEED (a tool, or a program of this build when it
# names a path); then a fresh DP_TMP, the namespaces NS_CL and NS_RS and the
# machine prefix MACHINE (PREFIX and this run's PID), the site (its balancer
# checking with dnsprobe --watch, once a second) in $DP_TMP/site.conf, the
# two namespaces' links, and rs's root with the site's onboarding bundle in
# its /root/onboard (nothing booted yet).
sd_setup_file() {
	local prefix=$1 t
	shift
	[ "$(id -u)" -eq 0 ] || { echo "${BATS_TEST_FILENAME##*/} needs root" >&2; return 1; }
	for t in systemd-nspawn nsenter ip dig nft named "$@"; do
		case "$t" in
		*/*) [ -x "$t" ] || { echo "$t must be built" >&2; return 1; } ;;
		*) command -v "$t" >/dev/null || { echo "missing tool: $t (tools/deps installs it)" >&2; return 1; } ;;
		esac
	done
	export DP_TMP NS_CL="$prefix$$-cl" NS_RS="$prefix$$-rs" MACHINE="$prefix$$"
	DP_TMP=$(mktemp -d)
	mkdir -p "$DP_TMP/run"
	# the balancer checks with dnsprobe --watch, once a second
	write_onboard_site |
		sed 's/^check { \(.*\) }$/check { \1  checker = watch  interval = 1 }/' >"$DP_TMP/site.conf"
	grep -q 'checker = watch' "$DP_TMP/site.conf"
	"$GEN" onboard "$DP_TMP/site.conf" rs -o "$DP_TMP/onboard-rs" >"$DP_TMP/onboard.log"
	make_links
	make_rs_root "$DP_TMP/rs" "$DP_TMP/onboard-rs"
}

# sd_teardown_file: the hosts this file booted (stop_host does nothing for
# one it did not), their cgroups, and the test bed.
sd_teardown_file() {
	stop_host lb
	stop_host rs
	remove_cgroups
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE-rs" "/run/systemd/nspawn/propagate/$MACHINE-lb"
	dp_teardown
}

# boot_onboarded_rs: real server rs booted, its bundle installed by its own
# install.sh with Debian's named, both instances active (for the files whose
# tests begin where that has happened).
boot_onboarded_rs() {
	boot_host rs "$NS_RS"
	[ "$(on_host rs ps -p 1 -o comm=)" = systemd ]
	onboard_rs /usr/sbin/named
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

# sd_teardown: the teardown of systemd-boot-rs.bats and
# systemd-boot-nftables.bats, after each test: what a test that failed
# halfway left (each undoes it itself when it passes) put back for the tests
# after it: the nft monitor transactions started, rs-dnat bound over rs's
# /usr/local/sbin, the nftables drop-in moved aside, the files the fallback
# test broke.
sd_teardown() {
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
