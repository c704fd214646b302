#!/usr/bin/env bash
# make bench: runs the standard load scenarios against a Pulse server pinned to one core (core 0,
# GOMAXPROCS=1) with the load tool, `pulse bench`, pinned to another (core 1, GOMAXPROCS=1), and
# prints a markdown table of the medians of three runs. A fresh server is started for every run.
#
#   S1 broadcast: 1,000 and 10,000 subscribers on one key, 64-byte payloads, rate stepped up. The
#                 figure is the highest deliveries/s of a step with p99 < 250 ms and nothing lost,
#                 duplicated or misrouted; also the p99 of the step nearest half that rate.
#   S2 routed:    10,000 subscribers over 1,000 keys (10 each), random keys; the same figures.
#   S3 idle:      15,000 idle subscribers held 30 s: server RSS growth per connection, handshakes/s.
#   Raw server:   S1 10k is also run against hack/rawserver (the least a server can do: one
#                 pre-built frame written to each socket in a loop, on the publishing request),
#                 alternating with Pulse, and so are single publishes to 10,000 subscribers (one
#                 per second): the median latency and the server's CPU time per publish, of
#                 Pulse and of the raw server, and their ratios.
#   S4 ingest:    no subscribers; 64 posters, each over a kept-alive connection of its own, post and
#                 wait for the answer (a closed loop) for 10 s: row data and alarms, one item per
#                 request and 100 per request; alarms on the default SQLite store, and on MariaDB and
#                 PostgreSQL when they answer (BENCH_MYSQL_LINK, BENCH_PGSQL_LINK: databases named
#                 pulse_bench..., emptied before each run by hack/benchdb; "" leaves one out). Every
#                 alarm row is printed beside the row-data figure of the same runs, with the ratio,
#                 and the server's CPU time per item (from /proc). A fresh server and store per figure.
#
# BENCH_AUTH=1: also runs S1 1k, S2 and S3 with auth on (an HS256 token for the subscribers, an
#               ingest key for the publisher), alternating auth-off and auth-on runs so that both
#               meet the same noise, and prints each auth-on row under its auth-off one.
# BENCH_QUICK=1: one run each, fewer steps, shorter steps (for development).
# BENCH_OUT=dir: keep the tool's JSON results there (default: a temporary folder, printed at the end).
# BENCH_SERVER_CPU / BENCH_TOOL_CPU: the cores to use (default 0 and 1).
# BENCH_SCENARIOS: which to run, of "s1 s2 s3 s4" (default all), e.g. BENCH_SCENARIOS=s4.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/server.sh

quick=${BENCH_QUICK:-0}
with_auth=${BENCH_AUTH:-0}
server_cpu=${BENCH_SERVER_CPU:-0}
tool_cpu=${BENCH_TOOL_CPU:-1}
scenarios=" ${BENCH_SCENARIOS:-s1 s2 s3 s4} "
mysql_link=${BENCH_MYSQL_LINK-mysql:root:@tcp(127.0.0.1:3306)/pulse_bench}
pgsql_link=${BENCH_PGSQL_LINK-pgsql:postgres:@tcp(127.0.0.1:5432)/pulse_bench?sslmode=disable}
if [ "$quick" = 1 ]; then
  runs=1 step=2s hold=10s single_step=5s ingest_time=5s
  s1k_rates=200,600,1000,1200
  s10k_rates=5,15,25,30
  s2_rates=2000,6000,10000,12000
else
  runs=3 step=5s hold=30s single_step=10s ingest_time=10s
  s1k_rates=100,200,300,400,500,600,700,800,900,1000,1100,1200
  s10k_rates=2.5,5,7.5,10,12.5,15,17.5,20,22.5,25,27.5,30
  s2_rates=1000,2000,3000,4000,5000,6000,7000,8000,9000,10000,11000,12000
fi

need_two_cores "make bench"

go build -o bin/pulse .
go build -o bin/rawserver ./hack/rawserver
root=$(pwd)
work=$(mktemp -d)
out=${BENCH_OUT:-$work/results}
mkdir -p "$out"
cleanup() {
  stop_server
  rm -rf "$work/auth" # the secret and the key's hash: nothing to keep once the servers are gone
}
trap cleanup EXIT

addr="127.0.0.1:$(free_port)"
server_config "$addr" >"$work/config.yaml"

# With BENCH_AUTH=1, a second configuration in $work/auth: the same server with auth on, an HS256
# secret and one ingest key, and the token and key the tool sends (through the environment, so that
# neither shows in the process list or in this script's output).
token="" ingest_key=""
if [ "$with_auth" = 1 ]; then
  mkdir -m 700 "$work/auth"
  secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
  entry=$(bin/pulse key --name bench --allow rowdata,alarm --businesses '*' --rate 0)
  ingest_key=$(printf '%s\n' "$entry" | sed -n 's/^key: //p')
  { cat "$work/config.yaml"
    printf 'auth:\n  enabled: true\n  jwt:\n    hmacSecret: "%s"\n  ingestKeys:\n' "$secret"
    printf '%s\n' "$entry" | sed -n '/^- name:/,$p' | sed 's/^/    /'
  } >"$work/auth/config.yaml"
  token=$(cd "$work/auth" && GF_GCFG_PATH="$work/auth" "$root/bin/pulse" token --sub bench --rowdata 'bench/*' --ttl 24h)
  [ -n "$token" ] && [ -n "$ingest_key" ] || { echo "could not make the token and the ingest key" >&2; exit 1; }
fi

# fresh_server [auth|mysql|pgsql|raw]: a fresh server pinned to its core, with auth on, or its
# alarm store on that database (see store_config), when asked; or the raw server.
fresh_server() {
  local dir=$work
  case ${1:-} in auth | mysql | pgsql) dir=$work/$1 ;; esac
  local server=("$root/bin/pulse")
  if [ "${1:-}" = raw ]; then server=("$root/bin/rawserver" -addr "$addr"); fi
  start_server "$addr" "$dir" "$work/server.log" env GOMAXPROCS=1 taskset -c "$server_cpu" "${server[@]}"
}

# tool NAME RUN ARGS...: one run of the load tool against a fresh server; results in $out/NAME-RUN.jsonl.
# A NAME ending in -auth runs with auth on: the server checks, the tool sends the token and the key.
# A NAME ending in -raw runs against the raw server. The tool is given the server's pid (--pid):
# each step reports the server's CPU time per item.
tool() {
  local name=$1 run=$2
  shift 2
  local mode="" tok="" key=""
  case $name in *-auth) mode=auth tok=$token key=$ingest_key ;; *-raw) mode=raw ;; esac
  fresh_server $mode
  set -- "$@" --pid "$server_pid"
  echo "$name, run $run of $runs: pulse bench $*" >&2
  local progress=/dev/stderr
  [ -t 2 ] || progress="$work/progress.log"
  PULSE_BENCH_TOKEN=$tok PULSE_BENCH_INGEST_KEY=$key GOMAXPROCS=1 taskset -c "$tool_cpu" bin/pulse bench --addr "$addr" --json "$@" \
    >"$out/$name-$run.jsonl" 2>>"$progress" || { echo "$name run $run failed; see $out/$name-$run.jsonl" >&2; }
  if [ -t 2 ]; then echo >&2; fi
  stop_server
}

# num_awk: an awk function, num(line, key), the number of "key": in a line of the tool's JSON.
num_awk='
    function num(line, key) {
      if (match(line, "\"" key "\":[-0-9.eE+]+")) return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3) + 0
      return 0
    }'

# fields FILE: "best p99-at-half rate-at-half first-rate first-p99" of a stepped run: the highest
# deliveries/s of a step that is ok, the p99 of the ok step whose deliveries/s is nearest half of it,
# and the deliveries/s and p99 of the first step (what to show when no step is ok).
fields() {
  awk "$num_awk"'
    BEGIN { n = 0 }
    /"step":1,/ { firstRate = num($0, "deliveriesRate"); firstP99 = num($0, "p99Ms") }
    /"ok":true/ { rate[n] = num($0, "deliveriesRate"); p99[n] = num($0, "p99Ms"); n++ }
    END {
      best = 0; bi = -1; bd = -1
      for (i = 0; i < n; i++) if (rate[i] > best) best = rate[i]
      for (i = 0; i < n; i++) { d = rate[i] - best / 2; if (d < 0) d = -d; if (bd < 0 || d < bd) { bd = d; bi = i } }
      if (bi < 0) printf "0 - 0 %.0f %.1f\n", firstRate, firstP99
      else printf "%.0f %.1f %.0f %.0f %.1f\n", best, p99[bi], rate[bi], firstRate, firstP99
    }' "$1"
}

# idle_fields FILE: "KB-per-connection handshakes/s".
idle_fields() {
  awk "$num_awk"'
    /"mode":"idle"/ { printf "%.1f %.0f\n", num($0, "rssPerConnKB"), num($0, "connectRate") }' "$1"
}

# median: of the numbers on stdin ("-" when there are none).
median() {
  sort -g | awk '{ v[n++] = $1 } END { if (n == 0) print "-"; else print v[int((n - 1) / 2)] }'
}

# thousands: 1234567 -> 1,234,567.
thousands() {
  awk '{ s = sprintf("%.0f", $1); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'
}

# names NAME PAIRED: the runs' names: NAME, and NAME-auth too when PAIRED=1 and BENCH_AUTH=1, or
# NAME-raw when PAIRED=raw.
names() {
  echo "$1"
  if [ "$2" = 1 ] && [ "$with_auth" = 1 ]; then echo "$1-auth"; fi
  if [ "$2" = raw ]; then echo "$1-raw"; fi
}

# ratio NEW OLD [FORMAT]: NEW as a percentage of OLD, for the auth-on rows ("" when either is
# missing); FORMAT (a printf format of the percentage) says it otherwise.
ratio() {
  awk -v a="$1" -v b="$2" -v f="${3:-%.0f %% of auth off}" 'BEGIN { gsub(",", "", a); gsub(",", "", b); if (a + 0 > 0 && b + 0 > 0) printf " (" f ")", 100 * a / b }'
}

# label NAME LABEL: the row's label; an auth-on or raw-server run's says so.
label() {
  case $1 in *-auth) echo "$2, auth on" ;; *-raw) echo "$2, raw server" ;; *) echo "$2" ;; esac
}

# stepped NAME LABEL PAIRED ARGS...: runs a stepped scenario $runs times and adds its table row
# (with PAIRED=1 and BENCH_AUTH=1, the auth-on runs alternate with the auth-off ones, and their row follows).
rows=()
declare -A figure
stepped() {
  local name=$1 label=$2 paired=$3
  shift 3
  local r n
  for r in $(seq "$runs"); do
    for n in $(names "$name" "$paired"); do tool "$n" "$r" "$@" --stop; done
  done
  for n in $(names "$name" "$paired"); do stepped_row "$n" "$(label "$n" "$label")"; done
}

# stepped_row NAME LABEL: the table row of the runs of NAME.
stepped_row() {
  local name=$1 label=$2
  local bests=() halves=() halfrates=() firsts=() r
  for r in $(seq "$runs"); do
    read -r best half halfrate frate fp99 < <(fields "$out/$name-$r.jsonl") || true
    bests+=("$best") halves+=("$half") halfrates+=("$halfrate")
    firsts+=("$(printf '%s' "$frate" | thousands)/s with p99 $fp99 ms")
  done
  local b h hr each
  b=$(printf '%s\n' "${bests[@]}" | median | thousands)
  h=$(printf '%s\n' "${halves[@]}" | { grep -v '^-$' || true; } | median)
  hr=$(printf '%s\n' "${halfrates[@]}" | median | thousands)
  each=$(printf '%s\n' "${bests[@]}" | thousands | paste -sd/ | sed 's#/# / #g')
  figure[$name]=$b
  if [ "$b" = 0 ]; then
    rows+=("| $label | no step passed (first step of run 1: ${firsts[0]}) | - | $each |")
    return
  fi
  local vs=""
  case $name in
    *-auth) vs=$(ratio "$b" "${figure[${name%-auth}]:-}") ;;
    *-raw) vs=$(ratio "${figure[${name%-raw}]:-}" "$b" "Pulse: %.0f %% of it") ;;
  esac
  rows+=("| $label | $b deliveries/s$vs | $h ms (at $hr/s) | $each |")
}

# wants SCENARIO: whether BENCH_SCENARIOS asks for it.
wants() { [[ $scenarios == *" $1 "* ]]; }

if wants s1; then
  stepped s1-1k "S1 broadcast: 1,000 subscribers, 1 key" 1 --subs 1000 --keys 1 --rate "$s1k_rates" --duration "$step"
  stepped s1-10k "S1 broadcast: 10,000 subscribers, 1 key" raw --subs 10000 --keys 1 --rate "$s10k_rates" --duration "$step"

  # single_fields FILE: "p50-ms cpu-ms-per-publish cpu-ms-per-publish-without-idle" of a run of single publishes.
  single_fields() {
    awk '
      function num(line, key) {
        if (match(line, "\"" key "\":[-0-9.eE+]+")) return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3) + 0
        return 0
      }
      /"mode":"publish"/ { printf "%.1f %.1f %.1f\n", num($0, "p50Ms"), num($0, "serverCpuPerPublishMs"), num($0, "serverPublishCpuPerPublishMs") }' "$1"
  }

  # Single publishes to 10,000 subscribers, one per second, Pulse and the raw server alternating.
  for r in $(seq "$runs"); do
    for n in s1-single s1-single-raw; do tool "$n" "$r" --subs 10000 --keys 1 --rate 1 --duration "$single_step"; done
  done
  declare -A single
  for n in s1-single s1-single-raw; do
    p50s=() cpus=() pubs=()
    for r in $(seq "$runs"); do
      p50="" cpu="" pub=""
      read -r p50 cpu pub < <(single_fields "$out/$n-$r.jsonl") || true
      p50s+=("${p50:-}") cpus+=("${cpu:-}") pubs+=("${pub:-}")
    done
    single[$n-p50]=$(printf '%s\n' "${p50s[@]}" | { grep . || true; } | median)
    single[$n-cpu]=$(printf '%s\n' "${cpus[@]}" | { grep . || true; } | median)
    single[$n-pub]=$(printf '%s\n' "${pubs[@]}" | { grep . || true; } | median)
    single[$n-each]=$(paste -d' ' <(printf '%s\n' "${p50s[@]}") <(printf '%s\n' "${cpus[@]}") | awk '{ printf "%s%s ms, %s ms CPU", (NR > 1 ? " / " : ""), $1, $2 }')
  done
  times() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f ×", a / b; else print "-" }'; }
  rows+=("| S1 single publishes to 10,000 subscribers (1/s) | median latency ${single[s1-single-p50]} ms ($(times "${single[s1-single-p50]}" "${single[s1-single-raw-p50]}") the raw server's), ${single[s1-single-cpu]} ms of server CPU per publish ($(times "${single[s1-single-cpu]}" "${single[s1-single-raw-cpu]}")), ${single[s1-single-pub]} ms without the idle heartbeats ($(times "${single[s1-single-pub]}" "${single[s1-single-raw-pub]}")) | | ${single[s1-single-each]} |")
  rows+=("| S1 single publishes to 10,000 subscribers (1/s), raw server | median latency ${single[s1-single-raw-p50]} ms, ${single[s1-single-raw-cpu]} ms of server CPU per publish | | ${single[s1-single-raw-each]} |")
fi
if wants s2; then
  stepped s2 "S2 routed: 10,000 subscribers, 1,000 keys" 1 --subs 10000 --keys 1000 --rate "$s2_rates" --duration "$step"
fi

# idle NAME RUN: one S3 run against a fresh server (auth on for a NAME ending in -auth).
idle() {
  local name=$1 r=$2 mode="" tok="" key=""
  case $name in *-auth) mode=auth tok=$token key=$ingest_key ;; esac
  fresh_server $mode
  echo "$name, run $r of $runs: pulse bench --idle --subs 15000 --keys 1000 --duration $hold" >&2
  local progress=/dev/stderr
  [ -t 2 ] || progress="$work/progress.log"
  PULSE_BENCH_TOKEN=$tok PULSE_BENCH_INGEST_KEY=$key GOMAXPROCS=1 taskset -c "$tool_cpu" bin/pulse bench --addr "$addr" --json --idle --subs 15000 --keys 1000 \
    --duration "$hold" --pid "$server_pid" >"$out/$name-$r.jsonl" 2>>"$progress" || echo "$name run $r failed" >&2
  if [ -t 2 ]; then echo >&2; fi
  stop_server
}

for r in $(seq "$runs"); do
  wants s3 || break
  for n in $(names s3 1); do idle "$n" "$r"; done
done
wants s3 && for n in $(names s3 1); do
  kbs=() hss=()
  for r in $(seq "$runs"); do
    kb="" hs=""
    read -r kb hs < <(idle_fields "$out/$n-$r.jsonl") || true
    kbs+=("${kb:-}") hss+=("${hs:-}")
  done
  kb=$(printf '%s\n' "${kbs[@]}" | { grep . || true; } | median)
  hs=$(printf '%s\n' "${hss[@]}" | { grep . || true; } | median | thousands)
  figure[$n]=$hs
  vs=""
  case $n in *-auth) vs=$(ratio "$hs" "${figure[s3]:-}") ;; esac
  rows+=("| $(label "$n" "S3 idle: 15,000 subscribers held $hold") | $kb KB server RSS per connection | | $(printf '%s\n' "${kbs[@]}" | paste -sd/ | sed 's#/# / #g') |")
  rows+=("| $(label "$n" "S3 connect: 15,000 subscribers") | $hs handshakes/s$vs | | $(printf '%s\n' "${hss[@]}" | thousands | paste -sd/ | sed 's#/# / #g') |")
done

# S4 ingest. store_config STORE LINK: a configuration in $work/STORE whose alarm store is LINK.
store_config() {
  mkdir -p "$work/$1"
  { cat "$work/config.yaml"; printf 'database:\n  default:\n    link: "%s"\n' "$2"; } >"$work/$1/config.yaml"
}

# ingest NAME RUN STORE ARGS...: one closed-loop ingest run against a fresh server whose alarm store
# is fresh too (sqlite: a new file; mysql, pgsql: the bench database emptied); results in
# $out/NAME-RUN.jsonl.
ingest() {
  local name=$1 r=$2 store=$3
  shift 3
  case $store in
    sqlite) rm -rf "$work/data"; fresh_server ;;
    mysql) "$work/benchdb" "$mysql_link" && fresh_server mysql ;;
    pgsql) "$work/benchdb" "$pgsql_link" && fresh_server pgsql ;;
  esac
  echo "$name, run $r of $runs: pulse bench --ingest $*" >&2
  local progress=/dev/stderr
  [ -t 2 ] || progress="$work/progress.log"
  GOMAXPROCS=1 taskset -c "$tool_cpu" bin/pulse bench --addr "$addr" --json --posters 64 --duration "$ingest_time" \
    --pid "$server_pid" --ingest "$@" >"$out/$name-$r.jsonl" 2>>"$progress" || echo "$name run $r failed" >&2
  if [ -t 2 ]; then echo >&2; fi
  stop_server
}

# ingest_fields FILE: "items/s server-µs-per-item p99-ms ok" of an ingest run.
ingest_fields() {
  awk "$num_awk"'
    /"mode":"ingest"/ { printf "%.0f %.1f %.1f %s\n", num($0, "itemRate"), num($0, "serverCpuPerItemUs"), num($0, "p99Ms"), (/"ok":true/ ? "ok" : "failed") }' "$1"
}

# reachable LINK: whether something answers at the host:port of a mysql: or pgsql: link.
reachable() {
  local hp
  hp=$(printf '%s' "$1" | sed -n 's/.*@tcp(\([^)]*\)).*/\1/p')
  [ -n "$hp" ] && (exec 3<>"/dev/tcp/${hp%:*}/${hp#*:}") 2>/dev/null
}

ingest_rows=()
if wants s4; then
  go build -o "$work/benchdb" ./hack/benchdb
  stores=(sqlite)
  for db in mysql pgsql; do
    link=$mysql_link
    [ "$db" = pgsql ] && link=$pgsql_link
    if [ -z "$link" ]; then
      ingest_rows+=("| alarms on $db | left out (BENCH_${db^^}_LINK is empty) | | | | | |")
    elif ! reachable "$link"; then
      ingest_rows+=("| alarms on $db | left out: nothing answers at its address (BENCH_${db^^}_LINK) | | | | | |")
    else
      store_config "$db" "$link"
      stores+=("$db")
    fi
  done
  for r in $(seq "$runs"); do
    for batch in 1 100; do
      ingest "s4-rowdata-$batch" "$r" sqlite rowdata --batch "$batch"
      for st in "${stores[@]}"; do ingest "s4-$st-$batch" "$r" "$st" alarm --batch "$batch"; done
    done
  done
  declare -A store_label=([sqlite]="SQLite (default)" [mysql]="MariaDB" [pgsql]="PostgreSQL")
  for batch in 1 100; do
    per="1 per request"
    [ "$batch" = 100 ] && per="100 per request"
    # row data: the reference of every alarm row of this batch size
    declare -A rd=() rdcpu=()
    rds=() cpus=() p99s=() bad=""
    for r in $(seq "$runs"); do
      read -r rate cpu p99 ok < <(ingest_fields "$out/s4-rowdata-$batch-$r.jsonl") || true
      rd[$r]=${rate:-0} rdcpu[$r]=${cpu:-}
      rds+=("${rate:-0}") cpus+=("${cpu:-}") p99s+=("${p99:-}")
      [ "${ok:-failed}" = ok ] || bad=" (a run had failed requests: see $out)"
    done
    rdm=$(printf '%s\n' "${rds[@]}" | median)
    ingest_rows+=("| row data, $per | $(printf '%s' "$rdm" | thousands) items/s$bad | | $(printf '%s\n' "${cpus[@]}" | median) µs | $(printf '%s\n' "${p99s[@]}" | median) ms | $(printf '%s\n' "${rds[@]}" | thousands | paste -sd/ | sed 's#/# / #g') |")
    for st in "${stores[@]}"; do
      rates=() ratios=() cpus=() p99s=() bad=""
      for r in $(seq "$runs"); do
        read -r rate cpu p99 ok < <(ingest_fields "$out/s4-$st-$batch-$r.jsonl") || true
        rates+=("${rate:-0}") cpus+=("${cpu:-}") p99s+=("${p99:-}")
        ratios+=("$(awk -v a="${rate:-0}" -v b="${rd[$r]}" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }')")
        [ "${ok:-failed}" = ok ] || bad=" (a run had failed requests: see $out)"
      done
      ingest_rows+=("| alarms on ${store_label[$st]}, $per | $(printf '%s\n' "${rates[@]}" | median | thousands) alarms/s$bad | $(printf '%s\n' "${ratios[@]}" | median) % of row data ($(printf '%s' "$rdm" | thousands)/s) | $(printf '%s\n' "${cpus[@]}" | median) µs | $(printf '%s\n' "${p99s[@]}" | median) ms | $(printf '%s\n' "${rates[@]}" | thousands | paste -sd/ | sed 's#/# / #g') |")
    done
  done
fi

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
mode="medians of $runs runs"
[ "$quick" = 1 ] && mode="BENCH_QUICK: one run each, fewer and shorter steps"
echo
echo "### make bench: $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
what=""
[ "${#rows[@]}" -gt 0 ] && what="; steps of $step"
[ "${#ingest_rows[@]}" -gt 0 ] && what="$what; ingest runs of $ingest_time after 1 s of warm-up"
echo "$cpu, $(nproc) cores, $(uname -r), $(go env GOVERSION); server on core $server_cpu and \`pulse bench\` on core $tool_cpu, GOMAXPROCS=1 each; $mode$what."
echo
if [ "${#rows[@]}" -gt 0 ]; then
  echo "| scenario | figure | p99 at half that rate | each run |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "The figure of S1 and S2 is the highest deliveries/s of a step with p99 < 250 ms and nothing lost, duplicated or misrouted."
fi
if [ "${#ingest_rows[@]}" -gt 0 ]; then
  [ "${#rows[@]}" -gt 0 ] && echo
  echo "| S4 ingest: 64 posters, closed loop, $ingest_time | figure | vs row data, same runs | server CPU per item | p99 per request | each run |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${ingest_rows[@]}"
  echo
  echo "S4: every 200 of an alarm means it is committed (SQLite: WAL, synchronous FULL). Alarm ids are drawn from 10,000 of each run's own, so most posts repeat an alarm; row data has no subscriber. MariaDB and PostgreSQL are the machine's own, on no pinned core."
fi
if [ "$with_auth" = 1 ]; then
  echo "Auth on: auth.enabled with an HS256 auth.jwt.hmacSecret and one ingest key (rate 0); every subscriber sends one token (sub bench, rowdata bench/*) as Authorization: Bearer, the publisher the key; auth-on and auth-off runs alternate."
fi
echo "Raw results (one JSON object per step): $out"
