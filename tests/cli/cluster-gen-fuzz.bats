#!/usr/bin/env bats
# make check: cluster-gen's site parser, validator and renderers under
# libFuzzer with ASan+UBSan for FUZZ_TIME seconds (30 by default), seeded
# with every site file of the repository: any text must end in messages,
# never in a crash or a sanitizer report.

@test "fuzz: a site file of any text is parsed, validated and rendered without a crash (${FUZZ_TIME:-30} s)" {
  command -v clang >/dev/null || { echo "clang is not installed" >&2; return 1; }
  run tests/fuzz/run-fuzzers build/fuzz site
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"== fuzz_site"*"Done "* ]]
}
