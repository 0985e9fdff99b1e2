#!/usr/bin/env bash
# Starts or stops a standalone Apache ZooKeeper 3.8 (Debian's `zookeeper` package) on loopback,
# for side-by-side runs: the compatibility script checks that it asserts ZooKeeper's behaviour,
# and the benchmarks compare against it.
#
#   compat/zookeeper.sh start DIR PORT   # config, data and logs under DIR; waits until it serves
#   compat/zookeeper.sh stop DIR
set -euo pipefail

install_zookeeper() {
  if [ ! -x /usr/share/zookeeper/bin/zkServer.sh ]; then
    echo "installing Debian's zookeeper package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq zookeeper zookeeper-bin >/dev/null
  fi
}

cmd=${1:?usage: zookeeper.sh start DIR PORT | stop DIR}
dir=${2:?directory}
case "$cmd" in
  start)
    port=${3:?port}
    install_zookeeper
    mkdir -p "$dir/data" "$dir/logs"
    cat > "$dir/zoo.cfg" <<CFG
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
4lw.commands.whitelist=*
admin.enableServer=false
forceSync=yes
CFG
    # Debian's zkServer.sh reads its environment from /etc/zookeeper/conf; keep ours apart.
    ZOO_LOG_DIR="$dir/logs" ZOO_LOG4J_PROP="INFO,ROLLINGFILE" \
      SERVER_JVMFLAGS="-Dzookeeper.extendedTypesEnabled=true -Xmx1g ${ZK_JVMFLAGS:-}" \
      nohup /usr/share/zookeeper/bin/zkServer.sh start-foreground "$dir/zoo.cfg" \
      >"$dir/logs/stdout.log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 1 120); do
      if [ "$( (exec 3<>/dev/tcp/127.0.0.1/"$port" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null)" = imok ]; then
        exit 0
      fi
      sleep 0.5
    done
    echo "zookeeper did not start on port $port; see $dir/logs" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      # zkServer.sh start-foreground execs java, so the pid is the JVM's.
      pkill -TERM -P "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    ;;
  *) echo "usage: zookeeper.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
