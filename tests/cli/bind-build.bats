#!/usr/bin/env bats
# bind-build --plan on synthetic trees of each era, tarballs, and the errors.

BB=build/san/bind-build

setup() {
  load bind-build-trees
  T=$BATS_TEST_TMPDIR
  export TMPDIR=$T
}

has_line() { # the whole line is in $output
  grep -qxF -- "$1" <<<"$output"
}

plan() { # ERA -> runs --plan on a fresh tree of that era
  mkdir -p "$T/$1"
  "tree_$1" "$T/$1"
  run "$BB" "$T/$1" --plan
}

@test "9.3 tree: row 9.2.0-9.3.x, define instead of the mem.c edit, --disable-threads" {
  plan 9_3
  [ "$status" -eq 0 ]
  [[ "$output" == *"version: 9.3.6-P1 (from version file)"* ]]
  [[ "$output" == *"row: 9.2.0-9.3.x"* ]]
  [[ "$output" == *"configure: CFLAGS='-g -O2 -DISC_MEM_USE_INTERNAL_MALLOC=1' ./configure --prefix=/usr/local --disable-threads"* ]]
  [[ "$output" == *"defines: -DISC_MEM_USE_INTERNAL_MALLOC=1"* ]]
  [[ "$output" == *"edit: (none)"* ]]
  # -n 1 too: a named built with threads (a distribution's) keeps one worker.
  has_line "bind-build: named flags: -n 1"
}

@test "9.9 tree: row 9.4.0-9.9.x, nothing to patch" {
  plan 9_9
  [ "$status" -eq 0 ]
  [[ "$output" == *"row: 9.4.0-9.9.x"* ]]
  has_line "bind-build: configure: ./configure --prefix=/usr/local --disable-threads"
  [[ "$output" == *"defines: (none)"* ]]
}

@test "9.11 tree: row 9.10.0-9.13.2, threads option found through config.threads.in" {
  plan 9_11
  [ "$status" -eq 0 ]
  [[ "$output" == *"version: 9.11.37"* ]]
  [[ "$output" == *"row: 9.10.0-9.13.2"* ]]
  [[ "$output" == *"threads-option=yes"* ]]
  [[ "$output" == *"--disable-threads"* ]]
}

@test "9.16.30 tree: row 9.16.25-9.16.x, -n 1 -M internal, left-over config.threads.in ignored" {
  plan 9_16_30
  [ "$status" -eq 0 ]
  [[ "$output" == *"row: 9.16.25-9.16.x"* ]]
  [[ "$output" == *"threads-option=no"* ]]
  [[ "$output" != *"--disable-threads"* ]]
  [[ "$output" == *"named flags: -n 1 -M internal"* ]]
}

@test "9.18 tree: row 9.17.17-9.20.x, --with-jemalloc=yes, -n 1" {
  plan 9_18
  [ "$status" -eq 0 ]
  [[ "$output" == *"version: 9.18.49 (from configure.ac)"* ]]
  [[ "$output" == *"row: 9.17.17-9.20.x"* ]]
  has_line "bind-build: configure: ./configure --prefix=/usr/local --with-jemalloc=yes"
  has_line "bind-build: named flags: -n 1"
  [[ "$output" == *"note: internal-malloc = on"* ]]
}

@test "9.21 meson tree: row 9.21.10+, -Djemalloc=enabled" {
  plan 9_21
  [ "$status" -eq 0 ]
  [[ "$output" == *"version: 9.21.10 (from meson.build project())"* ]]
  [[ "$output" == *"row: 9.21.10+"* ]]
  [[ "$output" == *"configure: meson setup --prefix=/usr/local --libdir=lib --buildtype=release -Djemalloc=enabled _build"* ]]
  [[ "$output" == *"named flags: -n 1"* ]]
}

@test "the tree wins over the version: 9.16.30 whose mem.h defaults to 1 gets no -M internal" {
  mkdir -p "$T/t"; tree_9_16_30 "$T/t"
  mem_guard 1 >"$T/t/lib/isc/include/isc/mem.h"
  run "$BB" "$T/t" --plan
  [ "$status" -eq 0 ]
  [[ "$output" == *"row: 9.16.25-9.16.x"* ]]
  has_line "bind-build: named flags: -n 1"
  [[ "$output" == *"differs from what its version's row expects"* ]]
}

@test "site wishes: --threads on --internal-malloc off on a 9.9 tree" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"
  run "$BB" "$T/t" --plan --threads on --internal-malloc off
  [ "$status" -eq 0 ]
  [[ "$output" == *"configure: CFLAGS='-g -O2 -DISC_MEM_USE_INTERNAL_MALLOC=0' ./configure --prefix=/usr/local --enable-threads"$'\n'* ]]
}

@test "a tarball is unpacked and planned; the plan leaves nothing behind" {
  mkdir -p "$T/src/bind-9.11.37"; tree_9_11 "$T/src/bind-9.11.37"
  tar -C "$T/src" -czf "$T/bind-9.11.37.tar.gz" bind-9.11.37
  run "$BB" "$T/bind-9.11.37.tar.gz" --plan
  [ "$status" -eq 0 ]
  [[ "$output" == *"unpack: $T/bind-9.11.37.tar.gz"* ]]
  [[ "$output" == *"row: 9.10.0-9.13.2"* ]]
  [ -z "$(ls -d "$T"/bind-build.* 2>/dev/null)" ]
}

@test "a tarball that is not BIND is refused" {
  mkdir -p "$T/src/other-1.0"; put "$T/src/other-1.0" configure.ac 'AC_INIT([other], [9.18.1])\n'
  tar -C "$T/src" -cJf "$T/other-1.0.tar.xz" other-1.0
  run "$BB" "$T/other-1.0.tar.xz" --plan
  [ "$status" -eq 1 ]
  [[ "$output" == *"this tarball is not a BIND source"* ]]
}

@test "a file tar cannot read is refused" {
  echo hello >"$T/notatar.tar.gz"
  run "$BB" "$T/notatar.tar.gz" --plan
  [ "$status" -eq 1 ]
  [[ "$output" == *"tar cannot unpack it"* ]]
}

@test "an unknown directory is refused" {
  mkdir -p "$T/empty"
  run "$BB" "$T/empty" --plan
  [ "$status" -eq 1 ]
  [[ "$output" == *"not a BIND source tree"* ]]
}

@test "a missing compiler is named with its Debian package" {
  mkdir -p "$T/t"; tree_9_18 "$T/t"
  CC=/nonexistent/cc run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing C compiler /nonexistent/cc: install the Debian package build-essential"* ]]
}

@test "a missing library is named with its Debian package" {
  mkdir -p "$T/t" "$T/bin"; tree_9_18 "$T/t"
  printf '#!/bin/sh\nexit 1\n' >"$T/bin/pkg-config"; chmod +x "$T/bin/pkg-config"
  PATH="$T/bin:$PATH" run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing library jemalloc (pkg-config jemalloc): install the Debian package libjemalloc-dev"* ]]
  [[ "$output" == *"missing library libuv (pkg-config libuv): install the Debian package libuv1-dev"* ]]
}

@test "a failing configure shows the log's tail and keeps the working copy" {
  mkdir -p "$T/t"; tree_9_9 "$T/t"
  printf '#!/bin/sh\necho "checking the impossible... no"\necho "configure: error: synthetic failure" >&2\nexit 1\n' >"$T/t/configure"
  chmod +x "$T/t/configure"
  run "$BB" "$T/t" --prefix /opt/b --destdir "$T/d"
  [ "$status" -eq 1 ]
  [[ "$output" == *"configure failed (exit 1)"* ]]
  [[ "$output" == *"configure: error: synthetic failure"* ]]
  [[ "$output" == *"the working copy is kept for inspection: $T/bind-build."* ]]
  [ -f "$T/d/opt/b/BUILD-LOG" ]
  [ ! -e "$T/t/config.log" ]  # the source directory itself was not written to
}

@test "usage errors exit 2" {
  run "$BB"
  [ "$status" -eq 2 ]
  run "$BB" x --prefix relative
  [ "$status" -eq 2 ]
  run "$BB" x --threads maybe
  [ "$status" -eq 2 ]
}

@test "--prefix /usr or / is refused unless the install goes into --destdir (a package)" {
  mkdir -p "$T/t918"
  tree_9_18 "$T/t918"
  for p in /usr /usr/ / //; do
    run "$BB" "$T/t918" --plan --prefix "$p"
    echo "$p: $output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"would install over the distribution's BIND"* ]]
  done
  run "$BB" "$T/t918" --plan --prefix /usr --destdir "$T/pkg"
  [ "$status" -eq 0 ]
  run "$BB" "$T/t918" --plan --prefix /usr/local/
  [ "$status" -eq 0 ]
  run "$BB" "$T/t918" --plan --prefix /usr2
  [ "$status" -eq 0 ]
}

@test "--prefix /usr or / is refused however it is written, and --destdir / stages nothing" {
  mkdir -p "$T/t918"
  tree_9_18 "$T/t918"
  for p in //usr /usr/. /./usr /opt/../usr /usr/local/.. /usr/bin/../ /opt/..; do
    run "$BB" "$T/t918" --plan --prefix "$p"
    echo "$p: $output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"would install over the distribution's BIND"* ]]
  done
  # DESTDIR=/ is the running system, not a package's staging directory
  for d in / // /. /tmp/..; do
    run "$BB" "$T/t918" --plan --prefix /usr --destdir "$d"
    echo "destdir $d: $output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"would install over the distribution's BIND"* ]]
  done
  # neither is a system directory
  for p in /usr/local /usrx /opt/usr /usr/../opt; do
    run "$BB" "$T/t918" --plan --prefix "$p"
    echo "$p: $output"
    [ "$status" -eq 0 ]
  done
  run "$BB" "$T/t918" --plan --prefix //usr --destdir "$T/pkg"
  [ "$status" -eq 0 ]
}

@test "--table lists every row, and the man page documents each of them" {
  run "$BB" --table
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = $'row\tconfigure\tdefines\tnamed flags\tnamed-checkconf in\treason' ]
  [ "${#lines[@]}" -eq 12 ]
  has_line $'9.16.25-9.16.x\t\t\t-n 1 -M internal\tsbin\tthreads mandatory (-n 1); mem.h flipped the default to the system allocator, named -M internal selects the internal one at run time'
  for id in $(printf '%s\n' "${lines[@]:1}" | cut -f1); do
    grep -qF -- "${id//-/\\-}"$'\t' docs/bind-build.8 || { echo "row $id missing from docs/bind-build.8"; false; }
  done
}

@test "the man page formats without warnings" {
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/bind-build.8 2>&1 >/dev/null)
  [ -z "$out" ] || { echo "$out"; false; }
}
