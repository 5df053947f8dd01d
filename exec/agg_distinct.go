package exec

import (
	"math"
	"slices"
	"strconv"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Aggregates over DISTINCT values ship sets: an operator's partial state
// for a group is the set of distinct argument values it saw, as a text[]
// of their canonical text; the query node unions the sets of every
// operator and only then runs the aggregate over the union, so that a
// value seen by two operators counts once.
//
//	aggregate        partial state          merge    final
//	agg(DISTINCT x)  text[] distinct values union    agg over the union

// LookupDistinctAgg returns agg(DISTINCT x) for an argument of type arg.
// min and max ignore DISTINCT, as their result cannot change.
func LookupDistinctAgg(name string, arg coldata.Type) (*AggDef, error) {
	if arg == coldata.Unknown {
		return nil, sqlerr.New(sqlerr.SyntaxError, "%s(DISTINCT *) is not valid", name)
	}
	inner, err := LookupAgg(name, arg)
	if err != nil || name == "min" || name == "max" {
		return inner, err
	}
	if arg == coldata.TextArray || arg == coldata.Jsonb {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s(DISTINCT %s) is not supported yet", name, arg)
	}
	d := &AggDef{Name: name, Arg: arg, Distinct: true, States: []coldata.Type{coldata.TextArray}, Result: inner.Result}
	d.newAcc = func(d *AggDef) accumulator { return &distinctAcc{inner: inner, typ: arg} }
	return d, nil
}

type distinctAcc struct {
	inner *AggDef
	typ   coldata.Type
	sets  []map[string]struct{}
	key   []byte
}

func (a *distinctAcc) grow(n int) {
	for len(a.sets) < n {
		a.sets = append(a.sets, map[string]struct{}{})
	}
}

func (a *distinctAcc) update(gids []uint32, arg *coldata.Vec) {
	// Text is its own key; other types are written as canonical text. A
	// value already in the set is looked up without allocating: only a
	// new one is copied into a string.
	text := arg.Type == coldata.Text
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		key := a.key
		if text {
			key = arg.Bytes.Get(i)
		} else {
			key = appendKey(key[:0], arg, i)
			a.key = key
		}
		set := a.sets[g]
		if _, ok := set[string(key)]; !ok {
			set[string(key)] = struct{}{}
		}
	}
}

func (a *distinctAcc) merge(gids []uint32, states []*coldata.Vec) error {
	s := states[0]
	if s.Type != coldata.TextArray {
		return sqlerr.New(sqlerr.InternalError, "distinct aggregate state of type %s", s.Type)
	}
	for i, g := range gids {
		if s.IsNull(i) {
			continue
		}
		for j := range s.ArrayLen(i) {
			a.sets[g][string(s.ArrayElem(i, j))] = struct{}{}
		}
	}
	return nil
}

func (a *distinctAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		vals := make([]string, 0, len(a.sets[g]))
		for k := range a.sets[g] {
			vals = append(vals, k)
		}
		slices.Sort(vals)
		out[0].AppendStrings(vals)
	}
}

func (a *distinctAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		vals := coldata.NewVec(a.typ, len(a.sets[g]))
		for k := range a.sets[g] {
			appendFromKey(vals, k)
		}
		acc := a.inner.newAcc(a.inner)
		acc.grow(1)
		acc.update(make([]uint32, vals.Len()), vals)
		acc.final(0, 1, out)
	}
}

// appendKey appends the canonical text of row i of v, which
// appendFromKey reads back exactly.
func appendKey(dst []byte, v *coldata.Vec, i int) []byte {
	switch t := v.Type; {
	case t == coldata.Bool:
		if v.Bool[i] {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case t.InInt64():
		return strconv.AppendInt(dst, v.Int64[i], 10)
	case t.IsFloat():
		f := v.Float64[i]
		if f == 0 {
			f = 0 // -0 and 0 are one value
		}
		return strconv.AppendUint(dst, math.Float64bits(f), 16)
	case t == coldata.Numeric:
		return appendCanonicalDecimal(dst, v.Bytes.Get(i))
	}
	return append(dst, v.Bytes.Get(i)...)
}

func appendFromKey(v *coldata.Vec, k string) {
	switch t := v.Type; {
	case t == coldata.Bool:
		v.Bool = append(v.Bool, k == "t")
	case t.InInt64():
		x, _ := strconv.ParseInt(k, 10, 64)
		v.Int64 = append(v.Int64, x)
	case t.IsFloat():
		b, _ := strconv.ParseUint(k, 16, 64)
		v.Float64 = append(v.Float64, math.Float64frombits(b))
	default:
		v.Bytes.AppendString(k)
	}
}

// appendCanonicalDecimal appends a numeric without trailing fractional
// zeros, so that 1.50 and 1.5 are one value (as numeric equality says).
func appendCanonicalDecimal(dst, d []byte) []byte {
	for i, c := range d {
		if c == '.' {
			end := len(d)
			for end > i+1 && d[end-1] == '0' {
				end--
			}
			if end == i+1 {
				end = i
			}
			return append(dst, d[:end]...)
		}
	}
	return append(dst, d...)
}
