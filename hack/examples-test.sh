#!/usr/bin/env bash
# make examples (and make test): starts a fresh server on a free port with an empty store of its
# own, runs the ingest examples in Go, Node.js and Python (examples/) against it, and checks
# through the HTTP API that each one's row-data item and alarm arrived, once; then that each
# example exits non-zero when the server refuses it. PULSE_BIN: the server binary (default: built
# into the temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/server.sh
root=$(pwd)

for cmd in node python3 curl; do
  command -v "$cmd" >/dev/null || { echo "$cmd is missing: installing what is missing with hack/install-deps.sh" >&2; hack/install-deps.sh; break; }
done

work=$(mktemp -d)
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

bin=${PULSE_BIN:-}
if [ -z "$bin" ]; then
  echo "building the server into $work/pulse"
  go build -o "$work/pulse" .
  bin=$work/pulse
fi

addr="127.0.0.1:$(free_port)"
url="http://$addr"
server_config "$addr" >"$work/config.yaml"
start_server "$addr" "$work" "$work/server.log" "$bin"

fail() { echo "FAIL: $*" >&2; exit 1; }

run_example() { # language, then the command
  local lang=$1
  shift
  echo "### $lang: $*"
  PULSE_URL=$url "$@" || fail "the $lang example exited $?"
  local alarms rows
  alarms=$(curl -sf "$url/api/v1/alarms?business=example/$lang") || fail "GET /api/v1/alarms"
  echo "$alarms" | grep -q '"alarmId":"over-voltage"' || fail "the $lang example's alarm is not listed: $alarms"
  echo "$alarms" | grep -q '"count":1' || fail "the $lang example's alarm does not have count 1: $alarms"
  rows=$(curl -sf "$url/api/v1/rowdata/history?businessType=example&businessId=$lang") || fail "GET /api/v1/rowdata/history"
  echo "$rows" | grep -q '"voltage":229.8' || fail "the $lang example's row data is not in the history: $rows"
}

go build -o "$work/example-go" ./examples/go
run_example go "$work/example-go"
run_example node node examples/node/ingest.mjs
run_example python python3 examples/python/ingest.py

# A refusal (405: nothing under this prefix takes a POST) must end each example with a non-zero status.
for example in "$work/example-go" "node examples/node/ingest.mjs" "python3 examples/python/ingest.py"; do
  # shellcheck disable=SC2086 # the command and its argument
  if said=$(PULSE_URL=$url/nothing $example 2>&1); then
    fail "$example exited 0 though the server refused it: $said"
  fi
  echo "refused, as it should be: $example: $said"
done
echo "PASS: the Go, Node.js and Python examples published a row and an alarm each, and exit non-zero when refused"
