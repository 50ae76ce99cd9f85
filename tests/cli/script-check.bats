#!/usr/bin/env bats
# lvsdns-script-check against keepalived itself: for each case the same
# program path goes to Debian's keepalived (as a MISC_CHECK run as
# script_user nobody, or as a quorum_up run as root) and to the check, and
# both must give the same verdict. keepalived checks its scripts when its
# checker process starts, before it sets up IPVS, so this works on a kernel
# without IPVS; it runs in namespaces of its own (pid, net, mount). Needs
# root (owners, and looking as nobody); without root or keepalived it fails.

CHECK=build/san/lvsdns-script-check

setup() {
	[ "$(id -u)" -eq 0 ] || { echo "this test needs root (it chowns files)" >&2; return 1; }
	command -v keepalived >/dev/null || { echo "keepalived is missing (make deps)" >&2; return 1; }
	TMP=$(mktemp -d)
	chmod 0755 "$TMP"
}

teardown() {
	rm -rf "$TMP"
}

# A directory or a program under $TMP with owner:group and mode.
mkdir_as() { mkdir "$TMP/$1" && chown "$2" "$TMP/$1" && chmod "$3" "$TMP/$1"; }
prog_as() {
	printf '#!/bin/sh\nexit 0\n' >"$TMP/$1" && chown "$2" "$TMP/$1" && chmod "$3" "$TMP/$1"
}

# keepalived's verdict on PATH run as AS (nobody: a MISC_CHECK under
# script_user nobody; root: a quorum_up run as root root). Prints "runs" or
# "drops"; fails when keepalived never reached its script check.
keepalived_verdict() {
	local path=$1 as=$2 run=$TMP/ka-$BATS_TEST_NUMBER-$RANDOM misc=$TMP/runs-fine quorum=""
	mkdir "$run"
	if [ "$as" = root ]; then quorum="quorum_up \"$path up\" root root"; else misc=$path; fi
	[ -e "$TMP/runs-fine" ] || prog_as runs-fine root:root 0755
	cat >"$run/keepalived.conf" <<-EOF
	global_defs {
	    router_id script-check-test
	    enable_script_security
	    script_user nobody
	}
	virtual_server 192.0.2.1 53 {
	    delay_loop 10
	    lvs_sched wrr
	    lvs_method DR
	    protocol UDP
	    $quorum
	    real_server 10.1.53.2 53 {
	        weight 1
	        MISC_CHECK {
	            misc_path "$misc -x"
	        }
	    }
	}
	EOF
	# with no supplementary groups, as under systemd
	timeout 10 setpriv --clear-groups unshare --pid --fork --net --mount-proc keepalived -n -l -D -C \
		-f "$run/keepalived.conf" -p "$run/keepalived.pid" -c "$run/checkers.pid" \
		>"$run/log" 2>&1 || true
	grep -q 'Initializing ipvs' "$run/log" ||
		{ echo "keepalived did not get to its script check:" >&2; cat "$run/log" >&2; return 1; }
	if grep -qiE 'disabling|cannot be accessed|not executable|wrong file type' "$run/log"; then
		echo drops
	else
		echo runs
	fi
}

# Both verdicts for PATH run as AS must be WANT.
agree() {
	local path=$1 as=$2 want=$3 ids=nobody ka mine=runs
	[ "$as" = root ] && ids=root:root
	ka=$(keepalived_verdict "$path" "$as")
	"$CHECK" "$ids" "$path" 2>"$TMP/check.err" || mine=drops
	echo "$path as $as: keepalived $ka, lvsdns-script-check $mine (want $want)"
	cat "$TMP/check.err"
	[ "$ka" = "$want" ]
	[ "$mine" = "$want" ]
}

@test "script-check: a root-owned program in root's directories runs as nobody and as root" {
	mkdir_as sbin root:root 0755
	prog_as sbin/probe root:root 0755
	agree "$TMP/sbin/probe" nobody runs
	agree "$TMP/sbin/probe" root runs
	run "$CHECK" nobody "$TMP/sbin/probe"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "script-check: a directory nobody cannot search hides the probe from nobody, not from root" {
	mkdir_as private root:root 0700
	prog_as private/probe root:root 0755
	agree "$TMP/private/probe" nobody drops
	agree "$TMP/private/probe" root runs
	run "$CHECK" nobody "$TMP/private/probe"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "lvsdns-script-check: $TMP/private/probe: keepalived would not run it as nobody: nobody cannot reach $TMP/private/probe: Permission denied" ]
	[ "${lines[1]}" = "  hint: every directory on the way must be searchable (x) by nobody" ]
}

@test "script-check: execute permission is read from the mode bits, as keepalived does" {
	prog_as root-only root:root 0700
	prog_as owner-no-x nobody:nogroup 0075
	prog_as group-x root:nogroup 0750
	prog_as group-x-only root:root 0010
	agree "$TMP/root-only" nobody drops
	agree "$TMP/owner-no-x" nobody drops
	agree "$TMP/group-x" nobody runs
	agree "$TMP/group-x-only" root runs
	agree "$TMP/missing" nobody drops
}

@test "script-check: directories are searched with script_user's group, and without root's other groups" {
	mkdir_as grp root:nogroup 0750
	prog_as grp/probe root:root 0755
	mkdir_as rootgrp root:root 0750
	prog_as rootgrp/probe root:root 0755
	agree "$TMP/grp/probe" nobody runs
	agree "$TMP/rootgrp/probe" nobody drops
	# run from a root shell that has group 0 besides, it still looks as
	# keepalived under systemd does, with no supplementary groups
	run setpriv --groups 0 "$CHECK" nobody "$TMP/rootgrp/probe"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"nobody cannot reach $TMP/rootgrp/probe: Permission denied" ]]
}

@test "script-check: a directory as the program: dropped as root's command, kept as nobody's check" {
	mkdir_as a-dir root:root 0755
	agree "$TMP/a-dir" root drops
	agree "$TMP/a-dir" nobody runs
}

@test "script-check: a directory a group may write is refused for root's commands only" {
	mkdir_as local root:4242 02775
	prog_as local/guard root:root 0755
	agree "$TMP/local/guard" root drops
	agree "$TMP/local/guard" nobody runs
	run "$CHECK" root:root "$TMP/local/guard"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "lvsdns-script-check: $TMP/local/guard: keepalived would not run it as root:root: group 4242 may write to $TMP/local, and keepalived runs nothing as root from a path others may change" ]
	[ "${lines[1]}" = "  hint: chmod g-w $TMP/local, or install into a directory only root may write (such as /usr/sbin)" ]
}

@test "script-check: world-writable directories, sticky or not; directories of other owners" {
	mkdir_as open root:root 0777
	prog_as open/guard root:root 0755
	mkdir_as sticky root:root 01777
	prog_as sticky/guard root:root 0755
	mkdir_as theirs nobody:root 0755
	prog_as theirs/guard root:root 0755
	agree "$TMP/open/guard" root drops
	agree "$TMP/sticky/guard" root runs
	agree "$TMP/theirs/guard" root drops
}

@test "script-check: links are followed, and the directories they lead to are checked" {
	mkdir_as usr root:root 0755
	prog_as usr/guard root:root 0755
	ln -s "$TMP/usr" "$TMP/sbin"
	mkdir_as shared root:4242 0775
	prog_as shared/guard root:root 0755
	ln -s "$TMP/shared/guard" "$TMP/usr/shared-guard"
	agree "$TMP/sbin/guard" root runs
	agree "$TMP/usr/shared-guard" root drops
}

@test "script-check: a versioned link (guard -> guard-1.2) is run by its name, so it must be root's too" {
	mkdir_as v root:root 0755
	prog_as v/guard-1.2 root:root 0755
	ln -s guard-1.2 "$TMP/v/guard"
	agree "$TMP/v/guard" root runs
	chown -h nobody "$TMP/v/guard"
	agree "$TMP/v/guard" root drops
	agree "$TMP/v/guard" nobody runs
	ln -s "$TMP/v/guard-1.2" "$TMP/other-guard"
	chown -h nobody "$TMP/other-guard"
	agree "$TMP/other-guard" root runs
}

@test "script-check: a set-uid or set-gid root program is checked as root's, whoever runs it" {
	mkdir_as local root:4242 0775
	prog_as local/suid root:root 04755
	prog_as local/sgid root:root 02755
	prog_as local/sgid-no-x root:root 02745
	agree "$TMP/local/suid" nobody drops
	agree "$TMP/local/sgid" nobody drops
	agree "$TMP/local/sgid-no-x" nobody runs
}

@test "script-check: every path is checked and each refusal named; usage and unknown users exit 2" {
	mkdir_as sbin root:root 0755
	prog_as sbin/ok root:root 0755
	prog_as sbin/no-x root:root 0644
	run "$CHECK" root:root "$TMP/sbin/no-x" "$TMP/sbin/ok" relative/path
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "lvsdns-script-check: $TMP/sbin/no-x: keepalived would not run it as root:root: root:root may not execute $TMP/sbin/no-x (mode 0644; keepalived judges by the mode bits alone)" ]
	[ "${lines[1]}" = "  hint: chmod 0755 $TMP/sbin/no-x" ]
	[ "${lines[2]}" = "lvsdns-script-check: relative/path: keepalived would not run it as root:root: not an absolute path" ]
	[ "${#lines[@]}" -eq 4 ]
	run "$CHECK" no-such-user-here "$TMP/sbin/ok"
	[ "$status" -eq 2 ]
	[ "$output" = "lvsdns-script-check: no user 'no-such-user-here'" ]
	run "$CHECK" nobody:no-such-group "$TMP/sbin/ok"
	[ "$status" -eq 2 ]
	run "$CHECK" nobody
	[ "$status" -eq 2 ]
	[[ "$output" == usage:* ]]
	run "$CHECK" --help
	[ "$status" -eq 0 ]
	# not root: it cannot look as another user, which is no verdict
	run setpriv --reuid nobody --regid nogroup --clear-groups "$CHECK" root "$TMP/sbin/ok"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *": cannot take on the ids of root to look: Operation not permitted" ]]
}
