package test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pgq "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/sqlerr"
)

// The SQL corpus, testdata/sql/*.sql: queries that armorlake must answer
// exactly as PostgreSQL does over the same events (TestOracle loads
// both). A query is a paragraph: lines up to a blank line, whole-line
// "--" comments dropped. A paragraph may hold several statements (SET
// TimeZone = …; SELECT …): the last one's result is compared, and the
// session settings last to the end of the file, on both sides.
//
// Compared are the rows, as text, in order when the last statement has a
// top-level ORDER BY (the corpus orders completely), as a multiset
// otherwise; floats equal to 1e-9 relative; or, when PostgreSQL fails,
// the SQLSTATE. A paragraph whose first comment line is "-- todo: why"
// is a PostgreSQL feature armorlake does not have yet: it must fail with
// SQLSTATE 0A000 (feature_not_supported), never run as something else;
// once it runs, drop the marker. "-- placement: why" marks a query whose
// answer depends on which operator stored which events (ingest_operator):
// it runs on the seed topology, which PostgreSQL's copy records, and is
// skipped on others.

// corpusQuery is one paragraph of a corpus file.
type corpusQuery struct {
	file string
	line int
	sql  string
	todo string // why armorlake refuses it, for todo queries
	// placement: the answer depends on the seed topology's placement.
	placement bool
}

// corpusRun says how the corpus runs: with pushdown or without, and on
// the seed topology (three operators, as PostgreSQL's copy records
// ingest_operator) or another holding the same events.
type corpusRun struct {
	pushdown bool
	seed     bool
}

// readCorpus reads every query of testdata/sql.
func readCorpus(t *testing.T) []corpusQuery {
	t.Helper()
	files, err := filepath.Glob("testdata/sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	var out []corpusQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		var cur corpusQuery
		var sql []string
		flush := func() {
			if len(sql) > 0 {
				cur.sql = strings.Join(sql, "\n")
				out = append(out, cur)
			}
			cur, sql = corpusQuery{}, nil
		}
		for i, line := range lines {
			trimmed := strings.TrimSpace(line)
			switch {
			case trimmed == "":
				flush()
			case strings.HasPrefix(trimmed, "--"):
				if why, ok := strings.CutPrefix(trimmed, "-- todo:"); ok && len(sql) == 0 {
					cur.todo = strings.TrimSpace(why)
				}
				if strings.HasPrefix(trimmed, "-- placement:") && len(sql) == 0 {
					cur.placement = true
				}
			default:
				if len(sql) == 0 {
					cur.file, cur.line = filepath.Base(f), i+1
				}
				sql = append(sql, line)
			}
		}
		flush()
	}
	return out
}

// result is what one side answered: rows as text, or an error.
type result struct {
	cols  []uint32 // type OIDs
	rows  [][]*string
	err   error
	state string
}

// runQuery runs sql with the simple protocol and keeps the last
// statement's result.
func runQuery(ctx context.Context, conn *pgx.Conn, sql string) result {
	var res result
	results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		res.err = err
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			res.state = pe.Code
		}
		return res
	}
	if len(results) == 0 {
		return res
	}
	last := results[len(results)-1]
	for _, f := range last.FieldDescriptions {
		res.cols = append(res.cols, f.DataTypeOID)
	}
	for _, r := range last.Rows {
		row := make([]*string, len(r))
		for i, v := range r {
			if v != nil {
				s := string(v)
				row[i] = &s
			}
		}
		res.rows = append(res.rows, row)
	}
	return res
}

// ordered reports whether the last statement of sql has a top-level
// ORDER BY, which fixes the order of its rows.
func ordered(sql string) bool {
	tree, err := pgq.Parse(sql)
	if err != nil || len(tree.Stmts) == 0 {
		return false
	}
	sel := tree.Stmts[len(tree.Stmts)-1].Stmt.GetSelectStmt()
	return sel != nil && len(sel.SortClause) > 0
}

// float OIDs: their text may differ in the last digits.
var floatOIDs = map[uint32]bool{700: true, 701: true}

func cellsEqual(a, b *string, float bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	if *a == *b {
		return true
	}
	if !float {
		return false
	}
	x, err1 := strconv.ParseFloat(*a, 64)
	y, err2 := strconv.ParseFloat(*b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return math.Abs(x-y) <= 1e-9*max(math.Abs(x), math.Abs(y))
}

func rowKey(r []*string) string {
	var b strings.Builder
	for _, c := range r {
		if c == nil {
			b.WriteString("\x00N")
		} else {
			b.WriteString("\x00V")
			b.WriteString(*c)
		}
	}
	return b.String()
}

// compareResults returns why ours differs from PostgreSQL's, or "".
func compareResults(sql string, ours, theirs result) string {
	switch {
	case theirs.err != nil && ours.err == nil:
		return fmt.Sprintf("PostgreSQL fails with %s (%v); armorlake returns %d rows", theirs.state, theirs.err, len(ours.rows))
	case theirs.err != nil:
		if ours.state != theirs.state {
			return fmt.Sprintf("armorlake fails with %s (%v); PostgreSQL with %s (%v)", ours.state, ours.err, theirs.state, theirs.err)
		}
		return ""
	case ours.err != nil:
		return fmt.Sprintf("armorlake fails: %v (SQLSTATE %s)", ours.err, ours.state)
	case len(ours.cols) != len(theirs.cols):
		return fmt.Sprintf("%d columns, PostgreSQL %d", len(ours.cols), len(theirs.cols))
	case len(ours.rows) != len(theirs.rows):
		return fmt.Sprintf("%d rows, PostgreSQL %d", len(ours.rows), len(theirs.rows))
	}
	a, b := ours.rows, theirs.rows
	if !ordered(sql) {
		a, b = slices.Clone(a), slices.Clone(b)
		byKey := func(x, y []*string) int { return strings.Compare(rowKey(x), rowKey(y)) }
		slices.SortFunc(a, byKey)
		slices.SortFunc(b, byKey)
	}
	for i := range a {
		for c := range a[i] {
			if !cellsEqual(a[i][c], b[i][c], floatOIDs[theirs.cols[c]]) {
				show := func(s *string) string {
					if s == nil {
						return "NULL"
					}
					return strconv.Quote(*s)
				}
				return fmt.Sprintf("row %d column %d: %s, PostgreSQL %s", i+1, c+1, show(a[i][c]), show(b[i][c]))
			}
		}
	}
	return ""
}

// runCorpus checks every corpus query against PostgreSQL, one connection
// per file on each side. Without pushdown, armorlake plans every query
// with fragments that only read columns (armorlake.pushdown = off): the
// same answers prove that pushing filters and aggregations to the
// operators changes nothing.
func runCorpus(t *testing.T, ctx context.Context, ourDSN, pgDSN string, run corpusRun) {
	queries := readCorpus(t)
	conns := map[string][2]*pgx.Conn{}
	defer func() {
		for _, c := range conns {
			c[0].Close(ctx)
			c[1].Close(ctx)
		}
	}()
	todo, checked, skipped := 0, 0, 0
	for _, q := range queries {
		if q.placement && !run.seed {
			skipped++
			continue
		}
		pair, ok := conns[q.file]
		if !ok {
			ours, err := pgx.Connect(ctx, ourDSN)
			if err != nil {
				t.Fatal(err)
			}
			if !run.pushdown {
				if _, err := ours.Exec(ctx, "SET armorlake.pushdown = off"); err != nil {
					t.Fatal(err)
				}
			}
			theirs, err := pgx.Connect(ctx, pgDSN)
			if err != nil {
				t.Fatal(err)
			}
			pair = [2]*pgx.Conn{ours, theirs}
			conns[q.file] = pair
		}
		where := fmt.Sprintf("%s:%d", q.file, q.line)
		ours, theirs := runQuery(ctx, pair[0], q.sql), runQuery(ctx, pair[1], q.sql)
		if q.todo != "" {
			todo++
			switch {
			case theirs.err != nil:
				t.Errorf("%s: a todo query PostgreSQL refuses (%v): make it an error case", where, theirs.err)
			case ours.err == nil:
				if compareResults(q.sql, ours, theirs) == "" {
					t.Errorf("%s: runs and agrees with PostgreSQL now: drop the todo marker\n%s", where, q.sql)
				} else {
					t.Errorf("%s: marked todo (%s) but runs, and differs from PostgreSQL: %s\n%s", where, q.todo,
						compareResults(q.sql, ours, theirs), q.sql)
				}
			case ours.state != sqlerr.FeatureNotSupported:
				t.Errorf("%s: todo query fails with %s, want %s: %v\n%s", where, ours.state, sqlerr.FeatureNotSupported, ours.err, q.sql)
			}
			continue
		}
		checked++
		if theirs.err == nil && len(theirs.rows) == 0 {
			t.Logf("%s: PostgreSQL returns no rows: the query checks little", where)
		}
		if why := compareResults(q.sql, ours, theirs); why != "" {
			t.Errorf("%s: %s\n%s", where, why, q.sql)
		}
	}
	t.Logf("corpus: %d queries agree with PostgreSQL (results or SQLSTATE); %d todo queries refused with 0A000; %d placement queries skipped",
		checked, todo, skipped)
}
