#!/usr/bin/env bash
# Exercises the grove CLI against a server (default: a ZooKeeper 3.8 started here) and checks
# its output and exit codes.   compat/grove_cli_check.sh [HOST:PORT]
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --product grove >/dev/null || exit 1
GROVE=.build/debug/grove
if [ $# -ge 1 ]; then
  S=$1
else
  DIR=$(mktemp -d); PORT=$((21000 + RANDOM % 4000))
  compat/zookeeper.sh start "$DIR" "$PORT" || exit 1
  trap 'compat/zookeeper.sh stop "$DIR"' EXIT
  S=127.0.0.1:$PORT
fi
fail=0
expect() { # expect STATUS EXPECTED_STDOUT_SUBSTRING -- ARGS...
  local status=$1 want=$2; shift 3
  local out; out=$("$GROVE" -s "$S" "$@" 2>/tmp/grove-cli-err); local got=$?
  if [ "$got" != "$status" ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL: grove $* -> status $got, stdout '$out', stderr '$(cat /tmp/grove-cli-err)'"; fail=1
  else
    echo "ok: grove $*"
  fi
}
R=/grove-cli-$$
expect 0 "created $R" -- create $R hello
expect 0 "hello" -- get $R
expect 0 '"data":"hello"' -- --json get $R
expect 0 "" -- set $R world
expect 0 "dataVersion = 1" -- stat $R
expect 0 "created $R/s-0000000000" -- create -s $R/s- x
expect 0 "created $R/c" -- create -c $R/c
expect 0 "created $R/t" -- create -t 60000 $R/t
expect 0 "s-0000000000" -- ls $R
expect 1 "" -- get $R/missing
grep -q "node $R/missing does not exist" /tmp/grove-cli-err || { echo "FAIL: error text"; fail=1; }
expect 1 "" -- create $R
expect 2 "" -- frobnicate
expect 2 "" -- get
expect 2 "" -- get no-slash
expect 0 "imok" -- 4lw ruok
expect 0 "zk_" -- 4lw mntr
( sleep 1; "$GROVE" -s "$S" set $R again >/dev/null ) &
expect 0 "nodeDataChanged $R" -- watch -n 1 $R
expect 0 "" -- rm -r $R
expect 1 "" -- stat $R
exit $fail
