#!/usr/bin/env bats
# bind-build's whole run (copy, edit, configure, build, install, named -V,
# BUILD-REPORT) on synthetic trees whose configure/make or meson/ninja are
# stand-ins, so every step is exercised in seconds. The real build of
# Debian's BIND is tests/slow/bind-build-debian.bats.

BB=build/san/bind-build

setup() {
  load bind-build-trees
  T=$BATS_TEST_TMPDIR
  export TMPDIR=$T
}

@test "unguarded mem.c: the copy is edited and verified, the source stays as it was" {
  mkdir -p "$T/t"; tree_9_3 "$T/t"
  put "$T/t" lib/isc/mem.c '#include <config.h>\n#define ISC_MEM_USE_INTERNAL_MALLOC 0\n'
  # The build itself fails unless it sees the edited copy.
  fake_configure "$T/t" "grep -qx '#define ISC_MEM_USE_INTERNAL_MALLOC 1' lib/isc/mem.c"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: edit: lib/isc/mem.c in the working copy now sets ISC_MEM_USE_INTERNAL_MALLOC 1 (verified)"* ]]
  [[ "$output" == *"bind-build: [configure] ./configure --prefix=/opt/b --disable-threads"$'\n'* ]]
  [[ "$output" == *"bind-build: [build] make -j$(nproc)"* ]]
  [[ "$output" == *"bind-build: [install] make install DESTDIR=$T/d"* ]]
  grep -qx '#define ISC_MEM_USE_INTERNAL_MALLOC 0' "$T/t/lib/isc/mem.c"
  [ ! -e "$T/t/Makefile" ]
  r=$T/d/opt/b/BUILD-REPORT
  grep -qx 'row: 9.2.0-9.3.x' "$r"
  grep -qx 'edit: lib/isc/mem.c' "$r"
  grep -qx 'defines: (none)' "$r"
  grep -qx 'version: 9.3.6-P1 (from version file)' "$r"
  grep -qx "built by make with '--prefix=/opt/b' '--disable-threads'" "$r"
  grep -q '^installed bytes: [1-9]' "$r"
  grep -q 'fake configure' "$T/d/opt/b/BUILD-LOG"
  [ -z "$(ls -d "$T"/bind-build.* 2>/dev/null)" ]  # working copy removed after success
}

@test "guarded mem.c: a CFLAGS define instead of an edit, and named -V must show it" {
  mkdir -p "$T/t"; tree_9_3 "$T/t"; fake_configure "$T/t"
  # 9.2.0-9.2.1's autoconf 2.13 configure would drop a CFLAGS= argument as a
  # host type: the define travels in configure's environment.
  touch "$T/t/autoconf-2.13"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: [configure] CFLAGS='-g -O2 -DISC_MEM_USE_INTERNAL_MALLOC=1' ./configure --prefix=/opt/b --disable-threads"$'\n'* ]]
  [[ "$output" != *"host type"*"ignored"* ]]
  grep -qx "configure: CFLAGS='-g -O2 -DISC_MEM_USE_INTERNAL_MALLOC=1' ./configure --prefix=/opt/b --disable-threads" "$T/d/opt/b/BUILD-REPORT"
  grep -qx "built by make with '--prefix=/opt/b' '--disable-threads' 'CFLAGS=-g -O2 -DISC_MEM_USE_INTERNAL_MALLOC=1'" "$T/d/opt/b/BUILD-REPORT"
  grep -qx 'defines: -DISC_MEM_USE_INTERNAL_MALLOC=1' "$T/d/opt/b/BUILD-REPORT"
  grep -qx 'edit: (none)' "$T/d/opt/b/BUILD-REPORT"
  grep -qx '#ifndef ISC_MEM_USE_INTERNAL_MALLOC' "$T/t/lib/isc/mem.c"
}

@test "a named whose -V does not show the planned options fails the build" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"; fake_configure "$T/t"
  # This configure forgets its arguments.
  sed -i 's/^  args="\$args .*/  :/' "$T/t/configure"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"named -V does not show --disable-threads: the build did not take the plan"* ]]
  [ ! -e "$T/d/opt/b/BUILD-REPORT" ]
}

@test "a failing make shows the tail of the log" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"; fake_configure "$T/t" "echo 'mem.c:1: error: synthetic' && false"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d" --log "$T/build.log"
  [ "$status" -eq 1 ]
  [[ "$output" == *"build failed (exit 2)"* ]]
  [[ "$output" == *"mem.c:1: error: synthetic"* ]]
  [[ "$output" == *"full log in $T/build.log"* ]]
}

@test "meson tree: meson setup with -Djemalloc=enabled, ninja with all cores, meson install into DESTDIR" {
  mkdir -p "$T/t"; tree_9_21 "$T/t"; fake_meson "$T"
  PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d" -- -Ddoh=disabled
  echo "$output"
  [ "$status" -eq 0 ]
  # release, not meson's default debug (-O0); lib, not Debian's lib/<multiarch>,
  # where the checks after the install look for the libraries.
  [[ "$output" == *"bind-build: [configure] meson setup --prefix=/opt/b --libdir=lib --buildtype=release -Djemalloc=enabled -Ddoh=disabled _build"* ]]
  [[ "$output" == *"bind-build: [build] ninja -C _build -j$(nproc)"* ]]
  [[ "$output" == *"bind-build: [install] meson install -C _build"* ]]
  grep -qx 'row: 9.21.10+' "$T/d/opt/b/BUILD-REPORT"
  grep -qx 'named flags: -n 1' "$T/d/opt/b/BUILD-REPORT"
  grep -q 'built by meson with --prefix=/opt/b --libdir=lib --buildtype=release -Djemalloc=enabled' "$T/d/opt/b/BUILD-REPORT"
  grep -qx 'named-checkconf: /opt/b/bin/named-checkconf' "$T/d/opt/b/BUILD-REPORT"
}

@test "meson tree without meson: the Debian packages are named" {
  mkdir -p "$T/t" "$T/bin"; tree_9_21 "$T/t"
  for p in cc pkg-config cp; do ln -s "$(command -v $p)" "$T/bin/$p"; done
  PATH="$T/bin" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing program meson: install the Debian package meson"* ]]
  [[ "$output" == *"missing program ninja: install the Debian package ninja-build"* ]]
}

@test "the make that runs bind-build does not leak its variables into BIND's make" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"; fake_configure "$T/t" 'test -z "$(LEAKED)"'
  MAKEFLAGS="LEAKED=yes" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 0 ]
}

@test "a named that rejects the instance flags fails the build" {
  mkdir -p "$T/t"; tree_9_16_30 "$T/t"; fake_configure "$T/t"
  # This named knows no -M (the tree's main.c claims it does).
  printf 'case "$*" in *-M*) echo "named: unknown -M" >&2; exit 1 ;; esac\n' >"$T/t/reject.sh"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the built named rejects the instance flags '-n 1 -M internal' (exit 1): named: unknown -M"* ]]
  rm "$T/t/reject.sh"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d2"
  [ "$status" -eq 0 ]
  grep -qx 'named flags: -n 1 -M internal' "$T/d2/opt/b/BUILD-REPORT"
}

@test "named-checkconf must be where the version's row puts it: the units run it from there" {
  # 9.18 installs it in bin; the report names both programs the units run.
  mkdir -p "$T/t"; tree_9_18 "$T/t"; fake_configure "$T/t"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d" --threads off --internal-malloc off
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: named: /opt/b/sbin/named"$'\n'"bind-build: named-checkconf: /opt/b/bin/named-checkconf"$'\n'* ]]
  grep -qx 'named: /opt/b/sbin/named' "$T/d/opt/b/BUILD-REPORT"
  grep -qx 'named-checkconf: /opt/b/bin/named-checkconf' "$T/d/opt/b/BUILD-REPORT"
  # 9.16 still installs it in sbin.
  mkdir -p "$T/t16"; tree_9_16_30 "$T/t16"; fake_configure "$T/t16"
  run "$BB" "$T/t16" --prefix /opt/b --destdir "$T/d16"
  [ "$status" -eq 0 ]
  grep -qx 'named-checkconf: /opt/b/sbin/named-checkconf' "$T/d16/opt/b/BUILD-REPORT"
  # A 9.18 tree whose install still puts it in sbin fails the build.
  mkdir -p "$T/t2"; tree_9_18 "$T/t2"; checkconf_dir "$T/t2" sbin; fake_configure "$T/t2"
  run "$BB" "$T/t2" --prefix /opt/b --destdir "$T/d2" --threads off --internal-malloc off
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bind-build: $T/d2/opt/b/bin/named-checkconf: No such file or directory; row 9.17.17-9.20.x puts named-checkconf in /opt/b/bin/named-checkconf, where the named@.service units run it"* ]]
  [ ! -e "$T/d2/opt/b/BUILD-REPORT" ]
}

@test "a relative --destdir and --log are taken from the caller's directory, not the working copy" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"; fake_configure "$T/t"
  bb=$PWD/$BB
  cd "$T"
  run "$bb" t --prefix /opt/b --destdir d --log build.log
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: [install] make install DESTDIR=$T/d"* ]]
  [[ "$output" == *"bind-build: log: $T/build.log"* ]]
  [ -x "$T/d/opt/b/sbin/named" ]
  grep -qx 'row: 9.4.0-9.9.x' "$T/d/opt/b/BUILD-REPORT"
  grep -q 'fake configure' "$T/build.log"
}

@test "extra configure arguments that would undo the plan are refused before anything runs" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"; fake_configure "$T/t"
  # configure takes the last --enable/--disable-threads, and named -V lists
  # both, so without this check the build would pass verification.
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d" -- --disable-doh --enable-threads --without-jemalloc
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bind-build: -- --enable-threads contradicts the plan: threads are chosen with --threads on|off"$'\n'"bind-build: -- --without-jemalloc contradicts the plan: the allocator is chosen with --internal-malloc on|off"* ]]
  [[ "$output" != *"--disable-doh contradicts"* ]]
  [[ "$output" != *"[configure]"* ]]
  [ ! -e "$T/d" ]
  [ -z "$(ls -d "$T"/bind-build.* 2>/dev/null)" ]  # nothing built: no working copy kept
  run "$BB" "$T/t" --plan -- --prefix=/elsewhere
  [ "$status" -eq 1 ]
  [[ "$output" == *"-- --prefix=/elsewhere contradicts the plan: the prefix is given with --prefix"* ]]
  # 9.3 with a guarded macro: the define travels in CFLAGS.
  mkdir -p "$T/t3"; tree_9_3 "$T/t3"
  run "$BB" "$T/t3" --plan -- CFLAGS=-O0
  [ "$status" -eq 1 ]
  [[ "$output" == *"-- CFLAGS=-O0 contradicts the plan: it would replace the CFLAGS that carry the plan's defines"* ]]
  run "$BB" "$T/t" --plan -- "CPPFLAGS=-DISC_MEM_USE_INTERNAL_MALLOC=0"
  [ "$status" -eq 1 ]
  [[ "$output" == *"-- CPPFLAGS=-DISC_MEM_USE_INTERNAL_MALLOC=0 contradicts the plan: the allocator"* ]]
  # meson: -Djemalloc=..., also as the split form -D jemalloc=...
  mkdir -p "$T/t21"; tree_9_21 "$T/t21"
  run "$BB" "$T/t21" --plan -- -D jemalloc=disabled
  [ "$status" -eq 1 ]
  [[ "$output" == *"-- jemalloc=disabled contradicts the plan: the allocator"* ]]
  # meson: the buildtype (release) and libdir (lib) are the plan's too.
  run "$BB" "$T/t21" --plan -- --buildtype=debug -D buildtype=plain -Dlibdir=lib64
  [ "$status" -eq 1 ]
  [[ "$output" == *"-- --buildtype=debug contradicts the plan: meson builds --buildtype=release"* ]]
  [[ "$output" == *"-- buildtype=plain contradicts the plan: meson builds --buildtype=release"* ]]
  [[ "$output" == *"-- -Dlibdir=lib64 contradicts the plan: the checks after the install run named with the libraries of PREFIX/lib"* ]]
  # Arguments the plan does not decide still go through (CFLAGS too, when
  # no define travels in it).
  run "$BB" "$T/t" --plan -- --disable-doh CFLAGS=-O1
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: configure: ./configure --prefix=/usr/local --disable-threads --disable-doh CFLAGS=-O1"* ]]
}

@test "a named before 9.6 (only -v) is asked to take the instance flags with -v" {
  mkdir -p "$T/t"; tree_9_3 "$T/t"; fake_configure "$T/t"
  # 9.2-9.5's named knows -n but not -V; it records how it is run.
  printf 'echo "$*" >>%s/named.calls\ncase "$*" in *-V*) echo "named: unknown option -V" >&2; exit 1 ;; esac\n' "$T" >"$T/t/reject.sh"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qx -- '-n 1 -v' "$T/named.calls"
  grep -qx 'named flags: -n 1' "$T/d/opt/b/BUILD-REPORT"
}

@test "meson < 1.1.0: named -V says 'unprobed', and its jemalloc line is checked instead" {
  mkdir -p "$T/t"; tree_9_21 "$T/t"; fake_meson "$T"
  FAKE_MESON_UNPROBED=1 FAKE_JEMALLOC=1 PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"bind-build: named -V lists no meson setup arguments; checking its jemalloc line instead"* ]]
  grep -qx 'built by meson with unprobed' "$T/d/opt/b/BUILD-REPORT"
  # Without jemalloc in named -V the build did not take -Djemalloc=enabled.
  FAKE_MESON_UNPROBED=1 PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d2"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"named -V lists no meson setup arguments and no jemalloc version: the build did not take -Djemalloc=enabled"* ]]
}

@test "a meson older than the tree's meson_version fails at the tool check, before configuring" {
  mkdir -p "$T/t"; tree_9_21 "$T/t"; fake_meson "$T"
  sed -i "s/meson_version: '>=0.61'/meson_version: '>=1.3.0'/" "$T/t/meson.build"
  PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"meson 1.0.1 is older than the tree's meson_version '>=1.3.0' (meson.build): install a newer meson"* ]]
  [[ "$output" != *"[configure]"* ]]
  FAKE_MESON_VERSION=1.3.2 PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 0 ]
}
