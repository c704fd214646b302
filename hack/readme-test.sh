#!/usr/bin/env bash
# make readme: runs every shell command of README.md, in order, against a fresh server, and fails on
# the first one that fails or does not print what the README says it prints.
#
# What runs: every ```sh block, in the repository's root, with `bash -eo pipefail`. A block may be
# marked by an HTML comment on the line before it (blank lines between are allowed):
#   <!-- readme-test: server ... -->         the block starts the server (`make run`): it runs in the
#                                            background with GF_GCFG_PATH set to a configuration of
#                                            this script's (a free port, a temporary store, an HMAC
#                                            secret for `pulse token`), until the end
#   <!-- readme-test: skip (why) -->         not run; say why (real infrastructure, the test itself)
#   <!-- readme-test: in a new folder ... --> run in a folder of its own (one for the whole run,
#                                            empty at first), as a newcomer's own project would be
#   <!-- readme-test: file NAME -->          (before a block of any language) written to NAME in that
#                                            folder, for the blocks that follow
# Other languages (yaml, go, json...) are not run; a shell block under another name (bash, shell,
# console) is refused, so that none escapes the test.
#
# Rewritten before running: localhost:8000 becomes the server's address; /path/to/pulse this
# checkout; a line starting with `bin/pulse watch` runs under `timeout` (README_WATCH_SECONDS,
# default 5) with --addr appended, a timeout counting as success.
#
# Checked: a comment line of a block that starts with `# {` is output the block must print, in
# that order among its lines; `...` in it stands for anything.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/server.sh
root=$(pwd)
readme=${README:-README.md}
watch_seconds=${README_WATCH_SECONDS:-5}

work=$(mktemp -d)
failed=1
cleanup() {
  if [ -n "$server_pid" ]; then
    # The server block runs in a session of its own: stop all of it (make and bin/pulse).
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$failed" = 0 ]; then rm -rf "$work"; else echo "readme-test: its files (server log, blocks, outputs) are in $work" >&2; fi
}
trap cleanup EXIT

addr="127.0.0.1:$(free_port)"

mkdir -p "$work/config" "$work/blocks" "$work/project"
server_config "$addr" >"$work/config/config.yaml"
cat >>"$work/config/config.yaml" <<YAML
database:
  default:
    link: "sqlite::@file($work/pulse.db)?busy_timeout=5000&journal_mode=WAL"
auth:
  jwt:
    hmacSecret: "$(head -c 33 /dev/urandom | base64 | tr -d '\n')"
YAML
export GF_GCFG_PATH="$work/config"

# Split the README into its code blocks: NNN.lang, NNN.marker, NNN.line, NNN.body.
awk -v dir="$work/blocks" '
  function fail(msg) { print "readme-test: " FILENAME ":" NR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
  !inblock && /^<!-- readme-test: .*-->[ \t]*$/ {
    if (pending) fail("two readme-test markers for one block")
    marker = $0; sub(/^<!-- readme-test: */, "", marker); sub(/ *-->[ \t]*$/, "", marker)
    pending = 1; markerline = NR; next
  }
  !inblock && /^```/ {
    n++; base = sprintf("%s/%03d", dir, n)
    lang = substr($0, 4); sub(/[ \t].*/, "", lang)
    print lang > (base ".lang"); close(base ".lang")
    print (pending ? marker : "") > (base ".marker"); close(base ".marker")
    print NR > (base ".line"); close(base ".line")
    printf "" > (base ".body")
    pending = 0; inblock = 1; next
  }
  inblock && /^```[ \t]*$/ { close(base ".body"); inblock = 0; next }
  inblock { print >> (base ".body"); next }
  pending && NF { fail("the readme-test marker of line " markerline " is not followed by a code block") }
  END { if (!bad && inblock) { print "readme-test: a code block is not closed" > "/dev/stderr"; exit 1 } }
' "$readme"

# glob_of turns an expected line into a bash pattern: literal, except `...`, which matches anything.
glob_of() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\*/\\*}; s=${s//\?/\\?}; s=${s//\[/\\[}
  printf '%s' "${s//.../*}"
}

# check_output fails unless every `# {` line of the block matches a line of its output, in order.
check_output() {
  local body=$1 out=$2 where=$3 expected pattern i=0 found
  local -a lines=()
  mapfile -t lines <"$out"
  while IFS= read -r expected; do
    pattern=$(glob_of "${expected#\# }")
    found=""
    while [ "$i" -lt "${#lines[@]}" ]; do
      # shellcheck disable=SC2053 # the right side is a pattern on purpose
      if [[ ${lines[$i]} == $pattern ]]; then found=1; i=$((i + 1)); break; fi
      i=$((i + 1))
    done
    if [ -z "$found" ]; then
      echo "readme-test: $where: the output has no line like" >&2
      echo "  ${expected#\# }" >&2
      echo "(after the lines matched before it); the output was:" >&2
      sed 's/^/  /' "$out" >&2
      return 1
    fi
  done < <(grep -E '^# [{]' "$body" || true)
}

# rewrite makes a block run here: the server's address, this checkout, `pulse watch` with a timeout.
rewrite() {
  sed -e "s#localhost:8000#$addr#g" -e "s#/path/to/pulse#$root#g" \
    -e "s#^bin/pulse watch \\(.*\\)\$#timeout $watch_seconds bin/pulse watch \\1 --addr $addr || [ \$? -eq 124 ]#" "$1"
}

ran=0 skipped=0
for langfile in "$work"/blocks/*.lang; do
  [ -e "$langfile" ] || break
  base=${langfile%.lang}
  lang=$(cat "$langfile")
  marker=$(cat "$base.marker")
  line=$(cat "$base.line")
  where="$readme:$line"
  case "$marker" in
    file\ *)
      name=${marker#file }
      sed -e "s#localhost:8000#$addr#g" "$base.body" >"$work/project/$name"
      echo "readme-test: $where: written to $name in the new folder"
      continue ;;
  esac
  case "$lang" in
    sh) ;;
    bash | shell | console | shell-session | zsh)
      echo "readme-test: $where: a shell block must be \`\`\`sh (so that this test runs it), not \`\`\`$lang" >&2
      exit 1 ;;
    *)
      [ -z "$marker" ] || { echo "readme-test: $where: a marker ($marker) on a $lang block" >&2; exit 1; }
      continue ;;
  esac
  rewrite "$base.body" >"$base.run"
  case "$marker" in
    skip*)
      reason=${marker#skip}; echo "readme-test: $where: skipped:${reason}"
      skipped=$((skipped + 1))
      continue ;;
    server*)
      [ -z "$server_pid" ] || { echo "readme-test: $where: a second server block" >&2; exit 1; }
      echo "readme-test: $where: starting the server ($(tr '\n' ' ' <"$base.run")) on $addr"
      (cd "$root" && exec setsid bash -eo pipefail "$base.run" >"$work/server.log" 2>&1) &
      server_pid=$!
      # The first build of the console and the binary may take minutes.
      await_server "$server_pid" "$addr" "$work/server.log" 600
      ran=$((ran + 1))
      continue ;;
    in\ a\ new\ folder*) dir="$work/project" ;;
    "") dir="$root" ;;
    *) echo "readme-test: $where: unknown marker: $marker" >&2; exit 1 ;;
  esac
  echo "readme-test: $where:"
  sed 's/^/  $ /' "$base.body"
  status=0
  (cd "$dir" && bash -eo pipefail "$base.run") >"$base.out" 2>"$base.err" || status=$?
  if [ "$status" != 0 ]; then
    echo "readme-test: $where: failed (exit status $status); its output:" >&2
    cat "$base.out" "$base.err" | sed 's/^/  /' >&2
    exit 1
  fi
  check_output "$base.body" "$base.out" "$where"
  ran=$((ran + 1))
done

[ -n "$server_pid" ] || { echo "readme-test: $readme has no server block (<!-- readme-test: server -->)" >&2; exit 1; }
failed=0
echo "readme-test: $ran blocks of $readme ran as written ($skipped skipped, as marked)"
