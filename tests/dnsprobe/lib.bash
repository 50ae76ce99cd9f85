# Helpers for the dnsprobe bats tests: real named instances and the python
# responder on loopback, each stopped by the PID this file started.
# named only listens on addresses configured on an interface, so everything
# runs on 127.0.0.1, on five high ports below the ephemeral range chosen from
# the PID so parallel runs do not collide: base named, +1 broken named,
# +2 responder, +3 responder's wrong-port socket, +4 silent socket.

DP_DIR=tests/dnsprobe
DNSPROBE=${DNSPROBE:-build/san/dnsprobe}

dp_base_port() {
  echo $(( 20000 + ($$ % 2500) * 5 ))
}

# start_named NAME ADDR PORT ZONE ZONEFILE: runs named in $BATS_FILE_TMPDIR/NAME
start_named() {
  local d="$BATS_FILE_TMPDIR/$1" addr=$2 port=$3 zone=$4 zf=$5
  mkdir -p "$d"
  cp "$zf" "$d/zone"
  sed -e "s|@DIR@|$d|g" -e "s|@ADDR@|$addr|g" -e "s|@PORT@|$port|g" \
      -e "s|@ZONE@|$zone|g" -e "s|@ZONEFILE@|$d/zone|g" "$DP_DIR/named.conf.in" >"$d/named.conf"
  named -c "$d/named.conf" -f -n 1 -u "$(id -un)" >"$d/stderr" 2>&1 &
  echo $! >"$d/pid"
}

# wait_dns ADDR PORT NAME: bounded wait (10 s) until the server answers at all
wait_dns() {
  local i
  for i in $(seq 1 100); do
    if dig +time=1 +tries=1 -p "$2" @"$1" "$3" SOA 2>/dev/null | grep -q 'status:'; then
      return 0
    fi
    sleep 0.1
  done
  echo "server $1#$2 did not answer within 10 s" >&2
  return 1
}

# start_responder ADDR PORT ALTPORT SILENTPORT [FLAGDIR]
start_responder() {
  local d="$BATS_FILE_TMPDIR/responder"
  mkdir -p "$d"
  /usr/bin/python3 "$DP_DIR/responder.py" "$@" >"$d/log" 2>&1 &
  echo $! >"$d/pid"
  local i
  for i in $(seq 1 100); do
    grep -q '^ready' "$d/log" && return 0
    kill -0 "$(cat "$d/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "responder did not start:" >&2; cat "$d/log" >&2
  return 1
}

# stop_pidfile FILE: kill the one process we started, wait for it (bounded)
stop_pidfile() {
  local f=$1 pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

# wait_content FILE TEXT [SECONDS]: bounded wait until FILE holds exactly TEXT
wait_content() {
  local i n=$(( ${3:-10} * 20 ))
  for i in $(seq 1 "$n"); do
    [ -f "$1" ] && [ "$(cat "$1")" = "$2" ] && return 0
    sleep 0.05
  done
  echo "$1 did not become '$2' within ${3:-10} s (is: '$(cat "$1" 2>/dev/null)')" >&2
  return 1
}

# wait_grep FILE REGEX [SECONDS]: bounded wait until a line of FILE matches
wait_grep() {
  local i n=$(( ${3:-10} * 20 ))
  for i in $(seq 1 "$n"); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "no line matching '$2' in $1 within ${3:-10} s" >&2
  cat "$1" >&2 2>/dev/null
  return 1
}
