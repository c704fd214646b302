#!/usr/bin/env bash
# make web: builds the operator's console (web/console, a Vite app) into resource/public/console,
# which the binary embeds. Installs Node.js and npm with apt-get first when they are missing,
# saying what and why; installs the console's npm packages (npm ci) when node_modules is missing
# or older than the lockfile. A clone without web/console has nothing to build: the binary then
# serves a page that says how to build the console.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f web/console/package.json ]; then
  echo "web/console/package.json is missing: no console to build (the binary serves a page saying so)" >&2
  exit 0
fi

# Node.js 18 or newer builds the console (Vite); npm installs its packages from the lockfile.
install_node() {
  local packages=("$@")
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Building the console needs Node.js and npm, which this machine lacks:"
  echo "  ${packages[*]}: run the console's build (Vite, TypeScript) and install its packages (npm ci)"
  if ! command -v apt-get >/dev/null; then
    echo "no apt-get here: install Node.js 18 or newer with npm, then run make again" >&2
    exit 1
  fi
  echo "installing them now: ${sudo:+sudo }apt-get install ${packages[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
}
command -v node >/dev/null || install_node nodejs
# Some builds of the nodejs package bring npm along; Debian's ship it as a package of its own.
command -v npm >/dev/null || install_node npm
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "Node.js $(node --version) is too old to build the console: it needs 18 or newer" >&2
  exit 1
fi

hack/npm-ci.sh web/console
# A fresh output folder: files of an earlier build (other hashes) would be embedded too.
rm -rf resource/public/console
echo "building the console: npm --prefix web/console run build" >&2
npm --prefix web/console run build
if [ ! -f resource/public/console/index.html ]; then
  echo "the console's build wrote no resource/public/console/index.html (see web/console/vite.config)" >&2
  exit 1
fi
# make compares this file's time with the sources': a build that changed nothing still counts.
touch resource/public/console/index.html
