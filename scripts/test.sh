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
# The clients users connect with (test/clients_test.go): pgjdbc, psycopg2
# with SQLAlchemy and pandas, node-postgres.
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
[ -f /usr/share/java/postgresql.jar ] || missing+=(libpostgresql-jdbc-java)
for mod in psycopg2 sqlalchemy pandas; do
	/usr/bin/python3 -c "import $mod" >/dev/null 2>&1 || missing+=("python3-$mod")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]} > 0)); then
	echo "== installing ${missing[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d test/clients/node/node_modules/pg ]; then
	echo "== npm ci (node-postgres for test/clients_test.go)"
	npm ci --prefix test/clients/node --no-audit --no-fund --loglevel=error >/dev/null
fi

echo "== gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

echo "== go test (every package)"
go test -count=1 -timeout 20m ./...

# The race detector on the packages that run goroutines of their own,
# the wire layer and the planner included. test/ is left out: its
# processes are the binaries the other packages' race runs cover.
echo "== go test -race"
go test -race -count=1 -timeout 20m ./coldata/... ./exec/... ./rpc/... ./catalog/... ./storage/... ./ingest/... ./sim/... ./export/... ./planner/... ./server/... ./pgcatalog/...
