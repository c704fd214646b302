# shellcheck shell=bash
# hack/lib/server.sh: what the scripts that run a Pulse server of their own (bench, bench-cluster,
# soak, examples-test, readme-test) share: the two cores a pinned benchmark needs, a free port, the
# server's configuration, the start that waits until it answers, the stop. Sourced from the
# repository's root:
#
#   . hack/lib/server.sh
#   addr="127.0.0.1:$(free_port)"
#   server_config "$addr" >"$work/config.yaml"   # then append sections of your own
#   trap stop_server EXIT
#   start_server "$addr" "$work" "$work/server.log" "$root/bin/pulse"   # sets server_pid

# need_two_cores WHAT: taskset (installed with hack/install-deps.sh when missing) and two cores,
# for WHAT ("make bench"), which pins the server to one core and the load to the other; exits if
# the machine has one.
need_two_cores() {
  if ! command -v taskset >/dev/null; then
    echo "taskset (util-linux) is missing: installing it with hack/install-deps.sh" >&2
    hack/install-deps.sh
  fi
  if [ "$(nproc)" -lt 2 ]; then
    echo "$1 needs two cores (server on one, load on the other); this machine has $(nproc)" >&2
    exit 1
  fi
}

# server_pid: the server start_server started ("" when none is running).
server_pid=""

# free_port: prints a loopback port nothing answers on.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

# server_config ADDR: the configuration of a quiet server on ADDR (log level warning, no router
# map); a script appends its own sections.
server_config() {
  cat <<YAML
server:
  address: "$1"
  dumpRouterMap: false
logger:
  level: warning
YAML
}

# healthy ADDR [PATH]: whether the server at ADDR answers PATH (default /healthz) with code 0.
healthy() {
  (exec 3<>"/dev/tcp/${1%:*}/${1##*:}" && printf 'GET %s HTTP/1.0\r\n\r\n' "${2:-/healthz}" >&3 && grep -q '"code":0' <&3) 2>/dev/null
}

# await_server PID ADDR LOG SECONDS [PATH]: waits until ADDR is healthy (PATH: see healthy). If the
# process PID ends first, or SECONDS pass, prints why and the log LOG, and exits the script.
await_server() {
  local pid=$1 addr=$2 log=$3 seconds=$4 path=${5:-/healthz}
  for _ in $(seq $((seconds * 10))); do
    healthy "$addr" "$path" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the server did not start; its log:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not answer $path within $seconds s; its log:" >&2
  cat "$log" >&2
  exit 1
}

# start_server ADDR DIR LOG COMMAND...: runs COMMAND in DIR with GF_GCFG_PATH=DIR (so that the
# server reads DIR/config.yaml), its output appended to LOG, and waits until ADDR answers /healthz
# (a minute at most). COMMAND is the server or a prefix that execs it, with an absolute path (it runs
# in DIR): "$root/bin/pulse", or env GOMAXPROCS=1 taskset -c 0 "$root/bin/pulse". Sets server_pid,
# the server's own pid.
start_server() {
  local addr=$1 dir=$2 log=$3
  shift 3
  (cd "$dir" && GF_GCFG_PATH="$dir" exec "$@" >>"$log" 2>&1) &
  server_pid=$!
  await_server "$server_pid" "$addr" "$log" 60
}

# stop_server: stops the server start_server started, if any (SIGTERM), and waits until it is gone.
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
