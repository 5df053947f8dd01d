package test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/lib/pq"

	"github.com/armorlake/armorlake/server"
)

var update = flag.Bool("update", false, "rewrite the psql golden files in testdata/psql")

// TestClients runs the clients users connect with against the seed
// topology: psql (output compared with testdata/psql), Grafana's two
// drivers (pgx, lib/pq) with its metadata and macro queries, pgjdbc with
// DatabaseMetaData, psycopg2 with SQLAlchemy reflection and pandas, and
// node-postgres. The test command (scripts/test.sh) installs them.
func TestClients(t *testing.T) {
	const perSim = 2000
	// Two users log in by password; everyone else is trusted.
	authFile := filepath.Join(t.TempDir(), "auth.conf")
	if err := os.WriteFile(authFile, []byte("host all scram_user all scram-sha-256\nhostssl all clear_user all password\nhostnossl all clear_user all reject\nhost all all all trust\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startTopology(t, perSim, 3, "", "--auth-file", authFile, "--max-connections", fmt.Sprint(manyConnections+100))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	waitFor(t, 90*time.Second, "every event stored", func() error {
		out, err := c.psql(ctx, "SELECT (SELECT count(*) FROM alerts) + (SELECT count(*) FROM logs) + (SELECT count(*) FROM messages)")
		if err != nil {
			return err
		}
		if out != fmt.Sprint(3*perSim) {
			return fmt.Errorf("%s of %d events stored", out, 3*perSim)
		}
		return nil
	})
	host, port, _ := net.SplitHostPort(c.pgAddr)

	t.Run("psql", func(t *testing.T) { checkPsql(t, ctx, host, port) })
	t.Run("psql_tls", func(t *testing.T) {
		cert := filepath.Join(c.queryDir, "server.crt")
		for _, mode := range []string{"require", "verify-ca", "verify-full"} {
			cmd := exec.CommandContext(ctx, "psql", "-X", "-A", "-t", "-h", "localhost", "-p", port, "-U", "armorlake",
				"-c", "SELECT count(*) FROM messages")
			cmd.Env = append(os.Environ(), "PGSSLMODE="+mode, "PGSSLROOTCERT="+cert, "PGCONNECT_TIMEOUT=5")
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) == "" {
				t.Errorf("sslmode=%s: %v: %s", mode, err, out)
			}
		}
		// A client that trusts another authority refuses the server.
		other := filepath.Join(t.TempDir(), "other.crt")
		if err := os.WriteFile(other, otherCA(t), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, "psql", "-X", "-h", "localhost", "-p", port, "-U", "armorlake", "-c", "SELECT 1")
		cmd.Env = append(os.Environ(), "PGSSLMODE=verify-full", "PGSSLROOTCERT="+other, "PGCONNECT_TIMEOUT=5")
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "certificate verify failed") {
			t.Errorf("verify-full against another CA: %v: %s", err, out)
		}
	})
	t.Run("auth", func(t *testing.T) { checkAuth(t, ctx, c, port) })
	t.Run("1000_connections", func(t *testing.T) { checkManyConnections(t, ctx, c) })
	t.Run("dbeaver_metabase_queries", func(t *testing.T) { checkBIQueries(t, ctx, c) })
	t.Run("grafana_pgx", func(t *testing.T) { checkGrafanaPgx(t, ctx, host, port) })
	t.Run("grafana_libpq", func(t *testing.T) { checkGrafanaLibPQ(t, ctx, host, port) })
	t.Run("pgjdbc", func(t *testing.T) { checkJDBC(t, ctx, host, port) })
	t.Run("psycopg2_sqlalchemy_pandas", func(t *testing.T) { checkPython(t, ctx, host, port) })
	t.Run("node_postgres", func(t *testing.T) { checkNode(t, ctx, host, port) })
}

// psqlCases are psql sessions whose output must match testdata/psql.
var psqlCases = []struct {
	name string
	cmds []string
}{
	{"dt", []string{`\dt`}},
	{"d", []string{`\d`}},
	{"d_messages", []string{`\d messages`}},
	{"d_plus_messages", []string{`\d+ messages`}},
	{"d_alerts", []string{`\d alerts`}},
	{"d_pg_namespace", []string{`\d pg_catalog.pg_namespace`}},
	{"dn", []string{`\dn`}},
	{"l", []string{`\l`}},
	{"df", []string{`\df`}},
	{"dv_di", []string{`\dv`, `\di`}},
	{"du", []string{`\du`}},
	{"x", []string{`\x on`, `SELECT 'armorlake' AS name, current_setting('server_version_num')::int / 10000 AS major, current_user AS "user"`}},
	// What tab completion of "SELECT * FROM me" sends (tab-complete.c).
	{"completion", []string{`SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'me%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'me%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000`}},
	{"error_keeps_session", []string{`SELECT * FROM no_such_table`, `SELECT count(*) > 0 AS alive FROM messages`}},
	{"copy", []string{`\copy (SELECT level, count(*) AS n FROM messages GROUP BY 1 ORDER BY 1) TO STDOUT WITH (FORMAT csv, HEADER)`,
		`COPY (SELECT 'a' || E'\t' || 'b' AS tabbed, NULL AS nothing) TO STDOUT`}},
	{"more_describe", []string{`\dT`, `\dx`, `\dp`, `\db`, `\dg`, `\dconfig *zone*`, `\do`, `\dc`, `\dF`, `\dl`, `\dL`,
		`SELECT tableoid::regclass AS rel, count(*) > 0 AS rows FROM messages GROUP BY 1`}},
	{"session_commands", []string{`DISCARD ALL`, `DEALLOCATE ALL`, `DEALLOCATE nope`,
		`SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ`, `SHOW default_transaction_isolation`,
		`UNLISTEN *`, `BEGIN`, `SET TimeZone = 'Asia/Tokyo'`, `SAVEPOINT a`, `SET TimeZone = 'Europe/Paris'`, `SELECT 1/0`,
		`SELECT 1`, `ROLLBACK TO SAVEPOINT a`, `SHOW TimeZone`, `RELEASE a`, `RELEASE a`, `ROLLBACK`, `SHOW TimeZone`,
		`INSERT INTO alerts (pid) VALUES (1)`}},
}

func checkPsql(t *testing.T, ctx context.Context, host, port string) {
	for _, tc := range psqlCases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-X", "-P", "pager=off", "-h", host, "-p", port, "-U", "armorlake", "-d", "armorlake"}
			for _, c := range tc.cmds {
				args = append(args, "-c", c)
			}
			cmd := exec.CommandContext(ctx, "psql", args...)
			cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5", "PGSSLMODE=disable", "COLUMNS=200")
			out, _ := cmd.CombinedOutput()
			path := filepath.Join("testdata", "psql", tc.name+".out")
			if *update {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./test -run TestClients/psql -update writes it)", err)
			}
			if string(out) != string(want) {
				t.Errorf("psql %s:\n--- got\n%s\n--- want (%s)\n%s", strings.Join(tc.cmds, " "), out, path, want)
			}
		})
	}
}

// grafanaMetadata are the queries of Grafana's configuration page and
// query builder (postgresMetaQuery.ts), sent over the simple protocol.
var grafanaMetadata = []struct{ sql, want string }{
	{`SELECT current_setting('server_version_num')::int/100 as version`, "1600"},
	{`SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`, ""},
	{`SELECT schema_name AS "name" FROM information_schema.schemata WHERE schema_name NOT IN ('information_schema','pg_catalog','pg_toast','_timescaledb_cache','_timescaledb_catalog','_timescaledb_internal','_timescaledb_config','timescaledb_information','timescaledb_experimental') ORDER BY schema_name`, "public"},
	{`SELECT CASE WHEN quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s) THEN quote_ident(table_name) ELSE quote_ident(table_schema) || '.' || quote_ident(table_name) END AS "table" FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema','pg_catalog','_timescaledb_cache','_timescaledb_catalog','_timescaledb_internal','_timescaledb_config','timescaledb_information','timescaledb_experimental') ORDER BY CASE WHEN quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s) THEN 0 ELSE 1 END, 1`,
		"alerts,ingest_status,logs,messages,storage_partitions"},
	{`SELECT quote_ident(table_name) AS "table" FROM information_schema.tables WHERE quote_ident(table_schema) = 'public' ORDER BY 1`,
		"alerts,ingest_status,logs,messages,storage_partitions"},
	{`SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE CASE WHEN array_length(parse_ident('messages'),1) = 2 THEN quote_ident(table_schema) = (parse_ident('messages'))[1] AND quote_ident(table_name) = (parse_ident('messages'))[2] ELSE quote_ident(table_name) = 'messages' AND quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s) END`,
		"ts timestamp with time zone,timestamp bigint,cluster_name text,host_name text,host_ip text,type text,level text,message text,ingest_operator text,ingest_endpoint text"},
	{`SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE CASE WHEN array_length(parse_ident('public.messages'),1) = 2 THEN quote_ident(table_schema) = (parse_ident('public.messages'))[1] AND quote_ident(table_name) = (parse_ident('public.messages'))[2] ELSE quote_ident(table_name) = 'public.messages' END`,
		"ts timestamp with time zone,timestamp bigint,cluster_name text,host_name text,host_ip text,type text,level text,message text,ingest_operator text,ingest_endpoint text"},
}

// grafanaPanel is a time series panel's query as Grafana sends it:
// $__timeGroupAlias(ts, $__interval) and $__timeFilter(ts) expanded.
const grafanaPanel = `SELECT floor(extract(epoch from ts)/60)*60 AS "time", namespace_name AS metric, count(*) AS value FROM alerts WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T06:00:00Z' GROUP BY 1,2 ORDER BY 1`

func checkGrafanaPgx(t *testing.T, ctx context.Context, host, port string) {
	// Grafana 12.4+: pgxpool, sslmode=require by default.
	pool, err := pgxpool.New(ctx, fmt.Sprintf("user='armorlake' host='%s' port=%s dbname='armorlake' sslmode='require'", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil { // "-- ping": the health check
		t.Fatalf("health check: %v", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	simple := func(sql string) ([][]string, []uint32, string, error) {
		rs, err := conn.Conn().PgConn().Exec(ctx, sql).ReadAll()
		if err != nil {
			return nil, nil, "", err
		}
		r := rs[len(rs)-1]
		var rows [][]string
		for _, row := range r.Rows {
			var cells []string
			for _, v := range row {
				cells = append(cells, string(v))
			}
			rows = append(rows, cells)
		}
		var oids []uint32
		for _, f := range r.FieldDescriptions {
			oids = append(oids, f.DataTypeOID)
		}
		return rows, oids, r.CommandTag.String(), nil
	}
	for _, q := range grafanaMetadata {
		rows, _, _, err := simple(q.sql)
		if err != nil {
			t.Errorf("%s: %v", head(q.sql), err)
			continue
		}
		if got := joinRows(rows); got != q.want {
			t.Errorf("%s:\n got %s\nwant %s", head(q.sql), got, q.want)
		}
	}
	// The newest Grafana's schema handler: parameterized, extended
	// protocol with the statement cache.
	var cols []string
	rows, err := pool.Query(ctx, `SELECT column_name, data_type, udt_name, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, "public", "messages")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, dataType, udt string
		var prec, scale *int32
		if err := rows.Scan(&name, &dataType, &udt, &prec, &scale); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, name+":"+udt)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cols, ","); !strings.HasPrefix(got, "ts:timestamptz,timestamp:int8,cluster_name:text,") {
		t.Errorf("schema handler columns: %s", got)
	}
	var tables []string
	rows, err = pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name`, "public")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	if got := strings.Join(tables, ","); got != "alerts,ingest_status,logs,messages,storage_partitions" {
		t.Errorf("schema handler tables: %s", got)
	}

	// A panel: numeric time, text metric, bigint value, sorted by time,
	// adding up to the events in the range.
	prows, oids, tag, err := simple(grafanaPanel)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM alerts WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T06:00:00Z'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	checkPanel(t, prows, oids, tag, fmt.Sprint(n))
}

// otherCA is a certificate of an authority the query node's is not.
func otherCA(t *testing.T) []byte {
	cert, _, err := server.SelfSignedCertificate(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func checkGrafanaLibPQ(t *testing.T, ctx context.Context, host, port string) {
	// Grafana up to 12.3: lib/pq through database/sql; Ping sends ";".
	db, err := sql.Open("postgres", fmt.Sprintf("user='armorlake' host='%s' port=%s dbname='armorlake' sslmode='require'", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("health check: %v", err)
	}
	query := func(q string) ([][]string, []string, error) {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		types, _ := rows.ColumnTypes()
		var names []string
		for _, ct := range types {
			names = append(names, ct.DatabaseTypeName())
		}
		var out [][]string
		for rows.Next() {
			vals := make([]sql.NullString, len(types))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, nil, err
			}
			var cells []string
			for _, v := range vals {
				cells = append(cells, v.String)
			}
			out = append(out, cells)
		}
		return out, names, rows.Err()
	}
	for _, q := range grafanaMetadata {
		rows, _, err := query(q.sql)
		if err != nil {
			t.Errorf("%s: %v", head(q.sql), err)
			continue
		}
		if got := joinRows(rows); got != q.want {
			t.Errorf("%s:\n got %s\nwant %s", head(q.sql), got, q.want)
		}
	}
	rows, types, err := query(grafanaPanel)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(types) != "[NUMERIC TEXT INT8]" {
		t.Errorf("panel column types: %v", types)
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM alerts WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T06:00:00Z'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	checkPanel(t, rows, []uint32{1700, 25, 20}, "SELECT", fmt.Sprint(n))
}

// checkPanel checks a panel's rows: numeric time, text metric, bigint
// value, sorted by time, values adding up to want.
func checkPanel(t *testing.T, rows [][]string, oids []uint32, tag, want string) {
	t.Helper()
	if !strings.HasPrefix(tag, "SELECT") {
		t.Errorf("panel command tag %q: Grafana reads only SELECT results", tag)
	}
	if fmt.Sprint(oids) != "[1700 25 20]" {
		t.Errorf("panel column types %v, want numeric, text, bigint", oids)
	}
	var sum int64
	prev := ""
	for _, r := range rows {
		var v int64
		fmt.Sscan(r[2], &v)
		sum += v
		if len(r[0]) < len(prev) || (len(r[0]) == len(prev) && r[0] < prev) {
			t.Errorf("panel rows not sorted by time: %s after %s", r[0], prev)
		}
		prev = r[0]
	}
	if fmt.Sprint(sum) != want || len(rows) == 0 {
		t.Errorf("panel values add up to %d over %d rows, want %s", sum, len(rows), want)
	}
}

func joinRows(rows [][]string) string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, " "))
	}
	return strings.Join(out, ",")
}

// runClient runs a client program and returns its output lines.
func runClient(t *testing.T, ctx context.Context, dir string, name string, args ...string) []string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// expectLines checks that every wanted line is in got.
func expectLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func checkJDBC(t *testing.T, ctx context.Context, host, port string) {
	const jar = "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("pgjdbc is not installed (%v): run the tests with 'make test', which installs libpostgresql-jdbc-java", err)
	}
	classes := t.TempDir()
	src, _ := filepath.Abs(filepath.Join("clients", "java", "Clients.java"))
	if out, err := exec.CommandContext(ctx, "javac", "-d", classes, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	got := runClient(t, ctx, classes, "java", "-cp", jar+":"+classes, "Clients",
		fmt.Sprintf("jdbc:postgresql://%s:%s/armorlake", host, port))
	expectLines(t, got, "product PostgreSQL 16", "catalog armorlake", "schema public", "schema pg_catalog",
		"table alerts TABLE", "table logs TABLE", "table messages TABLE",
		"column 1 ts timestamptz 93 NO", "column 2 timestamp int8 -5 YES", "column 7 level text 12 YES",
		"prepared true", "valid true", "fetched 35", "error 42P01", "after error 1")
	for _, l := range got {
		if strings.HasPrefix(l, "unstable") {
			t.Error(l)
		}
	}
	count, since := "", ""
	for _, l := range got {
		if v, ok := strings.CutPrefix(l, "count "); ok {
			count = v
		}
		if v, ok := strings.CutPrefix(l, "since epoch "); ok {
			since = v
		}
	}
	if count == "" || count != since {
		t.Errorf("count %q, count since the epoch %q: want equal", count, since)
	}
}

func checkPython(t *testing.T, ctx context.Context, host, port string) {
	// Debian's python3-psycopg2, -sqlalchemy and -pandas live in the
	// system interpreter's path.
	src, _ := filepath.Abs(filepath.Join("clients", "python", "clients.py"))
	got := runClient(t, ctx, t.TempDir(), "/usr/bin/python3", src, host, port)
	expectLines(t, got, "psycopg2 count True", "psycopg2 types datetime True list int",
		"psycopg2 error 42P01", "psycopg2 after error 1",
		"schemas ['information_schema', 'public']",
		"tables ['alerts', 'ingest_status', 'logs', 'messages', 'storage_partitions']", "views []",
		"pk []", "fks []", "indexes []", "unique []", "comment KubeArmor daemon messages",
		"reflected 49 True", "sqlalchemy count True", "sqlalchemy core True",
		"read_sql ['operation', 'n'] int64", "read_sql ts datetime64[ns, UTC]", "read_sql_table 10 True")
	for _, l := range got {
		if strings.HasPrefix(l, "columns ") && !strings.HasPrefix(l, "columns [('ts', 'TIMESTAMP', False), ('timestamp', 'BIGINT', True), ('cluster_name', 'TEXT', True)") {
			t.Errorf("reflected columns: %s", l)
		}
	}
}

func checkNode(t *testing.T, ctx context.Context, host, port string) {
	dir, _ := filepath.Abs(filepath.Join("clients", "node"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Fatalf("node-postgres is not installed (%v): run the tests with 'make test', which runs npm ci in test/clients/node", err)
	}
	got := runClient(t, ctx, dir, "node", "clients.js", fmt.Sprintf("postgres://armorlake@%s:%s/armorlake", host, port))
	expectLines(t, got, "params 2 number", "types true object true", "named 1", "error 42P01", "multi 2")
}

// checkAuth adds users with armorlake user add and logs in with psql:
// SCRAM-SHA-256 with the right and a wrong password, cleartext over TLS,
// and a user deleted.
func checkAuth(t *testing.T, ctx context.Context, c *cluster, port string) {
	for _, u := range []string{"scram_user", "clear_user"} {
		cmd := exec.CommandContext(ctx, binary, "user", "add", "--name", u, "--etcd-endpoints", c.etcd)
		cmd.Stdin = strings.NewReader("s3cret " + u + "\n")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "user "+u+" added") {
			t.Fatalf("armorlake user add %s: %v: %s", u, err, out)
		}
	}
	out, err := exec.CommandContext(ctx, binary, "user", "list", "--etcd-endpoints", c.etcd).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "clear_user\tadded ") || !strings.Contains(string(out), "scram_user\tadded ") {
		t.Errorf("armorlake user list: %v: %s", err, out)
	}
	login := func(user, password, sslmode string) (string, error) {
		cmd := exec.CommandContext(ctx, "psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", port, "-U", user, "-d", "armorlake",
			"-c", "SELECT current_user")
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE="+sslmode, "PGCONNECT_TIMEOUT=5")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	// The query node's cache learns of a new user within a second.
	waitFor(t, 10*time.Second, "scram_user logs in", func() error {
		out, err := login("scram_user", "s3cret scram_user", "disable")
		if err != nil || out != "scram_user" {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	if out, err := login("scram_user", "wrong", "disable"); err == nil || !strings.Contains(out, `password authentication failed for user "scram_user"`) {
		t.Errorf("wrong SCRAM password: %v: %s", err, out)
	}
	if out, err := login("clear_user", "s3cret clear_user", "require"); err != nil || out != "clear_user" {
		t.Errorf("cleartext over TLS: %v: %s", err, out)
	}
	if out, err := login("clear_user", "s3cret clear_user", "disable"); err == nil || !strings.Contains(out, "pg_hba.conf rejects connection") {
		t.Errorf("cleartext without TLS: %v: %s", err, out)
	}
	if out, err := exec.CommandContext(ctx, binary, "user", "delete", "--name", "scram_user", "--etcd-endpoints", c.etcd).CombinedOutput(); err != nil {
		t.Fatalf("armorlake user delete: %v: %s", err, out)
	}
	waitFor(t, 10*time.Second, "a deleted user is refused", func() error {
		if out, err := login("scram_user", "s3cret scram_user", "disable"); err == nil {
			return fmt.Errorf("still logs in: %s", out)
		}
		return nil
	})
}

const manyConnections = 1000

// checkManyConnections opens 1,000 sessions at once and runs a query on
// every one of them concurrently, while a client sends garbage and
// another stalls in the middle of its startup packet; then fills the
// server to its --max-connections, where the next client gets 53300 and
// the others keep being served.
func checkManyConnections(t *testing.T, ctx context.Context, c *cluster) {
	var want int64
	if err := pgxQueryRow(ctx, c.dsn(), "SELECT count(*) FROM messages", &want); err != nil {
		t.Fatal(err)
	}
	// A stalled client: half a startup packet, then nothing.
	stalled, err := net.Dial("tcp", c.pgAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	stalled.Write([]byte{0, 0, 0, 40, 0, 3})
	// A client sending garbage gets an error or a closed socket.
	garbage, err := net.Dial("tcp", c.pgAddr)
	if err != nil {
		t.Fatal(err)
	}
	garbage.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	garbage.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(garbage); err != nil || (len(b) > 0 && b[0] != 'E') {
		t.Errorf("garbage client: %q, %v: want an ErrorResponse and a closed socket", b, err)
	}
	garbage.Close()

	began := time.Now()
	conns := make([]*pgx.Conn, manyConnections)
	errs := make(chan error, manyConnections)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := pgx.Connect(ctx, c.dsn())
			if err != nil {
				errs <- err
				return
			}
			conns[i] = conn
		}()
	}
	wg.Wait()
	opened := time.Since(began)
	defer func() {
		for _, conn := range conns {
			if conn != nil {
				conn.Close(ctx)
			}
		}
	}()
	select {
	case err := <-errs:
		t.Fatalf("opening %d sessions: %v", manyConnections, err)
	default:
	}
	// Every session runs a query across the operators at the same time.
	began = time.Now()
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM messages").Scan(&n); err != nil || n != want {
				errs <- fmt.Errorf("count %d, %v; want %d", n, err, want)
			}
		}()
	}
	wg.Wait()
	queried := time.Since(began)
	select {
	case err := <-errs:
		t.Fatalf("a query on one of %d concurrent sessions: %v", manyConnections, err)
	default:
	}
	t.Logf("%d sessions opened in %v; a query on each, all at once, answered in %v", manyConnections, opened.Round(time.Millisecond), queried.Round(time.Millisecond))

	// Fill up to --max-connections: the next client is refused, the
	// others are still served.
	var extra []*pgx.Conn
	defer func() {
		for _, conn := range extra {
			conn.Close(ctx)
		}
	}()
	for {
		conn, err := pgx.Connect(ctx, c.dsn())
		if err != nil {
			if code := pgErrCode(err); code != "53300" {
				t.Fatalf("past the limit: %v, want 53300", err)
			}
			break
		}
		extra = append(extra, conn)
		if len(extra) > 200 {
			t.Fatal("no limit on connections")
		}
	}
	var n int64
	if err := conns[0].QueryRow(ctx, "SELECT count(*) FROM messages").Scan(&n); err != nil || n != want {
		t.Errorf("a session at the limit: %d, %v", n, err)
	}
}

func pgxQueryRow(ctx context.Context, dsn, sql string, dst any) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql).Scan(dst)
}

// checkBIQueries runs the introspection queries of DBeaver and Metabase
// (testdata/bi_queries.sql) through pgx: every one must run, and
// Metabase's table listing must show the tables with their comments and
// row estimates.
func checkBIQueries(t *testing.T, ctx context.Context, c *cluster) {
	conn, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	text, err := os.ReadFile(filepath.Join("testdata", "bi_queries.sql"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range strings.Split(string(text), "\n\n") {
		if q = stripComments(q); q == "" {
			continue
		}
		n++
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", head(q), err)
			continue
		}
		var got []string
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Errorf("%s: %v", head(q), err)
				break
			}
			got = append(got, fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", head(q), err)
		}
		if strings.Contains(q, "estimated_row_count") {
			all := strings.Join(got, "|")
			if !strings.Contains(all, "publicalertsTABLEKubeArmor alerts") || len(got) != 5 {
				t.Errorf("Metabase's table list: %q", got)
			}
		}
	}
	if n < 15 {
		t.Errorf("%d queries read from testdata/bi_queries.sql", n)
	}
}
