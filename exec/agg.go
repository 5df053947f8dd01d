package exec

import (
	"bytes"
	"math/big"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// The distributed aggregation table. Each aggregate, for a given argument
// type, is described once:
//
//	aggregate        partial states (operator)   merge (query node)   final
//	count(*), count  int8 n                      sum of n             n
//	sum(int2/int4)   int8 s (NULL: no rows)      sum                  s::int8
//	sum(int8)        numeric s                   exact sum            s::numeric
//	sum(float)       float8 s                    sum                  s
//	avg(integer)     numeric s, int8 n           sums                 s / n (numeric, PostgreSQL scale)
//	avg(float)       float8 s, int8 n            sums                 s / n
//	sum(numeric)     numeric s                   exact sum            s
//	avg(numeric)     numeric s, int8 n           sums                 s / n (numeric)
//	min, max         the argument's type         min, max             the value
//	agg(DISTINCT x)  text[] of distinct values   union                agg over the union
//	string_agg, percentiles…  the group's rows   append               sort, compute
//
// (agg_distinct.go, agg_collect.go.)
// An accumulator keeps one slot per group in typed slices, and is driven
// a batch at a time with the group id of every row.

// AggDef describes one aggregate for one argument type.
type AggDef struct {
	Name     string
	Arg      coldata.Type // Unknown for count(*)
	Distinct bool         // over the argument's distinct values
	States   []coldata.Type
	Result   coldata.Type
	newAcc   func(d *AggDef) accumulator
}

// LookupAgg returns the aggregate name over an argument of type arg
// (Unknown for count(*)), or a 42883 error.
func LookupAgg(name string, arg coldata.Type) (*AggDef, error) {
	d := &AggDef{Name: name, Arg: arg}
	switch name {
	case "count":
		d.States, d.Result = []coldata.Type{coldata.Int64}, coldata.Int64
		d.newAcc = func(d *AggDef) accumulator { return &countAcc{star: d.Arg == coldata.Unknown} }
		return d, nil
	case "sum":
		switch {
		case arg == coldata.Int16 || arg == coldata.Int32:
			d.States, d.Result = []coldata.Type{coldata.Int64}, coldata.Int64
			d.newAcc = func(*AggDef) accumulator { return &sumIntAcc{} }
			return d, nil
		case arg == coldata.Int64:
			d.States, d.Result = []coldata.Type{coldata.Numeric}, coldata.Numeric
			d.newAcc = func(*AggDef) accumulator { return &sumIntAcc{numeric: true} }
			return d, nil
		case arg.IsFloat():
			d.States, d.Result = []coldata.Type{arg}, arg
			d.newAcc = func(*AggDef) accumulator { return &sumFloatAcc{typ: arg} }
			return d, nil
		case arg == coldata.Numeric:
			d.States, d.Result = []coldata.Type{coldata.Numeric}, coldata.Numeric
			d.newAcc = func(*AggDef) accumulator { return &sumNumericAcc{} }
			return d, nil
		}
	case "avg":
		switch {
		case arg.IsInteger():
			d.States, d.Result = []coldata.Type{coldata.Numeric, coldata.Int64}, coldata.Numeric
			d.newAcc = func(*AggDef) accumulator { return &sumIntAcc{numeric: true, avg: true} }
			return d, nil
		case arg.IsFloat():
			d.States, d.Result = []coldata.Type{coldata.Float64, coldata.Int64}, coldata.Float64
			d.newAcc = func(*AggDef) accumulator { return &sumFloatAcc{typ: coldata.Float64, avg: true} }
			return d, nil
		case arg == coldata.Numeric:
			d.States, d.Result = []coldata.Type{coldata.Numeric, coldata.Int64}, coldata.Numeric
			d.newAcc = func(*AggDef) accumulator { return &sumNumericAcc{avg: true} }
			return d, nil
		}
	case "bool_and", "every", "bool_or":
		if arg == coldata.Bool {
			d.States, d.Result = []coldata.Type{coldata.Bool}, coldata.Bool
			d.newAcc = func(d *AggDef) accumulator { return &boolAcc{or: d.Name == "bool_or"} }
			return d, nil
		}
	case "var_pop", "var_samp", "variance", "stddev_pop", "stddev_samp", "stddev":
		// Over double precision in floats (Welford); over integers and
		// numerics exactly, as numeric (agg_variance.go).
		kind := map[string]string{"variance": "var_samp", "stddev": "stddev_samp"}[name]
		if kind == "" {
			kind = name
		}
		if arg.IsFloat() {
			d.States, d.Result = []coldata.Type{coldata.Float64, coldata.Float64, coldata.Float64}, coldata.Float64
			d.newAcc = func(*AggDef) accumulator { return &varianceAcc{kind: kind} }
			return d, nil
		}
		if arg.IsInteger() || arg == coldata.Numeric {
			return lookupNumericVariance(d, kind)
		}
	case "min", "max":
		switch {
		case arg.InInt64() || arg.IsFloat() || arg == coldata.Text || arg == coldata.Interval:
			d.States, d.Result = []coldata.Type{arg}, arg
			d.newAcc = func(d *AggDef) accumulator { return &minMaxAcc{max: d.Name == "max", typ: d.Arg} }
			return d, nil
		}
	}
	if arg == coldata.Unknown {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(*) does not exist", name)
	}
	if arg == coldata.Interval && (name == "sum" || name == "avg") {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s(interval) is not supported yet", name)
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, arg).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

// accumulator holds the state of one aggregate for every group.
type accumulator interface {
	// grow makes room for groups [0, n).
	grow(n int)
	// update folds raw argument values (nil for count(*)) into the
	// groups given per row.
	update(gids []uint32, arg *coldata.Vec)
	// merge folds partial state columns into the groups given per row.
	merge(gids []uint32, states []*coldata.Vec) error
	// states appends the partial states of groups [from, to) to out.
	states(from, to int, out []*coldata.Vec)
	// final appends the final values of groups [from, to) to out.
	final(from, to int, out *coldata.Vec)
}

type countAcc struct {
	star bool
	n    []int64
}

func (a *countAcc) grow(n int) {
	for len(a.n) < n {
		a.n = append(a.n, 0)
	}
}

func (a *countAcc) update(gids []uint32, arg *coldata.Vec) {
	if a.star || !arg.Nulls.Any() {
		for _, g := range gids {
			a.n[g]++
		}
		return
	}
	for i, g := range gids {
		if !arg.Nulls.Get(i) {
			a.n[g]++
		}
	}
}

func (a *countAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, g := range gids {
		a.n[g] += states[0].Int64[i]
	}
	return nil
}

func (a *countAcc) states(from, to int, out []*coldata.Vec) { a.final(from, to, out[0]) }

func (a *countAcc) final(from, to int, out *coldata.Vec) {
	out.Int64 = append(out.Int64, a.n[from:to]...)
}

// sumIntAcc sums integers exactly: in int64 while that suffices, in a
// big.Int for a group once its sum overflows. It also serves avg over
// integers, which adds a count.
type sumIntAcc struct {
	numeric bool // state and result are numeric, not int8
	avg     bool
	sum     []int64
	seen    []int64 // rows folded in per group: the avg count, and NULL-ness of sum
	big     map[uint32]*big.Int
}

func (a *sumIntAcc) grow(n int) {
	for len(a.sum) < n {
		a.sum = append(a.sum, 0)
		a.seen = append(a.seen, 0)
	}
}

func (a *sumIntAcc) add(g uint32, x int64) {
	r := a.sum[g] + x
	// Signed overflow: both operands share a sign the result lacks.
	if (a.sum[g] >= 0) == (x >= 0) && (r >= 0) != (x >= 0) {
		if a.big == nil {
			a.big = map[uint32]*big.Int{}
		}
		b := a.big[g]
		if b == nil {
			b = new(big.Int)
			a.big[g] = b
		}
		b.Add(b, big.NewInt(a.sum[g]))
		b.Add(b, big.NewInt(x))
		a.sum[g] = 0
		return
	}
	a.sum[g] = r
}

func (a *sumIntAcc) addBig(g uint32, x *big.Int) {
	if a.big == nil {
		a.big = map[uint32]*big.Int{}
	}
	b := a.big[g]
	if b == nil {
		b = new(big.Int)
		a.big[g] = b
	}
	b.Add(b, x)
}

func (a *sumIntAcc) update(gids []uint32, arg *coldata.Vec) {
	hasNulls := arg.Nulls.Any()
	for i, g := range gids {
		if hasNulls && arg.Nulls.Get(i) {
			continue
		}
		a.add(g, arg.Int64[i])
		a.seen[g]++
	}
}

func (a *sumIntAcc) merge(gids []uint32, states []*coldata.Vec) error {
	s := states[0]
	for i, g := range gids {
		if s.Nulls.Get(i) {
			continue
		}
		if a.numeric {
			v, scale, ok := parseDecimal(string(s.Bytes.Get(i)))
			if !ok || scale != 0 {
				return sqlerr.New(sqlerr.InternalError, "merge sum: bad partial state %q", s.Bytes.Get(i))
			}
			if v.IsInt64() {
				a.add(g, v.Int64())
			} else {
				a.addBig(g, v)
			}
		} else {
			a.add(g, s.Int64[i])
		}
		if a.avg {
			a.seen[g] += states[1].Int64[i]
		} else {
			a.seen[g]++
		}
	}
	return nil
}

func (a *sumIntAcc) total(g int) *big.Int {
	t := big.NewInt(a.sum[g])
	if b := a.big[uint32(g)]; b != nil {
		t.Add(t, b)
	}
	return t
}

func (a *sumIntAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		switch {
		case a.seen[g] == 0:
			out[0].AppendNull()
		case a.numeric:
			out[0].Bytes.AppendString(a.total(g).String())
		default:
			out[0].Int64 = append(out[0].Int64, a.sum[g])
		}
		if a.avg {
			out[1].Int64 = append(out[1].Int64, a.seen[g])
		}
	}
}

func (a *sumIntAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		switch {
		case a.seen[g] == 0:
			out.AppendNull()
		case a.avg:
			out.Bytes.AppendString(divideIntegers(a.total(g), big.NewInt(a.seen[g])))
		case a.numeric:
			out.Bytes.AppendString(a.total(g).String())
		default:
			out.Int64 = append(out.Int64, a.sum[g])
		}
	}
}

type sumFloatAcc struct {
	typ  coldata.Type
	avg  bool
	sum  []float64
	seen []int64
}

func (a *sumFloatAcc) grow(n int) {
	for len(a.sum) < n {
		a.sum = append(a.sum, 0)
		a.seen = append(a.seen, 0)
	}
}

func (a *sumFloatAcc) update(gids []uint32, arg *coldata.Vec) {
	hasNulls := arg.Nulls.Any()
	for i, g := range gids {
		if hasNulls && arg.Nulls.Get(i) {
			continue
		}
		a.sum[g] += arg.Float64[i]
		a.seen[g]++
	}
}

func (a *sumFloatAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, g := range gids {
		if states[0].Nulls.Get(i) {
			continue
		}
		a.sum[g] += states[0].Float64[i]
		if a.avg {
			a.seen[g] += states[1].Int64[i]
		} else {
			a.seen[g]++
		}
	}
	return nil
}

func (a *sumFloatAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		if a.seen[g] == 0 {
			out[0].AppendNull()
		} else {
			out[0].Float64 = append(out[0].Float64, a.sum[g])
		}
		if a.avg {
			out[1].Int64 = append(out[1].Int64, a.seen[g])
		}
	}
}

func (a *sumFloatAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		switch {
		case a.seen[g] == 0:
			out.AppendNull()
		case a.avg:
			out.Float64 = append(out.Float64, a.sum[g]/float64(a.seen[g]))
		default:
			out.Float64 = append(out.Float64, a.sum[g])
		}
	}
}

// minMaxAcc keeps the least or greatest non-NULL value per group.
type minMaxAcc struct {
	max  bool
	typ  coldata.Type
	set  []bool
	ints []int64
	flts []float64
	strs [][]byte
}

func (a *minMaxAcc) grow(n int) {
	for len(a.set) < n {
		a.set = append(a.set, false)
		switch {
		case a.typ.IsFloat():
			a.flts = append(a.flts, 0)
		case a.typ.IsBytes():
			a.strs = append(a.strs, nil)
		default:
			a.ints = append(a.ints, 0)
		}
	}
}

func (a *minMaxAcc) update(gids []uint32, v *coldata.Vec) {
	hasNulls := v.Nulls.Any()
	switch {
	case a.typ.IsFloat():
		for i, g := range gids {
			if hasNulls && v.Nulls.Get(i) {
				continue
			}
			x := v.Float64[i]
			if !a.set[g] || (x > a.flts[g]) == a.max && x != a.flts[g] {
				a.flts[g], a.set[g] = x, true
			}
		}
	case a.typ.IsBytes():
		for i, g := range gids {
			if hasNulls && v.Nulls.Get(i) {
				continue
			}
			x := v.Bytes.Get(i)
			if !a.set[g] {
				a.strs[g], a.set[g] = append(a.strs[g][:0], x...), true
				continue
			}
			if c := a.compareBytes(x, a.strs[g]); c != 0 && (c > 0) == a.max {
				a.strs[g] = append(a.strs[g][:0], x...)
			}
		}
	default:
		for i, g := range gids {
			if hasNulls && v.Nulls.Get(i) {
				continue
			}
			x := v.Int64[i]
			if !a.set[g] || (x > a.ints[g]) == a.max && x != a.ints[g] {
				a.ints[g], a.set[g] = x, true
			}
		}
	}
}

func (a *minMaxAcc) compareBytes(x, y []byte) int {
	if a.typ == coldata.Interval {
		return coldata.CompareIntervals(coldata.DecodeInterval(x), coldata.DecodeInterval(y))
	}
	return bytes.Compare(x, y)
}

func (a *minMaxAcc) merge(gids []uint32, states []*coldata.Vec) error {
	a.update(gids, states[0])
	return nil
}

func (a *minMaxAcc) states(from, to int, out []*coldata.Vec) { a.final(from, to, out[0]) }

func (a *minMaxAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		switch {
		case !a.set[g]:
			out.AppendNull()
		case a.typ.IsFloat():
			out.Float64 = append(out.Float64, a.flts[g])
		case a.typ.IsBytes():
			out.Bytes.Append(a.strs[g])
		default:
			out.Int64 = append(out.Int64, a.ints[g])
		}
	}
}
