package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/armorlake/armorlake/coldata"
)

// chunkEncoder encodes column chunks. It keeps scratch buffers from one
// call to the next, so an Append reuses one encoder for all its chunks. It
// is not safe for concurrent use.
type chunkEncoder struct {
	ints   []int64
	floats []float64
	bools  []bool
	plain  []byte
	dict   dictBuilder
	// patchWidth is the packing width appendInts chose for
	// encPatchedDelta.
	patchWidth int
	// A text chunk's summary (meta.go) and bloom filter, and scratch.
	summary []byte
	bloom   []byte
	counts  []int64
	hashes  hashSet
	one     [1][]byte
}

// chunkInfo describes an encoded chunk for the block metadata.
type chunkInfo struct {
	enc      encoding
	nulls    int
	min, max int64  // integer and timestamp chunks with a non-NULL value
	size     int    // bytes of the stored value, checksum included
	crc      uint32 // the value's trailing CRC32C
	// Text-like chunks: the encoded summary for the metadata and the
	// bloom filter value (nil for none), valid until the next chunk.
	summary []byte
	bloom   []byte
}

// rowSet is the rows of a Vec that a chunk holds, in chunk order: rows
// [lo, hi), or, when sel is set, rows sel[lo:hi]. Encoding through sel
// stores rows in another order than they were appended (grouped by
// stream) without first copying them into that order.
type rowSet struct {
	lo, hi int
	sel    []int
	// asc is sel[lo:hi] in ascending order, when sel is set: a dictionary
	// is built reading the rows in the order they lie in memory, which
	// costs a third of reading them scattered.
	asc []int
}

func (r rowSet) n() int { return r.hi - r.lo }

// at returns the Vec row of the chunk's k-th row.
func (r rowSet) at(k int) int {
	if r.sel != nil {
		return r.sel[r.lo+k]
	}
	return r.lo + k
}

// appendChunk appends the chunk of rows [lo, hi) of v, checksum included,
// to dst.
func (e *chunkEncoder) appendChunk(dst []byte, v *coldata.Vec, lo, hi int) ([]byte, chunkInfo) {
	return e.appendRows(dst, v, rowSet{lo: lo, hi: hi})
}

// appendRows appends the chunk of rows rs of v, checksum included, to dst.
// It picks the encoding from the data: const when the non-NULL values are
// all equal, delta or plain for integers (whichever is smaller), a
// dictionary, zstd or plain for strings.
func (e *chunkEncoder) appendRows(dst []byte, v *coldata.Vec, rs rowSet) ([]byte, chunkInfo) {
	start := len(dst)
	n := rs.n()
	info := chunkInfo{nulls: countNullRows(v.Nulls, rs)}
	dst = append(dst, byte(v.Type), 0) // the encoding byte is set below
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(info.nulls))
	if info.nulls > 0 && info.nulls < n {
		dst = appendBitmap(dst, v.Nulls, rs)
	}
	switch t := v.Type; {
	case info.nulls == n:
		info.enc = encConst
		if t.IsBytes() {
			info.summary = append(e.summary[:0], 0)
			e.summary = info.summary
		}
	case t == coldata.Bool:
		dst, info.enc = e.appendBools(dst, v, rs, info.nulls)
	case isIntType(t):
		dst, info.enc, info.min, info.max = e.appendInts(dst, v, rs, info.nulls)
	case t.IsFloat():
		dst, info.enc = e.appendFloats(dst, v, rs, info.nulls)
	case t.IsBytes():
		dst, info.enc = e.appendBytes(dst, v, rs, info.nulls)
		info.summary, info.bloom = e.summarize(v, rs, info.nulls, info.enc)
	case t == coldata.TextArray:
		dst, info.enc = e.appendArrays(dst, v, rs, info.nulls)
	}
	dst[start+1] = byte(info.enc)
	dst, info.crc = appendChecksum(dst, start)
	info.size = len(dst) - start
	return dst, info
}

// countNulls counts the NULL rows in [lo, hi).
func countNulls(n coldata.Nulls, lo, hi int) int {
	c := 0
	for w := lo >> 6; w < len(n) && w<<6 < hi; w++ {
		word, base := n[w], w<<6
		if base < lo {
			word &= ^uint64(0) << uint(lo-base)
		}
		if base+64 > hi {
			word &= 1<<uint(hi-base) - 1
		}
		c += bits.OnesCount64(word)
	}
	return c
}

// countNullRows counts the NULL rows of rs.
func countNullRows(n coldata.Nulls, rs rowSet) int {
	if rs.sel == nil {
		return countNulls(n, rs.lo, rs.hi)
	}
	if len(n) == 0 {
		return 0
	}
	c := 0
	for _, i := range rs.sel[rs.lo:rs.hi] {
		if n.Get(i) {
			c++
		}
	}
	return c
}

// appendBitmap appends the null bitmap of rs: bit k%8 of byte k/8 is set
// when the chunk's row k is NULL.
func appendBitmap(dst []byte, n coldata.Nulls, rs rowSet) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, (rs.n()+7)/8)...)
	bm := dst[start:]
	for k := range rs.n() {
		if n.Get(rs.at(k)) {
			bm[k>>3] |= 1 << (k & 7)
		}
	}
	return dst
}

// nonNull returns the values of rs that are not NULL, gathered into
// scratch unless they are a contiguous run of vals.
func nonNull[T any](scratch []T, vals []T, n coldata.Nulls, rs rowSet, nulls int) ([]T, []T) {
	if nulls == 0 && rs.sel == nil {
		return scratch, vals[rs.lo:rs.hi]
	}
	scratch = scratch[:0]
	for k := range rs.n() {
		if i := rs.at(k); nulls == 0 || !n.Get(i) {
			scratch = append(scratch, vals[i])
		}
	}
	return scratch, scratch
}

func (e *chunkEncoder) appendInts(dst []byte, v *coldata.Vec, rs rowSet, nulls int) ([]byte, encoding, int64, int64) {
	var vals []int64
	e.ints, vals = nonNull(e.ints, v.Int64, v.Nulls, rs, nulls)
	mn, mx, prev := vals[0], vals[0], int64(0)
	dmin, dmax := int64(0), int64(0) // of the differences after the first
	var widths [65]int               // of the zigzagged differences after the first
	for i, x := range vals {
		mn, mx = min(mn, x), max(mx, x)
		d := x - prev // wraps like int64 arithmetic
		z := zigzag(d)
		if i == 1 {
			dmin, dmax = d, d
		} else if i > 1 {
			dmin, dmax = min(dmin, d), max(dmax, d)
		}
		if i > 0 {
			widths[bits.Len64(z)]++
		}
		prev = x
	}
	if mn == mx {
		return binary.LittleEndian.AppendUint64(dst, uint64(mn)), encConst, mn, mx
	}
	n := len(vals)
	// The candidates' sizes; packed ones only up to maxPackWidth bits.
	forWidth := bits.Len64(uint64(mx) - uint64(mn))
	dforWidth := bits.Len64(uint64(dmax) - uint64(dmin))
	best, size := encPlain, 8*n
	if s := uvarintLen(zigzag(mn)) + 1 + (n*forWidth+7)/8; forWidth <= maxPackWidth && s < size {
		best, size = encFOR, s
	}
	if s := uvarintLen(zigzag(vals[0])) + uvarintLen(zigzag(dmin)) + 1 + ((n-1)*dforWidth+7)/8; dforWidth <= maxPackWidth && s < size {
		best, size = encDeltaFOR, s
	}
	if pw, s := patchedWidth(&widths, n, vals[0]); s < size {
		best, size, e.patchWidth = encPatchedDelta, s, pw
	}
	// encDelta (varint differences) is no longer written: they decode one
	// at a time, several times slower than packed values, and the patched
	// encoding is within a few percent of their size on every shape that
	// favours them.
	switch best {
	case encFOR:
		// ref:zigzag-uvarint width:u8 packed(value - ref)
		dst = binary.AppendUvarint(dst, zigzag(mn))
		dst = append(dst, byte(forWidth))
		p := newPacker(dst, forWidth)
		for _, x := range vals {
			p.add(uint64(x) - uint64(mn))
		}
		dst = p.done()
	case encPatchedDelta:
		dst = e.appendPatched(dst, vals)
	case encDeltaFOR:
		// first, ref: zigzag-uvarint; width:u8; packed(difference - ref),
		// n-1 of them
		dst = binary.AppendUvarint(dst, zigzag(vals[0]))
		dst = binary.AppendUvarint(dst, zigzag(dmin))
		dst = append(dst, byte(dforWidth))
		p := newPacker(dst, dforWidth)
		for i := 1; i < n; i++ {
			p.add(uint64(vals[i]-vals[i-1]) - uint64(dmin))
		}
		dst = p.done()
	default:
		for _, x := range vals {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(x))
		}
	}
	return dst, best, mn, mx
}

// patchedWidth returns the packing width that makes the patched delta
// encoding of n values smallest, given how many zigzagged differences
// have each bit length, and that size. Exceptions are charged their
// varint gap and high bits.
func patchedWidth(widths *[65]int, n int, first int64) (width, size int) {
	size = math.MaxInt
	for w := 0; w <= maxPackWidth; w++ {
		s := uvarintLen(zigzag(first)) + 1 + ((n-1)*w+7)/8
		exc := 0
		for l := w + 1; l <= 64; l++ {
			if c := widths[l]; c > 0 {
				exc += c
				// gap: usually one byte; high bits: l-w of them.
				s += c * (1 + (l-w+6)/7)
			}
		}
		s += uvarintLen(uint64(exc))
		if s < size {
			width, size = w, s
		}
	}
	return width, size
}

// appendPatched appends vals in the patched delta encoding at width
// e.patchWidth:
//
//	first:zigzag-uvarint width:u8 exceptions:uvarint
//	packed(low width bits of zigzag(difference)), n-1 of them
//	per exception: gap:uvarint (from the previous one's index, the first
//	from 0) high:uvarint (the zigzag shifted right by width, nonzero)
func (e *chunkEncoder) appendPatched(dst []byte, vals []int64) []byte {
	w := e.patchWidth
	mask := uint64(1)<<uint(w) - 1
	exc := 0
	for i := 1; i < len(vals); i++ {
		if zigzag(vals[i]-vals[i-1])>>uint(w) != 0 {
			exc++
		}
	}
	dst = binary.AppendUvarint(dst, zigzag(vals[0]))
	dst = append(dst, byte(w))
	dst = binary.AppendUvarint(dst, uint64(exc))
	p := newPacker(dst, w)
	for i := 1; i < len(vals); i++ {
		p.add(zigzag(vals[i]-vals[i-1]) & mask)
	}
	dst = p.done()
	last := 0
	for i := 1; i < len(vals); i++ {
		if hi := zigzag(vals[i]-vals[i-1]) >> uint(w); hi != 0 {
			dst = binary.AppendUvarint(dst, uint64(i-1-last))
			dst = binary.AppendUvarint(dst, hi)
			last = i - 1
		}
	}
	return dst
}

// packer appends values of width bits (at most maxPackWidth), least
// significant bit first, with 0 bits after the last.
type packer struct {
	dst   []byte
	acc   uint64
	n     int // bits in acc
	width int
}

func newPacker(dst []byte, width int) packer { return packer{dst: dst, width: width} }

func (p *packer) add(x uint64) {
	p.acc |= x << p.n
	p.n += p.width
	for p.n >= 8 {
		p.dst = append(p.dst, byte(p.acc))
		p.acc >>= 8
		p.n -= 8
	}
}

func (p *packer) done() []byte {
	if p.n > 0 {
		p.dst = append(p.dst, byte(p.acc))
	}
	return p.dst
}

func (e *chunkEncoder) appendFloats(dst []byte, v *coldata.Vec, rs rowSet, nulls int) ([]byte, encoding) {
	var vals []float64
	e.floats, vals = nonNull(e.floats, v.Float64, v.Nulls, rs, nulls)
	// Compare bits, not values: -0 and 0 differ, and NaN equals itself.
	first := math.Float64bits(vals[0])
	same := true
	for _, x := range vals[1:] {
		if math.Float64bits(x) != first {
			same = false
			break
		}
	}
	if same {
		return binary.LittleEndian.AppendUint64(dst, first), encConst
	}
	for _, x := range vals {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(x))
	}
	return dst, encPlain
}

func (e *chunkEncoder) appendBools(dst []byte, v *coldata.Vec, rs rowSet, nulls int) ([]byte, encoding) {
	var vals []bool
	e.bools, vals = nonNull(e.bools, v.Bool, v.Nulls, rs, nulls)
	same := true
	for _, x := range vals[1:] {
		if x != vals[0] {
			same = false
			break
		}
	}
	if same {
		vals = vals[:1]
	}
	start := len(dst)
	dst = append(dst, make([]byte, (len(vals)+7)/8)...)
	bm := dst[start:]
	for i, x := range vals {
		if x {
			bm[i>>3] |= 1 << (i & 7)
		}
	}
	if same {
		return dst, encConst
	}
	return dst, encPlain
}

func (e *chunkEncoder) appendBytes(dst []byte, v *coldata.Vec, rs rowSet, nulls int) ([]byte, encoding) {
	b := &v.Bytes
	first := -1
	same := true
	for k := 0; k < rs.n() && same; k++ {
		switch i := rs.at(k); {
		case nulls > 0 && v.Nulls.Get(i):
		case first < 0:
			first = i
		default:
			same = bytes.Equal(b.Get(i), b.Get(first))
		}
	}
	if same {
		val := b.Get(first)
		dst = binary.AppendUvarint(dst, uint64(len(val)))
		return append(dst, val...), encConst
	}
	if e.dict.build(v, rs, nulls) {
		return e.dict.append(dst, &e.plain), encDict
	}
	p := e.plain[:0]
	for k := range rs.n() {
		if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
			p = binary.AppendUvarint(p, uint64(b.Offs[i+1]-b.Offs[i]))
		}
	}
	if nulls == 0 && rs.sel == nil {
		p = append(p, b.Data[b.Offs[rs.lo]:b.Offs[rs.hi]]...)
	} else {
		for k := range rs.n() {
			if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
				p = append(p, b.Get(i)...)
			}
		}
	}
	e.plain = p
	return appendMaybeZstd(dst, p)
}

// summarize builds the summary of a text-like chunk just encoded as enc
// by appendBytes: its bounds; for a constant or a dictionary with few
// values, the values and their counts; for a larger dictionary, and
// other chunks of at least dictMinRows values, a bloom filter of the
// distinct values.
func (e *chunkEncoder) summarize(v *coldata.Vec, rs rowSet, nulls int, enc encoding) (summary, bloom []byte) {
	b := &v.Bytes
	var low, high []byte
	var values [][]byte
	bloomSize, bloomCRC := 0, uint32(0)
	bloom = nil
	switch enc {
	case encConst:
		for k := range rs.n() {
			if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
				low = b.Get(i)
				break
			}
		}
		high = low
		e.one[0] = low
		values = e.one[:]
		e.counts = append(e.counts[:0], int64(rs.n()-nulls))
	case encDict:
		d := &e.dict
		total := 0
		for i, val := range d.vals {
			if i == 0 || bytes.Compare(val, low) < 0 {
				low = val
			}
			if i == 0 || bytes.Compare(val, high) > 0 {
				high = val
			}
			total += len(val)
		}
		if len(d.vals) <= maxSummaryValues && total <= maxSummaryBytes {
			values = d.vals
			e.counts = resize(e.counts, len(d.vals))
			clear(e.counts)
			for _, c := range d.rows {
				e.counts[c]++
			}
		} else {
			// Too many values to list: a filter of them answers "not
			// here" without decoding the dictionary.
			e.hashes.reset(len(d.vals))
			for _, val := range d.vals {
				e.hashes.add(val)
			}
			e.bloom, bloomSize, bloomCRC = appendBloom(e.bloom[:0], e.hashes.list)
			bloom = e.bloom
		}
	default:
		present := rs.n() - nulls
		if present >= dictMinRows {
			e.hashes.reset(present)
		}
		first := true
		for k := range rs.n() {
			i := rs.at(k)
			if nulls > 0 && v.Nulls.Get(i) {
				continue
			}
			val := b.Get(i)
			if first || bytes.Compare(val, low) < 0 {
				low = val
			}
			if first || bytes.Compare(val, high) > 0 {
				high = val
			}
			first = false
			if present >= dictMinRows {
				e.hashes.add(val)
			}
		}
		if present >= dictMinRows {
			e.bloom, bloomSize, bloomCRC = appendBloom(e.bloom[:0], e.hashes.list)
			bloom = e.bloom
		}
	}
	if values != nil {
		low, high = nil, nil // the values say more
	}
	e.summary = appendSummary(e.summary[:0], low, high, values, e.counts, bloomSize, bloomCRC)
	return e.summary, bloom
}

func (e *chunkEncoder) appendArrays(dst []byte, v *coldata.Vec, rs rowSet, nulls int) ([]byte, encoding) {
	first := -1
	same := true
	for k := 0; k < rs.n() && same; k++ {
		switch i := rs.at(k); {
		case nulls > 0 && v.Nulls.Get(i):
		case first < 0:
			first = i
		default:
			same = arrayRowsEqual(v, i, first)
		}
	}
	if same {
		return appendArrayRows(dst, v, rowSet{lo: first, hi: first + 1}, 0), encConst
	}
	e.plain = appendArrayRows(e.plain[:0], v, rs, nulls)
	return appendMaybeZstd(dst, e.plain)
}

// appendArrayRows appends the plain payload of the non-NULL text[] rows of
// rs: element counts, element lengths, element bytes.
func appendArrayRows(dst []byte, v *coldata.Vec, rs rowSet, nulls int) []byte {
	b, arr := &v.Bytes, v.Arr
	for k := range rs.n() {
		if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
			dst = binary.AppendUvarint(dst, uint64(arr[i+1]-arr[i]))
		}
	}
	for k := range rs.n() {
		if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
			for j := arr[i]; j < arr[i+1]; j++ {
				dst = binary.AppendUvarint(dst, uint64(b.Offs[j+1]-b.Offs[j]))
			}
		}
	}
	if nulls == 0 && rs.sel == nil {
		return append(dst, b.Data[b.Offs[arr[rs.lo]]:b.Offs[arr[rs.hi]]]...)
	}
	for k := range rs.n() {
		if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
			dst = append(dst, b.Data[b.Offs[arr[i]]:b.Offs[arr[i+1]]]...)
		}
	}
	return dst
}

func arrayRowsEqual(v *coldata.Vec, i, j int) bool {
	n := v.ArrayLen(i)
	if n != v.ArrayLen(j) {
		return false
	}
	for k := 0; k < n; k++ {
		if !bytes.Equal(v.ArrayElem(i, k), v.ArrayElem(j, k)) {
			return false
		}
	}
	return true
}

// appendMaybeZstd appends the plain payload p, or its zstd frame when that
// saves enough.
func appendMaybeZstd(dst, p []byte) ([]byte, encoding) {
	if len(p) >= zstdMinPayload {
		start := len(dst)
		dst = binary.AppendUvarint(dst, uint64(len(p)))
		enc, _ := zstdCodec()
		dst = enc.EncodeAll(p, dst)
		if len(dst)-start < len(p)-len(p)/zstdMinSaving {
			return dst, encZstd
		}
		dst = dst[:start]
	}
	return append(dst, p...), encPlain
}

// dictBuilder builds the dictionary of a string chunk. Its map keys alias
// the Vec being encoded, so it must be reset (build does) before that Vec
// changes; it keeps its memory between chunks.
type dictBuilder struct {
	codes  map[string]uint32
	vals   [][]byte   // the distinct values
	recent [256]int32 // code+1 of a value by quickHash; 0: empty
	rows   []uint32   // the code of each non-NULL row
	codeOf []uint32   // by Vec row, when the chunk's rows are a permutation
	asc    []int      // the permutation's rows, ascending, when not given
	z      []byte     // the encoded dictionary

	runs       []uint32 // the code of each run of equal codes
	runLens    []uint64
	runStart   int
	layoutUsed byte // the code layout of the last chunk, for tests
}

// Dictionary thresholds: a chunk is dictionary-encoded when it has at
// least dictMinRows non-NULL values and at most one distinct value in
// dictMaxRatio of them. dictProbe values are looked at first: a column
// that is mostly distinct there is given up on early.
const (
	dictMinRows  = 16
	dictMaxRatio = 4
	dictProbe    = 256
)

// build tries to dictionary-encode the non-NULL values of rows [lo, hi)
// of v and reports whether it pays.
func (d *dictBuilder) build(v *coldata.Vec, rs rowSet, nulls int) bool {
	present := rs.n() - nulls
	if present < dictMinRows {
		return false
	}
	if d.codes == nil {
		d.codes = make(map[string]uint32, 256)
	}
	clear(d.codes)
	clear(d.recent[:])
	clear(d.vals) // drop references to the previous Vec
	d.vals, d.rows = d.vals[:0], d.rows[:0]
	// Rows in memory order: rs itself, or rs.asc when rs is a
	// permutation; then the codes are put in rs's order.
	order := rowSet{lo: rs.lo, hi: rs.hi}
	if rs.sel != nil {
		asc := rs.asc
		if asc == nil {
			d.asc = append(d.asc[:0], rs.sel[rs.lo:rs.hi]...)
			slices.Sort(d.asc)
			asc = d.asc
		}
		order = rowSet{lo: 0, hi: len(asc), sel: asc}
		d.codeOf = resize(d.codeOf, len(v.Bytes.Offs))
	}
	limit := present / dictMaxRatio
	b := &v.Bytes
	var prev []byte
	prevCode := uint32(0)
	seen := 0
	for k := range order.n() {
		i := order.at(k)
		if nulls > 0 && v.Nulls.Get(i) {
			continue
		}
		val := b.Data[b.Offs[i]:b.Offs[i+1]]
		code := prevCode
		if prev == nil || !bytes.Equal(val, prev) {
			// A direct-mapped cache of recent values answers most rows of
			// a low-cardinality column without hashing the whole value.
			slot := &d.recent[quickHash(val)]
			if c := *slot - 1; c >= 0 && bytes.Equal(d.vals[c], val) {
				code = uint32(c)
			} else {
				// The key aliases v's arena: no copy, valid while v is.
				key := unsafe.String(unsafe.SliceData(val), len(val))
				c, ok := d.codes[key]
				if !ok {
					c = uint32(len(d.vals))
					if int(c) >= limit || (seen < dictProbe && int(c) > seen*7/8+8) {
						return false
					}
					d.codes[key] = c
					d.vals = append(d.vals, val)
				}
				code = c
				*slot = int32(c) + 1
			}
			prev, prevCode = val, code
		}
		seen++
		if rs.sel != nil {
			d.codeOf[i] = code
		} else {
			d.rows = append(d.rows, code)
		}
	}
	if rs.sel != nil {
		for k := range rs.n() {
			if i := rs.at(k); nulls == 0 || !v.Nulls.Get(i) {
				d.rows = append(d.rows, d.codeOf[i])
			}
		}
	}
	return len(d.vals) >= 2
}

// quickHash maps a value to one of 256 slots from its length and its
// first and last eight bytes: enough to tell apart the values of one
// column of one block, and far cheaper than hashing every byte. A
// collision only costs a map lookup.
func quickHash(v []byte) uint8 {
	var x uint64
	if n := len(v); n >= 8 {
		x = binary.LittleEndian.Uint64(v) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(v[n-8:]), 29) ^ uint64(n)
	} else {
		for _, c := range v {
			x = x<<8 | uint64(c)
		}
		x ^= uint64(n) << 59
	}
	return uint8((x * 0x9e3779b97f4a7c15) >> 56)
}

// Layouts of a dictionary chunk's codes.
const (
	codesPacked = 0 // one code per non-NULL row
	codesRuns   = 1 // runs of equal codes: their lengths, then one code each
)

// append appends the encDict payload of the chunk build accepted:
//
//	ndict:uvarint width:u8 layout:u8 dictEnc:u8 dictLen:uvarint dict[dictLen] codes
//	codes := packed(n codes)                               layout 0
//	       | nruns:uvarint runLen:uvarint{nruns} packed(nruns codes)   layout 1
//
// dict is the values in the plain layout (lengths, then bytes), zstd
// compressed as appendMaybeZstd decides (dictEnc says which); packed codes
// are width bits each, least significant bit first. Runs pay when rows
// come grouped by stream: a block's host or pod column is then a handful
// of runs.
func (d *dictBuilder) append(dst []byte, scratch *[]byte) []byte {
	p := (*scratch)[:0]
	for _, val := range d.vals {
		p = binary.AppendUvarint(p, uint64(len(val)))
	}
	for _, val := range d.vals {
		p = append(p, val...)
	}
	*scratch = p
	width := bits.Len32(uint32(len(d.vals) - 1))
	// Runs: their count, and what their lengths take.
	d.runs, d.runLens = d.runs[:0], d.runLens[:0]
	lensSize := 0
	for i, c := range d.rows {
		if i == 0 || c != d.rows[i-1] {
			if i > 0 {
				l := uint64(i - d.runStart)
				d.runLens = append(d.runLens, l)
				lensSize += uvarintLen(l)
			}
			d.runs = append(d.runs, c)
			d.runStart = i
		}
	}
	last := uint64(len(d.rows) - d.runStart)
	d.runLens = append(d.runLens, last)
	lensSize += uvarintLen(last)
	layout := codesPacked
	if uvarintLen(uint64(len(d.runs)))+lensSize+(len(d.runs)*width+7)/8 < (len(d.rows)*width+7)/8 {
		layout = codesRuns
	}
	d.layoutUsed = byte(layout)
	dst = binary.AppendUvarint(dst, uint64(len(d.vals)))
	dst = append(dst, byte(width), byte(layout))
	// The dictionary's encoding byte, then its length, which the zstd
	// form only knows once written: encode after a placeholder.
	encAt := len(dst)
	dst = append(dst, 0)
	dict, enc := appendMaybeZstd(d.z[:0], p)
	d.z = dict
	dst[encAt] = byte(enc)
	dst = binary.AppendUvarint(dst, uint64(len(dict)))
	dst = append(dst, dict...)
	if layout == codesPacked {
		return appendPacked(dst, d.rows, width)
	}
	dst = binary.AppendUvarint(dst, uint64(len(d.runs)))
	for _, l := range d.runLens {
		dst = binary.AppendUvarint(dst, l)
	}
	return appendPacked(dst, d.runs, width)
}

// appendPacked appends codes, width bits each, least significant first.
func appendPacked(dst []byte, codes []uint32, width int) []byte {
	var acc uint64
	n := 0
	for _, c := range codes {
		acc |= uint64(c) << n
		n += width
		for n >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	if n > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}
