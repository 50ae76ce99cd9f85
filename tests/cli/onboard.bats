#!/usr/bin/env bats
# cluster-gen onboard: a new real server's bundle (files/, install.sh, README,
# balancer.diff), --tar and --probe (in a data plane: workflow-dataplane.bats).

load workflow-lib.bash

@test "onboard: a new host's files, install.sh, README and the balancer-side diff" {
	add_mia_vlans
	mkdir "$TMP/w"
	cp "$TMP/site.conf" "$TMP/w/site.conf"   # the site without mia
	add_mia
	cd "$TMP"
	run "$OLDPWD/$GEN" onboard site.conf mia
	cd "$OLDPWD"
	echo "$output"
	[ "$status" -eq 0 ]
	b=$TMP/onboard-mia
	[ "${lines[0]}" = "mia: wrote onboard-mia (files/ with 6 files, install.sh, README, balancer.diff)" ]
	echo "$output" | grep -E '^changed +balancers/dus2/keepalived\.conf +\+36 -0 +on balancer dus2: .*systemctl reload keepalived$'
	[ "${lines[${#lines[@]}-1]}" = "1 file differs: 0 added, 0 removed, 1 changed; +36 -0 lines" ]
	# files/ is byte for byte the host's part of the render
	"$GEN" render "$TMP/site.conf" -o "$TMP/out"
	diff -r "$TMP/out/realservers/mia" "$b/files"
	# the balancer diff: only real_server blocks of mia are added, on dus2
	[ "$(grep -c '^+++ ' "$b/balancer.diff")" -eq 1 ]
	grep -qx '+++ b/balancers/dus2/keepalived.conf' "$b/balancer.diff"
	refute_grep '^-[^-]' "$b/balancer.diff"
	[ "$(grep -cx '+    real_server 10.5.53.2 53 {' "$b/balancer.diff")" -eq 4 ]
	# applied to the render without mia, it gives the render with mia
	"$GEN" render "$TMP/w/site.conf" -o "$TMP/wo"
	(cd "$TMP/wo" && patch -s -p1 < "$b/balancer.diff")
	diff "$TMP/wo/balancers/dus2/keepalived.conf" "$TMP/out/balancers/dus2/keepalived.conf"
	# install.sh: POSIX sh; DESTDIR only copies, to the places the files name
	sh -n "$b/install.sh"
	[ -x "$b/install.sh" ]
	grep -qx 'set -eu' "$b/install.sh"
	grep -qx 'systemctl enable --quiet named@a' "$b/install.sh"
	DESTDIR="$TMP/root" sh "$b/install.sh"
	cmp "$b/files/named-a.conf" "$TMP/root/etc/bind/named-a.conf"
	cmp "$b/files/named@.service" "$TMP/root/etc/systemd/system/named@.service"
	cmp "$b/files/sysctl.conf" "$TMP/root/etc/sysctl.d/60-lvsdns.conf"
	cmp "$b/files/dnat.rules" "$TMP/root/etc/lvsdns/dnat.rules"
	[ -x "$TMP/root/etc/lvsdns/policy-routing.sh" ]
	grep -q 'Install as /etc/bind/named-a.conf' "$TMP/root/etc/bind/named-a.conf"
	# README: the steps and where every file goes
	grep -q '^  named@a    10.5.53.2/24 on eth1.213 (VLAN 213; balancer dus2 at 10.5.53.1, weight 2)$' "$b/README"
	grep -q 'sh install.sh' "$b/README"
	# the balancer's own address on the host's VLAN, which nothing rendered creates
	grep -qx '3. The balancer dus2 needs its address up on each of these VLANs (its' "$b/README"
	grep -qx '       eth1.213 10.5.53.1/24 (VLAN 213)' "$b/README"
	grep -qx '   Run again (the bundle of a changed site), it also puts the changes' "$b/README"
	# which BIND the host needs: the one bind { prefix } names
	grep -qx '   describes, installed under /usr/local (bind { prefix }: named@.service' "$b/README"
	grep -qx '   runs /usr/local/sbin/named), then ldconfig, and a user .bind.' "$b/README"
	grep -qx '  files/sysctl.conf          -> /etc/sysctl.d/60-lvsdns.conf' "$b/README"
}

@test "onboard: with nat = stateless install.sh loads dnat.nft whether or not rs-dnat is installed" {
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -qx '	nat = stateless' "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	[ ! -e "$TMP/b/files/dnat.rules" ]
	sh -n "$TMP/b/install.sh"
	# not only in the branch taken without rs-dnat: there is no such branch
	grep -qx 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh"
	refute_grep 'rs-dnat.*apply' "$TMP/b/install.sh"
	# rs-dnat only removes its chains left from an earlier nat mode (it
	# skips the tables the kernel has not set up: workflow-dataplane.bats)
	grep -A3 -x 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh" | sed 's/ ||.*//' > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
nft -f /etc/lvsdns/dnat.nft
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat remove
fi
E
	# and rs-dnat's rule files, left from an earlier nat = stateful, go
	grep -B1 -x 'nft -f /etc/lvsdns/dnat.nft' "$TMP/b/install.sh" |
		grep -qx 'rm -f /etc/lvsdns/dnat.rules /etc/lvsdns/dnat6.rules'
	# and with iptables rules, rs-dnat first, nftables otherwise (this host
	# has no IPv6 rules: those an earlier bundle loaded are removed)
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	grep -A8 -x 'if rs-dnat --help >/dev/null 2>&1; then' "$TMP/sf/install.sh" | sed 's/ ||.*//' > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat -4 apply /etc/lvsdns/dnat.rules
	rs-dnat -6 remove
	if nft list table inet lvsdns >/dev/null 2>&1; then
		nft delete table inet lvsdns
	fi
else
	nft -f /etc/lvsdns/dnat.nft
fi
E
}

@test "onboard: a host that loses its IPv6 instances: install.sh removes the installed dnat6.rules and, where rs-dnat runs, the IPv6 rules" {
	# kai of the example site has an IPv6 instance, c: its rules applied, none removed
	"$GEN" onboard "$TMP/site.conf" kai -o "$TMP/v6" >/dev/null
	[ -f "$TMP/v6/files/dnat6.rules" ]
	grep -qx '	rs-dnat -6 apply /etc/lvsdns/dnat6.rules' "$TMP/v6/install.sh"
	refute_grep 'rs-dnat -6 remove|rm -f /etc/lvsdns/dnat' "$TMP/v6/install.sh"
	# c moved to a new host kim (the balancer keeps an IPv6 instance behind
	# its IPv6 VIP, as it must): kai's bundle has no dnat6.rules; the
	# installed one goes first (an instance restarted before the
	# daemon-reload, under the old unit, then cannot load it again), then
	# the rules, where rs-dnat runs
	sed -i '/^\tinstance c { vlan = 605 /d' "$TMP/site.conf"
	printf '%s\n' 'realserver kim {' '	balancer = ffm4' '	clients = { "2001:db8::/32" }' \
		'	instance c { vlan = 605  interface = "eth1.605"  address = "2001:db8:105::2" }' '}' \
		>>"$TMP/site.conf"
	"$GEN" check "$TMP/site.conf" >/dev/null
	"$GEN" onboard "$TMP/site.conf" kai -o "$TMP/v4" >/dev/null
	[ ! -e "$TMP/v4/files/dnat6.rules" ]
	sed -n '/^rm -f \/etc\/lvsdns\/dnat6.rules$/,/^fi$/p' "$TMP/v4/install.sh" > "$TMP/branch"
	diff - "$TMP/branch" <<'E'
rm -f /etc/lvsdns/dnat6.rules
if rs-dnat --help >/dev/null 2>&1; then
	rs-dnat -4 apply /etc/lvsdns/dnat.rules
	rs-dnat -6 remove || echo "install.sh: warning: rs-dnat -6 remove failed: the IPv6 rules an earlier bundle loaded stay (the next run tries again)" >&2
	if nft list table inet lvsdns >/dev/null 2>&1; then
		nft delete table inet lvsdns
	fi
else
	nft -f /etc/lvsdns/dnat.nft
fi
E
	# after the files are installed, before the instances (nothing under DESTDIR)
	[ "$(grep -n '^rm -f /etc/lvsdns/dnat6.rules$' "$TMP/v4/install.sh" | cut -d: -f1)" -gt \
	  "$(grep -n '^if \[ -n "\$D" \]; then$' "$TMP/v4/install.sh" | cut -d: -f1)" ]
	# nftables needs nothing more: dnat.nft replaces the table whole, and
	# this one has no IPv6 part
	grep -qx 'delete table inet lvsdns' "$TMP/v4/files/dnat.nft"
	refute_grep 'ip6|dnat6' "$TMP/v4/files/dnat.nft"
	grep -qx '   that family.s rs-dnat rules and its installed file, dnat6.rules),' "$TMP/v4/README"
}

# forget_in ROOT BUNDLE INSTANCE: install.sh's forget function of BUNDLE,
# its /etc/bind and /var/cache/bind moved below ROOT, run for INSTANCE.
forget_in() {
	sed -n '/^forget() {$/,/^}$/p' "$2/install.sh" |
		sed -e "s|/etc/bind/|$1/etc/bind/|g" -e "s|/var/cache/bind/|$1/var/cache/bind/|g" > "$TMP/forget.sh"
	grep -q "$1/var/cache/bind/" "$TMP/forget.sh"
	sh -euc '. "$1"; forget "$2"' sh "$TMP/forget.sh" "$3"
}

@test "onboard: install.sh removes the configuration of an instance it disables, and its directory only when named makes all it holds again" {
	local r="$TMP/r"
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/b" >/dev/null
	# called for each instance the loop stops and disables, and only for those
	sed -n '/^\tnamed@?\*.service)$/,/;;$/p' "$TMP/b/install.sh" > "$TMP/arm"
	diff - "$TMP/arm" <<'E'
	named@?*.service)
		echo "install.sh: $u is not an instance of kai: stopping and disabling it"
		systemctl disable --now "$u"
		i=${u#named@}
		forget "${i%.service}" ||
			echo "install.sh: warning: not every file of $u could be removed" >&2 ;;
E
	[ "$(grep -c '^[[:space:]]*forget ' "$TMP/b/install.sh")" -eq 1 ]
	# what named makes again by itself (named.conf's files, the managed keys):
	# the directory goes with the configuration
	mkdir -p "$r/etc/bind" "$r/var/cache/bind/x" "$r/var/cache/bind/y"
	echo 'options { };' > "$r/etc/bind/named-x.conf"
	for f in named.pid session.key named_dump.db named.stats managed-keys.bind \
		managed-keys.bind.jnl 3bf305731dd26307.mkeys 3bf305731dd26307.mkeys.jnl; do
		: > "$r/var/cache/bind/x/$f"
	done
	run forget_in "$r" "$TMP/b" x
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "install.sh: removed $r/etc/bind/named-x.conf" ]
	[ "${lines[1]}" = "install.sh: removed $r/var/cache/bind/x" ]
	[ ! -e "$r/etc/bind/named-x.conf" ]
	[ ! -e "$r/var/cache/bind/x" ]
	# zone data and keys stay, with the directory, and are named; the rest goes
	for f in session.key db.example Kexample.+013+01234.private; do : > "$r/var/cache/bind/y/$f"; done
	run forget_in "$r" "$TMP/b" y
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "install.sh: warning: kept $r/var/cache/bind/y: it holds what named does not make again by itself: "*"; remove it by hand once none of that is needed" ]]
	[[ "$output" == *" db.example"* ]]
	[[ "$output" == *" Kexample.+013+01234.private"* ]]
	[ "$(ls "$r/var/cache/bind/y" | LC_ALL=C sort | tr '\n' ' ')" = "Kexample.+013+01234.private db.example " ]
	# nothing left: nothing to say; and only a name a site could declare is
	# taken ("..": /var/cache/bind itself)
	run forget_in "$r" "$TMP/b" x
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	: > "$r/var/cache/bind/named.pid"
	: > "$r/var/cache/named.pid"
	for n in .. . '' 'a/../..' '-rf' 'a b'; do
		run forget_in "$r" "$TMP/b" "$n"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
	[ -e "$r/var/cache/bind/named.pid" ]
	[ -e "$r/var/cache/named.pid" ]
}

# dropin_script FILE KEY: the shell script of the drop-in FILE's KEY=/bin/sh -c "..."
# line, its continuation lines joined and systemd's \" unquoted.
dropin_script() {
	sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$1" |
		sed -n "s|^$2=/bin/sh -c \"\\(.*\\)\"\$|\\1|p" | sed 's/\\"/"/g'
}

@test "onboard: install.sh's nftables.service drop-in replaces Debian's start and reload with one nft load of nftables.conf and dnat.nft, and its stop with the flush and dnat.nft in one; it asks for rs-dnat only where there are iptables rules" {
	local f=etc/systemd/system/nftables.service.d/lvsdns.conf k
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	DESTDIR="$TMP/sl" sh "$TMP/b/install.sh" >/dev/null
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	DESTDIR="$TMP/sf" sh "$TMP/sf/install.sh" >/dev/null
	for k in ExecStart ExecReload; do
		# Debian's line reset, then one of ours
		[ "$(grep -c "^$k=" "$TMP/sl/$f")" -eq 2 ]
		grep -qx "$k=" "$TMP/sl/$f"
		dropin_script "$TMP/sl/$f" "$k" > "$TMP/sl.sh"
		dropin_script "$TMP/sf/$f" "$k" > "$TMP/sf.sh"
		cat "$TMP/sl.sh"
		sh -n "$TMP/sl.sh"
		sh -n "$TMP/sf.sh"
		grep -q "^if \[ -f /etc/lvsdns/dnat.nft \]; then" "$TMP/sl.sh"
		grep -q "^if \[ -f /etc/lvsdns/dnat.nft \] && ! rs-dnat --help >/dev/null 2>&1; then" "$TMP/sf.sh"
		# both files, in that order, through one nft -f
		grep -qF "echo 'include \"/etc/nftables.conf\"; include \"/etc/lvsdns/dnat.nft\"' | /usr/sbin/nft -f - && exit 0;" "$TMP/sl.sh"
		grep -q 'fi; exec /usr/sbin/nft -f /etc/nftables.conf$' "$TMP/sl.sh"
	done
	# stop: the flush and dnat.nft in one nft -f, else Debian's flush
	[ "$(grep -c "^ExecStop=" "$TMP/sl/$f")" -eq 2 ]
	grep -qx "ExecStop=" "$TMP/sl/$f"
	dropin_script "$TMP/sl/$f" ExecStop > "$TMP/stop.sh"
	cat "$TMP/stop.sh"
	sh -n "$TMP/stop.sh"
	grep -qF "echo 'flush ruleset; include \"/etc/lvsdns/dnat.nft\"' | /usr/sbin/nft -f - && exit 0;" "$TMP/stop.sh"
	grep -q 'fi; exec /usr/sbin/nft flush ruleset$' "$TMP/stop.sh"
	refute_grep 'rs-dnat|ExecStartPost' "$TMP/sl/$f"
	[ "$(grep -c 'rs-dnat --help' "$TMP/sf/$f")" -eq 4 ]
	# systemd would take these for its specifiers and variables
	refute_grep '[%$]' "$TMP/sl/$f"
	refute_grep '[%$]' "$TMP/sf/$f"
}

@test "onboard: the README of a nat = stateless host asks for nftables, not rs-dnat" {
	sed 's/^\tclients = { "0.0.0.0\/0" }$/&\n\tnat = stateless/' tests/golden/old-article/site.conf > "$TMP/sl.conf"
	grep -qx '	nat = stateless' "$TMP/sl.conf"
	"$GEN" onboard "$TMP/sl.conf" kai -o "$TMP/b" >/dev/null
	# install.sh and named@.service load dnat.nft with nft only
	grep -qx '   nftables (nat = stateless has no rules rs-dnat could load), and the' "$TMP/b/README"
	refute_grep 'nftables or rs-dnat' "$TMP/b/README"
	# with iptables rules either will do
	"$GEN" onboard tests/golden/old-article/site.conf kai -o "$TMP/sf" >/dev/null
	grep -qx '   nftables or rs-dnat, and the VLAN interfaces up with the instance' "$TMP/sf/README"
}

@test "onboard: the new host's files pass the real checkers" {
	add_mia
	"$GEN" onboard "$TMP/site.conf" mia -o "$TMP/b" >/dev/null
	f=$TMP/b/files
	# in a network namespace of their own: never the host's tables
	unshare -n iptables-restore --test "$f/dnat.rules"
	unshare -n nft -c -f "$f/dnat.nft"
	sh -n "$f/policy-routing.sh"
	grep -qx 'ln -sfn /etc/lvsdns/policy-routing.sh "$D/etc/network/if-up.d/lvsdns"' "$TMP/b/install.sh"
	mkdir -p "$TMP/chroot/var/cache/bind/a"
	cp "$f/named-a.conf" "$TMP/chroot/named.conf"
	named-checkconf -t "$TMP/chroot" /named.conf
}

@test "onboard --tar: one archive with onboard-HOST/, the same files; -o - writes to stdout" {
	add_mia
	"$GEN" onboard "$TMP/site.conf" mia -o "$TMP/dir" >/dev/null
	run "$GEN" onboard --tar "$TMP/site.conf" mia -o "$TMP/mia.tar"
	[ "$status" -eq 0 ]
	[ "$(tar -tf "$TMP/mia.tar" | head -n 1)" = "onboard-mia/" ]
	[ "$(tar -tf "$TMP/mia.tar" | grep -c '/$')" -eq 2 ]
	mkdir "$TMP/x"
	tar -xf "$TMP/mia.tar" -C "$TMP/x"
	diff -r -x .lvsdns-render "$TMP/dir" "$TMP/x/onboard-mia"
	[ -x "$TMP/x/onboard-mia/install.sh" ]
	[ "$(stat -c %a "$TMP/x/onboard-mia/files/dnat.rules")" = 644 ]
	"$GEN" onboard --tar -o - "$TMP/site.conf" mia | tar -tf - > "$TMP/list"
	tar -tf "$TMP/mia.tar" | diff - "$TMP/list"
}

@test "onboard: errors (unknown host 2, usage 2, a directory that is not ours 1)" {
	run "$GEN" onboard "$TMP/site.conf" nobody -o "$TMP/o"
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no real server 'nobody' (its real servers: kai, lou); declare it first"* ]]
	[ ! -e "$TMP/o" ]
	run "$GEN" onboard "$TMP/site.conf"
	[ "$status" -eq 2 ]
	mkdir "$TMP/mine"; echo precious > "$TMP/mine/file"
	run "$GEN" onboard "$TMP/site.conf" kai -o "$TMP/mine"
	[ "$status" -eq 1 ]
	[ "$(cat "$TMP/mine/file")" = precious ]
	run "$GEN" onboard --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--probe"* ]]
}

@test "onboard --probe: asks each instance from the balancer's VLAN address; refuses when one fails" {
	add_mia two
	# a stand-in dnsprobe: logs its arguments, answers for 10.5.53.2 only
	cat > "$TMP/probe" <<EOF2
#!/bin/sh
echo "\$*" >> "$TMP/probe.log"
for a; do last=\$a; done
[ "\$last" = 10.5.53.2 ] && { echo "up"; exit 0; }
echo "timeout"; exit 1
EOF2
	chmod +x "$TMP/probe"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	echo "$output"
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/b" ]
	echo "$output" | grep -x 'probe mia/a 10.5.53.2 udp/53 from 10.5.53.1: up'
	echo "$output" | grep -x 'probe mia/a 10.5.53.2 tcp/53 from 10.5.53.1: up'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 udp/53 from 10.6.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 tcp/53 from 10.6.53.1: DOWN (exit 1)'
	[[ "$output" == *"1 of 2 instances of mia did not answer; refusing to onboard it (the probes ask from balancer dus2's VLAN addresses, as keepalived will: run --probe there, with the host's VLANs up)"* ]]
	# the site's check, as keepalived's MISC_CHECK runs it for each virtual
	# server's port and protocol, plus -v
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.5.53.2' "$TMP/probe.log"
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T tcp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.5.53.2' "$TMP/probe.log"
	grep -x -- '-v -b 10.6.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL resolve.test.example 10.6.53.2' "$TMP/probe.log"
	[ "$(wc -l < "$TMP/probe.log")" -eq 4 ]
	# the check's expected address and answer count go along
	sed -i 's/^\tprobe = /\texpect-address = 192.0.2.53\n\tmin-answers = 1\n&/' "$TMP/site.conf"
	: > "$TMP/probe.log"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	[ "$status" -eq 1 ]
	grep -x -- '-v -b 10.5.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 3 -f REFUSED,SERVFAIL -a 192.0.2.53 -m 1 resolve.test.example 10.5.53.2' "$TMP/probe.log"
	# all answering: written
	sed -i 's/= 10.5.53.2 \]/!= x ]/' "$TMP/probe"
	run "$GEN" onboard --probe --dnsprobe "$TMP/probe" "$TMP/site.conf" mia -o "$TMP/b"
	[ "$status" -eq 0 ]
	[ -f "$TMP/b/install.sh" ]
	# no dnsprobe at all: refused
	run "$GEN" onboard --probe --dnsprobe "$TMP/nonexistent" "$TMP/site.conf" mia -o "$TMP/c"
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/c" ]
}

@test "onboard --probe with the real dnsprobe in a network namespace" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (unshare -n)" >&2; return 1; }
	[ -x build/san/dnsprobe ] || { echo "build/san/dnsprobe is not built" >&2; return 1; }
	add_mia two
	sed -i 's/tries = 3/tries = 1/' "$TMP/site.conf"
	run unshare -n bash -c '
		set -u
		ip link set lo up
		for a in 10.5.53.1 10.5.53.2 10.6.53.1 10.6.53.2; do ip addr add $a/32 dev lo; done
		pids=""
		trap "for p in \$pids; do kill \$p 2>/dev/null; done" EXIT
		responder() { # ADDR LOG: the dnsprobe tests responder on port 53
			/usr/bin/python3 tests/dnsprobe/responder.py "$1" 53 10053 10054 > "$2" 2>&1 &
			pids="$pids $!"
			for i in $(seq 1 100); do grep -q "^ready" "$2" && return 0; sleep 0.1; done
			echo "responder on $1 did not start" >&2; cat "$2" >&2; return 1
		}
		responder 10.5.53.2 "$1/r1.log" || exit 9
		"$2" onboard --probe --dnsprobe build/san/dnsprobe "$1/site.conf" mia -o "$1/b1"
		echo "first=$?"
		responder 10.6.53.2 "$1/r2.log" || exit 9
		"$2" onboard --probe --dnsprobe build/san/dnsprobe "$1/site.conf" mia -o "$1/b2"
		echo "second=$?"
	' probe-netns "$TMP" "$GEN"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'first=1'
	echo "$output" | grep -x 'second=0'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 udp/53 from 10.6.53.1: DOWN (exit 1)'
	echo "$output" | grep -x 'probe mia/b 10.6.53.2 tcp/53 from 10.6.53.1: DOWN (exit 1)'
	[ "$(echo "$output" | grep -cx 'probe mia/a 10.5.53.2 udp/53 from 10.5.53.1: up')" -eq 2 ]
	[ "$(echo "$output" | grep -cx 'probe mia/a 10.5.53.2 tcp/53 from 10.5.53.1: up')" -eq 2 ]
	[ ! -e "$TMP/b1" ]
	[ -f "$TMP/b2/install.sh" ]
}
