#!/usr/bin/env bats
# cluster-gen render: determinism, atomic output, errors, keepalived -t, the
# rendered units and probes; usage, --help, man pages, make install.

load cluster-gen-lib.bash

# Stops background process $1 (a child of this test) with SIGTERM and reaps
# it; fails when it has not ended 5 s later (it is then killed).
stop_pid() {
  local i
  kill -TERM "$1" 2>/dev/null || true
  for i in $(seq 50); do
    kill -0 "$1" 2>/dev/null || { wait "$1" || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" || true
  echo "process $1 did not end within 5 s of SIGTERM" >&2
  return 1
}

# keepalived's config test: valid only with exit 0 and empty stderr. It runs in
# its own PID namespace (2.2.7 kills itself in test mode otherwise).
keepalived_ok() {
  local err
  command -v keepalived >/dev/null || { echo "keepalived is not installed" >&2; return 1; }
  err=$(unshare --pid --fork keepalived -t -f "$1" 2>&1 >/dev/null) || { echo "$1: $err" >&2; return 1; }
  [ -z "$err" ] || { echo "$1: $err" >&2; return 1; }
}

@test "render writes a keepalived.conf for every balancer of the example" {
  run "$GEN" render site.conf.example -o "$TMP/out"
  [ "$status" -eq 0 ]
  [ -f "$TMP/out/balancers/ffm4/keepalived.conf" ]
  [ -f "$TMP/out/balancers/dus2/keepalived.conf" ]
}

@test "rendering twice gives byte-identical trees" {
  "$GEN" render site.conf.example -o "$TMP/a"
  "$GEN" render site.conf.example -o "$TMP/b"
  diff -r "$TMP/a" "$TMP/b"
}

@test "the output depends on the site file's content, not its name or place" {
  "$GEN" render site.conf.example -o "$TMP/a"
  mkdir "$TMP/elsewhere"
  cp site.conf.example "$TMP/elsewhere/ffm-dus.conf"
  "$GEN" render "$TMP/elsewhere/ffm-dus.conf" -o "$TMP/b"
  diff -r "$TMP/a" "$TMP/b"
  run "$GEN" diff "$TMP/elsewhere/ffm-dus.conf" "$TMP/a"
  [ "$status" -eq 0 ]
}

@test "render -j: any number of threads gives the same tree" {
  tests/gen-site 1000 > "$TMP/site.conf"
  "$GEN" render -j 1 "$TMP/site.conf" -o "$TMP/one"
  run "$GEN" render -j 7 --timings "$TMP/site.conf" -o "$TMP/seven"
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^cluster-gen:\ timings\ \(ms\):\ load\ [0-9.]+,\ render\ [0-9.]+,\ swap\ [0-9.]+,\ free\ [0-9.]+,\ total\ [0-9.]+\;\ 7\ jobs$ ]]
  [ "$(find "$TMP/seven" -type f | wc -l)" -eq 3662 ]
  diff -r "$TMP/one" "$TMP/seven"
}

@test "render -j: the error reported is the first host's, whatever the threads" {
  # two hosts in different shares fail, each in a template of its own (the
  # site is valid: check refuses what render would); the one earlier in the
  # site is named: host000300's named.conf (its rndc port), not
  # host000450's dnat.nft (stateless, behind a balancer with one VIP)
  tests/gen-site 1000 | sed -e '/realserver host000300 {/,/^  }/s/instance a {/instance a { control-port = 9530/' \
    -e '/^balancer lb010 {/,/^}/s/services = { svc010, svc011 }/services = { svc010 }/' \
    -e '/realserver host000450 {/a nat = "stateless"' > "$TMP/site.conf"
  "$GEN" check "$TMP/site.conf"
  # an error only where the section is rendered: a list interpolated as a
  # string (an unknown name would fail every host, in the sections left out too)
  mkdir "$TMP/tpl"
  sed 's/{{#control_port}}/&{{acl}}/' templates/named.conf.mustache > "$TMP/tpl/named.conf.mustache"
  sed '0,/{{#stateless}}/s//&{{families}}/' templates/dnat.nft.mustache > "$TMP/tpl/dnat.nft.mustache"
  grep -q '{{#control_port}}{{acl}}' "$TMP/tpl/named.conf.mustache"
  grep -q '{{#stateless}}{{families}}' "$TMP/tpl/dnat.nft.mustache"
  "$GEN" render site.conf.example -o "$TMP/out"
  cp -a "$TMP/out" "$TMP/before"
  for j in 1 2 4 7; do
    run "$GEN" render -j "$j" "$TMP/site.conf" -o "$TMP/out" --templates "$TMP/tpl"
    [ "$status" -eq 1 ]
    [[ "$output" == "cluster-gen: $TMP/tpl/named.conf.mustache:"*": 'acl' is a list, not a string"* ]]
    echo "$output" > "$TMP/err.$j"
  done
  for j in 2 4 7; do diff "$TMP/err.1" "$TMP/err.$j"; done
  diff -r "$TMP/before" "$TMP/out"
  [ -z "$(find "$TMP" -maxdepth 1 -name 'out.tmp-*')" ]
}

@test "render -j: a bad number is a usage error" {
  for bad in 0 -1 x 1x 257 ""; do
    run "$GEN" render -j "$bad" site.conf.example -o "$TMP/out"
    [ "$status" -eq 2 ]
    [[ "$output" == *"give a number from 1 to 256"* ]]
  done
  [ ! -e "$TMP/out" ]
}

@test "input order does not change the output" {
  # the same site with its sections reversed
  awk 'BEGIN{RS="\n\n"; ORS="\n\n"} {b[NR]=$0} END{for(i=NR;i>0;i--) print b[i]}' \
    site.conf.example > "$TMP/reversed.conf"
  cp site.conf.example "$TMP/site.conf"
  "$GEN" render "$TMP/site.conf" -o "$TMP/a"
  sed -i 's/reversed.conf/site.conf/' "$TMP/reversed.conf"
  "$GEN" render "$TMP/reversed.conf" -o "$TMP/b"
  for f in $(cd "$TMP/a" && find . -type f); do
    sed 's/reversed\.conf/site.conf/' "$TMP/b/$f" | diff "$TMP/a/$f" -
  done
}

@test "every rendered keepalived.conf passes keepalived -t" {
  for dir in tests/golden/*/; do
    "$GEN" render "$dir/site.conf" -o "$TMP/$(basename "$dir")"
  done
  "$GEN" render site.conf.example -o "$TMP/example-live"
  n=0
  for f in "$TMP"/*/balancers/*/keepalived.conf; do
    keepalived_ok "$f"
    n=$((n + 1))
  done
  [ "$n" -ge 5 ]
}

@test "the keepalived check itself rejects a broken file" {
  "$GEN" render site.conf.example -o "$TMP/out"
  sed 's/lvs_sched wrr/lvs_schedule wrr/' "$TMP/out/balancers/ffm4/keepalived.conf" > "$TMP/broken.conf"
  ! keepalived_ok "$TMP/broken.conf" 2>/dev/null
}

@test "golden renders match tests/golden/*/expected" {
  run tools/golden check "$GEN"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the old article's virtual server and real servers are reproduced" {
  "$GEN" render tests/golden/old-article/site.conf -o "$TMP/out"
  f="$TMP/out/balancers/lvs1/keepalived.conf"
  grep -q '^virtual_server 194.97.173.124 53 {$' "$f"
  grep -q '^    delay_loop 10$' "$f"
  grep -q '^    lvs_sched wrr$' "$f"
  grep -q '^    lvs_method DR$' "$f"
  [ "$(grep -c '^    real_server 10.1.53.2 53 {$' "$f")" -eq 2 ]
  [ "$(grep -c '^    real_server 10.3.53.2 53 {$' "$f")" -eq 2 ]
  [ "$(grep -c '^        weight 1$' "$f")" -eq 4 ]
  grep -q 'misc_path "/usr/local/sbin/dnsprobe -b 10.1.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 5 -f SERVFAIL resolve.test.roka.net 10.1.53.2"' "$f"
  grep -q 'misc_path "/usr/local/sbin/dnsprobe -b 10.3.53.1 -p 53 -c IN -t A -T udp -w 1000 -r 5 -f SERVFAIL resolve.test.roka.net 10.3.53.2"' "$f"
  grep -q 'misc_path "/usr/local/sbin/dnsprobe -b 10.3.53.1 -p 53 -c IN -t A -T tcp -w 1000 -r 5 -f SERVFAIL resolve.test.roka.net 10.3.53.2"' "$f"
  # what keepalived 2.x needs that the old config lacked
  grep -q '^    enable_script_security$' "$f"
  grep -q '^    script_user nobody$' "$f"
  ! grep -q '>' "$f"
}

@test "a bad site file leaves the output directory as it was" {
  "$GEN" render site.conf.example -o "$TMP/out"
  (cd "$TMP/out" && find . -type f -exec sha256sum {} + | sort) > "$TMP/before"
  run "$GEN" render tests/bad/many-problems.conf -o "$TMP/out"
  [ "$status" -eq 2 ]
  [[ "$output" == *"many-problems.conf:2: site bad-example: asn 0 is out of range"* ]]
  [[ "$output" == *"nothing written"* ]]
  (cd "$TMP/out" && find . -type f -exec sha256sum {} + | sort) | diff "$TMP/before" -
  [ -z "$(ls -d "$TMP"/out.tmp-* 2>/dev/null)" ]
}

@test "render replaces a previous render whole" {
  "$GEN" render site.conf.example -o "$TMP/out"
  touch "$TMP/out/balancers/stale-file"
  "$GEN" render site.conf.example -o "$TMP/out"
  [ ! -e "$TMP/out/balancers/stale-file" ]
  [ -f "$TMP/out/balancers/ffm4/keepalived.conf" ]
}

@test "replacing a tree never follows a symbolic link planted in it" {
  mkdir "$TMP/outside" "$TMP/outside/sub"
  echo keep > "$TMP/outside/file"
  echo keep > "$TMP/outside/sub/file"
  "$GEN" render site.conf.example -o "$TMP/out"
  # one link at each level the threaded removal lists
  ln -s "$TMP/outside" "$TMP/out/top-link"
  ln -s "$TMP/outside" "$TMP/out/balancers/second-link"
  ln -s "$TMP/outside" "$TMP/out/balancers/ffm4/third-link"
  for j in 1 4; do
    "$GEN" render -j "$j" site.conf.example -o "$TMP/out"
    [ ! -e "$TMP/out/top-link" ]
    [ ! -L "$TMP/out/balancers/second-link" ]
    ln -s "$TMP/outside" "$TMP/out/top-link"
    ln -s "$TMP/outside" "$TMP/out/balancers/second-link"
  done
  [ "$(cat "$TMP/outside/file" "$TMP/outside/sub/file")" = "keep
keep" ]
}

@test "render refuses to replace a directory it did not write" {
  mkdir "$TMP/precious"; echo keep > "$TMP/precious/data"
  run "$GEN" render site.conf.example -o "$TMP/precious"
  [ "$status" -eq 1 ]
  [[ "$output" == *"was not written by cluster-gen"* ]]
  [ "$(cat "$TMP/precious/data")" = keep ]
}

@test "dynamic-weight: misc_dynamic for the weighted instances; one drained with weight 0 keeps its 0" {
  sed -e 's/^\tprobe = "\/usr\/local\/sbin\/dnsprobe"$/&\n\tdynamic-weight = "20,100"/' \
      -e 's/address = 10.3.53.2  weight = 1 }/address = 10.3.53.2  weight = 0 }/' \
      tests/golden/old-article/site.conf > "$TMP/dyn.conf"
  grep -q 'dynamic-weight' "$TMP/dyn.conf"
  grep -q 'weight = 0 }' "$TMP/dyn.conf"
  "$GEN" render "$TMP/dyn.conf" -o "$TMP/out"
  k=$TMP/out/balancers/lvs1/keepalived.conf
  keepalived_ok "$k"
  # each real server block, as one line: address, then what its check says
  blocks=$(awk '/real_server /{ if (b) print b; b=$2 } /misc_dynamic/{ b=b" dynamic" } /--dynamic-weight/{ b=b" thresholds" } END { print b }' "$k")
  echo "$blocks"
  [ "$(grep -c '^10.1.53.2 thresholds dynamic$' <<<"$blocks")" -eq 2 ]
  [ "$(grep -c '^10.3.53.2$' <<<"$blocks")" -eq 2 ]
}

@test "output that cannot be written (a full disk) fails the command, with the reason" {
  [ -w /dev/full ] || { echo "no /dev/full here" >&2; return 1; }
  for cmd in "list site.conf.example" "list site.conf.example --json" "graph site.conf.example" \
             "get --all site.conf.example" "check site.conf.example"; do
    run bash -c "\"\$0\" $cmd >/dev/full" "$GEN"
    echo "$cmd: $status $output"
    [ "$status" -eq 1 ]
    [ "$output" = "cluster-gen: writing the output: No space left on device" ]
  done
}

@test "render: a previous tree that cannot be removed after the swap is a warning; the new tree is in place" {
  [ "$(id -u)" -eq 0 ] || { echo "needs root (renders as nobody)" >&2; return 1; }
  as_nobody() { setpriv --reuid nobody --regid nogroup --clear-groups "$@"; }
  chmod 0755 "$TMP"
  mkdir "$TMP/p"
  chown nobody "$TMP/p"
  cp site.conf.example "$TMP/site.conf"
  chmod 0644 "$TMP/site.conf"
  as_nobody "$GEN" render "$TMP/site.conf" -o "$TMP/p/out"
  # something in the old tree nobody may not remove
  mkdir "$TMP/p/out/stuck"
  touch "$TMP/p/out/stuck/file"
  sed -i 's/weight = 1 }/weight = 2 }/' "$TMP/site.conf"
  run as_nobody "$GEN" render "$TMP/site.conf" -o "$TMP/p/out"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == "cluster-gen: warning: $TMP/p/out rendered, but the previous tree, swapped out to $TMP/p/out.tmp-"*", could not be removed whole; remove it by hand" ]]
  [ ! -e "$TMP/p/out/stuck" ]
  grep -q 'weight 2' "$TMP/p/out/balancers/ffm4/keepalived.conf"
  as_nobody "$GEN" diff "$TMP/site.conf" "$TMP/p/out"
}

@test "usage errors exit 2" {
  run "$GEN"
  [ "$status" -eq 2 ]
  run "$GEN" render site.conf.example
  [ "$status" -eq 2 ]
  run "$GEN" frobnicate
  [ "$status" -eq 2 ]
  run "$GEN" render --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--templates"* ]]
}

@test "every command has --help (exit 0) and a section in cluster-gen(1)" {
	cmds=$("$GEN" --help | awk '$1 == "cluster-gen" && $2 != "COMMAND" {print $2}')
	[ "$(echo "$cmds" | wc -l)" -eq 7 ]
	for c in $cmds; do
		run "$GEN" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: cluster-gen $c "* ]]
		grep -q "^\\\\fB$c\\\\fR" docs/cluster-gen.1 || { echo "cluster-gen.1 has no section for $c" >&2; return 1; }
	done
	for o in --with-tools --stat --json --all --tar --probe --dnsprobe; do
		grep -qF -- "\\fB$(echo "$o" | sed 's/-/\\-/g')\\fR" docs/cluster-gen.1 || { echo "cluster-gen.1 does not describe $o" >&2; return 1; }
	done
}

@test "site.conf(5) documents every schema option with its default" {
  run tools/check-schema-doc
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the man pages format without warnings" {
  for page in docs/*.[1-8]; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$out" ] || { echo "$page: $out"; false; }
  done
}

@test "make install honours PREFIX and DESTDIR, and removes templates of earlier releases" {
  mkdir -p "$TMP/root/opt/lvsdns/share/lvsdns/templates"
  echo old >"$TMP/root/opt/lvsdns/share/lvsdns/templates/keepalived-probe-dropin.mustache"
  echo mine >"$TMP/root/opt/lvsdns/share/lvsdns/templates/NOTES"
  ln -s "$TMP/nothing" "$TMP/root/opt/lvsdns/share/lvsdns/templates/old-link.mustache"
  make -s install DESTDIR="$TMP/root" PREFIX=/opt/lvsdns >/dev/null
  [ ! -e "$TMP/root/opt/lvsdns/share/lvsdns/templates/keepalived-probe-dropin.mustache" ]
  [ ! -L "$TMP/root/opt/lvsdns/share/lvsdns/templates/old-link.mustache" ]
  [ -f "$TMP/root/opt/lvsdns/share/lvsdns/templates/NOTES" ]
  [ -x "$TMP/root/opt/lvsdns/sbin/lvsdns-script-check" ]
  [ -f "$TMP/root/opt/lvsdns/share/man/man8/lvsdns-script-check.8" ]
  # the installed templates as an override directory: every one is a built-in
  "$TMP/root/opt/lvsdns/sbin/cluster-gen" render site.conf.example -o "$TMP/out" \
    --templates "$TMP/root/opt/lvsdns/share/lvsdns/templates"
  [ -x "$TMP/root/opt/lvsdns/sbin/cluster-gen" ]
  [ -f "$TMP/root/opt/lvsdns/share/man/man5/site.conf.5" ]
  [ -f "$TMP/root/opt/lvsdns/share/lvsdns/templates/keepalived.conf.mustache" ]
  [ -f "$TMP/root/opt/lvsdns/share/lvsdns/site.conf.example" ]
  "$TMP/root/opt/lvsdns/sbin/cluster-gen" check site.conf.example
}

@test "every rendered MISC_CHECK command is one dnsprobe accepts" {
  probe=build/san/dnsprobe
  [ -x "$probe" ]
  n=0
  for dir in tests/golden/*/; do
    "$GEN" render "$dir/site.conf" -o "$TMP/$(basename "$dir")"
  done
  # keepalived splits misc_path on spaces; so do we. Aim the probe at a
  # closed loopback port so it answers "down" without leaving the machine.
  while IFS= read -r cmd; do
    set -- $cmd
    shift
    args=() prev=
    for a in "$@"; do
      if [ "$prev" = -b ]; then a=127.0.0.1; fi
      if [ "$prev" = -p ]; then a=9; fi
      args+=("$a"); prev=$a
    done
    args[${#args[@]}-1]=127.0.0.1
    run "$probe" -v -p 9 -w 100 "${args[@]}"
    [ "$status" -eq 1 ] || { echo "$cmd -> $status: $output"; false; }
    [[ "$output" == *"network error"* ]] || { echo "$cmd: $output"; false; }
    n=$((n + 1))
  done < <(grep -h 'misc_path' "$TMP"/*/balancers/*/keepalived.conf | sed 's/.*misc_path "\(.*\)"/\1/' | sort -u)
  [ "$n" -ge 4 ]
}

@test "the rendered watch targets file is one dnsprobe --watch runs" {
  probe=build/san/dnsprobe
  "$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
  # same targets, aimed at a closed loopback port, state files under $TMP
  awk -v dir="$TMP" '/^#/ { print; next } { $2 = "127.0.0.1"; $3 = "127.0.0.1"; $4 = 9;
       n = split($13, p, "/"); $13 = dir "/" p[n]; print }' \
    "$TMP/out/balancers/lvs1/dnsprobe.targets" > "$TMP/targets"
  "$probe" --watch "$TMP/targets" 2>"$TMP/watch.log" &
  WATCH_PID=$!
  for _ in $(seq 50); do
    [ -f "$TMP/kai+a+udp-53.state" ] && [ -f "$TMP/kai+b+tcp-53.state" ] && break
    sleep 0.1
  done
  stop_pid "$WATCH_PID"
  WATCH_PID=
  cat "$TMP/watch.log"
  [ "$(cat "$TMP/kai+a+udp-53.state")" = 1 ]
  [ "$(cat "$TMP/kai+b+tcp-53.state")" = 1 ]
}

# keepalived runs on without a program it will not run; the drop-in stops
# its start and its reload instead (tests/cli/script-check.bats shows the
# rules, tests/e2e/systemd-boot-lb.bats the drop-in under a real systemd).
@test "keepalived's preflight drop-in runs keepalived's config test and checks the guard (and in probe mode dnsprobe) before a start and a reload; systemd accepts it" {
  "$GEN" render site.conf.example -o "$TMP/out"
  "$GEN" render tests/golden/watch/site.conf -o "$TMP/watch"
  f="$TMP/out/balancers/ffm4/keepalived.service.d/lvsdns-preflight.conf"
  sed -n '/^\[Service\]$/,$p' "$f" >"$TMP/service"
  cat >"$TMP/want" <<'WANT'
[Service]
ExecStartPre=/usr/bin/unshare --pid --fork /usr/sbin/keepalived --config-test $DAEMON_ARGS
ExecStartPre=/usr/local/sbin/lvsdns-script-check root:root /usr/local/sbin/lvsdns-vip-guard
ExecStartPre=/usr/local/sbin/lvsdns-vip-guard check
ExecStartPre=/usr/local/sbin/lvsdns-script-check nobody /usr/local/sbin/dnsprobe
ExecStartPre=/usr/local/sbin/dnsprobe --version
ExecReload=
ExecReload=/usr/bin/unshare --pid --fork /usr/sbin/keepalived --config-test $DAEMON_ARGS
ExecReload=/usr/local/sbin/lvsdns-script-check root:root /usr/local/sbin/lvsdns-vip-guard
ExecReload=/usr/local/sbin/lvsdns-vip-guard check
ExecReload=/usr/local/sbin/lvsdns-script-check nobody /usr/local/sbin/dnsprobe
ExecReload=/usr/local/sbin/dnsprobe --version
ExecReload=/bin/kill -HUP $MAINPID
WANT
  diff -u "$TMP/want" "$TMP/service"
  w="$TMP/watch/balancers/lvs1/keepalived.service.d/lvsdns-preflight.conf"
  grep -qx 'ExecStartPre=/usr/local/sbin/lvsdns-script-check root:root /usr/local/sbin/lvsdns-vip-guard' "$w"
  run grep -c dnsprobe "$w"
  [ "$output" = 0 ]
  # watch mode: keepalived drops a track_file whose directory is gone at a
  # reload too, so the reload makes it; Debian's kill -HUP stays the last line
  [ "$(grep '^ExecReload=' "$w" | tail -2 | head -1)" = 'ExecReload=/usr/bin/install -d -m 0755 /run/lvsdns' ]
  [ "$(grep '^ExecReload=' "$w" | tail -1)" = 'ExecReload=/bin/kill -HUP $MAINPID' ]
  # diff says to install the programs it runs before it
  rm "$f"
  run "$GEN" diff --stat site.conf.example "$TMP/out"
  [ "$status" -eq 1 ]
  echo "$output" | grep -F 'added    balancers/ffm4/keepalived.service.d/lvsdns-preflight.conf' |
    grep -F 'on balancer ffm4: install the programs its lines run first (make install; keepalived neither starts nor reloads without them), then install as /etc/systemd/system/keepalived.service.d/lvsdns-preflight.conf and systemctl daemon-reload'
  "$GEN" render site.conf.example -o "$TMP/out"
  # Debian's keepalived.service as the unit it extends, and this build's programs
  mkdir -p "$TMP/units/keepalived.service.d"
  printf '[Service]\nType=notify\nExecStart=/usr/sbin/keepalived --dont-fork\nExecReload=/bin/kill -HUP $MAINPID\n' \
    >"$TMP/units/keepalived.service"
  sed -e "s|/usr/local/sbin/|$PWD/build/san/|g" "$f" >"$TMP/units/keepalived.service.d/lvsdns-preflight.conf"
  out=$(SYSTEMD_UNIT_PATH="$TMP/units:" systemd-analyze verify "$TMP/units/keepalived.service" 2>&1)
  [ -z "$out" ] || { echo "$out"; return 1; }
}

@test "watch mode's unit makes the state directory and runs dnsprobe --watch; systemd accepts it" {
  "$GEN" render tests/golden/watch/site.conf -o "$TMP/out"
  u="$TMP/out/balancers/lvs1/lvsdns-watch.service"
  grep -qx 'ExecStartPre=+/usr/bin/install -d -o root -g root -m 0755 /run/lvsdns' "$u"
  grep -qx 'ReadWritePaths=-/run/lvsdns' "$u"
  grep -qx 'ExecStart=/usr/local/sbin/dnsprobe -c IN -f SERVFAIL --watch /etc/lvsdns/dnsprobe.targets --syslog' "$u"
  grep -qx 'Before=keepalived.service' "$u"
  if command -v systemd-analyze >/dev/null; then
    # verify wants the programs and man pages installed: ours are not, here
    mkdir "$TMP/unit"
    sed -e "s|/usr/local/sbin/dnsprobe|$PWD/build/san/dnsprobe|" -e '/^Documentation=/d' "$u" \
      > "$TMP/unit/lvsdns-watch.service"
    systemd-analyze verify "$TMP/unit/lvsdns-watch.service"
  fi
  # and the other checkers render no such unit
  "$GEN" render tests/golden/old-article/site.conf -o "$TMP/probe"
  [ ! -e "$TMP/probe/balancers/lvs1/lvsdns-watch.service" ]
}

@test "each virtual server is checked on its own protocol and port (probe and watch)" {
  ports='s|ports = { "udp/53", "tcp/53" }|ports = { "udp/5353", "tcp/5300" }|'
  sed "$ports" tests/golden/old-article/site.conf > "$TMP/probe.conf"
  sed "$ports" tests/golden/watch/site.conf > "$TMP/watch.conf"
  "$GEN" render "$TMP/probe.conf" -o "$TMP/probe"
  "$GEN" render "$TMP/watch.conf" -o "$TMP/watch"
  f="$TMP/probe/balancers/lvs1/keepalived.conf"
  # the command under each virtual server: udp 5353, then tcp 5300
  awk '/^virtual_server/ { vs = $3 } /misc_path/ { print vs, $3, $4, $5, $6, $11, $12 }' "$f" | sort -u > "$TMP/cmds"
  cat "$TMP/cmds"
  [ "$(cat "$TMP/cmds")" = "$(printf '%s\n' '5300 -b 10.1.53.1 -p 5300 -T tcp' '5300 -b 10.3.53.1 -p 5300 -T tcp' \
    '5353 -b 10.1.53.1 -p 5353 -T udp' '5353 -b 10.3.53.1 -p 5353 -T udp')" ]
  t="$TMP/watch/balancers/lvs1/dnsprobe.targets"
  grep -x 'kai+a+udp-5353 10.1.53.1 10.1.53.2 5353 resolve.test.roka.net A udp .* /run/lvsdns/kai+a+udp-5353.state' "$t"
  grep -x 'kai+a+tcp-5300 10.1.53.1 10.1.53.2 5300 resolve.test.roka.net A tcp .* /run/lvsdns/kai+a+tcp-5300.state' "$t"
  [ "$(grep -vc '^#' "$t")" -eq 4 ]
  awk '/^virtual_server/ { vs = $3 } /track_file lvsdns-/ && !/{/ { print vs, $2 }' \
    "$TMP/watch/balancers/lvs1/keepalived.conf" | sort > "$TMP/files"
  cat "$TMP/files"
  [ "$(cat "$TMP/files")" = "$(printf '%s\n' '5300 lvsdns-kai+a+tcp-5300' '5300 lvsdns-kai+b+tcp-5300' \
    '5353 lvsdns-kai+a+udp-5353' '5353 lvsdns-kai+b+udp-5353')" ]
  # keepalived's DNS_CHECK: the virtual server's port, said outright
  sed "$ports" tests/golden/keepalived-dns/site.conf > "$TMP/dns.conf"
  "$GEN" render "$TMP/dns.conf" -o "$TMP/dns"
  awk '/^virtual_server/ { vs = $3 } /connect_port/ { print vs, $2 }' \
    "$TMP/dns/balancers/lvs1/keepalived.conf" | sort -u > "$TMP/dnsports"
  [ "$(cat "$TMP/dnsports")" = "$(printf '%s\n' '5300 5300' '5353 5353')" ]
}
