#!/bin/sh
# Regenerates the golden fixtures (kazoo.hex, java.hex) from a real Apache ZooKeeper 3.8
# exchange. Run on purpose only, then review the diff:
#
#   Tests/ZooKeeperWireTests/Fixtures/capture.sh
#
# Needs Debian's `zookeeper` package (server and Java client, 3.8), a JDK (javac) and kazoo
# (pip). Starts a standalone ZooKeeper on a free loopback port with its data and logs in a
# temporary folder under /tmp (extended types on, so createTTL works; every 4lw allowed),
# puts capture.py between each client and the server, and stops everything on exit.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/grove-capture.XXXXXX)
PIDS=""
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ZK_PORT=$(free_port)
mkdir -p "$WORK/data" "$WORK/log" "$WORK/classes"
cat > "$WORK/zoo.cfg" <<CFG
tickTime=500
dataDir=$WORK/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
4lw.commands.whitelist=*
admin.enableServer=false
CFG

SERVER_JVMFLAGS="-Dzookeeper.extendedTypesEnabled=true -Dzookeeper.log.dir=$WORK/log -Dzookeeper.root.logger=INFO,CONSOLE" \
  ZOO_LOG_DIR="$WORK/log" /usr/share/zookeeper/bin/zkServer.sh start-foreground "$WORK/zoo.cfg" \
  > "$WORK/log/server.out" 2>&1 &
PIDS="$PIDS $!"

ready=""
for _ in $(seq 1 60); do
  if [ "$(python3 -c "
import socket
try:
    s = socket.create_connection(('127.0.0.1', $ZK_PORT), timeout=1); s.sendall(b'ruok'); print(s.recv(4).decode())
except OSError:
    pass" 2>/dev/null)" = "imok" ]; then ready=yes; break; fi
  sleep 0.5
done
[ -n "$ready" ] || { echo "ZooKeeper did not start; see $WORK/log/server.out" >&2; exit 1; }

capture() { # capture OUT CLIENT...
  out=$1; shift
  port=$(free_port); control=$(free_port)
  python3 "$HERE/capture.py" --listen "127.0.0.1:$port" --upstream "127.0.0.1:$ZK_PORT" \
    --control "127.0.0.1:$control" --out "$WORK/$out" &
  proxy=$!
  PIDS="$PIDS $proxy"
  sleep 0.5
  timeout 120 "$@" "127.0.0.1:$port" "$control" || { echo "client $* failed" >&2; exit 1; }
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
  cp "$WORK/$out" "$HERE/$out"
  echo "wrote $HERE/$out ($(grep -c '^[cs]2[cs] ' "$HERE/$out") frames)"
}

javac -d "$WORK/classes" -cp /usr/share/java/zookeeper.jar "$HERE/GoldenClient.java"
capture kazoo.hex python3 "$HERE/golden_kazoo.py"
capture java.hex java -cp "$WORK/classes:/usr/share/java/zookeeper.jar" GoldenClient
echo "server log: $WORK/log/server.out"
