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

build_release() {
  if [ -z "${GROVE_SKIP_BUILD:-}" ]; then
    echo "building release binaries (swift build -c release)..." >&2
    (cd "$REPO_DIR" && swift build -c release --product grove-server >&2) || die "build failed"
  fi
  [ -x "$BIN_DIR/grove-server" ] || die "no $BIN_DIR/grove-server"
}

start_node() {
  local i=$1 dir
  dir=$(node_dir "$i")
  node_alive "$i" && return 0
  nohup "$BIN_DIR/grove-server" --config "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
}
