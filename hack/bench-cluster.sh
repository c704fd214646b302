#!/usr/bin/env bash
# make bench-cluster: cross-node deliveries per second through one Redis. Two Pulse nodes share
# the Redis at $REDIS_ADDR (default 127.0.0.1:6379) on a bus channel of their own, and the alarm
# database at $DATABASE_LINK (default the local MariaDB's test database; row data does not touch
# it, but a cluster needs one it can share). `pulse bench --addr A,B` puts half
# the subscribers on each node and sends half the publishes to each, so every item published
# reaches subscribers on both nodes, half of the deliveries across the bus. Both nodes share core
# 0, the load tool has core 1 (GOMAXPROCS=1 each). Prints the median of three runs.
#
# BENCH_SUBS (2000), BENCH_KEYS (100), BENCH_RATES (a publish/s ladder), BENCH_STEP (5s).
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/server.sh

redis=${REDIS_ADDR:-127.0.0.1:6379}
database=${DATABASE_LINK:-mysql:root:@tcp(127.0.0.1:3306)/test}
subs=${BENCH_SUBS:-2000}
keys=${BENCH_KEYS:-100}
rates=${BENCH_RATES:-2000,4000,6000,8000,10000,12000,14000,16000}
step=${BENCH_STEP:-5s}
runs=3

if ! (exec 3<>"/dev/tcp/${redis%:*}/${redis#*:}") 2>/dev/null; then
  echo "no Redis answers at $redis (set REDIS_ADDR)" >&2
  exit 1
fi
need_two_cores "make bench-cluster"
go build -o bin/pulse .
root=$(pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  stop_server # a node that did not answer /healthz, not in pids yet
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# start_node DIR PORT CHANNEL: one node, waiting until /readyz answers 200.
start_node() {
  local dir=$1 addr=127.0.0.1:$2 channel=$3
  mkdir -p "$dir"
  server_config "$addr" >"$dir/config.yaml"
  cat >>"$dir/config.yaml" <<YAML
bus:
  type: redis
  channel: "$channel"
redis:
  default:
    address: "$redis"
database:
  default:
    link: "$database"
YAML
  start_server "$addr" "$dir" "$dir/server.log" env GOMAXPROCS=1 taskset -c 0 "$root/bin/pulse"
  pids+=("$server_pid")
  server_pid="" # stopped with the run's other node, through pids
  await_server "${pids[-1]}" "$addr" "$dir/server.log" 10 /readyz
}

bests=()
for r in $(seq $runs); do
  channel="pulse-bench-$$-$r"
  pa=$(free_port)
  start_node "$work/a$r" "$pa" "$channel"
  pb=$(free_port)
  start_node "$work/b$r" "$pb" "$channel"
  echo "run $r of $runs: pulse bench --addr 127.0.0.1:$pa,127.0.0.1:$pb --subs $subs --keys $keys --rate $rates" >&2
  GOMAXPROCS=1 taskset -c 1 bin/pulse bench --addr "127.0.0.1:$pa,127.0.0.1:$pb" --json --subs "$subs" --keys "$keys" \
    --rate "$rates" --duration "$step" --stop >"$work/run-$r.jsonl" 2>>"$work/progress.log" || true
  best=$(awk 'match($0, /"deliveriesRate":[0-9.]+/) && /"ok":true/ { v = substr($0, RSTART + 17, RLENGTH - 17) + 0; if (v > b) b = v } END { printf "%.0f\n", b }' "$work/run-$r.jsonl")
  bests+=("$best")
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
done
median=$(printf '%s\n' "${bests[@]}" | sort -g | awk '{ v[n++] = $1 } END { print v[int((n - 1) / 2)] }')
echo
echo "Cross-node: $subs subscribers over $keys keys on 2 nodes sharing one Redis ($redis), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores"
echo "median $median deliveries/s with p99 < 250 ms and nothing lost (runs: ${bests[*]}); raw results in $work"
