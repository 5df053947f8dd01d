package server

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// fakeEngine plans a tiny SQL-like language, enough to drive the wire
// protocol from real clients:
//
//	SELECT <integer>                      one int4 column "?column?"
//	SELECT * FROM types                   one column per type: a row of values, a row of NULLs
//	SELECT * FROM series(n[, batch])      int8 column "n", 1..n, in batches of batch rows
//	SELECT $1::int8, $2, ...              echoes its parameters (uncast: the declared type, else text)
//	SELECT now_ts()                       one timestamptz, 2026-11-01 06:00:00.5 UTC
//	SELECT pg_sleep()                     blocks until canceled
//	SELECT fail('22012', 'msg')           fails in Next with that SQLSTATE
//	SELECT rows_then_fail()               one batch of 2 rows, then fails
//	SELECT boom()                         panics in Next; SELECT boom_prepare() panics in Prepare
//	SELECT * FROM <other>                 42P01
//	BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT x, RELEASE x
//	SET a = b, SET a TO b, SET TIME ZONE b, RESET a, RESET ALL, SHOW a
//
// Statements are split on ';' outside quotes; "--" comments are dropped;
// nothing left means KindEmpty.
type fakeEngine struct {
	noSleep  bool         // pg_sleep fails at once instead of blocking (fuzzing)
	sleeping atomic.Int32 // statements blocked in pg_sleep now
	canceled atomic.Int32 // pg_sleep statements that saw their context end
}

var _ Engine = (*fakeEngine)(nil)

func (e *fakeEngine) Prepare(ctx context.Context, sess *planner.Session, sql string, paramTypes []coldata.Type) ([]*planner.Statement, error) {
	var out []*planner.Statement
	for _, part := range splitSQL(sql) {
		st, err := e.prepareOne(part.text, part.offset, paramTypes)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return []*planner.Statement{{Kind: planner.KindEmpty, SQL: sql}}, nil
	}
	return out, nil
}

type sqlPart struct {
	text   string
	offset int // of text in the whole string
}

func splitSQL(sql string) []sqlPart {
	// Blank out comments, keeping offsets.
	b := []byte(sql)
	quoted := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\'':
			quoted = !quoted
		case !quoted && b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		}
	}
	var parts []sqlPart
	start := 0
	quoted = false
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] == '\'' {
			quoted = !quoted
		}
		if i == len(b) || b[i] == ';' && !quoted {
			raw := string(b[start:i])
			if trimmed := strings.TrimSpace(raw); trimmed != "" {
				parts = append(parts, sqlPart{text: trimmed, offset: start + strings.Index(raw, trimmed)})
			}
			start = i + 1
		}
	}
	return parts
}

var (
	setRE    = regexp.MustCompile(`(?is)^SET\s+(?:SESSION\s+)?([\w.]+)\s*(?:=|\s+TO\s+)\s*(.+)$`)
	setTZRE  = regexp.MustCompile(`(?is)^SET\s+TIME\s+ZONE\s+(.+)$`)
	resetRE  = regexp.MustCompile(`(?is)^RESET\s+([\w.]+)$`)
	showRE   = regexp.MustCompile(`(?is)^SHOW\s+([\w.]+)$`)
	seriesRE = regexp.MustCompile(`(?i)^SELECT \* FROM series\((\d+)(?:,\s*(\d+))?\)$`)
	failRE   = regexp.MustCompile(`(?i)^SELECT fail\('(\w+)',\s*'([^']*)'\)$`)
	intRE    = regexp.MustCompile(`^SELECT (-?\d+)$`)
	paramRE  = regexp.MustCompile(`^\$(\d+)(?:::(\w+(?:\[\])?))?$`)
	fromRE   = regexp.MustCompile(`(?i)^SELECT \* FROM (\w+)`)
)

func (e *fakeEngine) prepareOne(text string, offset int, paramTypes []coldata.Type) (*planner.Statement, error) {
	upper := strings.ToUpper(text)
	txn := func(tag string) *planner.Statement {
		return &planner.Statement{Kind: planner.KindTransaction, SQL: text, Tag: tag}
	}
	switch {
	case upper == "BEGIN":
		return txn("BEGIN"), nil
	case upper == "START TRANSACTION":
		return txn("START TRANSACTION"), nil
	case upper == "COMMIT" || upper == "END":
		return txn("COMMIT"), nil
	case upper == "ROLLBACK" || upper == "ABORT":
		return txn("ROLLBACK"), nil
	case strings.HasPrefix(upper, "SAVEPOINT "):
		return txn("SAVEPOINT"), nil
	case strings.HasPrefix(upper, "RELEASE "):
		return txn("RELEASE"), nil
	}
	if m := setTZRE.FindStringSubmatch(text); m != nil {
		return setStatement(text, "timezone", m[1]), nil
	}
	if m := setRE.FindStringSubmatch(text); m != nil {
		return setStatement(text, m[1], m[2]), nil
	}
	if m := resetRE.FindStringSubmatch(text); m != nil {
		return &planner.Statement{Kind: planner.KindSet, SQL: text, Tag: "RESET", SetName: strings.ToLower(m[1])}, nil
	}
	if m := showRE.FindStringSubmatch(text); m != nil {
		return &planner.Statement{Kind: planner.KindShow, SQL: text, Tag: "SHOW", ShowName: strings.ToLower(m[1])}, nil
	}
	if m := intRE.FindStringSubmatch(text); m != nil {
		v, _ := strconv.ParseInt(m[1], 10, 32)
		return constStatement(text, planner.Column{Name: "?column?", Type: coldata.Int32}, func(vec *coldata.Vec) {
			vec.Int64 = append(vec.Int64, v)
		}), nil
	}
	if m := seriesRE.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		batch := 1024
		if m[2] != "" {
			batch, _ = strconv.Atoi(m[2])
		}
		if n > 100_000 || batch < 1 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "series(%s, %d) out of the fake's range", m[1], batch)
		}
		return planner.NewStatement(text, "SELECT", []planner.Column{{Name: "n", Type: coldata.Int64}}, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				return newSliceOperator(seriesBatches(n, batch)...), nil
			}), nil
	}
	if m := failRE.FindStringSubmatch(text); m != nil {
		return planner.NewStatement(text, "SELECT", []planner.Column{{Name: "fail", Type: coldata.Int32}}, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				return &funcOperator{next: func(context.Context) (*coldata.Batch, error) {
					return nil, fmt.Errorf("evaluate fail(): %w", sqlerr.New(m[1], "%s", m[2]))
				}}, nil
			}), nil
	}
	switch upper {
	case "SELECT * FROM TYPES":
		return planner.NewStatement(text, "SELECT", typesColumns, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				return newSliceOperator(typesBatch()), nil
			}), nil
	case "SELECT NOW_TS()":
		return constStatement(text, planner.Column{Name: "now_ts", Type: coldata.Timestamptz}, func(vec *coldata.Vec) {
			vec.Int64 = append(vec.Int64, time.Date(2026, 11, 1, 6, 0, 0, 500_000_000, time.UTC).UnixMicro())
		}), nil
	case "SELECT PG_SLEEP()":
		return planner.NewStatement(text, "SELECT", []planner.Column{{Name: "pg_sleep", Type: coldata.Int32}}, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				return &funcOperator{next: func(ctx context.Context) (*coldata.Batch, error) {
					if e.noSleep {
						return nil, errQueryCanceled
					}
					e.sleeping.Add(1)
					defer e.sleeping.Add(-1)
					<-ctx.Done()
					e.canceled.Add(1)
					return nil, fmt.Errorf("sleep: %w", ctx.Err())
				}}, nil
			}), nil
	case "SELECT ROWS_THEN_FAIL()":
		return planner.NewStatement(text, "SELECT", []planner.Column{{Name: "n", Type: coldata.Int64}}, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				batches := seriesBatches(2, 2)
				return &funcOperator{next: func(context.Context) (*coldata.Batch, error) {
					if len(batches) > 0 {
						b := batches[0]
						batches = batches[1:]
						return b, nil
					}
					return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
				}}, nil
			}), nil
	case "SELECT BOOM()":
		return planner.NewStatement(text, "SELECT", []planner.Column{{Name: "boom", Type: coldata.Int32}}, nil,
			func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
				return &funcOperator{next: func(context.Context) (*coldata.Batch, error) {
					var m map[string]int
					m["boom"]++ // a real bug: assignment to a nil map
					return nil, nil
				}}, nil
			}), nil
	case "SELECT BOOM_PREPARE()":
		panic("planner bug")
	}
	if strings.HasPrefix(text, "SELECT $") {
		return echoStatement(text, offset, paramTypes)
	}
	if m := fromRE.FindStringSubmatch(text); m != nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", m[1]).
			WithPosition(int32(offset + strings.Index(text, m[1]) + 1))
	}
	word, _, _ := strings.Cut(text, " ")
	return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near %q", word).WithPosition(int32(offset + 1))
}

func setStatement(text, name, value string) *planner.Statement {
	value = strings.TrimSpace(value)
	if strings.EqualFold(value, "default") || strings.EqualFold(value, "local") {
		value = ""
	}
	value = strings.Trim(value, "'")
	return &planner.Statement{Kind: planner.KindSet, SQL: text, Tag: "SET", SetName: strings.ToLower(name), SetValue: value}
}

// constStatement returns one row of one column, filled by fill.
func constStatement(text string, col planner.Column, fill func(*coldata.Vec)) *planner.Statement {
	return planner.NewStatement(text, "SELECT", []planner.Column{col}, nil,
		func(ctx context.Context, _ *coldata.Batch) (exec.Operator, error) {
			b := coldata.NewBatch([]coldata.Type{col.Type}, 1)
			fill(b.Vecs[0])
			b.Len = 1
			return newSliceOperator(b), nil
		})
}

var typeNames = map[string]coldata.Type{
	"bool": coldata.Bool, "int2": coldata.Int16, "int4": coldata.Int32, "int8": coldata.Int64,
	"float4": coldata.Float32, "float8": coldata.Float64, "text": coldata.Text,
	"timestamptz": coldata.Timestamptz, "numeric": coldata.Numeric, "jsonb": coldata.Jsonb,
	"text[]": coldata.TextArray,
}

// echoStatement is "SELECT $1::t1, $2, ...": it returns its parameters.
func echoStatement(text string, offset int, declared []coldata.Type) (*planner.Statement, error) {
	items := strings.Split(strings.TrimPrefix(text, "SELECT "), ",")
	var types []coldata.Type
	var cols []planner.Column
	for i, item := range items {
		m := paramRE.FindStringSubmatch(strings.TrimSpace(item))
		if m == nil || m[1] != strconv.Itoa(i+1) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near %q", strings.TrimSpace(item)).
				WithPosition(int32(offset + strings.Index(text, item) + 1))
		}
		t := coldata.Text
		switch {
		case m[2] != "":
			var ok bool
			if t, ok = typeNames[m[2]]; !ok {
				return nil, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", m[2])
			}
		case i < len(declared) && declared[i] != coldata.Unknown:
			t = declared[i]
		}
		types = append(types, t)
		cols = append(cols, planner.Column{Name: "p" + m[1], Type: t})
	}
	return planner.NewStatement(text, "SELECT", cols, types,
		func(ctx context.Context, params *coldata.Batch) (exec.Operator, error) {
			out := &coldata.Batch{Vecs: params.Vecs[:len(types)], Len: params.Len}
			return newSliceOperator(out), nil
		}), nil
}

func seriesBatches(n, size int) []*coldata.Batch {
	var out []*coldata.Batch
	for start := 1; start <= n; start += size {
		b := coldata.NewBatch([]coldata.Type{coldata.Int64}, size)
		for v := start; v < start+size && v <= n; v++ {
			b.Vecs[0].Int64 = append(b.Vecs[0].Int64, int64(v))
		}
		b.Len = len(b.Vecs[0].Int64)
		out = append(out, b)
	}
	return out
}

var typesColumns = []planner.Column{
	{Name: "b", Type: coldata.Bool},
	{Name: "i2", Type: coldata.Int16},
	{Name: "i4", Type: coldata.Int32},
	{Name: "i8", Type: coldata.Int64},
	{Name: "f4", Type: coldata.Float32},
	{Name: "f8", Type: coldata.Float64},
	{Name: "t", Type: coldata.Text},
	{Name: "ts", Type: coldata.Timestamptz},
	{Name: "num", Type: coldata.Numeric},
	{Name: "j", Type: coldata.Jsonb},
	{Name: "arr", Type: coldata.TextArray},
}

// typesTS is the timestamptz of the types table.
var typesTS = time.Date(2026, 11, 1, 6, 0, 0, 123456000, time.UTC)

// typesBatch is the types table: a row of values, then a row of NULLs.
func typesBatch() *coldata.Batch {
	types := make([]coldata.Type, len(typesColumns))
	for i, c := range typesColumns {
		types[i] = c.Type
	}
	b := coldata.NewBatch(types, 2)
	v := b.Vecs
	v[0].Bool = append(v[0].Bool, true)
	v[1].Int64 = append(v[1].Int64, -32768)
	v[2].Int64 = append(v[2].Int64, 2147483647)
	v[3].Int64 = append(v[3].Int64, math.MinInt64)
	v[4].Float64 = append(v[4].Float64, float64(float32(1.5e6)))
	v[5].Float64 = append(v[5].Float64, 1e20)
	v[6].Bytes.AppendString("héllo, wörld")
	v[7].Int64 = append(v[7].Int64, typesTS.UnixMicro())
	v[8].Bytes.AppendString("-12345.6780")
	v[9].Bytes.AppendString(`{"a": [1, 2], "b": null}`)
	v[10].AppendStrings([]string{"a", "b c", `d"e`, ""})
	for _, vec := range v {
		vec.AppendNull()
	}
	b.Len = 2
	return b
}

// sliceOperator returns its batches in order.
type sliceOperator struct {
	batches []*coldata.Batch
	closed  bool
}

var _ exec.Operator = (*sliceOperator)(nil)

func newSliceOperator(b ...*coldata.Batch) *sliceOperator { return &sliceOperator{batches: b} }

func (o *sliceOperator) Next(ctx context.Context) (*coldata.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(o.batches) == 0 {
		return nil, nil
	}
	b := o.batches[0]
	o.batches = o.batches[1:]
	return b, nil
}

func (o *sliceOperator) Close() error { o.closed = true; return nil }

// funcOperator calls next.
type funcOperator struct {
	next func(ctx context.Context) (*coldata.Batch, error)
}

var _ exec.Operator = (*funcOperator)(nil)

func (o *funcOperator) Next(ctx context.Context) (*coldata.Batch, error) { return o.next(ctx) }
func (o *funcOperator) Close() error                                     { return nil }
