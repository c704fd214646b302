#!/usr/bin/env bash
# Runs every native fuzz target for FUZZTIME (default 30s) each, one after another.
# The seed corpora alone already run in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-30s}"
grep -rl --include='*_test.go' '^func Fuzz' internal | sort | while read -r file; do
	pkg="./$(dirname "$file")"
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
		echo "== $pkg $target ($FUZZTIME)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg"
	done
done
