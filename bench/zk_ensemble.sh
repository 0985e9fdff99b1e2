#!/usr/bin/env bash
# Starts or stops a 3-node Apache ZooKeeper 3.8 ensemble (Debian's `zookeeper` package) on
# loopback for side-by-side runs: node I on 127.0.0.(BASE+I), client port 2181, fsync on
# (forceSync=yes), 1 GiB heap each.
#
#   bench/zk_ensemble.sh start DIR [BASE]   # waits until a leader serves; prints the connect string
#   bench/zk_ensemble.sh stop DIR
set -euo pipefail
cmd=${1:?usage: zk_ensemble.sh start DIR [BASE] | stop DIR}
dir=${2:?directory}
base=${3:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
case "$cmd" in
  start)
    servers=""
    for i in 1 2 3; do servers+="server.$i=127.0.0.$((base + i)):2888:3888"$'\n'; done
    for i in 1 2 3; do
      node="$dir/node$i"
      mkdir -p "$node/data" "$node/logs"
      echo "$i" >"$node/data/myid"
      cat >"$node/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$node/data
clientPort=2181
clientPortAddress=127.0.0.$((base + i))
maxClientCnxns=0
4lw.commands.whitelist=*
admin.enableServer=false
forceSync=yes
$servers
CFG
      ZOO_LOG_DIR="$node/logs" SERVER_JVMFLAGS="-Xmx1g" \
        nohup /usr/share/zookeeper/bin/zkServer.sh start-foreground "$node/zoo.cfg" >"$node/logs/stdout.log" 2>&1 &
      echo $! >"$node/pid"
    done
    for _ in $(seq 1 240); do
      for i in 1 2 3; do
        mode=$( (exec 3<>/dev/tcp/127.0.0.$((base + i))/2181 && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null | awk '/^Mode:/ {print $2}' || true)
        if [ "$mode" = leader ]; then
          echo "127.0.0.$((base + 1)):2181,127.0.0.$((base + 2)):2181,127.0.0.$((base + 3)):2181"
          exit 0
        fi
      done
      sleep 0.5
    done
    echo "no ZooKeeper leader within 120 s" >&2
    exit 1
    ;;
  stop)
    for pidfile in "$dir"/node*/pid; do
      [ -f "$pidfile" ] || continue
      kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 1
    for pidfile in "$dir"/node*/pid; do
      [ -f "$pidfile" ] || continue
      kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    ;;
  *) echo "usage: zk_ensemble.sh start DIR [BASE] | stop DIR" >&2; exit 2 ;;
esac
