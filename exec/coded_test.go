package exec

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/armorlake/armorlake/coldata"
)

// codedBatches returns the same random rows twice: as values, and with
// the text columns dictionary-coded as a store's scan returns them (a
// dictionary per batch, in no particular order, NULLs coded -1).
func codedBatches(r *rand.Rand, nbatches int) (plain, coded []*coldata.Batch) {
	types := []coldata.Type{coldata.Text, coldata.Int32, coldata.Text, coldata.Int64}
	for range nbatches {
		n := 1 + r.Intn(500)
		p := coldata.NewBatch(types, n)
		c := coldata.NewBatch(types, n)
		for _, k := range []int{0, 2} {
			spread := []int{1, 3, 40, 300}[r.Intn(4)]
			vals := map[string]int32{}
			var dict []string
			nulls := r.Intn(2) == 0 // some columns have none
			for i := range n {
				if nulls && r.Intn(10) == 0 {
					p.Vecs[k].AppendNull()
					c.Vecs[k].Codes = append(c.Vecs[k].Codes, -1)
					c.Vecs[k].Nulls.Set(i)
					continue
				}
				v := fmt.Sprintf("v%d-%d", k, r.Intn(spread))
				p.Vecs[k].Bytes.AppendString(v)
				code, ok := vals[v]
				if !ok {
					code = int32(len(dict))
					vals[v] = code
					dict = append(dict, v)
				}
				c.Vecs[k].Codes = append(c.Vecs[k].Codes, code)
			}
			// The dictionary in another order than the rows'.
			perm := r.Perm(len(dict))
			for _, j := range perm {
				c.Vecs[k].Bytes.AppendString(dict[j])
			}
			where := make([]int32, len(dict))
			for pos, j := range perm {
				where[j] = int32(pos)
			}
			for i, code := range c.Vecs[k].Codes {
				if code >= 0 {
					c.Vecs[k].Codes[i] = where[code]
				}
			}
			if c.Vecs[k].Codes == nil {
				c.Vecs[k].Codes = []int32{}
			}
		}
		for _, k := range []int{1, 3} {
			for range n {
				x := int64(r.Intn(7))
				p.Vecs[k].Int64 = append(p.Vecs[k].Int64, x)
				c.Vecs[k].Int64 = append(c.Vecs[k].Int64, x)
			}
		}
		p.Len, c.Len = n, n
		plain, coded = append(plain, p), append(coded, c)
	}
	return plain, coded
}

// TestHashAggCodedMatchesValues: grouping by coded text keys (alone, with
// an integer key, two coded keys) and counting coded DISTINCT values give
// what the same rows as values give, and what maps give.
func TestHashAggCodedMatchesValues(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	types := []coldata.Type{coldata.Text, coldata.Int32, coldata.Text, coldata.Int64}
	compile := func(cols ...int) []Expr {
		var out []Expr
		for _, c := range cols {
			e, err := CompileExpr(col(c, types[c]), types)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	aggs := func() []AggSpec {
		star, _ := LookupAgg("count", coldata.Unknown)
		sum, _ := LookupAgg("sum", coldata.Int32)
		distinct, err := LookupDistinctAgg("count", coldata.Text)
		if err != nil {
			t.Fatal(err)
		}
		return []AggSpec{{Def: star}, {Def: sum, Arg: compile(1)[0]}, {Def: distinct, Arg: compile(2)[0]}}
	}
	for trial := range 30 {
		plain, coded := codedBatches(r, 1+r.Intn(6))
		for _, keys := range [][]int{{0}, {0, 3}, {3, 0}, {0, 2}, {2, 0, 3}, {0, 3, 1}} {
			want := groupSlowly(plain, keys)
			for _, in := range [][]*coldata.Batch{plain, coded} {
				got := drainAll(t, NewHashAgg(NewBatches(in...), AggComplete, compile(keys...), aggs()))
				sortStrings(got)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("trial %d, keys %v, coded %v: got\n%s\nwant\n%s", trial, keys, in[0].Vecs[0].Codes != nil,
						strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		}
	}
}

// groupSlowly computes count(*), sum(column 1) and count(DISTINCT
// column 2) by keys with maps, formatted as drainAll formats rows.
func groupSlowly(bs []*coldata.Batch, keys []int) []string {
	type group struct {
		key      []string
		n, sum   int64
		distinct map[string]bool
	}
	groups := map[string]*group{}
	format := func(v *coldata.Vec, i int) string {
		switch {
		case v.IsNull(i):
			return "NULL"
		case v.Type.IsBytes():
			return v.Bytes.GetString(i)
		}
		return fmt.Sprint(v.Int64[i])
	}
	for _, b := range bs {
		for i := range b.Len {
			var key []string
			for _, k := range keys {
				key = append(key, format(b.Vecs[k], i))
			}
			id := strings.Join(key, "|")
			g := groups[id]
			if g == nil {
				g = &group{key: key, distinct: map[string]bool{}}
				groups[id] = g
			}
			g.n++
			g.sum += b.Vecs[1].Int64[i]
			if !b.Vecs[2].IsNull(i) {
				g.distinct[b.Vecs[2].Bytes.GetString(i)] = true
			}
		}
	}
	var out []string
	for _, g := range groups {
		out = append(out, strings.Join(append(g.key, fmt.Sprint(g.n), fmt.Sprint(g.sum), fmt.Sprint(len(g.distinct))), "|"))
	}
	sortStrings(out)
	return out
}

// radixSort orders keys ascending, stably (equal keys keep their rows'
// order: multi-key sorts rely on it), on every path: insertion, stable
// comparison and radix.
func TestRadixSortStable(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for _, n := range []int{10, 300, 5000, radixFrom + 100} {
		keys := make([]uint64, n)
		rows := make([]int32, n)
		for i := range keys {
			keys[i] = uint64(r.Intn(n/3+1)) << uint(r.Intn(3)*16) // duplicates, digits in every pass
			rows[i] = int32(i)
		}
		orig := append([]uint64(nil), keys...)
		radixSort(keys, rows)
		for i := range keys {
			if keys[i] != orig[rows[i]] {
				t.Fatalf("n %d: row %d carries key %d, had %d", n, rows[i], keys[i], orig[rows[i]])
			}
			if i > 0 && (keys[i] < keys[i-1] || (keys[i] == keys[i-1] && rows[i] < rows[i-1])) {
				t.Fatalf("n %d: position %d (key %d, row %d) after (key %d, row %d)", n, i, keys[i], rows[i], keys[i-1], rows[i-1])
			}
		}
	}
}
