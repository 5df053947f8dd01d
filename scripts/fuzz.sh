#!/usr/bin/env bash
# Runs every fuzz test of the module for the given time each (default 1m).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-1m}
for pkg in $(go list ./...); do
	for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "== $pkg $f ($fuzztime)"
		go test -run '^$' -fuzz "^$f\$" -fuzztime "$fuzztime" "$pkg"
	done
done
