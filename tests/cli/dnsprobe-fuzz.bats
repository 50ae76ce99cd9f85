#!/usr/bin/env bats
# make check: each dnsprobe fuzzer (answer parser, argument and targets
# parser) runs for FUZZ_TIME seconds (30 by default) under ASan+UBSan and
# must end without a crash or sanitizer report.

@test "fuzz: answer parser and argument parser survive ${FUZZ_TIME:-30} s each" {
  command -v clang >/dev/null || { echo "clang is not installed" >&2; return 1; }
  run tests/fuzz/run-fuzzers build/fuzz answer args
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"== fuzz_answer"*"Done "*"== fuzz_args"*"Done "* ]]
}
