package exec

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"

	"github.com/cespare/xxhash/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Approximate aggregates from mergeable sketches, for when an exact
// answer would ship every distinct value or every value to the query
// node:
//
//	aggregate                     partial state          merge         final
//	approx_count_distinct(x)      HyperLogLog registers  register max  Ertl's estimator
//	approx_percentile(x, f)       DDSketch buckets       bucket sums   bucket midpoint at rank f·(n−1)
//
// approx_count_distinct uses 2^14 registers (standard error 0.81%),
// sparse while a group has seen few values, and Ertl's improved
// estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", 2017), which needs no empirical bias tables. Values are
// hashed with xxhash64 over their canonical key, the same on every node.
//
// approx_percentile keeps logarithmic buckets (DDSketch, Masson et al.
// 2019) with 1% relative accuracy: the answer is within 1% of the value
// at that rank. At most 4096 buckets per sign are kept; past that the
// smallest magnitudes are merged, which only coarsens the lowest
// quantiles. States travel as bytes in a text-typed column.

const (
	hllP        = 14
	hllM        = 1 << hllP
	hllQ        = 64 - hllP
	hllSparseAt = hllM / 8 // sparse entries before turning dense

	ddAlpha      = 0.01
	ddMaxBuckets = 4096
	ddMinValue   = 1e-9 // magnitudes below count as zero
)

var errBadSketch = errors.New("malformed sketch state")

// hll is one group's HyperLogLog: sparse (register → rank) or dense.
type hll struct {
	sparse map[uint16]uint8
	dense  []uint8
}

func (h *hll) add(hash uint64) {
	idx := uint16(hash >> hllQ)
	rank := uint8(bits.LeadingZeros64(hash<<hllP|1<<(hllP-1))) + 1
	h.set(idx, rank)
}

func (h *hll) set(idx uint16, rank uint8) {
	if h.dense != nil {
		if rank > h.dense[idx] {
			h.dense[idx] = rank
		}
		return
	}
	if h.sparse == nil {
		h.sparse = map[uint16]uint8{}
	}
	if rank > h.sparse[idx] {
		h.sparse[idx] = rank
	}
	if len(h.sparse) > hllSparseAt {
		h.dense = make([]uint8, hllM)
		for i, r := range h.sparse {
			h.dense[i] = r
		}
		h.sparse = nil
	}
}

func (h *hll) bytes() int64 {
	if h.dense != nil {
		return hllM
	}
	return int64(len(h.sparse)) * 8
}

// encode: 'd' + 2^14 registers, or 's' + (register u16, rank u8)…
func (h *hll) encode(dst []byte) []byte {
	if h.dense != nil {
		return append(append(dst, 'd'), h.dense...)
	}
	dst = append(dst, 's')
	keys := make([]uint16, 0, len(h.sparse))
	for k := range h.sparse {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = binary.LittleEndian.AppendUint16(dst, k)
		dst = append(dst, h.sparse[k])
	}
	return dst
}

func (h *hll) mergeEncoded(b []byte) error {
	if len(b) == 0 {
		return errBadSketch
	}
	switch b[0] {
	case 'd':
		if len(b) != 1+hllM {
			return errBadSketch
		}
		for i, r := range b[1:] {
			if r > hllQ+1 {
				return errBadSketch
			}
			if r > 0 {
				h.set(uint16(i), r)
			}
		}
	case 's':
		if (len(b)-1)%3 != 0 {
			return errBadSketch
		}
		for p := 1; p < len(b); p += 3 {
			idx, r := binary.LittleEndian.Uint16(b[p:]), b[p+2]
			if idx >= hllM || r > hllQ+1 {
				return errBadSketch
			}
			h.set(idx, r)
		}
	default:
		return errBadSketch
	}
	return nil
}

// estimate is Ertl's improved raw estimator over the register histogram.
func (h *hll) estimate() int64 {
	var c [hllQ + 2]float64
	if h.dense != nil {
		for _, r := range h.dense {
			c[r]++
		}
	} else {
		c[0] = hllM - float64(len(h.sparse))
		for _, r := range h.sparse {
			c[r]++
		}
	}
	const m = float64(hllM)
	z := m * hllTau(1-c[hllQ+1]/m)
	for k := hllQ; k >= 1; k-- {
		z = 0.5 * (z + c[k])
	}
	z += m * hllSigma(c[0]/m)
	return int64(math.Round(m * m / (2 * math.Ln2) / z))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += x * y
		y += y
		if z == prev {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if z == prev {
			return z / 3
		}
	}
}

type hllAcc struct {
	groups []hll
	key    []byte
	size   int64
}

func (a *hllAcc) grow(n int) {
	for len(a.groups) < n {
		a.groups = append(a.groups, hll{})
	}
}

func (a *hllAcc) update(gids []uint32, arg *coldata.Vec) {
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		a.key = appendKey(a.key[:0], arg, i)
		h := &a.groups[g]
		before := h.bytes()
		h.add(xxhash.Sum64(a.key))
		a.size += h.bytes() - before
	}
}

func (a *hllAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, g := range gids {
		if states[0].IsNull(i) {
			continue
		}
		h := &a.groups[g]
		before := h.bytes()
		if err := h.mergeEncoded(states[0].Bytes.Get(i)); err != nil {
			return sqlerr.New(sqlerr.InternalError, "approx_count_distinct: %v", err)
		}
		a.size += h.bytes() - before
	}
	return nil
}

func (a *hllAcc) memory() int64 { return a.size }

func (a *hllAcc) states(from, to int, out []*coldata.Vec) {
	var buf []byte
	for g := from; g < to; g++ {
		buf = a.groups[g].encode(buf[:0])
		out[0].Bytes.Append(buf)
	}
}

func (a *hllAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		out.Int64 = append(out.Int64, a.groups[g].estimate())
	}
}

// ddsketch is one group's logarithmic histogram: bucket i holds values in
// (γ^(i−1), γ^i] by magnitude, γ = (1+α)/(1−α).
type ddsketch struct {
	pos, neg map[int32]uint64
	zero     uint64
	n        uint64
}

var ddGamma = (1 + ddAlpha) / (1 - ddAlpha)
var ddLogGamma = math.Log(ddGamma)

func ddIndex(x float64) int32 { return int32(math.Ceil(math.Log(x) / ddLogGamma)) }

func (d *ddsketch) add(x float64, count uint64) {
	d.n += count
	switch {
	case x > ddMinValue:
		if d.pos == nil {
			d.pos = map[int32]uint64{}
		}
		d.pos[ddIndex(x)] += count
		collapse(d.pos)
	case x < -ddMinValue:
		if d.neg == nil {
			d.neg = map[int32]uint64{}
		}
		d.neg[ddIndex(-x)] += count
		collapse(d.neg)
	default:
		d.zero += count
	}
}

// collapse merges the lowest buckets into one while there are too many.
func collapse(m map[int32]uint64) {
	if len(m) <= ddMaxBuckets {
		return
	}
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	into := keys[len(keys)-ddMaxBuckets]
	for _, k := range keys[:len(keys)-ddMaxBuckets] {
		m[into] += m[k]
		delete(m, k)
	}
}

func (d *ddsketch) bytes() int64 { return int64(len(d.pos)+len(d.neg)) * 16 }

// quantile returns the value at rank f·(n−1): a bucket's midpoint
// 2γ^i/(γ+1), within α of every value in the bucket.
func (d *ddsketch) quantile(f float64) float64 {
	rank := f * float64(d.n-1)
	var seen float64
	mid := func(i int32) float64 { return 2 * math.Pow(ddGamma, float64(i)) / (ddGamma + 1) }
	neg := sortedKeys(d.neg)
	for k := len(neg) - 1; k >= 0; k-- { // largest magnitudes first
		seen += float64(d.neg[neg[k]])
		if seen > rank {
			return -mid(neg[k])
		}
	}
	seen += float64(d.zero)
	if seen > rank {
		return 0
	}
	pos := sortedKeys(d.pos)
	for _, i := range pos {
		seen += float64(d.pos[i])
		if seen > rank {
			return mid(i)
		}
	}
	if len(pos) > 0 {
		return mid(pos[len(pos)-1])
	}
	return 0
}

func sortedKeys(m map[int32]uint64) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// encode: zero count, then per sign a count of buckets and (index, count)
// pairs, all varints.
func (d *ddsketch) encode(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, d.zero)
	for _, m := range []map[int32]uint64{d.pos, d.neg} {
		keys := sortedKeys(m)
		dst = binary.AppendUvarint(dst, uint64(len(keys)))
		for _, k := range keys {
			dst = binary.AppendVarint(dst, int64(k))
			dst = binary.AppendUvarint(dst, m[k])
		}
	}
	return dst
}

func (d *ddsketch) mergeEncoded(b []byte) error {
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	zero, ok := next()
	if !ok {
		return errBadSketch
	}
	d.zero += zero
	d.n += zero
	for sign := range 2 {
		nk, ok := next()
		if !ok || nk > uint64(len(b)) {
			return errBadSketch
		}
		for range nk {
			k, n := binary.Varint(b)
			if n <= 0 || k < math.MinInt32 || k > math.MaxInt32 {
				return errBadSketch
			}
			b = b[n:]
			c, ok := next()
			if !ok {
				return errBadSketch
			}
			m := &d.pos
			if sign == 1 {
				m = &d.neg
			}
			if *m == nil {
				*m = map[int32]uint64{}
			}
			(*m)[int32(k)] += c
			d.n += c
		}
		if d.pos != nil {
			collapse(d.pos)
		}
		if d.neg != nil {
			collapse(d.neg)
		}
	}
	if len(b) != 0 {
		return errBadSketch
	}
	return nil
}

type ddAcc struct {
	fraction float64
	groups   []ddsketch
	size     int64
	err      error
}

func (a *ddAcc) grow(n int) {
	for len(a.groups) < n {
		a.groups = append(a.groups, ddsketch{})
	}
}

func (a *ddAcc) update(gids []uint32, arg *coldata.Vec) {
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		d := &a.groups[g]
		before := d.bytes()
		x := arg.Float64[i]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			a.err = sqlerr.New(sqlerr.FeatureNotSupported, "approx_percentile over NaN or infinite values is not supported")
			continue
		}
		d.add(x, 1)
		a.size += d.bytes() - before
	}
}

func (a *ddAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, g := range gids {
		if states[0].IsNull(i) {
			continue
		}
		d := &a.groups[g]
		before := d.bytes()
		if err := d.mergeEncoded(states[0].Bytes.Get(i)); err != nil {
			return sqlerr.New(sqlerr.InternalError, "approx_percentile: %v", err)
		}
		a.size += d.bytes() - before
	}
	return nil
}

func (a *ddAcc) memory() int64 { return a.size }

func (a *ddAcc) failure() error { return a.err }

func (a *ddAcc) states(from, to int, out []*coldata.Vec) {
	var buf []byte
	for g := from; g < to; g++ {
		buf = a.groups[g].encode(buf[:0])
		out[0].Bytes.Append(buf)
	}
}

func (a *ddAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		d := &a.groups[g]
		if d.n == 0 {
			out.AppendNull()
			continue
		}
		out.Float64 = append(out.Float64, d.quantile(a.fraction))
	}
}

// lookupSketch resolves approx_count_distinct(x) and
// approx_percentile(x, fraction).
func lookupSketch(c AggCall) (*AggDef, error) {
	d := &AggDef{Name: c.Name, States: []coldata.Type{coldata.Text}}
	switch c.Name {
	case "approx_count_distinct":
		if len(c.Args) != 1 || c.Distinct || c.Args[0] == coldata.TextArray || c.Args[0] == coldata.Jsonb {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function approx_count_distinct(%s) does not exist", typeList(c.Args))
		}
		d.Arg, d.Result = c.Args[0], coldata.Int64
		d.newAcc = func(*AggDef) accumulator { return &hllAcc{} }
	default:
		if len(c.Args) != 1 || c.Distinct || c.Args[0] != coldata.Float64 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function approx_percentile(%s) does not exist", typeList(c.Args)).
				WithHint("approx_percentile(value, fraction) takes a number and a constant fraction between 0 and 1.")
		}
		if c.Fraction < 0 || c.Fraction > 1 || math.IsNaN(c.Fraction) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "percentile value %g is not between 0 and 1", c.Fraction)
		}
		d.Arg, d.Result = coldata.Float64, coldata.Float64
		f := c.Fraction
		d.newAcc = func(*AggDef) accumulator { return &ddAcc{fraction: f} }
	}
	return d, nil
}
