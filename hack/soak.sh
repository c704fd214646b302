#!/usr/bin/env bash
# make soak: builds bin/pulse, starts a fresh server pinned to one core (core 0, GOMAXPROCS=1) with
# its own empty store, runs `pulse bench --soak` against it pinned to another (core 1, GOMAXPROCS=1)
# for SOAK_DURATION, prints the table every 10 s and the PASS or FAIL line, and stops the server.
#
# SOAK_DURATION: how long the load runs (default 10m); SOAK_WARMUP: the warm-up whose end's RSS the
# drift is measured against (default 1m). SOAK_ARGS: more options for `pulse bench --soak`, such as
# "--dashboards 1000 --churn 20". SOAK_SERVER_CPU / SOAK_TOOL_CPU: the cores (default 0 and 1).
# SOAK_HISTORY_WINDOW: the server's rowdata.historyWindow (default its own, 15m): the history fills
# for that long, so a drift measured after a shorter warm-up counts the history filling up.
# SOAK_IDLE: after the load, how long the server stays idle before its RSS is compared with that of
# a fresh server on the same store (default 0: no comparison); the idle RSS must be within 25 %.
# SOAK_PROFILE=1: the server's pprof endpoints on, heap profiling at GODEBUG=memprofilerate=512,
# and with SOAK_IDLE heap profiles of the idle and the fresh server saved beside the store (each
# taken after its RSS, which it would otherwise move), with the command that compares them.
# The server's log and store are kept in a temporary folder, printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/server.sh

duration=${SOAK_DURATION:-10m}
warmup=${SOAK_WARMUP:-1m}
idle=${SOAK_IDLE:-0}
history_window=${SOAK_HISTORY_WINDOW:-}
server_cpu=${SOAK_SERVER_CPU:-0}
tool_cpu=${SOAK_TOOL_CPU:-1}

need_two_cores "make soak"

go build -o bin/pulse .
root=$(pwd)
work=$(mktemp -d)
trap stop_server EXIT

addr="127.0.0.1:$(free_port)"
server_config "$addr" >"$work/config.yaml"
profile=${SOAK_PROFILE:-}
server_env=(GOMAXPROCS=1)
if [ -n "$profile" ]; then
  sed -i 's/^server:$/server:\n  pprofEnabled: true/' "$work/config.yaml"
  server_env+=(GODEBUG=memprofilerate=512)
fi
if [ -n "$history_window" ]; then
  printf 'rowdata:\n  historyWindow: "%s"\n' "$history_window" >>"$work/config.yaml"
fi

# pinned_server: a server on the store in $work, pinned to its core.
pinned_server() {
  start_server "$addr" "$work" "$work/server.log" env "${server_env[@]}" taskset -c "$server_cpu" "$root/bin/pulse"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
mib() { awk -v kb="$1" 'BEGIN {printf "%.1f MiB", kb / 1024}'; }
# heap_profile NAME: saves the server's heap profile as $work/NAME.pb.gz (with SOAK_PROFILE).
heap_profile() { [ -z "$profile" ] || curl -s -o "$work/$1.pb.gz" "http://$addr/debug/pprof/heap"; }
pinned_server

echo "### make soak: $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo '?'); server on core $server_cpu, \`pulse bench --soak\` on core $tool_cpu, GOMAXPROCS=1 each"
echo
status=0
# shellcheck disable=SC2086 # SOAK_ARGS is a list of options
GOMAXPROCS=1 taskset -c "$tool_cpu" bin/pulse bench --soak --addr "$addr" --duration "$duration" --warmup "$warmup" \
  --pid "$server_pid" ${SOAK_ARGS:-} || status=$?

if [ "$idle" != "0" ]; then
  echo
  echo "Idle for $idle after the load (every socket closed)..."
  sleep "$idle"
  idle_kb=$(rss_kb)
  heap_profile idle
  stop_server
  pinned_server
  sleep 30
  fresh_kb=$(rss_kb)
  heap_profile fresh
  ratio=$(awk -v a="$idle_kb" -v b="$fresh_kb" 'BEGIN {printf "%.2f", a / b}')
  verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.25) ? "PASS" : "FAIL"}')
  echo "$verdict: idle RSS $(mib "$idle_kb") after the load, $(mib "$fresh_kb") for a fresh server on the same store 30 s after its start (x$ratio, limit x1.25)"
  [ "$verdict" = PASS ] || status=1
  if [ -n "$profile" ]; then
    echo "What the idle server holds that the fresh one does not, by allocation site:"
    echo "  go tool pprof -sample_index=inuse_objects -top -diff_base $work/fresh.pb.gz $work/idle.pb.gz"
  fi
fi
echo
echo "Server log and store: $work"
exit "$status"
