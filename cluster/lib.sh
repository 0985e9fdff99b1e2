# Shared by the cluster/ commands: where things live and how to reach a node.
# A local cluster lives under cluster/run/ (git-ignored): one folder per node with its zoo.cfg,
# data, log and pid.
CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$CLUSTER_DIR")
RUN_DIR=${GROVE_CLUSTER_RUN:-$CLUSTER_DIR/run}
BIN_DIR=${GROVE_BIN_DIR:-$REPO_DIR/.build/release}

die() { echo "cluster: $*" >&2; exit 1; }

# Node I runs on its own loopback address, 127.0.0.(10+I), as on a host of its own, with the
# same ports on every node. GROVE_HOST_BASE and the port variables let tests run clusters side
# by side.
HOST_BASE=${GROVE_HOST_BASE:-10}
CLIENT_PORT=${GROVE_CLIENT_PORT:-2181}
PEER_PORT=${GROVE_PEER_PORT:-2888}
ADMIN_PORT=${GROVE_ADMIN_PORT:-7000}

node_dir() { echo "$RUN_DIR/node$1"; }
node_host() { echo "127.0.0.$((HOST_BASE + $1))"; }
node_client_port() { echo "$CLIENT_PORT"; }
node_peer_port() { echo "$PEER_PORT"; }
node_pid() { local f; f="$(node_dir "$1")/pid"; [ -f "$f" ] && cat "$f"; }
node_alive() { local p; p=$(node_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
node_count() { ls -d "$RUN_DIR"/node* 2>/dev/null | wc -l; }
node_ids() { local n; n=$(node_count); [ "$n" -gt 0 ] && seq 1 "$n"; }

# Sends a four-letter word to node I and prints the answer (empty when it does not answer).
four_letter() {
  local host port
  host=$(node_host "$1"); port=$(node_client_port "$1")
  ( exec 3<>"/dev/tcp/$host/$port" && printf '%s' "$2" >&3 && timeout 2 cat <&3 ) 2>/dev/null
}

connect_string() {
  local ids=() i
  for i in $(node_ids); do ids+=("$(node_host "$i"):$(node_client_port "$i")"); done
  (IFS=,; echo "${ids[*]}")
}

# build_release [PRODUCT...]: builds the release products (default grove-server) unless
# GROVE_SKIP_BUILD is set, and checks they exist.
build_release() {
  local products=("${@:-grove-server}") product
  if [ -z "${GROVE_SKIP_BUILD:-}" ]; then
    echo "building release binaries (swift build -c release)..." >&2
    for product in "${products[@]}"; do
      (cd "$REPO_DIR" && swift build -c release --product "$product" >&2) || die "build failed"
    done
  fi
  for product in "${products[@]}"; do
    [ -x "$BIN_DIR/$product" ] || die "no $BIN_DIR/$product"
  done
}

start_node() {
  local i=$1 dir
  dir=$(node_dir "$i")
  if faults_enabled; then start_node_proxies "$i"; fi
  node_alive "$i" && return 0
  nohup "$BIN_DIR/grove-server" --config "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
}

# Stops node I: SIGCONT first (a paused node cannot handle SIGTERM), SIGTERM, SIGKILL after 10 s.
stop_node() {
  local i=$1 pid
  node_alive "$i" || return 0
  pid=$(node_pid "$i")
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do node_alive "$i" || break; sleep 0.1; done
  if node_alive "$i"; then kill -KILL "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 50); do node_alive "$i" || break; sleep 0.1; done
  rm -f "$(node_dir "$i")/paused"
}

# Waits up to 10 s for node I to answer ruok.
wait_node_answers() {
  for _ in $(seq 1 100); do [ "$(four_letter "$1" ruok)" = imok ] && return 0; sleep 0.1; done
  return 1
}

# Node I's value of a mntr key (empty when it does not answer).
node_metric() { four_letter "$1" mntr | awk -v k="$2" -F'\t' '$1==k {print $2}'; }

# The id of a node that says it leads (empty when none does).
leader_id() {
  local i
  for i in $(node_ids); do
    node_alive "$i" || continue
    [ "$(four_letter "$i" srvr | awk '/^Mode:/ {print $2}')" = leader ] && { echo "$i"; return 0; }
  done
  return 1
}

# --- Fault injection: a cluster started with `cluster/up N --faults` ------------------------------
# Every peer link runs through a grove-proxy: for I < J (I dials J), node I's config names the
# proxy of link I-J as node J's peer address; the proxy forwards to J's real peer port from I's own
# host, so J sees the same source as without it. Each node also gets a client-facing proxy.
# Proxies live on their own loopback addresses, so their ports never collide with the nodes':
#   link I-J:   127.1.HOST_BASE.(10*I+J), port PEER_PORT
#   client I:   127.1.HOST_BASE.I,        port CLIENT_PORT
# and each has its control channel on its own address at ADMIN_PORT. Their pids, logs and control
# addresses live in $RUN_DIR/proxies/NAME.{pid,log,control}.
PROXY_DIR="$RUN_DIR/proxies"

faults_enabled() { [ -f "$RUN_DIR/faults" ]; }
require_faults() {
  faults_enabled || die "$1 needs a cluster started with 'cluster/up N --faults'; this one runs without proxies, so nothing can be cut (kill, restart, pause, resume and wipe work on any cluster)"
}

link_proxy_host() { echo "127.1.$HOST_BASE.$((10 * $1 + $2))"; }
client_proxy_host() { echo "127.1.$HOST_BASE.$1"; }
# link_name I J: the proxy of the link between I and J, whichever order they are given in.
link_name() { if [ "$1" -lt "$2" ]; then echo "link-$1-$2"; else echo "link-$2-$1"; fi; }
proxy_pid() { local f="$PROXY_DIR/$1.pid"; [ -f "$f" ] && cat "$f"; }
proxy_alive() { local p; p=$(proxy_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
proxy_names() { [ -d "$PROXY_DIR" ] && ls "$PROXY_DIR" | sed -n 's/\.control$//p' | sort; }

# The address node I's config gives node J's peer port: the link proxy when I dials J.
peer_address_seen_by() {
  local i=$1 j=$2
  if faults_enabled && [ "$i" -lt "$j" ]; then
    echo "$(link_proxy_host "$i" "$j"):$PEER_PORT"
  else
    echo "$(node_host "$j"):$(node_peer_port "$j")"
  fi
}

# start_proxy NAME LISTEN TARGET CONTROL [SOURCE]: starts one proxy unless it runs; waits until
# its control channel answers.
start_proxy() {
  local name=$1 listen=$2 target=$3 control=$4 source=${5:-}
  mkdir -p "$PROXY_DIR"
  echo "$control" >"$PROXY_DIR/$name.control"
  proxy_alive "$name" && return 0
  local args=(--listen "$listen" --target "$target" --control "$control")
  [ -n "$source" ] && args+=(--source "$source")
  nohup "$BIN_DIR/grove-proxy" "${args[@]}" >>"$PROXY_DIR/$name.log" 2>&1 &
  echo $! >"$PROXY_DIR/$name.pid"
  for _ in $(seq 1 50); do
    "$BIN_DIR/grove-proxy" ctl "$control" status >/dev/null 2>&1 && return 0
    proxy_alive "$name" || die "proxy $name exited; see $PROXY_DIR/$name.log"
    sleep 0.1
  done
  die "proxy $name does not answer on $control; see $PROXY_DIR/$name.log"
}

# The proxies in front of node I: its client proxy and the links it accepts (from smaller ids).
start_node_proxies() {
  local i=$1 h
  h=$(client_proxy_host "$i")
  start_proxy "client-$i" "$h:$CLIENT_PORT" "$(node_host "$i"):$(node_client_port "$i")" "$h:$ADMIN_PORT"
  for h in $(seq 1 $((i - 1))); do
    local p
    p=$(link_proxy_host "$h" "$i")
    start_proxy "link-$h-$i" "$p:$PEER_PORT" "$(node_host "$i"):$(node_peer_port "$i")" "$p:$ADMIN_PORT" "$(node_host "$h")"
  done
}

stop_proxies() {
  local name pid
  for name in $(proxy_names); do
    pid=$(proxy_pid "$name") || continue
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$PROXY_DIR/$name.pid"
  done
}

# proxy_ctl NAME COMMAND [ARGUMENT]: one control command; prints the proxy's answer.
proxy_ctl() {
  local name=$1; shift
  [ -f "$PROXY_DIR/$name.control" ] || die "no proxy $name"
  proxy_alive "$name" || die "proxy $name is not running (cluster/up --faults starts it)"
  local answer
  answer=$("$BIN_DIR/grove-proxy" ctl "$(cat "$PROXY_DIR/$name.control")" "$@" 2>&1) || die "proxy $name: $answer"
  echo "$answer"
}

# A link argument "I-J" checked against the cluster; prints "I J".
parse_link() {
  [[ "$1" =~ ^([0-9]+)-([0-9]+)$ ]] || die "bad link '$1': expected I-J, e.g. 1-2"
  local i=${BASH_REMATCH[1]} j=${BASH_REMATCH[2]} n
  n=$(node_count)
  [ "$i" -ne "$j" ] && [ "$i" -ge 1 ] && [ "$j" -ge 1 ] && [ "$i" -le "$n" ] && [ "$j" -le "$n" ] ||
    die "bad link '$1': nodes are 1..$n and a link joins two different nodes"
  echo "$i $j"
}

# The connect string through the client proxies.
proxy_connect_string() {
  local ids=() i
  for i in $(node_ids); do ids+=("$(client_proxy_host "$i"):$CLIENT_PORT"); done
  (IFS=,; echo "${ids[*]}")
}
