package exec

import (
	"math"
	"slices"
	"strconv"

	"github.com/cespare/xxhash/v2"

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
	sets  []bytesSet
	key   []byte
	err   error
	// batch deduplicates a batch's (group, value) pairs; codeHashes
	// holds the hash of each value of a coded argument's dictionary (0:
	// not computed yet).
	batch      []batchSlot
	codeHashes []uint64
	pend       []pendingAdd
	sink       uint64
	values     int // values added to the sets (adopted ones not counted)
}

// maxDistinctBytes bounds one group's set: its arena is addressed by
// 32-bit offsets.
const maxDistinctBytes = 1<<32 - 2

func (a *distinctAcc) grow(n int) {
	for len(a.sets) < n {
		a.sets = append(a.sets, bytesSet{})
	}
}

func (a *distinctAcc) add(g uint32, key []byte) {
	a.addHashed(g, key, xxhash.Sum64(key))
}

func (a *distinctAcc) addHashed(g uint32, key []byte, h uint64) {
	set := &a.sets[g]
	if len(set.arena)+len(key) > maxDistinctBytes {
		a.tooMany()
		return
	}
	if set.addHashed(key, h) {
		a.values++
	}
}

// tooMany records that a group's set outgrew maxDistinctBytes.
func (a *distinctAcc) tooMany() {
	if a.err == nil {
		a.err = sqlerr.New(sqlerr.ProgramLimitExceeded, "%s(DISTINCT …): more than 4 GB of distinct values in one group", a.inner.Name)
	}
}

func (a *distinctAcc) update(gids []uint32, arg *coldata.Vec) {
	switch {
	case arg.Codes != nil:
		a.updateCoded(gids, arg)
		return
	case arg.Type == coldata.Text:
		a.updateText(gids, arg)
		return
	}
	// Other types are written as canonical text. A value already in the
	// set costs a hash and a comparison.
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		a.key = appendKey(a.key[:0], arg, i)
		a.add(g, a.key)
	}
}

// A batch's rows repeat (group, value) pairs: one source reads the same
// files again and again. The batch's pairs are first deduplicated in a
// table of the batch's size, which stays in cache, so that only a pair's
// first row reaches its group's set, whose table may be far larger than
// the cache.
type batchSlot struct {
	h   uint64 // the pair's hash
	g   uint32
	row int32 // the pair's first row plus one; 0 for an empty slot
}

// batchTable returns an empty table for n rows.
func (a *distinctAcc) batchTable(n int) []batchSlot {
	size := 16
	for size < 2*n {
		size *= 2
	}
	t := slices.Grow(a.batch[:0], size)[:size]
	clear(t)
	a.batch = t
	return t
}

// pairHash mixes a value's hash with its group.
func pairHash(h uint64, g uint32) uint64 { return h ^ (uint64(g)+1)*0x9E3779B97F4A7C15 }

// updateText adds text values, each (group, value) pair of the batch once.
func (a *distinctAcc) updateText(gids []uint32, arg *coldata.Vec) {
	t := a.batchTable(len(gids))
	mask := uint64(len(t) - 1)
	hasNulls := arg.Nulls.Any()
	for i, g := range gids {
		if hasNulls && arg.IsNull(i) {
			continue
		}
		v := arg.Bytes.Get(i)
		h := xxhash.Sum64(v)
		ph := pairHash(h, g)
		for j := ph & mask; ; j = (j + 1) & mask {
			s := &t[j]
			if s.row == 0 {
				*s = batchSlot{h: ph, g: g, row: int32(i) + 1}
				a.pend = append(a.pend, pendingAdd{h: h, g: g, idx: int32(i)})
				break
			}
			if s.h == ph && s.g == g && string(arg.Bytes.Get(int(s.row-1))) == string(v) {
				break
			}
		}
	}
	a.addPending(&arg.Bytes)
}

// updateCoded adds a dictionary-coded text argument: each (group, code)
// pair of the batch once, each code's value hashed once.
func (a *distinctAcc) updateCoded(gids []uint32, arg *coldata.Vec) {
	ndict := arg.Bytes.Len()
	hashes := slices.Grow(a.codeHashes[:0], ndict)[:ndict]
	clear(hashes)
	a.codeHashes = hashes
	t := a.batchTable(len(gids))
	mask := uint64(len(t) - 1)
	for i, g := range gids {
		c := arg.Codes[i]
		if c < 0 {
			continue
		}
		ph := pairHash(uint64(c), g)
		for j := ph & mask; ; j = (j + 1) & mask {
			s := &t[j]
			if s.row == 0 {
				*s = batchSlot{h: ph, g: g, row: c + 1}
				v := arg.Bytes.Get(int(c))
				h := hashes[c]
				if h == 0 {
					// (A value whose hash is 0 is hashed each time.)
					h = xxhash.Sum64(v)
					hashes[c] = h
				}
				a.pend = append(a.pend, pendingAdd{h: h, g: g, idx: c})
				break
			}
			if s.g == g && s.row == c+1 {
				break
			}
		}
	}
	a.addPending(&arg.Bytes)
}

// A batch's new (group, value) pairs are added to their sets together:
// most miss the cache twice, at the probed slot and at the bytes it
// points to. Loading every pair's slot first, then the bytes of every
// slot whose hash matches, lets those misses overlap, the loads of one
// pass being independent of each other; the adds that follow find the
// lines in cache.
// cachedValues is how many values the sets together hold before
// addPending overlaps their misses: about 1 MiB of slots and bytes.
const cachedValues = 1 << 14

type pendingAdd struct {
	h   uint64
	g   uint32
	idx int32 // the value's index in the batch's Bytes
}

func (a *distinctAcc) addPending(b *coldata.Bytes) {
	if a.values < cachedValues {
		// The sets still fit in the cache: nothing to overlap.
		for _, p := range a.pend {
			a.addHashed(p.g, b.Get(int(p.idx)), p.h)
		}
		a.pend = a.pend[:0]
		return
	}
	var sink uint64
	for _, p := range a.pend {
		s := &a.sets[p.g]
		if len(s.slots) > 0 {
			sink += s.slots[p.h&uint64(len(s.slots)-1)].hash
		}
	}
	for _, p := range a.pend {
		s := &a.sets[p.g]
		if len(s.slots) == 0 {
			continue
		}
		if sl := &s.slots[p.h&uint64(len(s.slots)-1)]; sl.hash == p.h && sl.start < sl.end-1 && sl.end-1 <= uint32(len(s.arena)) {
			// (Both ends: a value may straddle two cache lines.)
			sink += uint64(s.arena[sl.start]) + uint64(s.arena[sl.end-2])
		}
	}
	a.sink = sink // (used, so that the loads stay)
	for _, p := range a.pend {
		a.addHashed(p.g, b.Get(int(p.idx)), p.h)
	}
	a.pend = a.pend[:0]
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
		set := &a.sets[g]
		if lo, hi := s.Arr[i], s.Arr[i+1]; set.len() == 0 && hi > lo {
			// A state is a set: the first one a group gets is taken
			// whole, unhashed (most groups get one).
			offs := s.Bytes.Offs
			if int64(offs[hi]-offs[lo]) > maxDistinctBytes {
				a.tooMany()
				return a.err
			}
			set.adopt(s.Bytes.Data[offs[lo]:offs[hi]], offs[lo+1:hi+1], offs[lo])
			continue
		}
		// The elements go through addPending, a batch at a time, so
		// that their misses in a large set overlap.
		for e := s.Arr[i]; e < s.Arr[i+1]; e++ {
			a.pend = append(a.pend, pendingAdd{h: xxhash.Sum64(s.Bytes.Get(int(e))), g: g, idx: e})
			if len(a.pend) == BatchSize {
				a.addPending(&s.Bytes)
			}
		}
	}
	a.addPending(&s.Bytes)
	return a.err
}

func (a *distinctAcc) memory() int64 {
	var n int64
	for i := range a.sets {
		n += a.sets[i].bytes()
	}
	return n
}

func (a *distinctAcc) failure() error { return a.err }

func (a *distinctAcc) states(from, to int, out []*coldata.Vec) {
	v := out[0]
	// Room for every element first: sets of a million values would
	// otherwise grow the vector's arena a doubling at a time.
	size, count := 0, 0
	for g := from; g < to; g++ {
		size += len(a.sets[g].arena)
		count += a.sets[g].len()
	}
	v.Bytes.Data = slices.Grow(v.Bytes.Data, size)
	v.Bytes.Offs = slices.Grow(v.Bytes.Offs, count+1)
	for g := from; g < to; g++ {
		// One text[] row: the elements, then the row's end.
		a.sets[g].walk(func(x []byte) { v.Bytes.Append(x) })
		v.Arr = append(v.Arr, int32(v.Bytes.Len()))
	}
}

func (a *distinctAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		set := &a.sets[g]
		if a.inner.Name == "count" {
			out.Int64 = append(out.Int64, int64(set.len()))
			continue
		}
		vals := coldata.NewVec(a.typ, set.len())
		set.walk(func(k []byte) { appendFromKey(vals, k) })
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

func appendFromKey(v *coldata.Vec, k []byte) {
	switch t := v.Type; {
	case t == coldata.Bool:
		v.Bool = append(v.Bool, string(k) == "t")
	case t.InInt64():
		x, _ := strconv.ParseInt(string(k), 10, 64)
		v.Int64 = append(v.Int64, x)
	case t.IsFloat():
		b, _ := strconv.ParseUint(string(k), 16, 64)
		v.Float64 = append(v.Float64, math.Float64frombits(b))
	default:
		v.Bytes.Append(k)
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
