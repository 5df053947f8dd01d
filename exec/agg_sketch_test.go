package exec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/armorlake/armorlake/coldata"
)

// sketchOver runs an aggregate as three operators' partial aggregations
// over thirds of vals, merged on a query node, and returns its value.
func sketchOver(t *testing.T, call AggCall, vals *coldata.Vec) *coldata.Vec {
	t.Helper()
	def, err := Lookup(call)
	if err != nil {
		t.Fatal(err)
	}
	final := def.newAcc(def)
	final.grow(1)
	n := vals.Len()
	for part := range 3 {
		from, to := part*n/3, (part+1)*n/3
		acc := def.newAcc(def)
		acc.grow(1)
		for lo := from; lo < to; lo += BatchSize {
			hi := min(lo+BatchSize, to)
			acc.update(make([]uint32, hi-lo), vals.Slice(lo, hi))
		}
		states := []*coldata.Vec{coldata.NewVec(coldata.Text, 1)}
		acc.states(0, 1, states)
		if err := final.merge([]uint32{0}, states); err != nil {
			t.Fatal(err)
		}
	}
	out := coldata.NewVec(def.Result, 1)
	final.final(0, 1, out)
	return out
}

// TestApproxCountDistinct: the HyperLogLog estimate over three merged
// partial states is within 3% (about four standard errors) of the exact
// count, from a handful of values (sparse registers) to a million.
func TestApproxCountDistinct(t *testing.T) {
	for _, distinct := range []int{0, 1, 7, 100, 1000, 20000, 100000, 1000000} {
		ints := coldata.NewVec(coldata.Int64, distinct*2)
		text := coldata.NewVec(coldata.Text, distinct*2)
		for i := range distinct * 2 { // every value twice
			x := int64(i % max(distinct, 1))
			ints.Int64 = append(ints.Int64, x*7919)
			text.Bytes.AppendString(fmt.Sprintf("pod-%d", x))
		}
		for _, v := range []*coldata.Vec{ints, text} {
			got := sketchOver(t, AggCall{Name: "approx_count_distinct", Args: []coldata.Type{v.Type}}, v).Int64[0]
			if diff := math.Abs(float64(got - int64(distinct))); diff > 0.03*float64(distinct) {
				t.Errorf("%d distinct %s values: estimate %d", distinct, v.Type, got)
			}
		}
	}
}

// TestApproxPercentile: the DDSketch answer over three merged partial
// states is within 1% of the exact value at its rank, for skewed,
// negative and mixed inputs.
func TestApproxPercentile(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := map[string]func() float64{
		"exponential": func() float64 { return rng.ExpFloat64() * 1000 },
		"pids":        func() float64 { return float64(rng.IntN(4_000_000)) },
		"mixed sign":  func() float64 { return rng.NormFloat64() * 50 },
		"with zeros":  func() float64 { return float64(rng.IntN(3)) },
	}
	for name, gen := range inputs {
		v := coldata.NewVec(coldata.Float64, 100000)
		for range 100000 {
			v.Float64 = append(v.Float64, gen())
		}
		sorted := slices.Clone(v.Float64)
		slices.Sort(sorted)
		for _, f := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.99, 1} {
			got := sketchOver(t, AggCall{Name: "approx_percentile", Args: []coldata.Type{coldata.Float64}, Fraction: f}, v).Float64[0]
			want := sorted[int(f*float64(len(sorted)-1))]
			if math.Abs(got-want) > ddAlpha*math.Abs(want)+1e-9 {
				t.Errorf("%s: approx_percentile(%g) = %g, the value at that rank is %g", name, f, got, want)
			}
		}
	}
}

// TestSketchStatesRejectGarbage: a corrupt partial state is an error,
// never a panic.
func TestSketchStatesRejectGarbage(t *testing.T) {
	for _, call := range []AggCall{
		{Name: "approx_count_distinct", Args: []coldata.Type{coldata.Int64}},
		{Name: "approx_percentile", Args: []coldata.Type{coldata.Float64}, Fraction: 0.5},
	} {
		def, _ := Lookup(call)
		for _, state := range []string{"", "x", "d\x01", "s\x01\x02", "s\xff\xff\x01", "\x01\x05", "\x00\x01\x80"} {
			acc := def.newAcc(def)
			acc.grow(1)
			s := coldata.NewVec(coldata.Text, 1)
			s.Bytes.AppendString(state)
			if err := acc.merge([]uint32{0}, []*coldata.Vec{s}); err == nil {
				t.Errorf("%s accepted state %q", call.Name, state)
			}
		}
	}
}
