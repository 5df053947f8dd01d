package exec

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// BuildFragment turns a plan fragment into an operator tree over src: a
// pipeline (buildPipeline), or one per core under a Parallel when src
// can split the scan (ShardedScanner). types gives the type of each
// scanned column (the fragment names them); the caller resolves them
// from the table's schema. Every expression is compiled and
// type-checked before the scan starts.
func BuildFragment(ctx context.Context, frag *rpcpb.Fragment, types []coldata.Type, src ScanSource) (Operator, error) {
	if len(types) != len(frag.Columns) {
		return nil, sqlerr.New(sqlerr.InternalError, "fragment names %d columns, %d types given", len(frag.Columns), len(types))
	}
	aggregating := len(frag.Aggregates) > 0 || len(frag.GroupBy) > 0
	parts, err := compileParts(frag, types, frag.Filter, aggregating)
	if err != nil {
		return nil, err
	}
	filter, keys, aggs := parts.filter, parts.keys, parts.aggs
	lo, hi := TimeBounds(frag.TimeRange)
	matches, allMatches := TextMatches(frag.Filter, frag.Columns, types)
	if aggregating && len(keys) == 0 && allMatches && countsRowsOnly(aggs) {
		// count(*) under equalities alone: the source counts the matching
		// rows (from dictionary codes, for storage) and returns no column.
		scan, err := src.Scan(ctx, ScanSpec{Table: frag.Table, MinTs: lo, MaxTs: hi, Match: matches, MatchExact: true})
		if err != nil {
			return nil, err
		}
		return NewHashAgg(scan, AggPartial, nil, aggs), nil
	}
	if rc, ok := src.(RowCounter); ok && aggregating && len(keys) == 0 && frag.Filter == nil && countsRowsOnly(aggs) {
		// count(*) alone: the source may know it without a scan.
		n, ok, err := rc.CountRows(ctx, ScanSpec{Table: frag.Table, MinTs: lo, MaxTs: hi})
		if err != nil {
			return nil, err
		}
		if ok {
			b := &coldata.Batch{Len: 1}
			for range aggs {
				v := coldata.NewVec(coldata.Int64, 1)
				v.Int64 = append(v.Int64, n)
				b.Vecs = append(b.Vecs, v)
			}
			return NewBatches(b), nil
		}
	}
	if mm, ok := src.(MinMaxer); ok && aggregating && len(keys) == 0 && frag.Filter == nil {
		if b, ok, err := minMaxBatch(ctx, mm, frag, types, lo, hi, aggs); err != nil || ok {
			if err != nil {
				return nil, err
			}
			// Two rows, every column's least and greatest: what min and
			// max over all the rows give.
			return NewHashAgg(NewBatches(b), AggPartial, nil, aggs), nil
		}
	}
	if gc, ok := src.(GroupCounter); ok && aggregating && len(frag.GroupBy) == 1 && countsRowsOnly(aggs) &&
		(frag.Filter == nil || allMatches) {
		// count(*) … GROUP BY a text column: the source counts by value.
		if c, isCol := frag.GroupBy[0].GetKind().(*rpcpb.Expr_Column); isCol && types[c.Column] == coldata.Text {
			spec := ScanSpec{Table: frag.Table, MinTs: lo, MaxTs: hi, Match: matches, MatchExact: frag.Filter != nil}
			counts, nulls, ok, err := gc.CountBy(ctx, spec, frag.Columns[c.Column])
			if err != nil {
				return nil, err
			}
			if ok {
				return NewBatches(countBatch(counts, nulls, aggs)...), nil
			}
		}
	}
	// The source applies the filter's equalities on text columns itself
	// (storage on dictionary codes, decoding only the rows that pass);
	// the filter runs after it unless those equalities are all of it. A
	// source that applies ranges and exclusions exactly too takes every
	// condition it can, and the filter keeps only the rest.
	spec := ScanSpec{Table: frag.Table, Columns: frag.Columns, MinTs: lo, MaxTs: hi, Match: matches,
		MatchExact: len(matches) > 0, Ranges: IntRanges(frag.Filter, frag.Columns, types)}
	rest := frag.Filter // what the filter still checks
	if allMatches {
		filter, rest = nil, nil
	} else if ef, ok := src.(ExactFilterer); ok && frag.Filter != nil && ef.ExactFilters(frag.Table) {
		var m, ex []TextMatch
		var rg []IntRange
		m, ex, rg, rest = splitExact(frag.Filter, frag.Columns, types)
		spec.Match, spec.MatchExact, spec.Exclude, spec.Ranges, spec.ExactRanges = m, len(m) > 0, ex, rg, len(rg) > 0
		filter = nil
		if rest != nil {
			f, err := CompileExpr(rest, types)
			if err != nil {
				return nil, err
			}
			filter = f
		}
	}
	parts.filter = filter
	uses := columnUses(frag, rest, len(types))
	for c, n := range uses {
		if n == 0 {
			// Only a condition the source applies exactly needed it.
			if spec.Unread == nil {
				spec.Unread = make([]bool, len(types))
			}
			spec.Unread[c] = true
		}
	}
	if aggregating && filter == nil {
		spec.Codes = codedColumns(frag, types, uses)
	}
	if !aggregating && len(frag.OrderBy) > 0 && frag.Limit > 0 && frag.Limit <= maxBoundedTopN {
		// A top-N whose first key is a scanned timestamp: the scan
		// reads blocks in that order and stops once the rest cannot
		// get in.
		k := frag.OrderBy[0]
		if k.Column >= 0 && int(k.Column) < len(frag.Projections) {
			if c, ok := frag.Projections[k.Column].GetKind().(*rpcpb.Expr_Column); ok &&
				int(c.Column) < len(types) && types[c.Column] == coldata.Timestamptz && k.NullsFirst == k.Desc {
				spec.OrderColumn, spec.OrderDesc, spec.Bound = frag.Columns[c.Column], k.Desc, &TopBound{Desc: k.Desc}
			}
		}
	}
	// A source that can split the scan runs a pipeline per core, each
	// on its share of the blocks; their partial aggregates or top rows
	// go out as they come, and the query node merges them as it merges
	// operators'.
	shards := 1
	if sh, ok := src.(ShardedScanner); ok && sh.ShardedScans(frag.Table) && spec.Bound == nil {
		// (Not a top-N on time: read newest first, its first block or
		// two hold the answer, and shards would each read their own.)
		shards = fragmentShards()
	}
	var pipes []Operator
	for k := range shards {
		s := spec
		if shards > 1 {
			s.Shard, s.Shards = k, shards
		}
		if k > 0 {
			// Expressions keep scratch state: each pipeline its own.
			var err error
			if parts, err = compileParts(frag, types, rest, aggregating); err != nil {
				return nil, errors.Join(err, closeAll(pipes))
			}
		}
		op, err := buildPipeline(ctx, src, frag, s, parts, aggregating)
		if err != nil {
			return nil, errors.Join(err, closeAll(pipes))
		}
		pipes = append(pipes, op)
	}
	if len(pipes) == 1 {
		return pipes[0], nil
	}
	if aggregating {
		// The shards' partial aggregates are combined here: the query
		// node receives a group once from each operator, not once from
		// each of its shards.
		return combineShards(NewParallel(pipes), parts), nil
	}
	return NewParallel(pipes), nil
}

// combineShards merges the partial aggregates of a fragment's shards
// (keys, then each aggregate's states, as HashAgg emits them in
// AggPartial mode) into one partial aggregate of the same layout.
func combineShards(in Operator, p pipelineParts) Operator {
	keys := make([]Expr, len(p.keys))
	c := 0
	for k, e := range p.keys {
		keys[k] = &colExpr{idx: c, typ: e.Type()}
		c++
	}
	specs := make([]AggSpec, len(p.aggs))
	for i, a := range p.aggs {
		specs[i].Def = a.Def
		for range a.Def.States {
			specs[i].States = append(specs[i].States, c)
			c++
		}
	}
	return NewHashAgg(in, AggCombine, keys, specs)
}

// pipelineParts are a fragment's compiled expressions: its filter (what
// the source does not apply), and its group keys and aggregates or its
// projections.
type pipelineParts struct {
	filter      Expr
	keys, projs []Expr
	aggs        []AggSpec
}

// compileParts compiles a fragment's expressions, rest being what its
// filter still checks.
func compileParts(frag *rpcpb.Fragment, types []coldata.Type, rest *rpcpb.Expr, aggregating bool) (pipelineParts, error) {
	var p pipelineParts
	var err error
	if rest != nil {
		if p.filter, err = CompileExpr(rest, types); err != nil {
			return p, err
		}
	}
	if !aggregating {
		for _, e := range frag.Projections {
			c, err := CompileExpr(e, types)
			if err != nil {
				return p, err
			}
			p.projs = append(p.projs, c)
		}
		return p, nil
	}
	for _, g := range frag.GroupBy {
		k, err := CompileExpr(g, types)
		if err != nil {
			return p, err
		}
		p.keys = append(p.keys, k)
	}
	for _, a := range frag.Aggregates {
		spec, err := compileAgg(a, types)
		if err != nil {
			return p, err
		}
		p.aggs = append(p.aggs, spec)
	}
	return p, nil
}

func closeAll(ops []Operator) error {
	var errs []error
	for _, op := range ops {
		errs = append(errs, op.Close())
	}
	return errors.Join(errs...)
}

// buildPipeline builds one pipeline of a fragment over a scan of spec:
//
//	scan → [filter] → partial aggregate           when it aggregates
//	scan → [filter] → project → [sort] → [limit]  otherwise
func buildPipeline(ctx context.Context, src ScanSource, frag *rpcpb.Fragment, spec ScanSpec, p pipelineParts, aggregating bool) (Operator, error) {
	scan, err := src.Scan(ctx, spec)
	if err != nil {
		return nil, err
	}
	var op Operator = scan
	if p.filter != nil {
		f, err := NewFilter(op, p.filter)
		if err != nil {
			scan.Close()
			return nil, err
		}
		op = f
	}
	if aggregating {
		return NewHashAgg(op, AggPartial, p.keys, p.aggs), nil
	}
	op = NewProject(op, p.projs)
	limit := -1
	if frag.Limit > 0 {
		limit = int(frag.Limit)
	}
	if len(frag.OrderBy) > 0 {
		keys := make([]SortKey, len(frag.OrderBy))
		for i, k := range frag.OrderBy {
			if int(k.Column) >= len(p.projs) || k.Column < 0 {
				scan.Close()
				return nil, sqlerr.New(sqlerr.InternalError, "fragment sorts by column %d of %d", k.Column, len(p.projs))
			}
			keys[i] = SortKey{Col: int(k.Column), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		sort := NewSort(op, keys, limit)
		if spec.Bound != nil {
			sort.ShareBound(spec.Bound)
		}
		return sort, nil
	}
	if limit >= 0 {
		return NewLimit(op, 0, int64(limit)), nil
	}
	return op, nil
}

// columnUses counts the references to each scanned column in the
// fragment's keys, aggregates and projections and in what is left of
// its filter (rest).
func columnUses(frag *rpcpb.Fragment, rest *rpcpb.Expr, ncols int) []int {
	uses := make([]int, ncols)
	for _, g := range frag.GroupBy {
		countRefs(g, uses)
	}
	for _, a := range frag.Aggregates {
		countRefs(a.Arg, uses)
		for _, m := range a.MoreArgs {
			countRefs(m, uses)
		}
		for _, o := range a.Order {
			countRefs(o.Expr, uses)
		}
		countRefs(a.Filter, uses)
	}
	for _, p := range frag.Projections {
		countRefs(p, uses)
	}
	countRefs(rest, uses)
	return uses
}

// codedColumns says which scanned columns an aggregation with no filter
// left can read dictionary-coded (ScanSpec.Codes): text columns whose
// every use (columnUses) is as a group key of its own or as the argument of
// DISTINCT aggregates without FILTER or ORDER BY, where the hash
// aggregation keys its groups and sets by code. It returns nil when there
// are none, or when the keys are not ones HashAgg looks up by value ids
// (one text key, or two to maxCompositeKeys keys of text, boolean and
// integer types).
func codedColumns(frag *rpcpb.Fragment, types []coldata.Type, uses []int) []bool {
	n := len(frag.GroupBy)
	if n == 0 || n > maxCompositeKeys {
		return nil
	}
	coded := make([]int, len(types)) // the references that may be coded
	for _, g := range frag.GroupBy {
		c, isCol := g.GetKind().(*rpcpb.Expr_Column)
		t := keyTypeOf(g, types)
		if n == 1 && !(isCol && t == coldata.Text) {
			return nil
		}
		if !(t == coldata.Text || t == coldata.Bool || t.InInt64()) {
			return nil
		}
		if isCol && t == coldata.Text {
			coded[c.Column]++
		}
	}
	for _, a := range frag.Aggregates {
		if c, isCol := a.GetArg().GetKind().(*rpcpb.Expr_Column); isCol && a.Distinct && a.Filter == nil &&
			len(a.MoreArgs) == 0 && len(a.Order) == 0 && types[c.Column] == coldata.Text && a.Func != "min" && a.Func != "max" {
			coded[c.Column]++
		}
	}
	var out []bool
	for c := range types {
		if coded[c] > 0 && coded[c] == uses[c] {
			if out == nil {
				out = make([]bool, len(types))
			}
			out[c] = true
		}
	}
	return out
}

// keyTypeOf is the type of group key g: its column's for a column, and
// otherwise that of the compiled expression (Unknown if it does not
// compile, which BuildFragment has already reported).
func keyTypeOf(g *rpcpb.Expr, types []coldata.Type) coldata.Type {
	if c, ok := g.GetKind().(*rpcpb.Expr_Column); ok && int(c.Column) < len(types) {
		return types[c.Column]
	}
	e, err := CompileExpr(g, types)
	if err != nil {
		return coldata.Unknown
	}
	return e.Type()
}

// countRefs adds every column reference in e to uses.
func countRefs(e *rpcpb.Expr, uses []int) {
	if e == nil {
		return
	}
	if c, ok := e.GetKind().(*rpcpb.Expr_Column); ok {
		if int(c.Column) < len(uses) {
			uses[c.Column]++
		}
		return
	}
	for _, a := range e.GetCall().GetArgs() {
		countRefs(a, uses)
	}
}

// maxBoundedTopN is the largest top-N that shares its cutoff with the
// scan: it sorts its rows after every batch that brings rows in.
const maxBoundedTopN = 10_000

// minMaxBatch answers min and max of integer and timestamp columns from
// the source's summaries: a batch of two rows holding, for each column an
// aggregate reads, its least value and its greatest (NULL when it has
// none). ok is false unless every aggregate is min or max of a bare
// integer or timestamp column and the source answers for each.
func minMaxBatch(ctx context.Context, mm MinMaxer, frag *rpcpb.Fragment, types []coldata.Type, lo, hi int64, aggs []AggSpec) (*coldata.Batch, bool, error) {
	cols := map[int]bool{}
	for _, a := range frag.Aggregates {
		c, isCol := a.GetArg().GetKind().(*rpcpb.Expr_Column)
		if a.Distinct || a.Filter != nil || (a.Func != "min" && a.Func != "max") || !isCol ||
			int(c.Column) >= len(types) || !(types[c.Column].IsInteger() || types[c.Column] == coldata.Timestamptz) {
			return nil, false, nil
		}
		cols[int(c.Column)] = true
	}
	if len(aggs) == 0 {
		return nil, false, nil
	}
	b := coldata.NewBatch(types, 2)
	b.Len = 2
	for c, v := range b.Vecs {
		if !cols[c] {
			v.AppendNull()
			v.AppendNull()
			continue
		}
		spec := ScanSpec{Table: frag.Table, MinTs: lo, MaxTs: hi}
		mn, mx, n, ok, err := mm.MinMax(ctx, spec, frag.Columns[c])
		if err != nil || !ok {
			return nil, false, err
		}
		if n == 0 {
			v.AppendNull()
			v.AppendNull()
			continue
		}
		v.Int64 = append(v.Int64, mn, mx)
	}
	return b, true, nil
}

// IntRanges finds, among the conjuncts of filter, comparisons of an
// integer or timestamp column with an integer constant (=, <, <=, >, >=,
// either way round), and returns per column the range they leave, for a
// scan to skip stored rows outside it. The filter still runs.
func IntRanges(filter *rpcpb.Expr, cols []string, types []coldata.Type) []IntRange {
	if filter == nil {
		return nil
	}
	_, _, ranges, _ := splitExact(filter, cols, types)
	return ranges
}

// splitExact splits filter's conjuncts into those a source applying
// matches, exclusions and ranges exactly decides (text equalities and IN
// lists, text <> constant, integer and timestamp comparisons with
// constants) and the rest, ANDed (nil when none is left).
func splitExact(filter *rpcpb.Expr, cols []string, types []coldata.Type) (matches, excludes []TextMatch, ranges []IntRange, rest *rpcpb.Expr) {
	byCol := map[int]*IntRange{}
	var order []int
	var others []*rpcpb.Expr
	var conjuncts func(e *rpcpb.Expr)
	conjuncts = func(e *rpcpb.Expr) {
		c := e.GetCall()
		if c != nil && c.Op == "and" {
			for _, a := range c.Args {
				conjuncts(a)
			}
			return
		}
		if col, vals, ok := textEquality(e, types); ok {
			matches = append(matches, TextMatch{Column: cols[col], Values: vals})
			return
		}
		if c != nil && c.Op == "<>" {
			if col, vals, ok := textEquality(&rpcpb.Expr{Type: e.Type, Kind: &rpcpb.Expr_Call{Call: &rpcpb.Call{Op: "=", Args: c.Args}}}, types); ok {
				excludes = append(excludes, TextMatch{Column: cols[col], Values: vals})
				return
			}
		}
		if c != nil {
			if col, lo, hi, ok := intComparison(c, types); ok {
				r := byCol[col]
				if r == nil {
					r = &IntRange{Column: cols[col], Min: math.MinInt64, Max: math.MaxInt64}
					byCol[col] = r
					order = append(order, col)
				}
				r.Min, r.Max = max(r.Min, lo), min(r.Max, hi)
				return
			}
		}
		others = append(others, e)
	}
	conjuncts(filter)
	for _, c := range order {
		ranges = append(ranges, *byCol[c])
	}
	switch len(others) {
	case 0:
	case 1:
		rest = others[0]
	default:
		rest = &rpcpb.Expr{Type: uint32(coldata.Bool), Kind: &rpcpb.Expr_Call{Call: &rpcpb.Call{Op: "and", Args: others}}}
	}
	return matches, excludes, ranges, rest
}

// intComparison recognizes column op constant, or constant op column, on
// an integer or timestamp column and an integer constant, and returns the
// column's values it accepts as [lo, hi].
func intComparison(c *rpcpb.Call, types []coldata.Type) (col int, lo, hi int64, ok bool) {
	flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	if _, cmp := flip[c.Op]; !cmp || len(c.Args) != 2 {
		return 0, 0, 0, false
	}
	op := c.Op
	ref, lit := c.Args[0].GetKind(), c.Args[1].GetConst()
	if _, isCol := ref.(*rpcpb.Expr_Column); !isCol {
		ref, lit, op = c.Args[1].GetKind(), c.Args[0].GetConst(), flip[op]
	}
	colRef, isCol := ref.(*rpcpb.Expr_Column)
	if !isCol || lit == nil || lit.Null {
		return 0, 0, 0, false
	}
	i := int(colRef.Column)
	x, isInt := lit.Value.(*rpcpb.Datum_I)
	if i < 0 || i >= len(types) || !isInt || !(types[i].IsInteger() || types[i] == coldata.Timestamptz) ||
		!(coldata.Type(lit.Type).IsInteger() || coldata.Type(lit.Type) == coldata.Timestamptz) ||
		types[i].IsInteger() != coldata.Type(lit.Type).IsInteger() {
		return 0, 0, 0, false
	}
	v := x.I
	lo, hi = math.MinInt64, math.MaxInt64
	switch op {
	case "=":
		lo, hi = v, v
	case "<":
		if v == math.MinInt64 {
			return i, 1, 0, true // nothing is less
		}
		hi = v - 1
	case "<=":
		hi = v
	case ">":
		if v == math.MaxInt64 {
			return i, 1, 0, true
		}
		lo = v + 1
	case ">=":
		lo = v
	}
	return i, lo, hi, true
}

// countBatch lays out counts by value as a partial HashAgg with one text
// key and count(*) aggregates emits them: the key, then each count's
// state. A NULL key is a group of its own.
func countBatch(counts map[string]int64, nulls int64, aggs []AggSpec) []*coldata.Batch {
	n := len(counts)
	if nulls > 0 {
		n++
	}
	if n == 0 {
		return nil
	}
	b := coldata.NewBatch([]coldata.Type{coldata.Text}, n)
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]int64, 0, n)
	for _, k := range keys {
		b.Vecs[0].Bytes.AppendString(k)
		vals = append(vals, counts[k])
	}
	if nulls > 0 {
		b.Vecs[0].AppendNull()
		vals = append(vals, nulls)
	}
	b.Len = n
	for range aggs {
		v := coldata.NewVec(coldata.Int64, n)
		v.Int64 = append(v.Int64, vals...)
		b.Vecs = append(b.Vecs, v)
	}
	return []*coldata.Batch{b}
}

// countsRowsOnly reports whether every aggregate is count(*), which needs
// no column.
func countsRowsOnly(aggs []AggSpec) bool {
	for _, a := range aggs {
		if a.Arg != nil || a.Filter != nil || a.Def.Name != "count" {
			return false
		}
	}
	return len(aggs) > 0
}

func compileAgg(a *rpcpb.Aggregate, types []coldata.Type) (AggSpec, error) {
	var spec AggSpec
	call := AggCall{Name: a.Func, Distinct: a.Distinct, Fraction: a.Fraction}
	if a.Arg != nil {
		e, err := CompileExpr(a.Arg, types)
		if err != nil {
			return AggSpec{}, err
		}
		spec.Arg = e
		call.Args = append(call.Args, e.Type())
	}
	for _, m := range a.MoreArgs {
		e, err := CompileExpr(m, types)
		if err != nil {
			return AggSpec{}, err
		}
		spec.More = append(spec.More, e)
		call.Args = append(call.Args, e.Type())
	}
	for _, o := range a.Order {
		e, err := CompileExpr(o.Expr, types)
		if err != nil {
			return AggSpec{}, err
		}
		spec.More = append(spec.More, e)
		call.Order = append(call.Order, AggOrder{Type: e.Type(), Desc: o.Desc, NullsFirst: o.NullsFirst})
	}
	if a.Filter != nil {
		e, err := CompileExpr(a.Filter, types)
		if err != nil {
			return AggSpec{}, err
		}
		if e.Type() != coldata.Bool {
			return AggSpec{}, sqlerr.New(sqlerr.DatatypeMismatch, "argument of FILTER must be type boolean, not type %s", e.Type())
		}
		spec.Filter = e
	}
	def, err := Lookup(call)
	if err != nil {
		return AggSpec{}, err
	}
	spec.Def = def
	return spec, nil
}

// TextMatches finds, among the conjuncts of filter, those a scan can use to
// skip blocks: a text column equal to a string constant, or a disjunction
// of such equalities on one column (how IN lists arrive). Other conjuncts
// are left to the filter, which runs on whatever the scan returns anyway.
// all reports that every conjunct is such a match, so that a scan
// matching exactly needs no filter after it.
func TextMatches(filter *rpcpb.Expr, cols []string, types []coldata.Type) (matches []TextMatch, all bool) {
	var out []TextMatch
	all = filter != nil
	var conjuncts func(e *rpcpb.Expr)
	conjuncts = func(e *rpcpb.Expr) {
		if c := e.GetCall(); c != nil && c.Op == "and" {
			for _, a := range c.Args {
				conjuncts(a)
			}
			return
		}
		col, vals, ok := textEquality(e, types)
		if !ok {
			all = false
			return
		}
		out = append(out, TextMatch{Column: cols[col], Values: vals})
	}
	if filter != nil {
		conjuncts(filter)
	}
	return out, all
}

// textEquality recognizes column = 'constant' (either way round) on a text
// column, and an OR of those on one column.
func textEquality(e *rpcpb.Expr, types []coldata.Type) (col int, vals []string, ok bool) {
	c := e.GetCall()
	if c == nil {
		return 0, nil, false
	}
	switch c.Op {
	case "or":
		col = -1
		for _, a := range c.Args {
			ac, av, aok := textEquality(a, types)
			if !aok || (col >= 0 && ac != col) {
				return 0, nil, false
			}
			col, vals = ac, append(vals, av...)
		}
		return col, vals, col >= 0
	case "=":
		if len(c.Args) != 2 {
			return 0, nil, false
		}
		for _, pair := range [2][2]*rpcpb.Expr{{c.Args[0], c.Args[1]}, {c.Args[1], c.Args[0]}} {
			ref, lit := pair[0].GetKind(), pair[1].GetConst()
			colRef, isCol := ref.(*rpcpb.Expr_Column)
			if !isCol || lit == nil || lit.Null {
				continue
			}
			i := int(colRef.Column)
			s, isStr := lit.Value.(*rpcpb.Datum_S)
			if i < 0 || i >= len(types) || types[i] != coldata.Text || !isStr || coldata.Type(lit.Type) != coldata.Text {
				continue
			}
			return i, []string{s.S}, true
		}
	}
	return 0, nil, false
}
