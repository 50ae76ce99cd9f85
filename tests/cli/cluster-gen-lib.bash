# Shared by tests/cli/cluster-gen.bats, site-check.bats and templates.bats:
# each test gets $GEN and an empty scratch directory $TMP.

setup() {
  GEN=${GEN:-build/san/cluster-gen}
  TMP=$(mktemp -d)
}

teardown() {
  # a dnsprobe --watch a test started and did not stop (cluster-gen.bats's
  # watch targets test sets WATCH_PID)
  if [ -n "${WATCH_PID:-}" ]; then kill -KILL "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
