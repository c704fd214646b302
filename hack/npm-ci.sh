#!/usr/bin/env bash
# hack/npm-ci.sh DIR: installs DIR's npm packages from its lockfile (npm ci) when its node_modules
# is missing or older than the lockfile; otherwise does nothing (npm ci would delete and reinstall
# them all). Node.js and npm must be there (hack/web-build.sh or hack/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: hack/npm-ci.sh DIR}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # the browser tests drive the system's chromium
if [ -f "$dir/node_modules/.package-lock.json" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  exit 0
fi
echo "installing the packages of $dir: npm --prefix $dir ci" >&2
npm --prefix "$dir" ci --no-audit --no-fund
