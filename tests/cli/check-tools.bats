#!/usr/bin/env bats
# cluster-gen check, and check --with-tools running the real checkers: as root,
# and as an unprivileged user with and without user namespaces.

load workflow-lib.bash

@test "check: a valid site exits 0, a bad one 2, usage 2" {
	run "$GEN" check "$TMP/site.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"site resolvers-example is valid (3 services, 2 balancers, 2 real servers)"* ]]
	sed -i 's/asn = 64512/asn = "x"/' "$TMP/site.conf"
	run "$GEN" check "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" check
	[ "$status" -eq 2 ]
	run "$GEN" check --bogus "$TMP/site.conf"
	[ "$status" -eq 2 ]
	run "$GEN" check --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--with-tools"* ]]
}

@test "check --with-tools: every real checker runs on the example and accepts it; temp dir removed" {
	mkdir "$TMP/tmpdir"
	TMPDIR="$TMP/tmpdir" run "$GEN" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	for f in balancers/ffm4/keepalived.conf balancers/dus2/keepalived.conf; do
		echo "$output" | grep -E "^  pass +$f +keepalived -t$"
	done
	for f in balancers/ffm4/frr.conf balancers/dus2/frr.conf; do
		echo "$output" | grep -E "^  pass +$f +vtysh -C$"
		echo "$output" | grep -E "^  pass +$f +bgpd -C$"
	done
	for f in kai/named-a kai/named-b kai/named-c lou/named-a lou/named-b; do
		echo "$output" | grep -E "^  pass +realservers/$f\.conf +named-checkconf$"
	done
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat6\.rules +ip6tables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/lou/dnat\.nft +nft -c$'
	echo "$output" | grep -E '^  pass +realservers/lou/policy-routing\.sh +sh -n$'
	echo "$output" | grep -E '^  pass +bind-build/build\.env +sh -n$'
	for h in kai lou; do
		echo "$output" | grep -E "^  pass +realservers/$h/named@\.service +systemd-analyze verify$"
	done
	for b in ffm4 dus2; do
		echo "$output" | grep -E "^  pass +balancers/$b/vips +lvsdns-vip-guard check$"
		echo "$output" | grep -E "^  pass +balancers/$b/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$"
		echo "$output" | grep -E "^  pass +balancers/$b/interfaces\.d/lvsdns0 +ifup --no-act$"
	done
	echo "$output" | grep -x 'missing checkers (not installed): none'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; 0 not run'
	printf '%s\n' "$output" | refute_grep '^  (FAIL|missing) '
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}

@test "check --with-tools: a script-user the checking machine lacks is the balancer's: keepalived -t checks a copy as nobody, and says so" {
	! getent passwd lvsdns-nouser-test
	sed 's/script-user = "nobody"/script-user = "lvsdns-nouser-test"/' "$TMP/site.conf" >"$TMP/su.conf"
	grep -q 'script-user = "lvsdns-nouser-test"' "$TMP/su.conf"
	run "$GEN" check --with-tools "$TMP/su.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	for b in ffm4 dus2; do
		echo "$output" | grep -A1 -E "^  pass +balancers/$b/keepalived.conf +keepalived -t$" |
			grep -Fx '          | script_user lvsdns-nouser-test does not exist here: checked with script_user nobody (the balancer must have lvsdns-nouser-test)'
	done
	# the copy is still keepalived's test of the rest of the file
	mkdir "$TMP/tpl"
	sed 's/^\(\s*\)lvs_sched /\1lvs_schedd /' templates/keepalived.conf.mustache >"$TMP/tpl/keepalived.conf.mustache"
	grep -q lvs_schedd "$TMP/tpl/keepalived.conf.mustache"
	run "$GEN" check --with-tools "$TMP/su.conf" --templates "$TMP/tpl"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E "^  FAIL +balancers/ffm4/keepalived.conf +keepalived -t$"
	echo "$output" | grep -q "lvs_schedd"
}

@test "check --with-tools: every golden site (watch, keepalived-dns, the old article) passes" {
	n=0
	for d in tests/golden/*/; do
		run "$GEN" check --with-tools "$d/site.conf"
		echo "$d: ${lines[${#lines[@]}-1]}"
		[ "$status" -eq 0 ]
		echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; 0 not run'
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "check --with-tools: dnsprobe --check parses a watch site's targets file, and rejects a broken one" {
	run "$GEN" check --with-tools tests/golden/watch/site.conf
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  pass +balancers/lvs1/dnsprobe\.targets +dnsprobe --check$'
	mkdir "$TMP/tpl"
	sed 's/ {{state_file}}$//' templates/dnsprobe.targets.mustache >"$TMP/tpl/dnsprobe.targets.mustache"
	run "$GEN" check --with-tools --templates "$TMP/tpl" tests/golden/watch/site.conf
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +balancers/lvs1/dnsprobe\.targets +dnsprobe --check$'
	echo "$output" | grep -q 'dnsprobe.targets:4: 12 fields, expected 13'
}

@test "check --with-tools: files the real checkers reject make it exit 1 and say why" {
	mkdir "$TMP/tpl"
	sed 's/lvs_sched {{scheduler}}/lvs_schedule {{scheduler}}/' templates/keepalived.conf.mustache > "$TMP/tpl/keepalived.conf.mustache"
	sed 's/recursion yes;/recursio yes;/' templates/named.conf.mustache > "$TMP/tpl/named.conf.mustache"
	sed 's/ timers bgp {{keepalive}} {{holdtime}}/ timers bgp {{keepalive}} {{holdtime}} x/' templates/frr.conf.mustache > "$TMP/tpl/frr.conf.mustache"
	sed '0,/table inet {{table}} {/s//table inet {{table}} { bogus/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
	# verify exits 0 for an unknown key, but says so: that fails the unit
	sed 's/^Restart=on-failure$/Restart=on-failure\nRestartEvery=5/' 'templates/named@.service.mustache' > "$TMP/tpl/named@.service.mustache"
	sed '0,/^{{#vips}}/s//bogus line\n{{#vips}}/' templates/vips.mustache > "$TMP/tpl/vips.mustache"
	sed 's/^\[Service\]$/[Service]\nExecStopPst=\/bin\/true/' templates/vip-interface.keepalived-dropin.mustache > "$TMP/tpl/vip-interface.keepalived-dropin.mustache"
	sed 's/^iface {{interface}} inet manual$/iface {{interface}} inet manul/' templates/vip-interface.ifupdown.mustache > "$TMP/tpl/vip-interface.ifupdown.mustache"
	run "$GEN" check --with-tools --templates "$TMP/tpl" "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +realservers/kai/named@\.service +systemd-analyze verify$'
	echo "$output" | grep -q "Unknown key 'RestartEvery'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/vips +lvsdns-vip-guard check$'
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$'
	echo "$output" | grep -q "Unknown key 'ExecStopPst'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/interfaces\.d/lvsdns0 +ifup --no-act$'
	echo "$output" | grep -q 'unknown or no method'

	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -q "unknown option 'recursio'"
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +vtysh -C$'
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/dnat\.nft +nft -c$'
	# what was not broken still passes
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 21 failed;'
}

@test "check --with-tools: checkers that are not installed are reported, not failed" {
	mkdir "$TMP/bin"
	for t in named-checkconf sh; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
	PATH="$TMP/bin" run "$GEN" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'missing checkers (not installed): env ifup ip6tables-restore iptables-restore keepalived lvsdns-vip-guard nft systemd-analyze unshare vtysh'
	echo "$output" | grep -E '^  missing +balancers/ffm4/keepalived\.conf +keepalived -t \(not installed: unshare, keepalived\)$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +bgpd -C$'
	echo "$output" | grep -E '^[0-9]+ checks run: [0-9]+ passed, 0 failed; [1-9][0-9]* not run \(checker missing\)$'
}

@test "check --with-tools --require-all: a missing checker fails the check, after the same report" {
	mkdir "$TMP/bin"
	for t in named-checkconf sh; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
	PATH="$TMP/bin" run "$GEN" check --with-tools --require-all "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  missing +balancers/ffm4/keepalived\.conf +keepalived -t \(not installed: unshare, keepalived\)$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	total=$(echo "$output" | sed -n 's/^[0-9]* checks run: [0-9]* passed, 0 failed; \([0-9]*\) not run (checker missing)$/\1/p')
	[ -n "$total" ] && [ "$total" -gt 0 ]
	[ "${lines[-1]}" = "--require-all: $total checks did not run, so the render is not proven" ]
	# where every checker is installed it changes nothing
	run "$GEN" check --with-tools --require-all "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | refute_grep 'require-all|^  (missing|skipped) '
}

@test "check --require-all without --with-tools is a usage error" {
	run "$GEN" check --require-all "$TMP/site.conf"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "cluster-gen check: --require-all needs --with-tools" ]
}

@test "check --with-tools as an unprivileged user: namespaces of its own, bgpd -C skipped, rejections still found" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root to become nobody (setpriv)" >&2; return 1; }
	chmod 755 "$TMP"; chmod 644 "$TMP/site.conf"
	mkdir -m 1777 "$TMP/tmpdir" "$TMP/tpl"
	sed 's/lvs_sched {{scheduler}}/lvs_schedule {{scheduler}}/' templates/keepalived.conf.mustache > "$TMP/tpl/keepalived.conf.mustache"
	sed '0,/table inet {{table}} {/s//table inet {{table}} { bogus/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
	chmod -R a+rX "$TMP/tpl"
	# a copy nobody can run wherever the checkout lives (/root is 0700)
	cp "$GEN" "$TMP/cluster-gen"
	chmod 755 "$TMP/cluster-gen"
	nobody() { (cd "$TMP" && TMPDIR="$TMP/tmpdir" setpriv --reuid 65534 --regid 65534 --clear-groups "$@"); }
	# The real checkers run in namespaces nobody makes for itself; where user
	# namespaces do not work, cluster-gen would skip them and this test would
	# assert nothing of them: fail instead.
	err=$(nobody unshare --map-root-user --net true 2>&1) || {
		echo "user namespaces do not work for an unprivileged user here ($err);" \
			"enable them (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)" >&2
		return 1
	}
	run nobody "$TMP/cluster-gen" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  skipped +balancers/ffm4/frr\.conf +bgpd -C \(needs root\)$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +vtysh -C$'
	echo "$output" | grep -E '^  pass +realservers/kai/policy-routing\.sh +sh -n$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  pass +realservers/kai/named-a\.conf +named-checkconf$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.rules +iptables-restore --test$'
	echo "$output" | grep -E '^  pass +realservers/kai/dnat\.nft +nft -c$'
	echo "$output" | grep -E ', 2 skipped \(needs root\)$'
	# in CI a skipped check is a failure when asked
	run nobody "$TMP/cluster-gen" check --with-tools --require-all "$TMP/site.conf"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "--require-all: 2 checks did not run, so the render is not proven" ]
	run nobody "$TMP/cluster-gen" check --with-tools --templates "$TMP/tpl" "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -E '^  FAIL +balancers/ffm4/keepalived\.conf +keepalived -t$'
	echo "$output" | grep -E '^  FAIL +realservers/kai/dnat\.nft +nft -c$'
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}

# Runs "$@" in a user namespace of its own (uids and gids 0-65535 mapped to
# themselves) in which no further user namespace can be made, as on a host
# without unprivileged user namespaces; the host's own limit is not touched.
without_userns() {
	local pid i
	unshare --user sh -c '
		i=0
		while [ -z "$(cat /proc/self/uid_map)" ]; do
			i=$((i + 1))
			[ "$i" -le 100 ] || { echo "without_userns: no uid_map after 5 s" >&2; exit 97; }
			sleep 0.05
		done
		# a new process: this shell lost its capabilities when it ran unmapped
		sh -c "echo 0 > /proc/sys/user/max_user_namespaces" || exit 98
		exec "$@"' without_userns "$@" 3>&- &
	pid=$!
	for i in $(seq 100); do
		[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.05
	done
	if ! { echo '0 0 65536' >"/proc/$pid/gid_map" && echo '0 0 65536' >"/proc/$pid/uid_map"; }; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" || true
		echo "without_userns: cannot map the namespace's ids" >&2
		return 1
	fi
	wait "$pid"
}

@test "check --with-tools as an unprivileged user without user namespaces: those checkers are skipped, not failed" {
	[ "$(id -u)" -eq 0 ] || { echo "needs root to make the user namespace" >&2; return 1; }
	chmod 644 "$TMP/site.conf"
	mkdir -m 1777 "$TMP/tmpdir"
	cp "$GEN" "$TMP/cluster-gen"
	chmod 755 "$TMP/cluster-gen"
	# the limit really is 0 in there, for root and for nobody
	run without_userns sh -c 'cat /proc/sys/user/max_user_namespaces; unshare --user true'
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 0 ]
	run without_userns setpriv --reuid 65534 --regid 65534 --clear-groups \
		env --chdir="$TMP" TMPDIR="$TMP/tmpdir" "$TMP/cluster-gen" check --with-tools "$TMP/site.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^  skipped +realservers/kai/dnat\.nft +nft -c \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +balancers/ffm4/keepalived\.conf +keepalived -t \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +realservers/kai/named-a\.conf +named-checkconf \(needs root or user namespaces\)$'
	echo "$output" | grep -E '^  skipped +balancers/ffm4/frr\.conf +bgpd -C \(needs root\)$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/frr\.conf +vtysh -C$'
	printf '%s\n' "$output" | refute_grep '^  (FAIL|missing) '
	echo "$output" | grep -E '^  pass +realservers/kai/named@\.service +systemd-analyze verify$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/vips +lvsdns-vip-guard check$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.service\.d/lvsdns-vip-guard\.conf +systemd-analyze verify$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/interfaces\.d/lvsdns0 +ifup --no-act$'
	echo "$output" | grep -E '^  pass +balancers/ffm4/keepalived\.service\.d/lvsdns-preflight\.conf +systemd-analyze verify$'
	echo "$output" | grep -E '^15 checks run: 15 passed, 0 failed;'
	[ -z "$(ls -A "$TMP/tmpdir")" ]
}
