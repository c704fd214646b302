#!/usr/bin/env bash
# Installs what testing and benchmarking Pulse need beyond Go, on a Debian/Ubuntu machine, saying
# what and why before it does. Building and running Pulse need only Go (and Node.js with npm for the
# console: hack/web-build.sh installs those itself when make builds the console).
set -euo pipefail
packages=()
reasons=()
need() { # command, package, why
  command -v "$1" >/dev/null && return
  packages+=("$2")
  reasons+=("  $2: $3")
}
need gcc "gcc libc6-dev" "go test -race needs cgo"
need redis-server redis-server "the Redis-outage tests stop and start a private Redis"
need taskset util-linux "make bench pins the server and the load to cores"
need node nodejs "the client's tests and the console's build run on Node.js"
need npm npm "installs the client's and the console's packages from their lockfiles (npm ci)"
need python3 python3 "the Python ingest example runs in make test (hack/examples-test.sh)"
need curl curl "hack/examples-test.sh checks what the examples published through the HTTP API"
need chromium chromium "the console's browser tests drive Debian's Chromium (playwright-core; no browser download)"
need prometheus prometheus "the Grafana dashboard's test scrapes a node with a private Prometheus (its service is not used) and promtool checks the alert rules"
# Mosquitto, found by its file too (/usr/sbin is not on every user's PATH): the MQTT source's TLS
# test starts a private broker; Debian's package also runs the broker the other MQTT tests use.
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null || {
  packages+=(mosquitto)
  reasons+=("  mosquitto: the MQTT ingest tests publish through Mosquitto (127.0.0.1:1883) and start a private one for TLS")
}
# nats-server, found by its file too: the NATS source's tests consume from the machine's server
# (127.0.0.1:4222, JetStream on: nats-server -js).
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || {
  packages+=(nats-server)
  reasons+=("  nats-server: the NATS ingest tests publish to a JetStream stream on 127.0.0.1:4222 (run it with -js)")
}
# A font with Chinese characters, checked by its file: the console shows Chinese business and user names.
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || {
  packages+=(fonts-noto-cjk)
  reasons+=("  fonts-noto-cjk: the console's browser tests and screenshots show Chinese names")
}
[ "${#packages[@]}" -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Pulse needs packages this machine lacks:"
printf '%s\n' "${reasons[@]}"
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install them with the system's package manager, then run make again" >&2
  exit 1
fi
echo "installing them now: ${sudo:+sudo }apt-get install ${packages[*]}"
$sudo apt-get update -qq
# shellcheck disable=SC2068 # "gcc libc6-dev" is two packages
$sudo apt-get install -y -qq ${packages[@]} >/dev/null
