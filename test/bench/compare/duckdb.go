package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// duckType is the DuckDB type a column is stored as. jsonb and text[] are
// kept as text: DuckDB reads neither PostgreSQL array literals nor
// validates JSON on load, and no query of the set reads them.
func duckType(t coldata.Type) string {
	switch t {
	case coldata.Bool:
		return "BOOLEAN"
	case coldata.Int16:
		return "SMALLINT"
	case coldata.Int32:
		return "INTEGER"
	case coldata.Int64:
		return "BIGINT"
	case coldata.Float32:
		return "REAL"
	case coldata.Float64:
		return "DOUBLE"
	case coldata.Timestamptz:
		return "TIMESTAMPTZ"
	case coldata.Timestamp:
		return "TIMESTAMP"
	case coldata.Date:
		return "DATE"
	}
	return "VARCHAR"
}

// startDuckDB opens a DuckDB database file in this process and loads the
// CSV files into tables of the same schema.
func startDuckDB(ctx context.Context, csvDir, dir string, mem *memSampler) (*system, error) {
	path := filepath.Join(dir, "duckdb", "events.duckdb")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	os.Remove(path)
	os.Remove(path + ".wal")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, err
	}
	// One connection keeps the session's settings (the time zone).
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &system{short: "DuckDB"}
	s.close = func() {
		conn.Close()
		db.Close()
	}
	fail := func(err error) (*system, error) {
		s.close()
		return nil, err
	}
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT version()").Scan(&version); err != nil {
		return fail(err)
	}
	s.name = "DuckDB " + strings.TrimPrefix(version, "v")
	if _, err := conn.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
		return fail(err)
	}
	self := os.Getpid()
	s.pids = func() []int { return []int{self} }
	mem.watch(s.name, s.pids)
	mem.phase("load")
	logf("%s: loading the CSV files", s.name)
	var events int64
	start := time.Now()
	for _, t := range schema.KubeArmor() {
		var cols, spec []string
		for _, c := range t.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, duckType(c.Type)))
			spec = append(spec, fmt.Sprintf("'%s': '%s'", c.Name, duckType(c.Type)))
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(cols, ", "))); err != nil {
			return fail(err)
		}
		// PostgreSQL's CSV: an unquoted empty field is NULL, a quoted
		// one the empty string.
		res, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s SELECT * FROM read_csv('%s', header = true, auto_detect = false,
			delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, columns = {%s})`,
			t.Name, filepath.Join(csvDir, t.Name+".csv"), strings.Join(spec, ", ")))
		if err != nil {
			return fail(fmt.Errorf("load %s: %w", t.Name, err))
		}
		n, _ := res.RowsAffected()
		events += n
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fail(err)
	}
	loadTime := time.Since(start)
	logf("%s: %d rows loaded in %s (%.0f events/s)", s.name, events, loadTime.Round(time.Millisecond), float64(events)/loadTime.Seconds())
	var bytes int64
	if st, err := os.Stat(path); err == nil {
		bytes = st.Size()
	}
	_, _, disk, err := dirSize(filepath.Dir(path))
	if err != nil {
		return fail(err)
	}
	s.load = loadStats{
		how:      "in-process INSERT … SELECT FROM read_csv, then CHECKPOINT",
		events:   events,
		ingest:   loadTime,
		ready:    loadTime,
		bytes:    bytes,
		bytesHow: "the database file after CHECKPOINT",
		disk:     disk,
	}
	s.query = func(ctx context.Context, q string, collect bool) ([][]string, error) {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var out [][]string
		for rows.Next() {
			if !collect {
				continue
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
			out = append(out, canonicalRow(vals))
		}
		return out, rows.Err()
	}
	return s, nil
}
