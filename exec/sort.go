package exec

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sort"

	"github.com/armorlake/armorlake/coldata"
)

// SortKey orders by one input column. NullsFirst places NULLs before
// other values; PostgreSQL's default is NULLs last ascending, first
// descending, and the planner spells that out.
type SortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// compareRows compares row i of a with row j of b on keys.
func compareRows(keys []SortKey, a *coldata.Batch, i int, b *coldata.Batch, j int) int {
	for _, k := range keys {
		va, vb := a.Vecs[k.Col], b.Vecs[k.Col]
		na, nb := va.IsNull(i), vb.IsNull(j)
		if na || nb {
			if na == nb {
				continue
			}
			if na == k.NullsFirst {
				return -1
			}
			return 1
		}
		var c int
		switch t := va.Type; {
		case t.InInt64():
			c = cmpInt(va.Int64[i], vb.Int64[j])
		case t.IsFloat():
			c = cmpFloat(va.Float64[i], vb.Float64[j])
		case t == coldata.Bool:
			c = boolCmp(va.Bool[i], vb.Bool[j])
		case t == coldata.Numeric:
			c = cmpDecimal(va.Bytes.Get(i), vb.Bytes.Get(j))
		case t == coldata.Interval:
			c = coldata.CompareIntervals(va.IntervalAt(i), vb.IntervalAt(j))
		default:
			c = bytes.Compare(va.Bytes.Get(i), vb.Bytes.Get(j))
		}
		if c != 0 {
			if k.Desc {
				return -c
			}
			return c
		}
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders as PostgreSQL does: NaN equals NaN and sorts above
// every other value.
func cmpFloat(a, b float64) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Sort materializes its input and yields it ordered by keys. With limit
// >= 0 it keeps only the first limit rows (a top-N), pruning as it goes
// so memory stays near limit rows.
type Sort struct {
	input Operator
	keys  []SortKey
	limit int

	buf     *coldata.Batch
	sorted  *coldata.Batch
	emitted int
	// spare is the batch a top-N's pruning gathers the kept rows into.
	spare *coldata.Batch
	// full: buf holds exactly limit rows, sorted (a pruned top-N).
	full bool
	sel  []int
	// charged is what buf is charged against the query's budget.
	charged int64
	// bound, when set, receives the top-N's cutoff on its first key
	// (an integer or timestamp) each time it changes.
	bound *TopBound
}

// ShareBound makes a top-N publish its cutoff on its first key to b, for
// a scan below to stop early (ScanSpec.Bound). It prunes after every
// batch that brings rows in, so that the cutoff is always current.
func (s *Sort) ShareBound(b *TopBound) { s.bound = b }

// NewSort returns a sort; limit < 0 means all rows.
func NewSort(input Operator, keys []SortKey, limit int) *Sort {
	return &Sort{input: input, keys: keys, limit: limit}
}

func (s *Sort) order(b *coldata.Batch, limit int) []int {
	idx := make([]int, b.Len)
	for i := range idx {
		idx[i] = i
	}
	if len(s.keys) == 1 {
		if v := b.Vecs[s.keys[0].Col]; v.Type.InInt64() {
			return orderInts(v, s.keys[0], idx, limit)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool {
		return compareRows(s.keys, b, idx[x], b, idx[y]) < 0
	})
	return idx
}

// orderInts sorts rows by one integer or timestamp key without the
// general comparator: NULLs split off, then the values radix-sorted
// (least significant 16 bits first, four stable passes), so equal values
// keep their input order. With limit >= 0 only the first limit rows need
// be in order (the rest may be left out): the values that can be among
// them are selected first, and only those sorted.
func orderInts(v *coldata.Vec, k SortKey, idx []int, limit int) []int {
	var nulls []int
	keys := make([]uint64, 0, len(idx))
	rows := make([]int32, 0, len(idx))
	for _, i := range idx {
		if v.IsNull(i) {
			nulls = append(nulls, i)
			continue
		}
		// Flip the sign bit so unsigned order is signed order; invert
		// for descending.
		u := uint64(v.Int64[i]) ^ (1 << 63)
		if k.Desc {
			u = ^u
		}
		keys = append(keys, u)
		rows = append(rows, int32(i))
	}
	m := limit
	if k.NullsFirst {
		m -= len(nulls)
	}
	if limit >= 0 && m < len(keys) {
		// (key, row) pairs order the rows as a stable sort would: the
		// rows are in input order.
		pairs := make([]keyRow, len(keys))
		for i := range pairs {
			pairs[i] = keyRow{keys[i], rows[i]}
		}
		m = max(m, 0)
		selectKeyRows(pairs, m)
		pairs = pairs[:m]
		slices.SortFunc(pairs, compareKeyRows)
		keys, rows = keys[:m], rows[:m]
		for i, p := range pairs {
			keys[i], rows[i] = p.key, p.row
		}
	} else {
		radixSort(keys, rows)
	}
	out := idx[:0]
	if k.NullsFirst {
		out = append(out, nulls...)
	}
	for _, r := range rows {
		out = append(out, int(r))
	}
	if !k.NullsFirst {
		out = append(out, nulls...)
	}
	return out
}

// radixSort sorts keys ascending, carrying rows along, stably.
// radixFrom is the length from which radixSort sorts by radix.
const radixFrom = 1 << 14

// keyRow is a key and its position in radixSort's input, or its row.
type keyRow struct {
	key uint64
	row int32
}

func compareKeyRows(a, b keyRow) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// selectKeyRows reorders p so that its first k are its k least by
// compareKeyRows, in no particular order (quickselect, the pivot a
// median of three; the pairs are distinct, rows being).
func selectKeyRows(p []keyRow, k int) {
	lo, hi := 0, len(p)
	if k <= 0 || k >= hi {
		return
	}
	less := func(a, b keyRow) bool { return a.key < b.key || (a.key == b.key && a.row < b.row) }
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		a, b, c := p[lo], p[mid], p[hi-1]
		if less(b, a) {
			a, b = b, a
		}
		if less(c, b) {
			b = c
			if less(b, a) {
				b = a
			}
		}
		pivot := b
		// Lomuto-style: below the pivot to the front; the pivot's
		// place after.
		i := lo
		for j := lo; j < hi; j++ {
			if less(p[j], pivot) {
				p[i], p[j] = p[j], p[i]
				i++
			}
		}
		switch {
		case k < i:
			hi = i
		case k > i:
			// p[lo:i] are below the pivot and among the k least; the
			// pivot itself (somewhere in p[i:hi]) is next.
			for j := i; j < hi; j++ {
				if p[j] == pivot {
					p[i], p[j] = p[j], p[i]
					break
				}
			}
			lo = i + 1
		default:
			return // exactly the k below the pivot are in front
		}
	}
	slices.SortFunc(p[lo:hi], compareKeyRows)
}

func radixSort(keys []uint64, rows []int32) {
	n := len(keys)
	if n < 256 {
		// Small inputs: insertion sort beats the passes' fixed cost.
		for i := 1; i < n; i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
				rows[j], rows[j-1] = rows[j-1], rows[j]
			}
		}
		return
	}
	if n < radixFrom {
		// Below this a comparison sort costs less than four passes
		// over a 65,536-entry count table (512 KiB to clear, and to
		// allocate: it is too large for the stack). Equal keys are
		// kept in input order by comparing positions, which lets the
		// unstable pdqsort stand in for a stable sort (several times
		// slower, being a merge without a buffer).
		pairs := make([]keyRow, n)
		for i := range pairs {
			pairs[i] = keyRow{keys[i], int32(i)}
		}
		slices.SortFunc(pairs, func(a, b keyRow) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.row, b.row)
		})
		sorted := make([]int32, n)
		for i, p := range pairs {
			keys[i], sorted[i] = p.key, rows[p.row]
		}
		copy(rows, sorted)
		return
	}
	k2, r2 := make([]uint64, n), make([]int32, n)
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		same := true
		first := (keys[0] >> shift) & 0xffff
		for _, x := range keys {
			d := (x >> shift) & 0xffff
			count[d]++
			same = same && d == first
		}
		if same {
			continue // every key has this digit: the pass changes nothing
		}
		pos := 0
		for d := range count {
			c := count[d]
			count[d] = pos
			pos += c
		}
		for i, x := range keys {
			d := (x >> shift) & 0xffff
			p := count[d]
			count[d]++
			k2[p], r2[p] = x, rows[i]
		}
		copy(keys, k2)
		copy(rows, r2)
	}
}

func (s *Sort) consume(ctx context.Context) error {
	budget := budgetOf(ctx)
	defer func() { budget.Release(s.charged) }()
	prune := s.limit >= 0 && s.limit < 1<<20
	for {
		b, err := s.input.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if s.buf == nil {
			s.buf = coldata.NewBatch(b.Types(), b.Len)
		}
		if prune && s.full {
			// A top-N already holding limit rows, sorted: a row that
			// does not sort before the last of them cannot get in
			// (a tie comes later, so it stays out too).
			s.sel = s.sel[:0]
			for i := 0; i < b.Len; i++ {
				if compareRows(s.keys, b, i, s.buf, s.limit-1) < 0 {
					s.sel = append(s.sel, i)
				}
			}
			for c, v := range b.Vecs {
				for _, i := range s.sel {
					s.buf.Vecs[c].AppendFrom(v, i)
				}
			}
			s.buf.Len += len(s.sel)
		} else {
			for c, v := range b.Vecs {
				s.buf.Vecs[c].AppendRows(v, b.Len)
			}
			s.buf.Len += b.Len
		}
		// What the buffer holds now, charged against the budget (a
		// top-N's pruning gives it back).
		if size := rowBytes(s.buf.Vecs, s.buf.Len); size > s.charged {
			if err := budget.Grow(size - s.charged); err != nil {
				return err
			}
			s.charged = size
		}
		if prune && (s.buf.Len > 2*s.limit+BatchSize || (s.bound != nil && s.buf.Len > s.limit)) {
			idx := s.order(s.buf, s.limit)
			// The kept rows go to the spare buffer, which becomes the
			// buffer: two batches serve every pruning.
			if s.spare == nil {
				s.spare = coldata.NewBatch(s.buf.Types(), s.limit)
			}
			s.buf.GatherInto(s.spare, idx[:s.limit])
			s.buf, s.spare = s.spare, s.buf
			s.full = s.limit > 0
			// (The spare keeps its rows until the next pruning: both
			// are charged.)
			size := rowBytes(s.buf.Vecs, s.buf.Len) + rowBytes(s.spare.Vecs, s.spare.Len)
			budget.Release(s.charged - size)
			s.charged = size
		}
		if s.bound != nil && s.full && s.buf.Len == s.limit {
			if v := s.buf.Vecs[s.keys[0].Col]; v.Type.InInt64() && !v.IsNull(s.limit-1) {
				s.bound.offer(v.Int64[s.limit-1])
			}
		}
	}
	if s.buf == nil {
		return nil
	}
	idx := s.order(s.buf, s.limit)
	if s.limit >= 0 && len(idx) > s.limit {
		idx = idx[:s.limit]
	}
	s.sorted = s.buf.Gather(idx)
	s.buf = nil
	return nil
}

// Next implements Operator.
func (s *Sort) Next(ctx context.Context) (*coldata.Batch, error) {
	if s.sorted == nil && s.buf == nil && s.emitted == 0 {
		if err := s.consume(ctx); err != nil {
			return nil, err
		}
		s.emitted = -1
	}
	if s.sorted == nil {
		return nil, nil
	}
	from := max(s.emitted, 0)
	if from >= s.sorted.Len {
		return nil, nil
	}
	to := min(from+BatchSize, s.sorted.Len)
	s.emitted = to
	if from == 0 && to == s.sorted.Len {
		return s.sorted, nil
	}
	return s.sorted.Slice(from, to), nil
}

// Close implements Operator.
func (s *Sort) Close() error { return s.input.Close() }

var _ Operator = (*Sort)(nil)
