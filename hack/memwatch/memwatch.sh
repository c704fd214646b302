#!/usr/bin/env bash
# memwatch.sh PID URL [INTERVAL]: prints, every INTERVAL seconds (default 15), one line of a
# server's memory: RSS and its anonymous part (smaps_rollup); of the anonymous mappings, what is
# resident in the Go heap's arenas, in the SQLite allocator's 1 MiB pages (and how many) and in the
# rest; descriptors; and from /metrics the Go heap in use, idle and released, stacks, goroutines,
# row-data memory, the memory SQLite counts and the store's connections in use. Used to find what
# grows under a steady load (issue 23).
set -u
pid=$1; url=$2; every=${3:-15}
printf 'time rss_kb anon_kb goarena_kb sqlpages_kb sqlpages otheranon_kb fds heap_inuse heap_idle heap_released stack_inuse goroutines rowdata sqlite_mem store_conns_in_use\n'
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^Rss:/{print $2}' /proc/$pid/smaps_rollup)
  anon=$(awk '/^Anonymous:/{print $2}' /proc/$pid/smaps_rollup)
  # The Go heap's arenas are large anonymous mappings (64 MiB reservations, at randomised
  # addresses); the SQLite allocator's pages (modernc.org/memory) are anonymous mappings of at most
  # 1 MiB, aligned to 1 MiB; the rest (the runtime's own structures, thread stacks) is "other".
  read -r goarena sqlpages nsql other < <(awk '
    /^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); lo=strtonum("0x" r[1]); hi=strtonum("0x" r[2]);
      anonmap=($5 == 0 && $6 == ""); kind=(hi-lo >= 4*1048576) ? "go" : ((hi-lo <= 1048576 && lo % 1048576 == 0) ? "sql" : "other") }
    /^Rss:/ { if (anonmap) { v[kind]+=$2; if (kind=="sql" && $2>0) n++ } }
    END { print v["go"]+0, v["sql"]+0, n+0, v["other"]+0 }' /proc/$pid/smaps)
  fds=$(ls /proc/$pid/fd | wc -l)
  m=$(curl -s --max-time 5 "$url/metrics")
  get() { printf '%s\n' "$m" | awk -v k="$1" '$1==k{printf "%.0f", $2; f=1} END{if(!f) printf "-"}'; }
  printf '%s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s\n' "$(date -u +%H:%M:%S)" "$rss" "$anon" "$goarena" "$sqlpages" "$nsql" "$other" "$fds" \
    "$(get go_memstats_heap_inuse_bytes)" "$(get go_memstats_heap_idle_bytes)" "$(get go_memstats_heap_released_bytes)" \
    "$(get go_memstats_stack_inuse_bytes)" "$(get go_goroutines)" "$(get pulse_rowdata_memory_bytes)" \
    "$(get pulse_sqlite_memory_bytes)" "$(printf '%s\n' "$m" | awk '/^pulse_alarm_store_connections\{state="in_use"\}/{print $2}')"
  sleep "$every"
done
