#!/usr/bin/env bash
# Installs what building and testing Pulse needs on a fresh Debian/Ubuntu machine.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v gcc >/dev/null; then
  echo "installing gcc (go test -race needs cgo)"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq gcc libc6-dev >/dev/null
fi
if ! command -v taskset >/dev/null; then
  echo "installing util-linux (taskset pins server and load to cores in make bench)"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq util-linux >/dev/null
fi
if ! command -v redis-server >/dev/null; then
  echo "installing redis-server (the cluster tests stop and start a private Redis)"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq redis-server >/dev/null
fi
