#!/usr/bin/env bats
# SLOW (1.5 to 4 minutes on 2 cores): builds Debian's BIND source with
# bind-build into a temporary DESTDIR, checks named -V shows the chosen
# configure flags, checks cluster-gen's build.env and named@.service for
# site.conf.example (its bind { prefix } set to the build's) agree with the
# build, down to the paths of named and named-checkconf, checks a
# configuration with the unit's named-checkconf, starts the built named with
# the rendered instance flags on 127.0.0.1 and a high port, asks it a
# question with dig, and stops it by PID. Then runs the build as the units
# run it on a real server: under a real systemd as PID 1 (a systemd-nspawn
# container, tests/e2e/container-lib.bash), installed by the onboarding
# bundle's install.sh, answering the VIP through each VLAN of the data-plane
# test bed (tests/e2e/dataplane-lib.bash: namespaces named with this run's
# PID, torn down in teardown_file).
#
# Talks only to loopback: Debian's source tarball is fetched beforehand by
# `make deps` (target bind-source, which make check runs first; .ci/run runs
# make deps), and its path is read from build/debian-bind9/tarball. Without
# it the first test fails and says so. The build libraries come from
# tools/deps (make deps too).

load ../e2e/dataplane-lib
load ../e2e/container-lib

BB=build/san/bind-build
SOURCE_LIST=build/debian-bind9/tarball
GEN=build/san/cluster-gen
# Configure switches that keep the build to what named needs here; the
# recipe's own switches (--with-jemalloc=yes) come from the version table.
LEAN=(--disable-doh --without-libxml2 --without-json-c --without-lmdb --without-gssapi
      --without-libidn2 --without-cmocka --without-zlib --without-readline --disable-geoip)

setup_file() {
  export W=$BATS_FILE_TMPDIR
  export PREFIX=/usr/local/lvsdns-bind DEST=$W/dest
  # bind-build's working copy (kept after a failed build) goes below W,
  # which bats removes, never into /tmp.
  export TMPDIR=$W/tmp
  mkdir -p "$TMPDIR"
  export DP_TMP=$W/dp NS_CL="lvsbb$$-cl" NS_RS="lvsbb$$-rs" MACHINE="lvsbb$$"
  mkdir -p "$DP_TMP/run"
}

teardown_file() {
  stop_host rs
  remove_cgroups
  rm -rf "/run/systemd/nspawn/propagate/$MACHINE-rs"
  dp_teardown
}

teardown() {
  if [ -n "${NAMED_PID:-}" ]; then
    kill "$NAMED_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NAMED_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NAMED_PID" 2>/dev/null || true
  fi
}

@test "make deps has fetched Debian 12's BIND orig tarball" {
  [ -s "$SOURCE_LIST" ] || {
    echo "no $SOURCE_LIST: run 'make bind-source' (or make deps) first; it downloads" \
      "Debian 12's bind9 source with apt-get, which this test never does"; false; }
  tarball=$(cat "$SOURCE_LIST")
  [[ "$tarball" == */bind9_9.18.*.orig.tar.xz ]]
  [ -f "$tarball" ] || { echo "$SOURCE_LIST names $tarball, which is gone: make bind-source"; false; }
}

@test "bind-build builds it: row, configure line, named -V, BUILD-REPORT" {
  tarball=$(cat "$SOURCE_LIST")
  [ -f "$tarball" ]
  for lib in libuv libssl libcap jemalloc; do pkg-config --exists "$lib" || {
    echo "missing $lib: run tools/deps (make check does)"; false; }; done
  start=$(date +%s)
  run "$BB" "$tarball" --prefix "$PREFIX" --destdir "$DEST" -- "${LEAN[@]}"
  echo "$output" | tail -n 40
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: row: 9.17.17-9.20.x"* ]]
  [[ "$output" == *"bind-build: named flags: -n 1"* ]]
  report=$DEST$PREFIX/BUILD-REPORT
  grep -qx 'row: 9.17.17-9.20.x' "$report"
  grep -qx 'named flags: -n 1' "$report"
  grep -q "^configure: ./configure --prefix=$PREFIX --with-jemalloc=yes --disable-doh" "$report"
  # named -V of the installed binary shows the recipe's configure switch.
  LD_LIBRARY_PATH=$DEST$PREFIX/lib "$DEST$PREFIX/sbin/named" -V >"$W/named-V"
  grep -q "'--with-jemalloc=yes'" "$W/named-V"
  grep -q "'--prefix=$PREFIX'" "$W/named-V"
  # ... and jemalloc is really linked in (through libisc).
  LD_LIBRARY_PATH=$DEST$PREFIX/lib ldd "$DEST$PREFIX/sbin/named" | grep -q libjemalloc
  # Shown in the TAP output, for docs/PERFORMANCE.md.
  echo "# bind-build 9.18: $(( $(date +%s) - start )) s, installed $(du -sk "$DEST$PREFIX" | cut -f1) KiB" >&3
}

@test "the built named answers on loopback with the instance flags cluster-gen renders" {
  [ -x "$DEST$PREFIX/sbin/named" ]
  # The example site, with bind { prefix } naming this build's prefix.
  sed "s|^\tprefix = \"/usr/local\"|\tprefix = \"$PREFIX\"|" site.conf.example >"$W/site.conf"
  grep -qx "	prefix = \"$PREFIX\"" "$W/site.conf"
  "$GEN" render "$W/site.conf" -o "$W/out" >/dev/null
  unit=$(find "$W/out/realservers" -name 'named@.service' | sort | head -n 1)
  [ -f "$unit" ]
  # The unit runs the programs this build installed, where it installed them.
  named=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
  checkconf=$(sed -n 's/^ExecStartPre=\([^ ]*named-checkconf\) .*/\1/p' "$unit")
  [ "$named" = "$PREFIX/sbin/named" ]
  [ "$checkconf" = "$PREFIX/bin/named-checkconf" ]
  [ -x "$DEST$named" ] && [ -x "$DEST$checkconf" ]
  grep -qx "named-checkconf: $checkconf" "$DEST$PREFIX/BUILD-REPORT"
  [ "$(. "$W/out/bind-build/build.env" && echo "$BIND_PREFIX")" = "$PREFIX" ]
  # The instance flags: what ExecStart passes besides -f, -u USER and -c FILE.
  flags=$(sed -n 's/^ExecStart=[^ ]*named -f -u [^ ]* \(.*\) -c .*/\1/p' "$unit")
  [ "$flags" = "-n 1" ]
  # The units, the rendered build recipe and the build agree (one table).
  [ "$flags" = "$(sed -n 's/^named flags: //p' "$DEST$PREFIX/BUILD-REPORT")" ]
  env_file=$W/out/bind-build/build.env
  [ "$(. "$env_file" && echo "$BIND_NAMED_FLAGS")" = "$flags" ]
  recipe=$(. "$env_file" && echo "$BIND_CONFIGURE_FLAGS")
  [ "$recipe" = --with-jemalloc=yes ]
  grep -q -- "^configure: ./configure --prefix=$PREFIX $recipe " "$DEST$PREFIX/BUILD-REPORT"

  # named listens only on configured addresses; of 127/8 only 127.0.0.1
  # is on lo without changing the machine, so the port is what varies.
  addr=127.0.0.1 port=$((RANDOM % 20000 + 30000))
  run_dir=$W/run; mkdir -p "$run_dir"
  cat >"$run_dir/named.conf" <<CONF
options {
	directory "$run_dir";
	pid-file "$run_dir/named.pid";
	listen-on port $port { $addr; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
};
controls { };
zone "lvsdns.test" { type primary; file "$run_dir/lvsdns.test.db"; };
CONF
  cat >"$run_dir/lvsdns.test.db" <<'ZONE'
$TTL 60
@ IN SOA ns.lvsdns.test. hostmaster.lvsdns.test. 1 60 60 600 60
@ IN NS ns.lvsdns.test.
ns IN A 192.0.2.53
probe IN A 192.0.2.1
ZONE
  # as ExecStartPre= does, with the unit's named-checkconf
  LD_LIBRARY_PATH=$DEST$PREFIX/lib "$DEST$checkconf" "$run_dir/named.conf"
  # shellcheck disable=SC2086 # the rendered flags are words
  LD_LIBRARY_PATH=$DEST$PREFIX/lib "$DEST$named" $flags -g -c "$run_dir/named.conf" \
    >"$run_dir/named.log" 2>&1 &
  NAMED_PID=$!
  answer=""
  for _ in $(seq 50); do
    answer=$(dig +short +tries=1 +time=1 -p "$port" @"$addr" probe.lvsdns.test A 2>/dev/null) || true
    [ "$answer" = 192.0.2.1 ] && break
    kill -0 "$NAMED_PID" 2>/dev/null || break
    sleep 0.2
  done
  cat "$run_dir/named.log" | tail -n 20
  [ "$answer" = 192.0.2.1 ]
  # -n 1 took effect: one worker thread.
  grep -q 'using 1 worker thread' "$run_dir/named.log"
}

@test "the built named runs as named@INSTANCE under a real systemd, as onboarding installs it, and answers the VIP through each VLAN" {
  [ "$(id -u)" -eq 0 ] || { echo "this test needs root (network namespaces, systemd-nspawn)"; false; }
  for t in systemd-nspawn nsenter ip dig nft; do
    command -v "$t" >/dev/null || { echo "missing tool: $t (tools/deps installs it)"; false; }
  done
  [ -x "$DEST$PREFIX/sbin/named" ]
  # the onboarding test bed's site, its bind { prefix } naming this build
  write_onboard_site | sed "s|prefix = \"/usr\"|prefix = \"$PREFIX\"|" >"$DP_TMP/site.conf"
  grep -q "prefix = \"$PREFIX\"" "$DP_TMP/site.conf"
  "$GEN" onboard "$DP_TMP/site.conf" rs -o "$DP_TMP/onboard-rs" >/dev/null
  grep -qx "ExecStart=$PREFIX/sbin/named -f -u bind -n 1 -c /etc/bind/named-%i.conf" \
    "$DP_TMP/onboard-rs/files/named@.service"
  make_links
  make_rs_root "$DP_TMP/rs" "$DP_TMP/onboard-rs"
  # PREFIX on the host, as if copied there (the whole of /usr/local, bound
  # read-only: /usr is this machine's); no ldconfig: named and
  # named-checkconf find BIND's libraries by their RUNPATH
  EXTRA_NSPAWN="--bind-ro=$DEST/usr/local:/usr/local" boot_host rs "$NS_RS"
  onboard_rs "$PREFIX/sbin/named"
  answered_by_each_instance
  stop_host rs
}
