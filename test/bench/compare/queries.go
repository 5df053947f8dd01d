package main

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// query is one labelled statement of the query set.
type query struct {
	label, title, sql string
}

var labelLine = regexp.MustCompile(`^-- (Q\d+): (.*)$`)

// parseQueries reads the standard set's form: each statement starts with a
// "-- Qn: title" line and ends at a blank line.
func parseQueries(text string) ([]query, error) {
	var qs []query
	var cur *query
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if m := labelLine.FindStringSubmatch(line); m != nil {
			qs = append(qs, query{label: m[1], title: m[2]})
			cur = &qs[len(qs)-1]
			continue
		}
		switch {
		case cur == nil || strings.HasPrefix(strings.TrimSpace(line), "--"):
		case line == "":
			cur = nil
		default:
			cur.sql = strings.TrimSpace(cur.sql + "\n" + line)
		}
	}
	for _, q := range qs {
		if q.sql == "" {
			return nil, fmt.Errorf("query %s has no statement", q.label)
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no '-- Qn: title' labelled statements found")
	}
	return qs, nil
}

// system is one database under test.
type system struct {
	name  string // as the report names it
	short string // a column heading
	// query runs sql and returns its rows as canonical text when collect
	// is set, else only reads them.
	query func(ctx context.Context, sql string, collect bool) ([][]string, error)
	// pids lists the processes whose memory counts as the system's.
	pids  func() []int
	load  loadStats
	mem   peaks
	close func()
	// nodes are the HTTP addresses of armorlake's nodes serving
	// /debug/pprof, by node name.
	nodes map[string]string
}

// loadStats is how a system took the dataset.
type loadStats struct {
	how      string
	events   int64
	ingest   time.Duration // the events' arrival in the store or table
	ready    time.Duration // ingest plus what makes the data queryable as a user would (indexes, statistics)
	bytes    int64         // the stored data: tables, indexes, blocks; not write-ahead logs
	bytesHow string
	disk     int64 // every file of the system's data directory, as allocated on disk
}

// outcome is one query's measurements on one system.
type outcome struct {
	times  []time.Duration
	rows   [][]string
	err    error
	agrees bool // with the reference system's answer
	diff   string
}

func (o *outcome) median() time.Duration {
	if len(o.times) == 0 {
		return 0
	}
	s := slices.Clone(o.times)
	slices.Sort(s)
	return s[len(s)/2]
}

// runQueries runs each query on every system: one warm-up that also
// collects the answer, then rounds of one timed run per system, the order
// of the systems rotating each round.
func runQueries(ctx context.Context, systems []*system, queries []query, runs int) ([][]*outcome, error) {
	out := make([][]*outcome, len(queries))
	ref := len(systems) - 1
	for i, s := range systems {
		if s.short == "PostgreSQL" {
			ref = i
		}
	}
	for qi, q := range queries {
		out[qi] = make([]*outcome, len(systems))
		for si, s := range systems {
			o := &outcome{}
			out[qi][si] = o
			o.rows, o.err = s.query(ctx, q.sql, true)
			if o.err != nil {
				logf("%s on %s: %v", q.label, s.name, o.err)
			}
		}
		for si := range systems {
			o := out[qi][si]
			if o.err == nil && out[qi][ref].err == nil {
				o.diff = compareRows(out[qi][ref].rows, o.rows)
				o.agrees = o.diff == ""
			}
			if !o.agrees && si != ref {
				logf("%s: %s disagrees with %s: %s", q.label, systems[si].name, systems[ref].name, o.diff)
			}
		}
		for r := range runs {
			for k := range systems {
				si := (k + r) % len(systems)
				o := out[qi][si]
				if o.err != nil {
					continue
				}
				start := time.Now()
				if _, err := systems[si].query(ctx, q.sql, false); err != nil {
					return nil, fmt.Errorf("%s on %s, run %d: %w", q.label, systems[si].name, r+1, err)
				}
				o.times = append(o.times, time.Since(start))
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line := q.label + ":"
		for si, s := range systems {
			line += fmt.Sprintf("  %s %s", s.short, fmtDur(out[qi][si].median()))
		}
		logf("%s", line)
	}
	return out, nil
}

// compareRows says how two answers differ, or "" when they agree. Every
// query of the set orders its rows completely, so rows compare in order.
func compareRows(want, got [][]string) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(want[i], got[i]) {
			return fmt.Sprintf("row %d is %v, want %v", i+1, got[i], want[i])
		}
	}
	return ""
}

// canonicalRow writes a row's values with canonical.
func canonicalRow(vals []any) []string {
	row := make([]string, len(vals))
	for i, v := range vals {
		row[i] = canonical(v)
	}
	return row
}

// canonical writes a value as text that is equal across the three
// systems' drivers for equal SQL values: times in UTC, numbers of any
// type by their value.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999Z")
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float32:
		return canonicalFloat(float64(x))
	case float64:
		return canonicalFloat(x)
	case *big.Int:
		return x.String()
	case pgtype.Numeric:
		f, err := x.Float64Value()
		if err != nil || !f.Valid {
			return "NULL"
		}
		return canonicalFloat(f.Float64)
	case interface{ Float64() float64 }: // DuckDB's DECIMAL
		return canonicalFloat(x.Float64())
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func canonicalFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 12, 64)
}

// fmtDur prints a duration in milliseconds with three significant digits.
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}
