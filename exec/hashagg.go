package exec

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"slices"

	"github.com/armorlake/armorlake/coldata"
)

// AggMode says which stages of the aggregation table an aggregation runs.
type AggMode uint8

// Aggregation modes.
const (
	// AggPartial folds raw rows and emits partial states (operators).
	AggPartial AggMode = iota
	// AggFinal merges partial states and emits final values (query node).
	AggFinal
	// AggComplete folds raw rows and emits final values (one node).
	AggComplete
	// AggCombine merges partial states and emits partial states: an
	// operator's shards' partial aggregates, combined before they are
	// sent.
	AggCombine
)

// merges reports whether the mode's input is partial states.
func (m AggMode) merges() bool { return m == AggFinal || m == AggCombine }

// emitsStates reports whether the mode's output is partial states.
func (m AggMode) emitsStates() bool { return m == AggPartial || m == AggCombine }

// AggSpec is one aggregate of a HashAgg. In AggPartial and AggComplete
// mode Arg computes the argument (nil for count(*)), More any further
// arguments and then the aggregate's ORDER BY keys, and Filter, when set,
// keeps the rows FILTER (WHERE …) admits; in AggFinal and AggCombine
// mode States lists the input columns holding the partial states.
type AggSpec struct {
	Def    *AggDef
	Arg    Expr
	More   []Expr
	Filter Expr
	States []int
}

// rowsAccumulator is an accumulator that takes several columns per row.
type rowsAccumulator interface {
	updateRows(gids []uint32, cols []*coldata.Vec)
}

// An accumulator whose memory grows with its input (not only with its
// groups) reports it, and one that can fail reports why.
type (
	memoryReporter interface{ memory() int64 }
	failingAcc     interface{ failure() error }
)

// HashAgg groups rows by the values of its key expressions and folds
// each group's rows into its aggregates. With no keys it yields exactly one
// row, even for empty input, as SQL requires.
type HashAgg struct {
	input  Operator
	mode   AggMode
	keys   []Expr
	aggs   []AggSpec
	budget *Budget

	groups map[string]uint32
	// Single-key fast paths: an integer key's groups by value, and the
	// group of a NULL key plus one (0: none yet).
	intGroups map[int64]uint32
	nullGroup int64
	// dictGroups holds, for a dictionary-coded key, the group of each of
	// the batch's values plus one (0: not looked up yet).
	dictGroups []uint32
	keyVecs    []*coldata.Vec
	accs       []accumulator
	ngroups    int

	rowKeys [][]byte
	// composite groups by two to four integer, timestamp, boolean or
	// text keys through ids of their values (assignComposite); nil when
	// the keys are of other types.
	composite *compositeKeys
	gids      []uint32
	stateIn   []*coldata.Vec
	sel       []int
	fgids     []uint32
	argCols   []*coldata.Vec
	// charged is what accumulators that report their memory are charged.
	charged int64

	done    bool
	emitted int
}

// NewHashAgg returns a hash aggregation. In AggFinal and AggCombine mode
// keys are the input's group columns (as column expressions).
func NewHashAgg(input Operator, mode AggMode, keys []Expr, aggs []AggSpec) *HashAgg {
	h := &HashAgg{input: input, mode: mode, keys: keys, aggs: aggs, groups: map[string]uint32{}}
	h.keyVecs = make([]*coldata.Vec, len(keys))
	for i, k := range keys {
		h.keyVecs[i] = coldata.NewVec(k.Type(), 16)
	}
	h.accs = make([]accumulator, len(aggs))
	for i, a := range aggs {
		h.accs[i] = a.Def.newAcc(a.Def)
	}
	if len(keys) == 0 {
		h.ngroups = 1
		for _, a := range h.accs {
			a.grow(1)
		}
	}
	if n := len(keys); n >= 2 && n <= maxCompositeKeys {
		ok := true
		for _, k := range keys {
			t := k.Type()
			ok = ok && (t == coldata.Text || t == coldata.Bool || t.InInt64())
		}
		if ok {
			h.composite = &compositeKeys{ids: make([]valueIDs, n), packed: map[uint64]uint32{}, groups: map[[maxCompositeKeys]uint32]uint32{}}
		}
	}
	return h
}

// OutputTypes returns the types of the rows HashAgg yields: the keys, then
// per aggregate its states (AggPartial) or its result.
func (h *HashAgg) OutputTypes() []coldata.Type {
	var ts []coldata.Type
	for _, k := range h.keys {
		ts = append(ts, k.Type())
	}
	for _, a := range h.aggs {
		if h.mode.emitsStates() {
			ts = append(ts, a.Def.States...)
		} else {
			ts = append(ts, a.Def.Result)
		}
	}
	return ts
}

func (h *HashAgg) consume(ctx context.Context) error {
	h.budget = budgetOf(ctx)
	exprs := append([]Expr(nil), h.keys...)
	for _, a := range h.aggs {
		exprs = append(exprs, a.Arg, a.Filter)
		exprs = append(exprs, a.More...)
	}
	armInterrupt(ctx, exprs...)
	for {
		b, err := h.input.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			return nil
		}
		if b.Len == 0 {
			continue
		}
		before := h.ngroups
		if err := h.add(b); err != nil {
			return interruptErr(ctx, err)
		}
		if err := h.chargeAccumulators(); err != nil {
			return err
		}
		if grown := h.ngroups - before; grown > 0 {
			// A group costs its key, its map entry and its states.
			if err := h.budget.Grow(int64(grown) * (64 + 24*int64(len(h.aggs)) + h.keyBytes())); err != nil {
				return err
			}
		}
	}
}

// chargeAccumulators charges the budget what accumulators that collect
// values have grown by.
func (h *HashAgg) chargeAccumulators() error {
	var total int64
	for _, a := range h.accs {
		if m, ok := a.(memoryReporter); ok {
			total += m.memory()
		}
	}
	if grown := total - h.charged; grown > 0 {
		h.charged = total
		return h.budget.Grow(grown)
	}
	return nil
}

// keyBytes is the average size of a group's key so far.
func (h *HashAgg) keyBytes() int64 {
	if h.ngroups == 0 {
		return 0
	}
	var total int64
	for _, v := range h.keyVecs {
		total += int64(len(v.Bytes.Data)) + 8*int64(v.Len())
	}
	return total / int64(h.ngroups)
}

func (h *HashAgg) add(b *coldata.Batch) error {
	n := b.Len
	if cap(h.gids) < n {
		h.gids = make([]uint32, n)
	}
	gids := h.gids[:n]
	if len(h.keys) == 0 {
		clear(gids)
	} else if err := h.assignGroups(b, gids); err != nil {
		return err
	}
	for i, a := range h.aggs {
		if h.mode.merges() {
			h.stateIn = h.stateIn[:0]
			for _, c := range a.States {
				h.stateIn = append(h.stateIn, b.Vecs[c])
			}
			if err := h.accs[i].merge(gids, h.stateIn); err != nil {
				return err
			}
			continue
		}
		if err := h.update(i, b, gids); err != nil {
			return err
		}
	}
	return nil
}

// update folds batch b into aggregate i: its FILTER, then its arguments.
func (h *HashAgg) update(i int, b *coldata.Batch, gids []uint32) error {
	a := &h.aggs[i]
	if c, ok := h.accs[i].(*countAcc); ok && c.star && len(h.keys) == 0 && a.Filter == nil {
		c.n[0] += int64(b.Len) // count(*) of one group: the batch's length
		return nil
	}
	var sel []int
	if a.Filter != nil {
		f, err := a.Filter.Eval(b)
		if err != nil {
			return err
		}
		sel = h.sel[:0]
		for r := range b.Len {
			if f.Bool[r] && !f.IsNull(r) {
				sel = append(sel, r)
			}
		}
		h.sel = sel
		if len(sel) == 0 {
			return nil
		}
		h.fgids = h.fgids[:0]
		for _, r := range sel {
			h.fgids = append(h.fgids, gids[r])
		}
		gids = h.fgids
	}
	cols := h.argCols[:0]
	for k := range 1 + len(a.More) {
		e := a.Arg
		if k > 0 {
			e = a.More[k-1]
		}
		if e == nil {
			if len(a.More) == 0 {
				cols = append(cols, nil) // count(*)
			}
			continue
		}
		v, err := e.Eval(b)
		if err != nil {
			return err
		}
		if sel != nil {
			v = v.Gather(sel)
		}
		cols = append(cols, v)
	}
	h.argCols = cols
	acc := h.accs[i]
	if ra, ok := acc.(rowsAccumulator); ok {
		ra.updateRows(gids, cols)
	} else {
		acc.update(gids, cols[0])
	}
	if fa, ok := acc.(failingAcc); ok {
		return fa.failure()
	}
	return nil
}

// assignGroups encodes each row's key column by column (one typed loop
// per key column), then looks the encoded keys up.
func (h *HashAgg) assignGroups(b *coldata.Batch, gids []uint32) error {
	if len(h.keys) == 1 {
		v, err := h.keys[0].Eval(b)
		if err != nil {
			return err
		}
		switch t := v.Type; {
		case v.Codes != nil:
			h.assignCodes(v, b.Len, gids)
			return nil
		case t == coldata.Text || t == coldata.Jsonb:
			h.assignBytes(v, b.Len, gids)
			return nil
		case t.InInt64():
			h.assignInts(v, b.Len, gids)
			return nil
		}
	}
	if h.composite != nil {
		return h.assignComposite(b, gids)
	}
	n := b.Len
	for len(h.rowKeys) < n {
		h.rowKeys = append(h.rowKeys, nil)
	}
	keys := h.rowKeys[:n]
	for i := range keys {
		keys[i] = keys[i][:0]
	}
	vecs := make([]*coldata.Vec, len(h.keys))
	for k, e := range h.keys {
		v, err := e.Eval(b)
		if err != nil {
			return err
		}
		vecs[k] = v
		appendKeyColumn(keys, v)
	}
	for i, key := range keys {
		// Stored rows come in runs of one source, so a key often
		// repeats the previous row's: no lookup then.
		if i > 0 && bytes.Equal(key, keys[i-1]) {
			gids[i] = gids[i-1]
			continue
		}
		g, ok := h.groups[string(key)]
		if !ok {
			g = uint32(h.ngroups)
			h.groups[string(key)] = g
			h.ngroups++
			for k, v := range vecs {
				h.keyVecs[k].AppendFrom(v, i)
			}
		}
		gids[i] = g
	}
	for _, a := range h.accs {
		a.grow(h.ngroups)
	}
	return nil
}

const maxCompositeKeys = 4

// compositeKeys finds groups of several keys without encoding them: each
// key's values are numbered as they first appear (valueIDs), and a group
// is found by its tuple of numbers.
type compositeKeys struct {
	ids []valueIDs
	// packed holds the groups whose ids fit in 64 bits together (two
	// keys always do; three or four while each id is below 2^16),
	// groups the others.
	packed map[uint64]uint32
	groups map[[maxCompositeKeys]uint32]uint32
	rowIDs [maxCompositeKeys][]uint32 // per key, the id of each row of the batch
	// cache holds recently found packed groups, direct-mapped by a hash
	// of the packed ids: a lookup is then a multiply and a compare.
	cache *[packedCacheSize]packedEntry
	// dense holds the group plus one of each tuple of ids laid out with
	// denseDims values per key (assignDense); 0 is a tuple not looked
	// up yet.
	dense     []uint32
	denseDims [maxCompositeKeys]uint32
}

// packedCacheSize is the number of entries of compositeKeys.cache, a
// power of two.
const packedCacheSize = 1 << 12

type packedEntry struct {
	key uint64
	g   uint32 // the group plus one; 0 for an empty entry
}

// slot returns the cache entry of packed key.
func (c *compositeKeys) slot(key uint64) *packedEntry {
	if c.cache == nil {
		c.cache = new([packedCacheSize]packedEntry)
	}
	return &c.cache[(key*0x9E3779B97F4A7C15)>>(64-12)]
}

// pack returns the ids of a tuple in one word, if they fit.
func (c *compositeKeys) pack(t *[maxCompositeKeys]uint32) (uint64, bool) {
	if len(c.ids) == 2 {
		return uint64(t[0]) | uint64(t[1])<<32, true
	}
	if t[0]|t[1]|t[2]|t[3] >= 1<<16 {
		return 0, false
	}
	return uint64(t[0]) | uint64(t[1])<<16 | uint64(t[2])<<32 | uint64(t[3])<<48, true
}

// valueIDs numbers the values of one key: text by its bytes, integers
// and booleans by value, NULL apart. Id 0 is never given.
type valueIDs struct {
	text map[string]uint32
	// few holds the first distinct text values, looked up by comparing
	// (cheaper than hashing while there are few); their ids are their
	// positions' order of appearance.
	few    [][]byte
	fewIDs []uint32
	ints   map[int64]uint32
	null   uint32
	lastID uint32
	// dict holds, for a dictionary-coded vector, the id of each of its
	// values looked up so far (0: not yet).
	dict []uint32
	// intCache holds recently numbered integers, direct-mapped.
	intCache *[intCacheSize]intEntry
}

// intCacheSize is the number of entries of valueIDs.intCache, a power of
// two.
const intCacheSize = 1 << 10

type intEntry struct {
	x  int64
	id uint32 // 0 for an empty entry
}

// maxFew is how many text values are looked up by comparison before the
// map takes over.
const maxFew = 8

// textID returns the id of text value b.
func (m *valueIDs) textID(b []byte) uint32 {
	for k, f := range m.few {
		if string(f) == string(b) {
			return m.fewIDs[k]
		}
	}
	if id, ok := m.text[string(b)]; ok {
		return id
	}
	m.lastID++
	if m.text == nil {
		m.text = map[string]uint32{}
	}
	if len(m.few) < maxFew {
		m.few = append(m.few, bytes.Clone(b))
		m.fewIDs = append(m.fewIDs, m.lastID)
	} else {
		m.text[string(b)] = m.lastID
	}
	return m.lastID
}

// of sets ids[i] to the number of each row's value of v, looking up only
// where the value differs from the previous row's.
func (m *valueIDs) of(v *coldata.Vec, n int, ids []uint32) {
	if v.Codes != nil {
		// A dictionary-coded vector: each distinct value is looked up
		// once, each row is an index.
		m.dict = slices.Grow(m.dict[:0], v.Bytes.Len())[:v.Bytes.Len()]
		clear(m.dict)
		if !v.Nulls.Any() && v.Bytes.Len() <= n {
			// Every value up front (no more of them than rows), then
			// a load per row.
			for c := range m.dict {
				m.dict[c] = m.textID(v.Bytes.Get(c))
			}
			for i, c := range v.Codes[:n] {
				ids[i] = m.dict[c]
			}
			return
		}
		for i, c := range v.Codes[:n] {
			if c < 0 {
				if m.null == 0 {
					m.lastID++
					m.null = m.lastID
				}
				ids[i] = m.null
				continue
			}
			id := m.dict[c]
			if id == 0 {
				id = m.textID(v.Bytes.Get(int(c)))
				m.dict[c] = id
			}
			ids[i] = id
		}
		return
	}
	hasNulls := v.Nulls.Any()
	if !hasNulls && v.Type.InInt64() {
		// The common case in a loop of its own: integers or times
		// without NULLs, in runs.
		prev, prevID := int64(0), uint32(0)
		for i, x := range v.Int64[:n] {
			if x != prev || prevID == 0 {
				prev, prevID = x, m.intID(x)
			}
			ids[i] = prevID
		}
		return
	}
	if v.Type.InInt64() {
		// Integers with NULLs: as above, NULL rows apart.
		prev, prevID := int64(0), uint32(0)
		for i, x := range v.Int64[:n] {
			if v.Nulls.Get(i) {
				if m.null == 0 {
					m.lastID++
					m.null = m.lastID
				}
				ids[i] = m.null
				continue
			}
			if x != prev || prevID == 0 {
				prev, prevID = x, m.intID(x)
			}
			ids[i] = prevID
		}
		return
	}
	text := v.Type == coldata.Text
	var prevText []byte
	prevInt, prevID := int64(0), uint32(0)
	for i := range n {
		if hasNulls && v.Nulls.Get(i) {
			if m.null == 0 {
				m.lastID++
				m.null = m.lastID
			}
			ids[i] = m.null
			continue
		}
		if text {
			b := v.Bytes.Get(i)
			if prevID == 0 || !bytes.Equal(b, prevText) {
				prevText, prevID = b, m.textID(b)
			}
		} else {
			x := int64(0)
			switch {
			case v.Type != coldata.Bool:
				x = v.Int64[i]
			case v.Bool[i]:
				x = 1
			}
			if prevID == 0 || x != prevInt {
				prevInt, prevID = x, m.intID(x)
			}
		}
		ids[i] = prevID
	}
}

// intID returns the id of integer (or boolean) value x.
func (m *valueIDs) intID(x int64) uint32 {
	if m.intCache == nil {
		m.intCache = new([intCacheSize]intEntry)
	}
	e := &m.intCache[(uint64(x)*0x9E3779B97F4A7C15)>>(64-10)]
	if e.id != 0 && e.x == x {
		return e.id
	}
	id, ok := m.ints[x]
	if !ok {
		if m.ints == nil {
			m.ints = map[int64]uint32{}
		}
		m.lastID++
		id = m.lastID
		m.ints[x] = id
	}
	*e = intEntry{x: x, id: id}
	return id
}

// maxDense bounds compositeKeys.dense: the product of the keys' counts
// of distinct values (plus one each) it indexes.
const maxDense = 1 << 16

// assignDense assigns the rows their groups through a table indexed by
// their keys' ids, when the ids seen so far are few enough that every
// tuple of them has a slot: a row is then a multiply-add and a load.
// It reports false, assigning nothing, when they are not.
func (c *compositeKeys) assignDense(h *HashAgg, vecs []*coldata.Vec, n int, gids []uint32) bool {
	var dims [maxCompositeKeys]uint32
	size := 1
	for k := range c.ids {
		dims[k] = c.ids[k].lastID + 1
		if size *= int(dims[k]); size > maxDense {
			return false
		}
	}
	if dims != c.denseDims {
		// New values since the table was laid out: lay it out again,
		// empty; the groups it held are found again by their ids.
		c.dense = slices.Grow(c.dense[:0], size)[:size]
		clear(c.dense)
		c.denseDims = dims
	}
	ids := &c.rowIDs
	if len(c.ids) == 2 {
		d0, a, b := dims[0], ids[0][:n], ids[1][:n]
		for i := range n {
			idx := a[i] + d0*b[i]
			g := c.dense[idx]
			if g == 0 {
				tuple := [maxCompositeKeys]uint32{a[i], b[i]}
				g = c.find(h, &tuple, vecs, i) + 1
				c.dense[idx] = g
			}
			gids[i] = g - 1
		}
		return true
	}
	for i := range n {
		idx, stride := 0, 1
		for k := range c.ids {
			idx += int(ids[k][i]) * stride
			stride *= int(dims[k])
		}
		g := c.dense[idx]
		if g == 0 {
			var tuple [maxCompositeKeys]uint32
			for k := range c.ids {
				tuple[k] = ids[k][i]
			}
			g = c.find(h, &tuple, vecs, i) + 1
			c.dense[idx] = g
		}
		gids[i] = g - 1
	}
	return true
}

// find returns the group of a tuple of ids, row i of vecs, adding it if
// it is new.
func (c *compositeKeys) find(h *HashAgg, tuple *[maxCompositeKeys]uint32, vecs []*coldata.Vec, i int) uint32 {
	key, packed := c.pack(tuple)
	var g uint32
	var ok bool
	if packed {
		g, ok = c.packed[key]
	} else {
		g, ok = c.groups[*tuple]
	}
	if ok {
		return g
	}
	g = uint32(h.ngroups)
	h.ngroups++
	if packed {
		c.packed[key] = g
	} else {
		c.groups[*tuple] = g
	}
	for k, v := range vecs {
		h.keyVecs[k].AppendFrom(v, i)
	}
	return g
}

// assignComposite assigns each row its group through its keys' value ids.
func (h *HashAgg) assignComposite(b *coldata.Batch, gids []uint32) error {
	c := h.composite
	n := b.Len
	vecs := make([]*coldata.Vec, len(h.keys))
	for k, e := range h.keys {
		v, err := e.Eval(b)
		if err != nil {
			return err
		}
		vecs[k] = v
		c.rowIDs[k] = slices.Grow(c.rowIDs[k][:0], n)[:n]
		c.ids[k].of(v, n, c.rowIDs[k])
	}
	if c.assignDense(h, vecs, n, gids) {
		for _, a := range h.accs {
			a.grow(h.ngroups)
		}
		return nil
	}
	var tuple, prev [maxCompositeKeys]uint32
	prevG, havePrev := uint32(0), false
	for i := range n {
		for k := range vecs {
			tuple[k] = c.rowIDs[k][i]
		}
		if havePrev && tuple == prev {
			gids[i] = prevG
			continue
		}
		key, packed := c.pack(&tuple)
		var e *packedEntry
		if packed {
			if e = c.slot(key); e.g != 0 && e.key == key {
				gids[i], prev, prevG, havePrev = e.g-1, tuple, e.g-1, true
				continue
			}
		}
		g := c.find(h, &tuple, vecs, i)
		if e != nil {
			*e = packedEntry{key: key, g: g + 1}
		}
		gids[i], prev, prevG, havePrev = g, tuple, g, true
	}
	for _, a := range h.accs {
		a.grow(h.ngroups)
	}
	return nil
}

// appendKeyColumn appends to each row's key an unambiguous encoding of
// its value in v: a NULL marker byte, then fixed-width or length-prefixed
// bytes.
func appendKeyColumn(keys [][]byte, v *coldata.Vec) {
	hasNulls := v.Nulls.Any()
	switch {
	case v.Type == coldata.Bool:
		for i := range keys {
			switch {
			case hasNulls && v.Nulls.Get(i):
				keys[i] = append(keys[i], 2)
			case v.Bool[i]:
				keys[i] = append(keys[i], 1)
			default:
				keys[i] = append(keys[i], 0)
			}
		}
	case v.Type.InInt64():
		for i := range keys {
			if hasNulls && v.Nulls.Get(i) {
				keys[i] = append(keys[i], 1)
				continue
			}
			keys[i] = binary.LittleEndian.AppendUint64(append(keys[i], 0), uint64(v.Int64[i]))
		}
	case v.Type.IsFloat():
		for i := range keys {
			if hasNulls && v.Nulls.Get(i) {
				keys[i] = append(keys[i], 1)
				continue
			}
			f := v.Float64[i]
			if f == 0 {
				f = 0 // -0 and +0 are one group
			}
			if math.IsNaN(f) {
				f = math.NaN()
			}
			keys[i] = binary.LittleEndian.AppendUint64(append(keys[i], 0), math.Float64bits(f))
		}
	case v.Type == coldata.TextArray:
		for i := range keys {
			if hasNulls && v.Nulls.Get(i) {
				keys[i] = append(keys[i], 1)
				continue
			}
			keys[i] = binary.AppendUvarint(append(keys[i], 0), uint64(v.ArrayLen(i)))
			for j := 0; j < v.ArrayLen(i); j++ {
				e := v.ArrayElem(i, j)
				keys[i] = append(binary.AppendUvarint(keys[i], uint64(len(e))), e...)
			}
		}
	case v.Type == coldata.Interval:
		// Intervals equal under PostgreSQL's ordering group together:
		// '1 mon' and '30 days'.
		for i := range keys {
			if hasNulls && v.Nulls.Get(i) {
				keys[i] = append(keys[i], 1)
				continue
			}
			keys[i] = coldata.AppendIntervalKey(append(keys[i], 0), v.IntervalAt(i))
		}
	default:
		for i := range keys {
			if hasNulls && v.Nulls.Get(i) {
				keys[i] = append(keys[i], 1)
				continue
			}
			s := v.Bytes.Get(i)
			keys[i] = append(binary.AppendUvarint(append(keys[i], 0), uint64(len(s))), s...)
		}
	}
}

// Next implements Operator.
func (h *HashAgg) Next(ctx context.Context) (*coldata.Batch, error) {
	if !h.done {
		if err := h.consume(ctx); err != nil {
			return nil, err
		}
		h.done = true
	}
	if h.emitted >= h.ngroups {
		return nil, nil
	}
	from := h.emitted
	to := min(from+BatchSize, h.ngroups)
	h.emitted = to
	out := coldata.NewBatch(h.OutputTypes(), to-from)
	out.Len = to - from
	c := 0
	for k := range h.keys {
		out.Vecs[c] = h.keyVecs[k].Slice(from, to)
		c++
	}
	for i, a := range h.aggs {
		if h.mode.emitsStates() {
			n := len(a.Def.States)
			h.accs[i].states(from, to, out.Vecs[c:c+n])
			c += n
		} else {
			h.accs[i].final(from, to, out.Vecs[c])
			if fa, ok := h.accs[i].(failingAcc); ok && fa.failure() != nil {
				return nil, fa.failure()
			}
			c++
		}
	}
	return out, nil
}

// Close implements Operator.
func (h *HashAgg) Close() error { return h.input.Close() }

// BatchSize is the number of rows operators aim to put in a batch.
const BatchSize = 4096

// newGroup adds a group whose key is row i of v.
func (h *HashAgg) newGroup(v *coldata.Vec, i int) uint32 {
	g := uint32(h.ngroups)
	h.ngroups++
	h.keyVecs[0].AppendFrom(v, i)
	return g
}

func (h *HashAgg) nullKey(v *coldata.Vec, i int) uint32 {
	if h.nullGroup == 0 {
		h.nullGroup = int64(h.newGroup(v, i)) + 1
	}
	return uint32(h.nullGroup - 1)
}

// assignBytes looks a text-like key up by its bytes, without encoding it.
func (h *HashAgg) assignBytes(v *coldata.Vec, n int, gids []uint32) {
	hasNulls := v.Nulls.Any()
	var prev []byte
	prevG := uint32(0)
	havePrev := false
	for i := range n {
		if hasNulls && v.Nulls.Get(i) {
			gids[i] = h.nullKey(v, i)
			continue
		}
		key := v.Bytes.Get(i)
		if havePrev && bytes.Equal(key, prev) {
			gids[i] = prevG // a run of one value: no lookup
			continue
		}
		g, ok := h.groups[string(key)]
		if !ok {
			g = h.newGroup(v, i)
			h.groups[string(key)] = g
		}
		gids[i] = g
		prev, prevG, havePrev = key, g, true
	}
	for _, a := range h.accs {
		a.grow(h.ngroups)
	}
}

// assignCodes looks a dictionary-coded text key up once per distinct
// value of the batch: each row is then an index.
func (h *HashAgg) assignCodes(v *coldata.Vec, n int, gids []uint32) {
	d := slices.Grow(h.dictGroups[:0], v.Bytes.Len())[:v.Bytes.Len()]
	clear(d)
	h.dictGroups = d
	for i, c := range v.Codes[:n] {
		if c < 0 {
			gids[i] = h.nullKey(v, i)
			continue
		}
		g := d[c]
		if g == 0 {
			key := v.Bytes.Get(int(c))
			found, ok := h.groups[string(key)]
			if !ok {
				found = h.newGroup(v, i)
				h.groups[string(key)] = found
			}
			g = found + 1
			d[c] = g
		}
		gids[i] = g - 1
	}
	for _, a := range h.accs {
		a.grow(h.ngroups)
	}
}

// assignInts looks an integer or timestamp key up by value.
func (h *HashAgg) assignInts(v *coldata.Vec, n int, gids []uint32) {
	if h.intGroups == nil {
		h.intGroups = map[int64]uint32{}
	}
	hasNulls := v.Nulls.Any()
	prev, prevG, havePrev := int64(0), uint32(0), false
	for i, x := range v.Int64[:n] {
		if hasNulls && v.Nulls.Get(i) {
			gids[i] = h.nullKey(v, i)
			continue
		}
		if havePrev && x == prev {
			gids[i] = prevG
			continue
		}
		g, ok := h.intGroups[x]
		if !ok {
			g = h.newGroup(v, i)
			h.intGroups[x] = g
		}
		gids[i] = g
		prev, prevG, havePrev = x, g, true
	}
	for _, a := range h.accs {
		a.grow(h.ngroups)
	}
}
