#!/usr/bin/env bash
# ZooKeeper's own C command-line client (Debian's zookeeper-bin, `cli_mt`) against a server:
# create, ls, get, set, delete, each checked against the reply text.
#
#   compat/cli_compat.sh HOST:PORT
# Prints one line per step and `cli: N passed, N failed`; exits 1 on any failure.
set -uo pipefail
hosts=${1:?usage: cli_compat.sh HOST:PORT}
cli=/usr/lib/zookeeper/bin/cli_mt
if [ ! -x "$cli" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zookeeper-bin >/dev/null
fi
node="/cli-compat-$$"
passed=0
failed=0

step() { # step NAME EXPECTED-REGEX COMMAND
  local name=$1 expected=$2 out
  out=$(timeout 20 "$cli" -h "$hosts" -c "$3" 2>&1)
  if grep -Eq -- "$expected" <<<"$out"; then
    passed=$((passed + 1)); echo "ok    $name"
  else
    failed=$((failed + 1)); echo "FAIL  $name: expected /$expected/ in:"; sed 's/^/    /' <<<"$out"
  fi
}

step create "\\[$node\\]: rc = 0" "create $node"
step ls "^[[:space:]]+${node#/}\$" "ls /"
step get-initial "^new\$" "get $node"
step set "$node: rc = 0" "set $node changed"
step get-changed "^changed\$" "get $node"
step version "version=1" "get $node"
step delete "$node: rc = 0" "delete $node"
step get-deleted "rc = -101" "get $node"
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
