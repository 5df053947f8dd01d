#!/usr/bin/env bash
# Runs every armorlake test. What the tests need and the machine lacks
# (Debian packages such as postgresql-client for psql) is installed first.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
# A real PostgreSQL server is the correctness oracle (test/oracle_test.go).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# A real three-member etcd cluster for the catalog (catalog/cluster_test.go).
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
if ((${#missing[@]} > 0)); then
	echo "== installing ${missing[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

echo "== go test (every package)"
go test -count=1 -timeout 20m ./...

# The race detector on the packages that run goroutines of their own.
# planner, server and test are left out here only because the race build
# of the cgo PostgreSQL parser doubles the suite's cold build time.
echo "== go test -race"
go test -race -count=1 -timeout 20m ./coldata/... ./exec/... ./rpc/... ./catalog/... ./storage/... ./ingest/... ./sim/... ./export/...
