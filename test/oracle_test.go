package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/server"
	"github.com/armorlake/armorlake/sim"
	"github.com/armorlake/armorlake/test/pgtest"
)

// TestOracle loads the cluster's events into a real PostgreSQL too and
// checks that every query of testdata/oracle.sql prints the same through
// psql from both, and that every query of the corpus (testdata/sql,
// corpus_test.go) gives the same rows or the same SQLSTATE over pgx: on
// three operators with pushdown on and off, and on one operator holding
// the same events.
func TestOracle(t *testing.T) {
	const perSim = 10000
	pg := pgtest.Start(t)
	c := startCluster(t, perSim)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	want := loadPostgres(t, ctx, pg, c.start, perSim)
	conn := waitStored(t, ctx, c, want)
	conn.Close(ctx)

	t.Run("psql", func(t *testing.T) {
		corpus, err := os.ReadFile("testdata/oracle.sql")
		if err != nil {
			t.Fatal(err)
		}
		queries := 0
		for _, q := range strings.Split(string(corpus), "\n\n") {
			if q = stripComments(q); q == "" {
				continue
			}
			queries++
			ours, err := c.psql(ctx, q)
			if err != nil {
				t.Errorf("armorlake: %v", err)
				continue
			}
			theirs, err := pg.Psql(ctx, q)
			if err != nil {
				t.Errorf("postgres: %v", err)
				continue
			}
			if theirs == "" {
				t.Errorf("%s: PostgreSQL returns nothing: the query checks nothing", q)
			}
			if ours != theirs {
				t.Errorf("%s\narmorlake:\n%s\npostgres:\n%s", q, head(ours), head(theirs))
			}
		}
		t.Logf("%d queries print as PostgreSQL prints them over %d events", queries, want.total())
	})
	t.Run("corpus", func(t *testing.T) { runCorpus(t, ctx, c.dsn(), pg.DSN(), corpusRun{pushdown: true, seed: true}) })
	t.Run("corpus without pushdown", func(t *testing.T) { runCorpus(t, ctx, c.dsn(), pg.DSN(), corpusRun{seed: true}) })
	t.Run("approximate aggregates", func(t *testing.T) { checkApproximate(t, ctx, c.dsn(), pg.DSN()) })
	t.Run("explain analyze", func(t *testing.T) { checkExplainAnalyze(t, ctx, c, want) })
	t.Run("binary date and time", func(t *testing.T) { checkBinaryDatetime(t, ctx, c.dsn(), pg.DSN()) })
	t.Run("copy", func(t *testing.T) { checkCopy(t, ctx, c.dsn(), pg.DSN()) })
	t.Run("scram verifier", func(t *testing.T) {
		// A verifier PostgreSQL made checks the password under
		// armorlake's SCRAM code, and only that password.
		out, err := pg.Psql(ctx, `SET password_encryption = 'scram-sha-256'; CREATE ROLE scram_check LOGIN PASSWORD 'pässwörd 1'; SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_check'`)
		if err != nil {
			t.Fatal(err)
		}
		v := strings.TrimSpace(out[strings.LastIndex(out, "\n")+1:])
		if !server.CheckPassword(v, "pässwörd 1") || server.CheckPassword(v, "pässwörd 2") {
			t.Errorf("PostgreSQL's verifier %q: right password %v, wrong one %v", v, server.CheckPassword(v, "pässwörd 1"), server.CheckPassword(v, "pässwörd 2"))
		}
	})
	t.Run("cancellation", func(t *testing.T) { checkCancellation(t, ctx, c) })
	// The same events on one operator instead of three: every query
	// must still give PostgreSQL's answer, so both placements agree.
	t.Run("corpus on one operator", func(t *testing.T) {
		one := startTopology(t, perSim, 1, "single-")
		conn := waitStored(t, ctx, one, want)
		conn.Close(ctx)
		runCorpus(t, ctx, one.dsn(), pg.DSN(), corpusRun{pushdown: true})
	})
}

// checkApproximate compares armorlake's sketch aggregates, per group
// over three operators, with PostgreSQL's exact answers:
// approx_count_distinct within 3% of count(DISTINCT), approx_percentile
// within 1% of a value between the one at rank f·(n−1) and
// percentile_disc's.
func checkApproximate(t *testing.T, ctx context.Context, ourDSN, pgDSN string) {
	ours, theirs := connectBoth(t, ctx, ourDSN, pgDSN)
	type row struct {
		group    string
		distinct int64
		lo, hi   float64
	}
	for _, tc := range []struct{ table, group, col string }{
		{"logs", "operation", "pid"},
		{"logs", "host_name", "host_pid"},
		{"logs", "'all'", "timestamp"},
		{"alerts", "namespace_name", "pid"},
	} {
		for _, f := range []float64{0.1, 0.5, 0.9, 0.99} {
			exact := fmt.Sprintf(`SELECT %[2]s::text, count(DISTINCT %[3]s),
				((array_agg(%[3]s::float8 ORDER BY %[3]s))[floor(%[4]v * (count(%[3]s) - 1))::int + 1]),
				percentile_disc(%[4]v) WITHIN GROUP (ORDER BY %[3]s::float8)
				FROM %[1]s GROUP BY 1 ORDER BY 1`, tc.table, tc.group, tc.col, f)
			rows, err := theirs.Query(ctx, exact)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				return x, r.Scan(&x.group, &x.distinct, &x.lo, &x.hi)
			})
			if err != nil {
				t.Fatal(err)
			}
			approx := fmt.Sprintf(`SELECT %[2]s::text, approx_count_distinct(%[3]s), approx_percentile(%[3]s, %[4]v)
				FROM %[1]s GROUP BY 1 ORDER BY 1`, tc.table, tc.group, tc.col, f)
			rows, err = ours.Query(ctx, approx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				return x, r.Scan(&x.group, &x.distinct, &x.lo)
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("%s: %d groups, PostgreSQL %d", approx, len(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.group != w.group || math.Abs(float64(g.distinct-w.distinct)) > 0.03*float64(w.distinct) {
					t.Errorf("%s.%s group %q: approx_count_distinct %d, exact %d", tc.table, tc.col, w.group, g.distinct, w.distinct)
				}
				if g.lo < w.lo*(1-0.01)-1e-9 || g.lo > w.hi*(1+0.01)+1e-9 {
					t.Errorf("%s.%s group %q: approx_percentile(%v) %v, exact between %v and %v", tc.table, tc.col, w.group, f, g.lo, w.lo, w.hi)
				}
			}
		}
	}
}

// stripComments drops whole-line -- comments.
func stripComments(q string) string {
	var keep []string
	for _, line := range strings.Split(q, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			keep = append(keep, line)
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

func head(s string) string {
	lines := strings.SplitN(s, "\n", 12)
	if len(lines) == 12 {
		lines[11] = "…"
	}
	return strings.Join(lines, "\n")
}

// tableCounts is how many rows each KubeArmor table must hold.
type tableCounts struct{ alerts, logs, messages int64 }

func (c tableCounts) total() int64 { return c.alerts + c.logs + c.messages }

// loadPostgres creates the KubeArmor tables in PostgreSQL and copies in
// the simulators' events, mapped to rows as operators map them.
func loadPostgres(t *testing.T, ctx context.Context, pg *pgtest.Server, start time.Time, perSim int) tableCounts {
	t.Helper()
	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	batches := map[string]*coldata.Batch{}
	for _, tbl := range schema.KubeArmor() {
		var cols []string
		for _, c := range tbl.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, c.Type))
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", tbl.Name, strings.Join(cols, ", "))); err != nil {
			t.Fatal(err)
		}
		batches[tbl.Name] = coldata.NewBatch(tbl.Types(), perSim)
	}
	for seed := int64(1); seed <= 3; seed++ {
		op := fmt.Sprintf("operator-%d", seed)
		g := sim.NewGenerator(sim.Config{Seed: seed, Count: perSim, Start: start, Span: 24 * time.Hour})
		for i := 0; i < perSim; i++ {
			ev := g.Next()
			switch {
			case ev.Alert != nil:
				ingest.AppendAlert(batches[schema.AlertsTable], ev.Alert, op, "")
			case ev.Log != nil:
				ingest.AppendLog(batches[schema.LogsTable], ev.Log, op, "")
			case ev.Message != nil:
				ingest.AppendMessage(batches[schema.MessagesTable], ev.Message, op, "")
			}
		}
	}
	var counts tableCounts
	for _, tbl := range schema.KubeArmor() {
		b := batches[tbl.Name]
		rows := make([][]any, b.Len)
		for i := range rows {
			row := make([]any, len(b.Vecs))
			for c, v := range b.Vecs {
				row[c] = goValue(v, i)
			}
			rows[i] = row
		}
		var names []string
		for _, c := range tbl.Columns {
			names = append(names, c.Name)
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{tbl.Name}, names, pgx.CopyFromRows(rows)); err != nil {
			t.Fatalf("copy %s: %v", tbl.Name, err)
		}
		switch tbl.Name {
		case schema.AlertsTable:
			counts.alerts = int64(b.Len)
		case schema.LogsTable:
			counts.logs = int64(b.Len)
		case schema.MessagesTable:
			counts.messages = int64(b.Len)
		}
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return counts
}

// goValue returns row i of v as the Go value pgx encodes for its type.
func goValue(v *coldata.Vec, i int) any {
	if v.IsNull(i) {
		return nil
	}
	switch v.Type {
	case coldata.Timestamptz:
		return time.UnixMicro(v.Int64[i]).UTC()
	case coldata.Int32:
		return int32(v.Int64[i])
	case coldata.Int64:
		return v.Int64[i]
	case coldata.TextArray:
		elems := make([]string, v.ArrayLen(i))
		for j := range elems {
			elems[j] = string(v.ArrayElem(i, j))
		}
		return elems
	case coldata.Jsonb:
		return []byte(v.Bytes.GetString(i))
	}
	return v.Bytes.GetString(i)
}

// waitStored polls the query node until every table holds its count, and
// returns the open connection.
func waitStored(t *testing.T, ctx context.Context, c *cluster, want tableCounts) *pgx.Conn {
	t.Helper()
	var conn *pgx.Conn
	waitFor(t, 30*time.Second, "query node accepts connections", func() error {
		var err error
		conn, err = pgx.Connect(ctx, c.dsn())
		return err
	})
	waitFor(t, 90*time.Second, "every event stored", func() error {
		var got tableCounts
		for _, q := range []struct {
			table string
			n     *int64
		}{{"alerts", &got.alerts}, {"logs", &got.logs}, {"messages", &got.messages}} {
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+q.table).Scan(q.n); err != nil {
				return err
			}
		}
		if got != want {
			return fmt.Errorf("stored %+v, want %+v", got, want)
		}
		return nil
	})
	return conn
}

// checkExplainAnalyze: over the operator RPC, EXPLAIN ANALYZE reports for
// each operator the rows it sent and what its scans read, and the scans'
// rows add up to what the table holds; a time range reads fewer blocks.
func checkExplainAnalyze(t *testing.T, ctx context.Context, c *cluster, want tableCounts) {
	conn, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	explain := func(q string) string {
		rows, err := conn.Query(ctx, "EXPLAIN ANALYZE "+q)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	line := regexp.MustCompile(`(?m)^  operator-\d: (\d+) rows in \d+ batches \((\d+(?:\.\d)? (?:bytes|KiB|MiB))\), [\d.]+ ms; scanned (\d+) rows in \d+ batches, (\d+) of (\d+) blocks skipped`)
	scanned := func(plan string) (rows, skipped, blocks int64) {
		m := line.FindAllStringSubmatch(plan, -1)
		if len(m) != 3 {
			t.Fatalf("EXPLAIN ANALYZE names %d operators with their scans, want 3:\n%s", len(m), plan)
		}
		for _, x := range m {
			var r, s, b int64
			fmt.Sscan(x[3], &r)
			fmt.Sscan(x[4], &s)
			fmt.Sscan(x[5], &b)
			rows, skipped, blocks = rows+r, skipped+s, blocks+b
		}
		return rows, skipped, blocks
	}
	plan := explain("SELECT sum(pid) FROM logs")
	rows, skipped, all := scanned(plan)
	if rows != want.logs || skipped != 0 || all == 0 {
		t.Errorf("a full scan reads %d rows (table holds %d), skips %d of %d blocks:\n%s", rows, want.logs, skipped, all, plan)
	}
	if !strings.Contains(plan, "Fragment on logs: 3 operators, 3 rows") {
		t.Errorf("a partial aggregation sends one row per operator:\n%s", plan)
	}
	late := c.start.Add(23 * time.Hour).Format(time.RFC3339)
	plan = explain("SELECT count(*) FROM logs WHERE ts >= '" + late + "'")
	// The scan seeks to the last hour's partition: the others' blocks are
	// not even looked at.
	if rows, _, blocks := scanned(plan); rows >= want.logs/10 || blocks >= all {
		t.Errorf("the last hour reads %d of %d rows, looks at %d of %d blocks:\n%s", rows, want.logs, blocks, all, plan)
	}
}

// checkBinaryDatetime reads dates, timestamps and intervals through pgx's
// extended protocol, which asks for binary results and sends binary
// parameters, from armorlake and from PostgreSQL: the decoded values must
// be equal.
func checkBinaryDatetime(t *testing.T, ctx context.Context, ourDSN, pgDSN string) {
	const q = `SELECT ts::date AS d, ts::timestamp AS l, ts - $1::timestamptz AS age, $2::date + 1 AS d2, $3::interval * 2 AS i, $4::timestamp AS t
		FROM alerts ORDER BY ts, pid LIMIT 20`
	args := []any{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC),
		pgtype.Interval{Months: 1, Days: 2, Microseconds: 3_000_000, Valid: true}, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)}
	read := func(dsn string) []string {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			var day, local, day2, at time.Time
			var age, twice pgtype.Interval
			if err := rows.Scan(&day, &local, &age, &day2, &twice, &at); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(day, local, age, day2, twice, at))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ours, theirs := read(ourDSN), read(pgDSN)
	if len(theirs) == 0 || strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
		t.Errorf("binary results differ:\narmorlake:\n%s\npostgres:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}

// copyStatements export rows in every format and with the options that
// change how values are written; the bytes must be PostgreSQL's.
var copyStatements = []string{
	`COPY (SELECT ts, host_name, pid, severity, message, atags, event_data FROM alerts ORDER BY ts, pid LIMIT 500) TO STDOUT`,
	`COPY (SELECT ts, host_name, pid, severity, message, atags, event_data FROM alerts ORDER BY ts, pid LIMIT 500) TO STDOUT (FORMAT csv, HEADER)`,
	`COPY (SELECT ts, host_name, pid, severity, message, atags, event_data FROM alerts ORDER BY ts, pid LIMIT 500) TO STDOUT (FORMAT binary)`,
	`COPY (SELECT ts, resource, data, NULL::text AS nothing, '' AS empty, E'tab\there\\' AS esc FROM logs ORDER BY ts, resource LIMIT 300) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'NULL', FORCE_QUOTE (resource))`,
	`COPY (SELECT ts, resource, NULL::text AS nothing, E'a|b\nc' AS odd FROM logs ORDER BY ts, resource LIMIT 300) TO STDOUT (DELIMITER '|', NULL '', HEADER)`,
	`COPY (SELECT count(*), sum(pid), avg(severity), 1.5::float8, true, DATE '2026-11-01', interval '1 day 2 hours' FROM alerts) TO STDOUT (FORMAT binary)`,
	`COPY messages (ts, level, message) TO STDOUT (FORMAT csv, FORCE_QUOTE *)`,
}

func checkCopy(t *testing.T, ctx context.Context, ourDSN, pgDSN string) {
	ours, theirs := connectBoth(t, ctx, ourDSN, pgDSN)
	for _, sql := range copyStatements {
		var a, b bytes.Buffer
		ta, errA := ours.PgConn().CopyTo(ctx, &a, sql)
		tb, errB := theirs.PgConn().CopyTo(ctx, &b, sql)
		if errA != nil || errB != nil {
			t.Errorf("%s: armorlake %v, PostgreSQL %v", sql, errA, errB)
			continue
		}
		if strings.HasPrefix(sql, "COPY messages") {
			// Row order of a table copy is the store's: compare sorted.
			la, lb := strings.Split(a.String(), "\n"), strings.Split(b.String(), "\n")
			slices.Sort(la)
			slices.Sort(lb)
			if !slices.Equal(la, lb) || ta.String() != tb.String() {
				t.Errorf("%s: %d lines, PostgreSQL %d; tags %s, %s", sql, len(la), len(lb), ta, tb)
			}
			continue
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || ta.String() != tb.String() {
			at, bt := a.Bytes(), b.Bytes()
			i := 0
			for i < len(at) && i < len(bt) && at[i] == bt[i] {
				i++
			}
			t.Errorf("%s:\n%d bytes (%s), PostgreSQL %d bytes (%s); first difference at byte %d:\n ours   %q\n theirs %q",
				sql, len(at), ta, len(bt), tb, i, at[i:min(len(at), i+80)], bt[i:min(len(bt), i+80)])
		}
	}
	// Errors: the options PostgreSQL refuses, refused alike.
	for _, sql := range []string{
		`COPY (SELECT 1) TO STDOUT (FORMAT binary, HEADER)`,
		`COPY (SELECT 1) TO STDOUT (DELIMITER 'ab')`,
		`COPY (SELECT 1) TO STDOUT (FORMAT xml)`,
		`COPY (SELECT 1) TO STDOUT (QUOTE '"')`,
		`COPY no_such_table TO STDOUT`,
		`COPY (SELECT 1) TO '/tmp/x'`,
	} {
		_, errA := ours.PgConn().CopyTo(ctx, io.Discard, sql)
		_, errB := theirs.PgConn().CopyTo(ctx, io.Discard, sql)
		if ca, cb := pgErrCode(errA), pgErrCode(errB); ca != cb && !(strings.Contains(sql, "/tmp") && ca == "42501") {
			t.Errorf("%s: armorlake %v, PostgreSQL %v", sql, errA, errB)
		}
	}
	// COPY FROM would wait for data PostgreSQL asks for; armorlake
	// refuses it at once, its tables being read-only.
	if _, err := ours.PgConn().CopyTo(ctx, io.Discard, `COPY alerts FROM STDIN`); pgErrCode(err) != "25006" {
		t.Errorf("COPY FROM STDIN: %v, want 25006", err)
	}
}

func pgErrCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return fmt.Sprint(err)
}

// connectBoth connects to armorlake and to PostgreSQL, for the test's
// duration.
func connectBoth(t *testing.T, ctx context.Context, ourDSN, pgDSN string) (ours, theirs *pgx.Conn) {
	t.Helper()
	ours, err := pgx.Connect(ctx, ourDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ours.Close(context.Background()) })
	theirs, err = pgx.Connect(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { theirs.Close(context.Background()) })
	return ours, theirs
}
