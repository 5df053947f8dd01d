package exec

import (
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Aggregates whose result depends on the order of their input, or on all
// of it at once, collect their group's rows:
//
//	aggregate                               partial state            merge   final
//	string_agg(x, d [ORDER BY …])           the rows (x, d, keys…)   append  sort, join
//	array_agg(x [ORDER BY …])               the rows (x, keys…)      append  sort, array
//	percentile_cont(f) WITHIN GROUP (…)     the non-NULL keys        append  sort, interpolate
//	percentile_disc(f) WITHIN GROUP (…)     the non-NULL keys        append  sort, pick
//	mode() WITHIN GROUP (…)                 the non-NULL keys        append  sort, most frequent
//
// An operator's partial state for a group is its collected rows as one
// value: the batch wire encoding (coldata.AppendEncoded) carried in a
// text-typed column that only aggregation ever reads. The query node
// appends every operator's rows and only then sorts, so the answer is
// exact whatever the placement. What a group collects is charged to the
// query's memory budget.

// AggOrder is one key of an aggregate's ORDER BY or WITHIN GROUP.
type AggOrder struct {
	Type       coldata.Type
	Desc       bool
	NullsFirst bool
}

// AggCall is what resolves an aggregate: its name, its arguments' types
// (none for count(*)), DISTINCT, its ORDER BY (or WITHIN GROUP) keys and
// an ordered-set aggregate's fraction.
type AggCall struct {
	Name     string
	Args     []coldata.Type
	Distinct bool
	Order    []AggOrder
	Fraction float64
}

// orderedAggs are the aggregates whose result depends on input order or
// needs all of it; for the others an ORDER BY is ignored, as PostgreSQL
// ignores it.
var orderedAggs = map[string]bool{"string_agg": true, "array_agg": true}

// withinGroupAggs are the ordered-set aggregates.
var withinGroupAggs = map[string]bool{"percentile_cont": true, "percentile_disc": true, "mode": true}

// IsOrderedSetAgg reports whether name takes WITHIN GROUP (ORDER BY …).
func IsOrderedSetAgg(name string) bool { return withinGroupAggs[name] }

// IsOrderSensitiveAgg reports whether an ORDER BY in a call to name
// changes its result.
func IsOrderSensitiveAgg(name string) bool { return orderedAggs[name] }

// Lookup resolves an aggregate call.
func Lookup(c AggCall) (*AggDef, error) {
	if withinGroupAggs[c.Name] || orderedAggs[c.Name] {
		return lookupCollect(c)
	}
	if c.Name == "approx_count_distinct" || c.Name == "approx_percentile" {
		return lookupSketch(c)
	}
	if len(c.Args) > 1 {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", c.Name, len(c.Args))
	}
	arg := coldata.Unknown
	if len(c.Args) == 1 {
		arg = c.Args[0]
	}
	if c.Distinct {
		return LookupDistinctAgg(c.Name, arg)
	}
	return LookupAgg(c.Name, arg)
}

type collectKind uint8

const (
	collectStringAgg collectKind = iota
	collectArrayAgg
	collectPercentileCont
	collectPercentileDisc
	collectMode
)

func lookupCollect(c AggCall) (*AggDef, error) {
	d := &AggDef{Name: c.Name, Distinct: c.Distinct, States: []coldata.Type{coldata.Text}}
	var kind collectKind
	cols := append([]coldata.Type(nil), c.Args...)
	switch c.Name {
	case "string_agg":
		if len(c.Args) != 2 || c.Args[0] != coldata.Text || c.Args[1] != coldata.Text {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function string_agg(%s) does not exist", typeList(c.Args)).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
		}
		kind, d.Result = collectStringAgg, coldata.Text
	case "array_agg":
		if len(c.Args) != 1 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function array_agg(%s) does not exist", typeList(c.Args))
		}
		if c.Args[0] != coldata.Text {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array_agg(%s) is not supported yet: arrays of %s are not a type armorlake has", c.Args[0], c.Args[0]).
				WithHint("Cast the argument to text.")
		}
		kind, d.Result = collectArrayAgg, coldata.TextArray
	default:
		if len(c.Order) != 1 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s needs WITHIN GROUP (ORDER BY one expression)", c.Name)
		}
		key := c.Order[0].Type
		switch c.Name {
		case "percentile_cont":
			if key != coldata.Float64 {
				return nil, sqlerr.New(sqlerr.UndefinedFunction, "function percentile_cont(double precision) WITHIN GROUP (ORDER BY %s) does not exist", key)
			}
			kind, d.Result = collectPercentileCont, coldata.Float64
		case "percentile_disc":
			kind, d.Result = collectPercentileDisc, key
		default:
			kind, d.Result = collectMode, key
		}
		if key == coldata.TextArray || key == coldata.Jsonb {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s over %s is not supported yet", c.Name, key)
		}
		if kind != collectMode && (len(c.Args) != 0 || math.IsNaN(c.Fraction)) {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s takes one constant fraction", c.Name)
		}
	}
	// The collected rows: the arguments, then the sort keys.
	keys := make([]SortKey, len(c.Order))
	for i, o := range c.Order {
		keys[i] = SortKey{Col: len(cols), Desc: o.Desc, NullsFirst: o.NullsFirst}
		cols = append(cols, o.Type)
	}
	if c.Distinct && len(keys) == 0 {
		// DISTINCT sorts by the argument, so its result comes ordered.
		keys = []SortKey{{Col: 0}}
	}
	fraction := c.Fraction
	d.newAcc = func(d *AggDef) accumulator {
		return &collectAcc{kind: kind, types: cols, keys: keys, distinct: c.Distinct, fraction: fraction}
	}
	return d, nil
}

// collectAcc keeps each group's rows in a batch of typed columns.
type collectAcc struct {
	kind     collectKind
	types    []coldata.Type
	keys     []SortKey
	distinct bool
	fraction float64

	rows []*coldata.Batch
	size int64
	err  error
}

func (a *collectAcc) grow(n int) {
	for len(a.rows) < n {
		a.rows = append(a.rows, nil)
	}
}

func (a *collectAcc) group(g uint32) *coldata.Batch {
	b := a.rows[g]
	if b == nil {
		b = coldata.NewBatch(a.types, 4)
		a.rows[g] = b
	}
	return b
}

// keepsNulls: array_agg collects NULL inputs; the others skip them.
func (a *collectAcc) keepsNulls() bool { return a.kind == collectArrayAgg }

func (a *collectAcc) update(gids []uint32, arg *coldata.Vec) {
	a.updateRows(gids, []*coldata.Vec{arg})
}

func (a *collectAcc) updateRows(gids []uint32, cols []*coldata.Vec) {
	skip := cols[0]
	if a.kind >= collectPercentileCont {
		skip = cols[len(cols)-1] // the WITHIN GROUP key
	}
	for i, g := range gids {
		if !a.keepsNulls() && skip.IsNull(i) {
			continue
		}
		b := a.group(g)
		for c, v := range cols {
			b.Vecs[c].AppendFrom(v, i)
		}
		b.Len++
	}
	a.size += rowBytes(cols, len(gids))
}

func (a *collectAcc) merge(gids []uint32, states []*coldata.Vec) error {
	s := states[0]
	for i, g := range gids {
		if s.IsNull(i) {
			continue
		}
		part, err := coldata.Decode(s.Bytes.Get(i))
		if err != nil {
			return sqlerr.New(sqlerr.InternalError, "aggregate state: %v", err)
		}
		if !slices.Equal(part.Types(), a.types) {
			return sqlerr.New(sqlerr.InternalError, "aggregate state has columns %v, want %v", part.Types(), a.types)
		}
		b := a.group(g)
		for c, v := range part.Vecs {
			for r := range part.Len {
				b.Vecs[c].AppendFrom(v, r)
			}
		}
		b.Len += part.Len
		a.size += rowBytes(part.Vecs, part.Len)
	}
	return nil
}

func (a *collectAcc) memory() int64 { return a.size }

func (a *collectAcc) failure() error { return a.err }

func (a *collectAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		if a.rows[g] == nil {
			out[0].AppendNull()
			continue
		}
		out[0].Bytes.Append(coldata.AppendEncoded(nil, a.rows[g]))
	}
}

// ordered returns the rows of b in the aggregate's order, duplicates of
// the argument dropped under DISTINCT.
func (a *collectAcc) ordered(b *coldata.Batch) []int {
	idx := make([]int, b.Len)
	for i := range idx {
		idx[i] = i
	}
	if len(a.keys) > 0 {
		sort.SliceStable(idx, func(x, y int) bool { return compareRows(a.keys, b, idx[x], b, idx[y]) < 0 })
	}
	if !a.distinct {
		return idx
	}
	same := []SortKey{{Col: 0}}
	out := idx[:0]
	for k, i := range idx {
		if k > 0 && compareRows(same, b, out[len(out)-1], b, i) == 0 {
			continue
		}
		out = append(out, i)
	}
	return out
}

func (a *collectAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		b := a.rows[g]
		if b == nil || b.Len == 0 {
			out.AppendNull()
			continue
		}
		idx := a.ordered(b)
		switch a.kind {
		case collectStringAgg:
			var s []byte
			for k, i := range idx {
				if k > 0 && !b.Vecs[1].IsNull(i) {
					s = append(s, b.Vecs[1].Bytes.Get(i)...)
				}
				s = append(s, b.Vecs[0].Bytes.Get(i)...)
			}
			out.Bytes.Append(s)
		case collectArrayAgg:
			elems := make([]string, len(idx))
			for k, i := range idx {
				if b.Vecs[0].IsNull(i) {
					a.err = sqlerr.New(sqlerr.FeatureNotSupported, "array_agg over NULL values is not supported yet: arrays with NULL elements are not a type armorlake has").
						WithHint("Filter the NULLs out, or use coalesce.")
					out.AppendNull()
					break
				}
				elems[k] = b.Vecs[0].Bytes.GetString(i)
			}
			if a.err == nil {
				out.AppendStrings(elems)
			}
		default:
			a.finalWithinGroup(b, idx, out)
		}
	}
}

// finalWithinGroup computes an ordered-set aggregate over the sorted,
// non-NULL keys in column 0 (PostgreSQL's percentile_cont_final,
// percentile_disc_final and mode_final).
func (a *collectAcc) finalWithinGroup(b *coldata.Batch, idx []int, out *coldata.Vec) {
	v := b.Vecs[len(b.Vecs)-1]
	f := a.fraction
	if a.kind != collectMode && (f < 0 || f > 1 || math.IsNaN(f)) {
		a.err = sqlerr.New(sqlerr.NumericValueOutOfRange, "percentile value %s is not between 0 and 1", strconv.FormatFloat(f, 'g', -1, 64))
		out.AppendNull()
		return
	}
	n := len(idx)
	switch a.kind {
	case collectPercentileCont:
		pos := f * float64(n-1)
		lo, hi := math.Floor(pos), math.Ceil(pos)
		x := v.Float64[idx[int(lo)]]
		if hi != lo {
			y := v.Float64[idx[int(hi)]]
			x += (pos - lo) * (y - x)
		}
		out.Float64 = append(out.Float64, x)
	case collectPercentileDisc:
		row := int(math.Ceil(f * float64(n)))
		if row > 1 {
			out.AppendFrom(v, idx[row-1])
		} else {
			out.AppendFrom(v, idx[0])
		}
	case collectMode:
		same := []SortKey{{Col: len(b.Vecs) - 1}}
		best, bestN, run := idx[0], 0, 0
		for k, i := range idx {
			if k > 0 && compareRows(same, b, idx[k-1], b, i) == 0 {
				run++
			} else {
				run = 1
			}
			if run > bestN {
				best, bestN = i, run
			}
		}
		out.AppendFrom(v, best)
	}
}
