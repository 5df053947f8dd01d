package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

func col(i int, t coldata.Type) *rpcpb.Expr {
	return &rpcpb.Expr{Type: uint32(t), Kind: &rpcpb.Expr_Column{Column: int32(i)}}
}

func intConst(v int64, t coldata.Type) *rpcpb.Expr {
	return &rpcpb.Expr{Type: uint32(t), Kind: &rpcpb.Expr_Const{Const: &rpcpb.Datum{Type: uint32(t), Value: &rpcpb.Datum_I{I: v}}}}
}

func call(op string, t coldata.Type, args ...*rpcpb.Expr) *rpcpb.Expr {
	return &rpcpb.Expr{Type: uint32(t), Kind: &rpcpb.Expr_Call{Call: &rpcpb.Call{Op: op, Args: args}}}
}

// boolBatch holds every pair of true/false/NULL in two columns.
func boolBatch() *coldata.Batch {
	b := coldata.NewBatch([]coldata.Type{coldata.Bool, coldata.Bool}, 9)
	vals := []string{"t", "f", "n"}
	for _, x := range vals {
		for _, y := range vals {
			for c, v := range []string{x, y} {
				if v == "n" {
					b.Vecs[c].AppendNull()
				} else {
					b.Vecs[c].Bool = append(b.Vecs[c].Bool, v == "t")
				}
			}
			b.Len++
		}
	}
	return b
}

func render(v *coldata.Vec, n int) string {
	var out []string
	for i := 0; i < n; i++ {
		switch {
		case v.IsNull(i):
			out = append(out, "n")
		case v.Type == coldata.Bool:
			out = append(out, map[bool]string{true: "t", false: "f"}[v.Bool[i]])
		default:
			out = append(out, fmt.Sprint(v.Int64[i]))
		}
	}
	return strings.Join(out, " ")
}

func TestThreeValuedLogic(t *testing.T) {
	b := boolBatch()
	types := b.Types()
	// Rows: tt tf tn ft ff fn nt nf nn.
	for _, c := range []struct {
		e    *rpcpb.Expr
		want string
	}{
		{call("and", coldata.Bool, col(0, coldata.Bool), col(1, coldata.Bool)), "t f n f f f n f n"},
		{call("or", coldata.Bool, col(0, coldata.Bool), col(1, coldata.Bool)), "t t t t f n t n n"},
		{call("not", coldata.Bool, col(0, coldata.Bool)), "f f f t t t n n n"},
		{call("is_null", coldata.Bool, col(1, coldata.Bool)), "f f t f f t f f t"},
		{call("=", coldata.Bool, col(0, coldata.Bool), col(1, coldata.Bool)), "t f n f t n n n n"},
	} {
		e, err := CompileExpr(c.e, types)
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.Eval(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(v, b.Len); got != c.want {
			t.Errorf("%s: got %s, want %s", ExprString(c.e, []string{"x", "y"}), got, c.want)
		}
	}
}

func intBatch(t coldata.Type, vals ...int64) *coldata.Batch {
	b := coldata.NewBatch([]coldata.Type{t}, len(vals))
	b.Vecs[0].Int64 = append(b.Vecs[0].Int64, vals...)
	b.Len = len(vals)
	return b
}

func TestCompareWithConstantOnEitherSide(t *testing.T) {
	b := intBatch(coldata.Int32, 1, 5, 9)
	for _, c := range []struct {
		e    *rpcpb.Expr
		want string
	}{
		{call("<", coldata.Bool, col(0, coldata.Int32), intConst(5, coldata.Int32)), "t f f"},
		{call("<", coldata.Bool, intConst(5, coldata.Int32), col(0, coldata.Int32)), "f f t"},
		{call(">=", coldata.Bool, intConst(5, coldata.Int64), col(0, coldata.Int32)), "t t f"},
		{call("<>", coldata.Bool, col(0, coldata.Int32), intConst(5, coldata.Int32)), "t f t"},
	} {
		e, err := CompileExpr(c.e, b.Types())
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.Eval(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(v, b.Len); got != c.want {
			t.Errorf("%s: got %s, want %s", ExprString(c.e, []string{"x"}), got, c.want)
		}
	}
}

func TestArithmeticErrors(t *testing.T) {
	for _, c := range []struct {
		b    *coldata.Batch
		e    *rpcpb.Expr
		code string
	}{
		{intBatch(coldata.Int32, 2147483647), call("+", coldata.Int32, col(0, coldata.Int32), intConst(1, coldata.Int32)), sqlerr.NumericValueOutOfRange},
		{intBatch(coldata.Int64, -1<<63), call("-", coldata.Int64, col(0, coldata.Int64), intConst(1, coldata.Int64)), sqlerr.NumericValueOutOfRange},
		{intBatch(coldata.Int64, 1<<62), call("*", coldata.Int64, col(0, coldata.Int64), intConst(4, coldata.Int64)), sqlerr.NumericValueOutOfRange},
		{intBatch(coldata.Int32, 7), call("/", coldata.Int32, col(0, coldata.Int32), intConst(0, coldata.Int32)), sqlerr.DivisionByZero},
		{intBatch(coldata.Int32, 7), call("%", coldata.Int32, col(0, coldata.Int32), intConst(0, coldata.Int32)), sqlerr.DivisionByZero},
	} {
		e, err := CompileExpr(c.e, c.b.Types())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Eval(c.b); sqlerr.Code(err) != c.code {
			t.Errorf("%s: got %v, want SQLSTATE %s", ExprString(c.e, []string{"x"}), err, c.code)
		}
	}
	// MinInt64 / -1 is the one quotient that overflows.
	e, _ := CompileExpr(call("/", coldata.Int64, col(0, coldata.Int64), intConst(-1, coldata.Int64)), []coldata.Type{coldata.Int64})
	if _, err := e.Eval(intBatch(coldata.Int64, -1<<63)); sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
		t.Errorf("MinInt64 / -1: %v", err)
	}
}

// randomRows makes n rows of (group text, value int4 with NULLs).
func randomRows(r *rand.Rand, n int) *coldata.Batch {
	b := coldata.NewBatch([]coldata.Type{coldata.Text, coldata.Int32}, n)
	for i := 0; i < n; i++ {
		b.Vecs[0].Bytes.AppendString(fmt.Sprintf("g%d", r.Intn(7)))
		if r.Intn(5) == 0 {
			b.Vecs[1].AppendNull()
		} else {
			b.Vecs[1].Int64 = append(b.Vecs[1].Int64, int64(r.Intn(2000)-1000))
		}
	}
	b.Len = n
	return b
}

func drainAll(t *testing.T, op Operator) []string {
	t.Helper()
	var rows []string
	for {
		b, err := op.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return rows
		}
		for i := 0; i < b.Len; i++ {
			var f []string
			for _, v := range b.Vecs {
				switch {
				case v.IsNull(i):
					f = append(f, "NULL")
				case v.Type.IsBytes():
					f = append(f, v.Bytes.GetString(i))
				default:
					f = append(f, fmt.Sprint(v.Int64[i]))
				}
			}
			rows = append(rows, strings.Join(f, "|"))
		}
	}
}

func aggSpecs(t *testing.T, input []coldata.Type) []AggSpec {
	var specs []AggSpec
	for _, name := range []string{"count", "sum", "min", "max", "avg"} {
		def, err := LookupAgg(name, coldata.Int32)
		if err != nil {
			t.Fatal(err)
		}
		arg, _ := CompileExpr(col(1, coldata.Int32), input)
		specs = append(specs, AggSpec{Def: def, Arg: arg})
	}
	star, _ := LookupAgg("count", coldata.Unknown)
	return append(specs, AggSpec{Def: star})
}

// TestPartialFinalEqualsComplete is metamorphic: splitting rows across
// any number of partial aggregations, shipping their states through the
// wire encoding and merging them gives what one complete aggregation
// gives.
func TestPartialFinalEqualsComplete(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for trial := 0; trial < 20; trial++ {
		rows := randomRows(r, 1+r.Intn(3000))
		types := rows.Types()
		key, _ := CompileExpr(col(0, coldata.Text), types)
		want := drainAll(t, NewHashAgg(NewBatches(rows), AggComplete, []Expr{key}, aggSpecs(t, types)))

		parts := 1 + r.Intn(5)
		var partials []*coldata.Batch
		for p := 0; p < parts; p++ {
			var sel []int
			for i := p; i < rows.Len; i += parts {
				sel = append(sel, i)
			}
			agg := NewHashAgg(NewBatches(rows.Gather(sel)), AggPartial, []Expr{key}, aggSpecs(t, types))
			for {
				b, err := agg.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				d, err := coldata.Decode(coldata.AppendEncoded(nil, b))
				if err != nil {
					t.Fatal(err)
				}
				partials = append(partials, d)
			}
		}
		ptypes := partials[0].Types()
		fkey, _ := CompileExpr(col(0, coldata.Text), ptypes)
		var specs []AggSpec
		c := 1
		for _, s := range aggSpecs(t, types) {
			spec := AggSpec{Def: s.Def}
			for range s.Def.States {
				spec.States = append(spec.States, c)
				c++
			}
			specs = append(specs, spec)
		}
		if trial%2 == 1 {
			// Combined first, as an operator combines its shards'
			// partial aggregates: still partial states, one row per
			// group.
			combined := NewHashAgg(NewBatches(partials...), AggCombine, []Expr{fkey}, specs)
			partials = nil
			seen := map[string]bool{}
			for {
				b, err := combined.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				for i := range b.Len {
					k := fmt.Sprint(b.Vecs[0].IsNull(i), string(b.Vecs[0].Bytes.Get(i)))
					if seen[k] {
						t.Fatalf("combined partials hold group %s twice", k)
					}
					seen[k] = true
				}
				partials = append(partials, b.Slice(0, b.Len))
			}
		}
		got := drainAll(t, NewHashAgg(NewBatches(partials...), AggFinal, []Expr{fkey}, specs))
		sortStrings(want)
		sortStrings(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("trial %d (%d parts):\n got %v\nwant %v", trial, parts, got, want)
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestScalarAggregateOfNothing(t *testing.T) {
	types := []coldata.Type{coldata.Text, coldata.Int32}
	got := drainAll(t, NewHashAgg(NewBatches(), AggComplete, nil, aggSpecs(t, types)))
	if want := "0|NULL|NULL|NULL|NULL|0"; len(got) != 1 || got[0] != want {
		t.Errorf("aggregates of no rows: %v, want [%s]", got, want)
	}
}

// TestTopNEqualsSortThenLimit is metamorphic: the pruning top-N keeps
// exactly the rows a full sort followed by a limit keeps.
func TestTopNEqualsSortThenLimit(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for trial := 0; trial < 20; trial++ {
		n := 1 + r.Intn(20000)
		var batches []*coldata.Batch
		for from := 0; from < n; from += 1000 {
			batches = append(batches, randomRows(r, min(1000, n-from)))
		}
		keys := []SortKey{{Col: 1, Desc: r.Intn(2) == 0, NullsFirst: r.Intn(2) == 0}, {Col: 0}}
		limit := r.Intn(300)
		full := drainAll(t, NewLimit(NewSort(NewBatches(batches...), keys, -1), 0, int64(limit)))
		top := drainAll(t, NewSort(NewBatches(batches...), keys, limit))
		// Ties on both keys may pick different rows; compare the key
		// values, which must be identical.
		if strings.Join(full, "\n") != strings.Join(top, "\n") {
			t.Fatalf("trial %d: top-%d differs from sort+limit", trial, limit)
		}
	}
}

// A top-N sharing its bound publishes, after each batch, the first key
// of its current last row, and still returns what sort+limit does.
func TestTopNSharesBound(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, desc := range []bool{true, false} {
		var batches []*coldata.Batch
		var all []int64
		for range 20 {
			vals := make([]int64, 500)
			for i := range vals {
				vals[i] = r.Int63n(1e9)
			}
			all = append(all, vals...)
			batches = append(batches, intBatch(coldata.Timestamptz, vals...))
		}
		keys := []SortKey{{Col: 0, Desc: desc, NullsFirst: desc}}
		const limit = 25
		var seen []int64
		bound := &TopBound{Desc: desc}
		src := &observe{in: NewBatches(batches...), each: func() {
			if v, ok := bound.Get(); ok {
				seen = append(seen, v)
			}
		}}
		s := NewSort(src, keys, limit)
		s.ShareBound(bound)
		got := drainAll(t, s)
		want := drainAll(t, NewLimit(NewSort(NewBatches(batches...), keys, -1), 0, limit))
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("desc %v: top-%d %v, want %v", desc, limit, got, want)
		}
		// After the first batch the bound is the 25th best of the first
		// 500; after the last, of all rows.
		slices.Sort(all)
		if desc {
			slices.Reverse(all)
		}
		last, ok := bound.Get()
		if !ok || last != all[limit-1] || len(seen) < 19 {
			t.Errorf("desc %v: bound %d (%v), want %d; seen %d times", desc, last, ok, all[limit-1], len(seen))
		}
	}
}

// TestTopBoundKeepsTightest: shards offer their cutoffs in any order;
// the bound keeps the tightest for its direction.
func TestTopBoundKeepsTightest(t *testing.T) {
	for _, desc := range []bool{false, true} {
		b := &TopBound{Desc: desc}
		if _, ok := b.Get(); ok {
			t.Fatal("a cutoff before any offer")
		}
		for _, v := range []int64{50, 20, 80, 60, 10, 90, 70} {
			b.offer(v)
		}
		want := int64(10)
		if desc {
			want = 90
		}
		if got, ok := b.Get(); !ok || got != want {
			t.Errorf("desc %v: cutoff %d (%v), want %d", desc, got, ok, want)
		}
	}
}

// observe calls each before every batch it passes on.
type observe struct {
	in   Operator
	each func()
}

func (o *observe) Next(ctx context.Context) (*coldata.Batch, error) {
	o.each()
	return o.in.Next(ctx)
}

func (o *observe) Close() error { return o.in.Close() }

func TestLimitOffsetAcrossBatches(t *testing.T) {
	var bs []*coldata.Batch
	for i := 0; i < 5; i++ {
		bs = append(bs, intBatch(coldata.Int64, int64(3*i), int64(3*i+1), int64(3*i+2)))
	}
	got := drainAll(t, NewLimit(NewBatches(bs...), 4, 6))
	if want := "4 5 6 7 8 9"; strings.Join(got, " ") != want {
		t.Errorf("OFFSET 4 LIMIT 6: %v, want %s", got, want)
	}
	if got := drainAll(t, NewLimit(NewBatches(bs...), 14, -1)); strings.Join(got, " ") != "14" {
		t.Errorf("OFFSET 14: %v", got)
	}
}

// fakeRemote serves fixed batches per target, or an error.
type fakeRemote struct {
	batches map[string][]*coldata.Batch
	fail    map[string]error
	closed  chan string
}

func (f *fakeRemote) Execute(ctx context.Context, t Target, frag *rpcpb.Fragment) (Operator, error) {
	if err := f.fail[t.NodeID]; err != nil {
		return nil, err
	}
	return &blocking{Batches: NewBatches(f.batches[t.NodeID]...), block: t.NodeID == "slow", ctx: ctx, id: t.NodeID, closed: f.closed}, nil
}

// blocking yields its batches, then (if block) waits for cancellation.
type blocking struct {
	*Batches
	block  bool
	ctx    context.Context
	id     string
	closed chan string
}

func (b *blocking) Next(ctx context.Context) (*coldata.Batch, error) {
	out, err := b.Batches.Next(ctx)
	if out == nil && err == nil && b.block {
		<-b.ctx.Done()
		return nil, b.ctx.Err()
	}
	return out, err
}

func (b *blocking) Close() error {
	if b.closed != nil {
		b.closed <- b.id
	}
	return nil
}

func TestGatherCollectsEveryTarget(t *testing.T) {
	f := &fakeRemote{batches: map[string][]*coldata.Batch{
		"a": {intBatch(coldata.Int64, 1, 2)}, "b": {intBatch(coldata.Int64, 3), intBatch(coldata.Int64, 4)}, "c": nil,
	}}
	g := NewGather(f, []Target{{NodeID: "a"}, {NodeID: "b"}, {NodeID: "c"}}, &rpcpb.Fragment{}, 2)
	defer g.Close()
	got := drainAll(t, g)
	sortStrings(got)
	if strings.Join(got, " ") != "1 2 3 4" {
		t.Errorf("gathered %v", got)
	}
}

func TestGatherFailsFastAndCancelsTheRest(t *testing.T) {
	boom := sqlerr.New(sqlerr.SystemError, "operator b is unreachable")
	f := &fakeRemote{
		batches: map[string][]*coldata.Batch{"slow": {intBatch(coldata.Int64, 1)}},
		fail:    map[string]error{"b": boom},
		closed:  make(chan string, 4),
	}
	g := NewGather(f, []Target{{NodeID: "slow"}, {NodeID: "b"}}, &rpcpb.Fragment{}, 0)
	var err error
	for {
		var b *coldata.Batch
		b, err = g.Next(context.Background())
		if err != nil || b == nil {
			break
		}
	}
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the failing operator's error", err)
	}
	g.Close()
	// The slow operator's stream was canceled and closed, not leaked.
	if id := <-f.closed; id != "slow" {
		t.Errorf("closed %s", id)
	}
}

func textConst(s string) *rpcpb.Expr {
	return &rpcpb.Expr{Type: uint32(coldata.Text), Kind: &rpcpb.Expr_Const{Const: &rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: s}}}}
}

// TestTextMatches finds the conjuncts a scan can skip blocks with, and
// only those.
func TestTextMatches(t *testing.T) {
	types := []coldata.Type{coldata.Text, coldata.Text, coldata.Int64}
	cols := []string{"namespace_name", "operation", "pid"}
	b := coldata.Bool
	filter := call("and", b,
		call("=", b, col(0, coldata.Text), textConst("payments")),
		call("and", b,
			call("or", b, call("=", b, textConst("File"), col(1, coldata.Text)), call("=", b, col(1, coldata.Text), textConst("Process"))),
			call(">", b, col(2, coldata.Int64), intConst(5, coldata.Int64))),
		// Mixed columns in one OR: no block can be ruled out.
		call("or", b, call("=", b, col(0, coldata.Text), textConst("a")), call("=", b, col(1, coldata.Text), textConst("b"))),
		// Not an equality: left to the filter.
		call("not", b, call("=", b, col(0, coldata.Text), textConst("kube-system"))))
	m, all := TextMatches(filter, cols, types)
	if got, want := fmt.Sprint(m), "[{namespace_name [payments]} {operation [File Process]}]"; got != want || all {
		t.Errorf("TextMatches = %s, %v; want %s, false", got, all, want)
	}
	// A top-level OR across columns, or no filter: nothing.
	if m, all := TextMatches(filter.GetCall().Args[2], cols, types); len(m) != 0 || all {
		t.Errorf("mixed OR gave %v, %v", m, all)
	}
	if m, all := TextMatches(nil, cols, types); len(m) != 0 || all {
		t.Errorf("no filter gave %v, %v", m, all)
	}
	// Equalities alone: the scan can match exactly.
	only := call("and", b, call("=", b, col(0, coldata.Text), textConst("payments")),
		call("=", b, textConst("File"), col(1, coldata.Text)))
	if m, all := TextMatches(only, cols, types); len(m) != 2 || !all {
		t.Errorf("equalities alone gave %v, %v", m, all)
	}
}

// spySource records the scans it is asked for.
type spySource struct {
	ScanSource
	specs []ScanSpec
}

func (s *spySource) Scan(ctx context.Context, spec ScanSpec) (Operator, error) {
	s.specs = append(s.specs, spec)
	return s.ScanSource.Scan(ctx, spec)
}

// TestCountUnderEqualitiesScansExactly: count(*) under text equalities
// alone asks the source for exact matches and no column, and counts right;
// with another conjunct it still asks for exact matches, reads the
// columns and filters.
func TestCountUnderEqualitiesScansExactly(t *testing.T) {
	tbl := &schema.Table{Name: "t", TimeColumn: -1, Columns: []schema.Column{{Name: "ns", Type: coldata.Text}, {Name: "n", Type: coldata.Int64}}}
	b := coldata.NewBatch(tbl.Types(), 0)
	for i, ns := range []string{"a", "b", "a", "c", "a"} {
		b.Vecs[0].Bytes.AppendString(ns)
		b.Vecs[1].Int64 = append(b.Vecs[1].Int64, int64(i))
		b.Len++
	}
	b.Vecs[0].AppendNull()
	b.Vecs[1].Int64 = append(b.Vecs[1].Int64, 9)
	b.Len++
	mem := NewMemSource()
	mem.Append(tbl, b)
	types := tbl.Types()
	bo := coldata.Bool
	count := []*rpcpb.Aggregate{{Func: "count"}}
	for _, tc := range []struct {
		filter  *rpcpb.Expr
		columns bool
		want    string
	}{
		{call("=", bo, col(0, coldata.Text), textConst("a")), false, "3"},
		{call("or", bo, call("=", bo, col(0, coldata.Text), textConst("a")), call("=", bo, col(0, coldata.Text), textConst("c"))), false, "4"},
		{call("and", bo, call("=", bo, col(0, coldata.Text), textConst("a")), call(">", bo, col(1, coldata.Int64), intConst(0, coldata.Int64))), true, "2"},
	} {
		spy := &spySource{ScanSource: mem}
		frag := &rpcpb.Fragment{Table: "t", Columns: []string{"ns", "n"}, Filter: tc.filter, Aggregates: count}
		op, err := BuildFragment(context.Background(), frag, types, spy)
		if err != nil {
			t.Fatal(err)
		}
		// The partial count of the only source is the count.
		got := drainAll(t, op)
		if len(spy.specs) != 1 || !spy.specs[0].MatchExact || (len(spy.specs[0].Columns) != 0) != tc.columns {
			t.Errorf("filter %v: scan %+v, want exact, columns read %v", tc.filter, spy.specs, tc.columns)
		}
		if fmt.Sprint(got) != "["+tc.want+"]" {
			t.Errorf("filter %v: count %v, want %s", tc.filter, got, tc.want)
		}
	}
}

// TestIntRanges finds the ranges comparisons with constants leave, per
// column, and nothing else.
func TestIntRanges(t *testing.T) {
	types := []coldata.Type{coldata.Text, coldata.Int32, coldata.Timestamptz, coldata.Float64}
	cols := []string{"ns", "pid", "ts", "f"}
	b := coldata.Bool
	filter := call("and", b,
		call(">=", b, col(1, coldata.Int32), intConst(100, coldata.Int64)),
		call("and", b,
			call(">", b, intConst(500, coldata.Int64), col(1, coldata.Int32)), // 500 > pid
			call("<", b, col(2, coldata.Timestamptz), intConst(1_000_000, coldata.Timestamptz))),
		// Not usable: an OR, a float, a text column.
		call("or", b, call("=", b, col(1, coldata.Int32), intConst(7, coldata.Int64)), call("=", b, col(1, coldata.Int32), intConst(8, coldata.Int64))),
		call("=", b, col(0, coldata.Text), textConst("x")))
	got := fmt.Sprint(IntRanges(filter, cols, types))
	want := fmt.Sprintf("[{pid 100 499} {ts %d 999999}]", int64(math.MinInt64))
	if got != want {
		t.Errorf("IntRanges = %s, want %s", got, want)
	}
	// Nothing satisfies pid < MinInt64: an empty range.
	if got := IntRanges(call("<", b, col(1, coldata.Int32), intConst(math.MinInt64, coldata.Int64)), cols, types); len(got) != 1 || got[0].Min <= got[0].Max {
		t.Errorf("pid < minimum gave %v", got)
	}
	if got := IntRanges(nil, cols, types); len(got) != 0 {
		t.Errorf("no filter gave %v", got)
	}
}

// minMaxSource answers MinMax by folding the rows of a MemSource, and
// counts the calls.
type minMaxSource struct {
	*spySource
	calls int
}

func (s *minMaxSource) MinMax(ctx context.Context, spec ScanSpec, column string) (int64, int64, int64, bool, error) {
	s.calls++
	spec.Columns = []string{column}
	op, err := s.ScanSource.Scan(ctx, spec)
	if err != nil {
		return 0, 0, 0, false, err
	}
	defer op.Close()
	var mn, mx, n int64
	for {
		b, err := op.Next(ctx)
		if err != nil || b == nil {
			return mn, mx, n, true, err
		}
		for i := range b.Len {
			if v := b.Vecs[0]; !v.IsNull(i) {
				x := v.Int64[i]
				if n == 0 || x < mn {
					mn = x
				}
				if n == 0 || x > mx {
					mx = x
				}
				n++
			}
		}
	}
}

// TestMinMaxFromSource: min and max of integer columns, without a filter,
// come from the source's MinMax and give what aggregating the rows gives;
// with a filter, or another aggregate, the rows are scanned.
func TestMinMaxFromSource(t *testing.T) {
	tbl := &schema.Table{Name: "t", TimeColumn: -1, Columns: []schema.Column{{Name: "a", Type: coldata.Int64}, {Name: "b", Type: coldata.Int32}, {Name: "s", Type: coldata.Text}}}
	b := coldata.NewBatch(tbl.Types(), 0)
	for i, x := range []int64{5, -3, 12, 7} {
		b.Vecs[0].Int64 = append(b.Vecs[0].Int64, x)
		b.Vecs[1].AppendNull() // b is NULL everywhere
		b.Vecs[2].Bytes.AppendString(fmt.Sprint(i))
		b.Len++
	}
	mem := NewMemSource()
	mem.Append(tbl, b)
	colA, colB := col(0, coldata.Int64), col(1, coldata.Int32)
	for _, tc := range []struct {
		aggs   []*rpcpb.Aggregate
		filter *rpcpb.Expr
		calls  int
		want   string
	}{
		{[]*rpcpb.Aggregate{{Func: "min", Arg: colA}, {Func: "max", Arg: colA}, {Func: "max", Arg: colB}}, nil, 2, "[-3|12|NULL]"},
		{[]*rpcpb.Aggregate{{Func: "min", Arg: colA}, {Func: "count"}}, nil, 0, "[-3|4]"},
		{[]*rpcpb.Aggregate{{Func: "max", Arg: colA}}, call("<", coldata.Bool, colA, intConst(10, coldata.Int64)), 0, "[7]"},
	} {
		src := &minMaxSource{spySource: &spySource{ScanSource: mem}}
		frag := &rpcpb.Fragment{Table: "t", Columns: []string{"a", "b", "s"}, Aggregates: tc.aggs, Filter: tc.filter}
		op, err := BuildFragment(context.Background(), frag, tbl.Types(), src)
		if err != nil {
			t.Fatal(err)
		}
		// Partial states of min, max and count read as their values.
		got := fmt.Sprint(drainAll(t, op))
		if got != tc.want || src.calls != tc.calls {
			t.Errorf("%v: %s with %d MinMax calls, want %s with %d", tc.aggs, got, src.calls, tc.want, tc.calls)
		}
	}
}

// TestDistinctAggregatesUnionPartials: count, sum and avg over DISTINCT
// values computed as partial states on two "operators" whose values
// overlap, merged: a value both saw counts once.
func TestDistinctAggregatesUnionPartials(t *testing.T) {
	partial := func(vals []int64) []*coldata.Batch {
		b := coldata.NewBatch([]coldata.Type{coldata.Int32}, len(vals))
		b.Vecs[0].Int64 = append(b.Vecs[0].Int64, vals...)
		b.Len = len(vals)
		b.Vecs[0].AppendNull() // a NULL is never a distinct value
		b.Len++
		var specs []AggSpec
		for _, name := range []string{"count", "sum", "avg"} {
			def, err := LookupDistinctAgg(name, coldata.Int32)
			if err != nil {
				t.Fatal(err)
			}
			specs = append(specs, AggSpec{Def: def, Arg: &colExpr{idx: 0, typ: coldata.Int32}})
		}
		op := NewHashAgg(NewBatches(b), AggPartial, nil, specs)
		var out []*coldata.Batch
		for {
			pb, err := op.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if pb == nil {
				return out
			}
			c := coldata.NewBatch(pb.Types(), pb.Len)
			for i := range pb.Len {
				for k, v := range pb.Vecs {
					c.Vecs[k].AppendFrom(v, i)
				}
			}
			c.Len = pb.Len
			out = append(out, c)
		}
	}
	in := append(partial([]int64{1, 2, 2, 3}), partial([]int64{3, 4, 1})...)
	var specs []AggSpec
	for i, name := range []string{"count", "sum", "avg"} {
		def, err := LookupDistinctAgg(name, coldata.Int32)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, AggSpec{Def: def, States: []int{i}})
	}
	got := drainAll(t, NewHashAgg(NewBatches(in...), AggFinal, nil, specs))
	// Distinct values 1, 2, 3, 4: count 4, sum 10, avg 2.5.
	if want := "[4|10|2.5000000000000000]"; fmt.Sprint(got) != want {
		t.Errorf("distinct aggregates %v, want %s", got, want)
	}
}

// TestMemoryBudget: sort, hash join, hash aggregation (by many keys, and
// collecting one group's values) and window functions
// over more rows than a small budget allows fail with 53200 naming the
// budget; a top-N over the same rows stays within it; without a budget
// they run.
func TestMemoryBudget(t *testing.T) {
	rows := func() Operator {
		var bs []*coldata.Batch
		for k := range 64 {
			b := coldata.NewBatch([]coldata.Type{coldata.Int64, coldata.Text}, 1024)
			for i := range 1024 {
				b.Vecs[0].Int64 = append(b.Vecs[0].Int64, int64(k*1024+i))
				b.Vecs[1].Bytes.AppendString(fmt.Sprintf("value-%06d", k*1024+i))
			}
			b.Len = 1024
			bs = append(bs, b)
		}
		return NewBatches(bs...)
	}
	types := []coldata.Type{coldata.Int64, coldata.Text}
	key := &colExpr{idx: 0, typ: coldata.Int64}
	count, _ := LookupAgg("count", coldata.Unknown)
	ops := map[string]func() Operator{
		"sort": func() Operator { return NewSort(rows(), []SortKey{{Col: 0}}, -1) },
		"join": func() Operator {
			j, _ := NewHashJoin(InnerJoin, rows(), rows(), types, types, []Expr{key}, []Expr{key})
			return j
		},
		"aggregation": func() Operator { return NewHashAgg(rows(), AggPartial, []Expr{key}, []AggSpec{{Def: count}}) },
		"window": func() Operator {
			return NewWindow(rows(), types, []WindowFunc{{Name: "row_number", Result: coldata.Int64}})
		},
		// One group collecting every row.
		"string_agg": func() Operator {
			def, err := Lookup(AggCall{Name: "string_agg", Args: []coldata.Type{coldata.Text, coldata.Text}})
			if err != nil {
				t.Fatal(err)
			}
			text := &colExpr{idx: 1, typ: coldata.Text}
			return NewHashAgg(rows(), AggComplete, nil, []AggSpec{{Def: def, Arg: text, More: []Expr{text}}})
		},
	}
	for name, op := range ops {
		ctx := WithBudget(context.Background(), &Budget{Limit: 1 << 20, Name: "test budget"})
		_, err := drainCtx(ctx, op())
		if sqlerr.Code(err) != sqlerr.OutOfMemory || !strings.Contains(err.Error(), "test budget") {
			t.Errorf("%s over 64k rows in 1 MB: %v", name, err)
		}
		if n, err := drainCtx(context.Background(), op()); err != nil || n == 0 {
			t.Errorf("%s without a budget: %d rows, %v", name, n, err)
		}
	}
	ctx := WithBudget(context.Background(), &Budget{Limit: 1 << 20, Name: "test budget"})
	if n, err := drainCtx(ctx, NewSort(rows(), []SortKey{{Col: 0, Desc: true}}, 10)); err != nil || n != 10 {
		t.Errorf("top-N in 1 MB: %d rows, %v", n, err)
	}
}

func drainCtx(ctx context.Context, op Operator) (int, error) {
	defer op.Close()
	n := 0
	for {
		b, err := op.Next(ctx)
		if err != nil || b == nil {
			return n, err
		}
		n += b.Len
	}
}

// TestOrderInts checks the radix sort of integer keys against the
// general comparator, stably, for both directions and NULL placements,
// with extremes and duplicates, below and above the insertion-sort cut.
func TestOrderInts(t *testing.T) {
	rng := rand.New(rand.NewSource(34))
	for _, n := range []int{0, 1, 5, 255, 256, 3000} {
		v := coldata.NewVec(coldata.Int64, n)
		for range n {
			switch rng.Intn(10) {
			case 0:
				v.AppendNull()
			case 1:
				v.Int64 = append(v.Int64, math.MinInt64)
			case 2:
				v.Int64 = append(v.Int64, math.MaxInt64)
			default:
				v.Int64 = append(v.Int64, rng.Int63n(50)-25) // many ties
			}
		}
		b := &coldata.Batch{Vecs: []*coldata.Vec{v}, Len: n}
		for _, k := range []SortKey{{Col: 0}, {Col: 0, Desc: true}, {Col: 0, NullsFirst: true}, {Col: 0, Desc: true, NullsFirst: false}} {
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			sort.SliceStable(want, func(x, y int) bool { return compareRows([]SortKey{k}, b, want[x], b, want[y]) < 0 })
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			if got := orderInts(v, k, slices.Clone(idx), -1); !slices.Equal(got, want) {
				t.Fatalf("n=%d key %+v: order differs", n, k)
			}
			// A top-limit: its first limit rows are the stable sort's.
			for _, limit := range []int{0, 1, 7, n / 3, n - 1, n, n + 5} {
				if limit < 0 {
					continue
				}
				got := orderInts(v, k, slices.Clone(idx), limit)
				if limit < len(got) {
					got = got[:limit]
				}
				if w := want[:min(limit, n)]; !slices.Equal(got, w) {
					t.Fatalf("n=%d key %+v limit %d: first rows differ", n, k, limit)
				}
			}
		}
	}
}

// Grouping by several integer and text keys through value ids forms the
// groups their values do, NULLs one value, with more distinct values than
// the comparison lookup and the packed ids hold.
func TestCompositeKeysGroupLikeValues(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	types := []coldata.Type{coldata.Text, coldata.Int64, coldata.Text}
	var batches []*coldata.Batch
	want := map[string]int{}
	for range 30 {
		b := coldata.NewBatch(types, 1000)
		for range 1000 {
			key := ""
			for c, v := range b.Vecs {
				switch {
				case r.Intn(20) == 0:
					v.AppendNull()
					key += "|NULL"
				case c == 1:
					x := int64(r.Intn(3) * 70000) // ids past 2^16 in the wide tuples
					v.Int64 = append(v.Int64, x+int64(r.Intn(70000)))
					key += fmt.Sprintf("|%d", v.Int64[len(v.Int64)-1])
				default:
					s := fmt.Sprintf("v%d", r.Intn(12+c*5))
					v.Bytes.AppendString(s)
					key += "|" + s
				}
			}
			b.Len++
			want[key]++
		}
		batches = append(batches, b)
	}
	keys := []Expr{&colExpr{idx: 0, typ: coldata.Text}, &colExpr{idx: 1, typ: coldata.Int64}, &colExpr{idx: 2, typ: coldata.Text}}
	def, err := LookupAgg("count", coldata.Unknown)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHashAgg(NewBatches(batches...), AggComplete, keys, []AggSpec{{Def: def}})
	if h.composite == nil {
		t.Fatal("text and integer keys not grouped through ids")
	}
	got := map[string]int{}
	for {
		b, err := h.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		for i := range b.Len {
			key := ""
			for _, v := range b.Vecs[:3] {
				if v.IsNull(i) {
					key += "|NULL"
				} else if v.Type == coldata.Int64 {
					key += fmt.Sprintf("|%d", v.Int64[i])
				} else {
					key += "|" + v.Bytes.GetString(i)
				}
			}
			if _, dup := got[key]; dup {
				t.Fatalf("group %s twice", key)
			}
			got[key] = int(b.Vecs[3].Int64[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("group %s counted %d, want %d", k, got[k], n)
		}
	}
}
