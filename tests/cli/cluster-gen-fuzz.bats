#!/usr/bin/env bats
# make check: cluster-gen's site parser, validator and renderers under
# libFuzzer with ASan+UBSan for FUZZ_TIME seconds (30 by default), seeded
# with every site file of the repository: any text must end in messages,
# never in a crash or a sanitizer report. Then the walk of the site text
# held to libconfuse for as long: what the walk refuses, libconfuse refuses,
# what it finds nothing in, libconfuse parses, and so does a text repaired
# past its problems (tests/fuzz/fuzz_walk.c).

@test "fuzz: a site file of any text is parsed, validated and rendered without a crash (${FUZZ_TIME:-30} s)" {
  command -v clang >/dev/null || { echo "clang is not installed" >&2; return 1; }
  run tests/fuzz/run-fuzzers build/fuzz site
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"== fuzz_site"*"Done "* ]]
}

@test "fuzz: the walk of the site text agrees with libconfuse on any text (${FUZZ_TIME:-30} s)" {
  command -v clang >/dev/null || { echo "clang is not installed" >&2; return 1; }
  run tests/fuzz/run-fuzzers build/fuzz walk
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"== fuzz_walk"*"Done "* ]]
}
