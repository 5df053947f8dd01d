package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
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
}

// chunkInfo describes an encoded chunk for the block metadata.
type chunkInfo struct {
	enc      encoding
	nulls    int
	min, max int64  // integer and timestamp chunks with a non-NULL value
	size     int    // bytes of the stored value, checksum included
	crc      uint32 // the value's trailing CRC32C
}

// appendChunk appends the chunk of rows [lo, hi) of v, checksum included,
// to dst. It picks the encoding from the data: const when the non-NULL
// values are all equal, delta or plain for integers (whichever is smaller),
// zstd or plain for strings (zstd when it saves an eighth).
func (e *chunkEncoder) appendChunk(dst []byte, v *coldata.Vec, lo, hi int) ([]byte, chunkInfo) {
	start := len(dst)
	n := hi - lo
	info := chunkInfo{nulls: countNulls(v.Nulls, lo, hi)}
	dst = append(dst, byte(v.Type), 0) // the encoding byte is set below
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(info.nulls))
	if info.nulls > 0 && info.nulls < n {
		dst = appendBitmap(dst, v.Nulls, lo, hi)
	}
	switch t := v.Type; {
	case info.nulls == n:
		info.enc = encConst
	case t == coldata.Bool:
		dst, info.enc = e.appendBools(dst, v, lo, hi, info.nulls)
	case isIntType(t):
		dst, info.enc, info.min, info.max = e.appendInts(dst, v, lo, hi, info.nulls)
	case t.IsFloat():
		dst, info.enc = e.appendFloats(dst, v, lo, hi, info.nulls)
	case t.IsBytes():
		dst, info.enc = e.appendBytes(dst, v, lo, hi, info.nulls)
	case t == coldata.TextArray:
		dst, info.enc = e.appendArrays(dst, v, lo, hi, info.nulls)
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

// appendBitmap appends the null bitmap of rows [lo, hi): bit i%8 of byte
// i/8 is set when row lo+i is NULL.
func appendBitmap(dst []byte, n coldata.Nulls, lo, hi int) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, (hi-lo+7)/8)...)
	bm := dst[start:]
	for i := lo; i < hi; i++ {
		if n.Get(i) {
			j := i - lo
			bm[j>>3] |= 1 << (j & 7)
		}
	}
	return dst
}

// nonNull returns the values of rows [lo, hi) that are not NULL, gathered
// into scratch when some are.
func nonNull[T any](scratch []T, vals []T, n coldata.Nulls, lo, hi, nulls int) ([]T, []T) {
	if nulls == 0 {
		return scratch, vals[lo:hi]
	}
	scratch = scratch[:0]
	for i := lo; i < hi; i++ {
		if !n.Get(i) {
			scratch = append(scratch, vals[i])
		}
	}
	return scratch, scratch
}

func (e *chunkEncoder) appendInts(dst []byte, v *coldata.Vec, lo, hi, nulls int) ([]byte, encoding, int64, int64) {
	var vals []int64
	e.ints, vals = nonNull(e.ints, v.Int64, v.Nulls, lo, hi, nulls)
	mn, mx, prev := vals[0], vals[0], int64(0)
	deltaSize := 0
	for _, x := range vals {
		mn, mx = min(mn, x), max(mx, x)
		deltaSize += uvarintLen(zigzag(x - prev))
		prev = x
	}
	switch {
	case mn == mx:
		return binary.LittleEndian.AppendUint64(dst, uint64(mn)), encConst, mn, mx
	case deltaSize < 8*len(vals):
		prev = 0
		for _, x := range vals {
			dst = binary.AppendUvarint(dst, zigzag(x-prev))
			prev = x
		}
		return dst, encDelta, mn, mx
	}
	for _, x := range vals {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(x))
	}
	return dst, encPlain, mn, mx
}

func (e *chunkEncoder) appendFloats(dst []byte, v *coldata.Vec, lo, hi, nulls int) ([]byte, encoding) {
	var vals []float64
	e.floats, vals = nonNull(e.floats, v.Float64, v.Nulls, lo, hi, nulls)
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

func (e *chunkEncoder) appendBools(dst []byte, v *coldata.Vec, lo, hi, nulls int) ([]byte, encoding) {
	var vals []bool
	e.bools, vals = nonNull(e.bools, v.Bool, v.Nulls, lo, hi, nulls)
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

func (e *chunkEncoder) appendBytes(dst []byte, v *coldata.Vec, lo, hi, nulls int) ([]byte, encoding) {
	b := &v.Bytes
	first := -1
	same := true
	for i := lo; i < hi && same; i++ {
		switch {
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
	if e.dict.build(v, lo, hi, nulls) {
		return e.dict.append(dst, &e.plain), encDict
	}
	p := e.plain[:0]
	for i := lo; i < hi; i++ {
		if nulls == 0 || !v.Nulls.Get(i) {
			p = binary.AppendUvarint(p, uint64(b.Offs[i+1]-b.Offs[i]))
		}
	}
	if nulls == 0 {
		p = append(p, b.Data[b.Offs[lo]:b.Offs[hi]]...)
	} else {
		for i := lo; i < hi; i++ {
			if !v.Nulls.Get(i) {
				p = append(p, b.Get(i)...)
			}
		}
	}
	e.plain = p
	return appendMaybeZstd(dst, p)
}

func (e *chunkEncoder) appendArrays(dst []byte, v *coldata.Vec, lo, hi, nulls int) ([]byte, encoding) {
	first := -1
	same := true
	for i := lo; i < hi && same; i++ {
		switch {
		case nulls > 0 && v.Nulls.Get(i):
		case first < 0:
			first = i
		default:
			same = arrayRowsEqual(v, i, first)
		}
	}
	if same {
		return appendArrayRows(dst, v, first, first+1, 0), encConst
	}
	e.plain = appendArrayRows(e.plain[:0], v, lo, hi, nulls)
	return appendMaybeZstd(dst, e.plain)
}

// appendArrayRows appends the plain payload of the non-NULL text[] rows in
// [lo, hi): element counts, element lengths, element bytes.
func appendArrayRows(dst []byte, v *coldata.Vec, lo, hi, nulls int) []byte {
	b, arr := &v.Bytes, v.Arr
	for i := lo; i < hi; i++ {
		if nulls == 0 || !v.Nulls.Get(i) {
			dst = binary.AppendUvarint(dst, uint64(arr[i+1]-arr[i]))
		}
	}
	for i := lo; i < hi; i++ {
		if nulls == 0 || !v.Nulls.Get(i) {
			for j := arr[i]; j < arr[i+1]; j++ {
				dst = binary.AppendUvarint(dst, uint64(b.Offs[j+1]-b.Offs[j]))
			}
		}
	}
	if nulls == 0 {
		return append(dst, b.Data[b.Offs[arr[lo]]:b.Offs[arr[hi]]]...)
	}
	for i := lo; i < hi; i++ {
		if !v.Nulls.Get(i) {
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
	codes map[string]uint32
	vals  [][]byte // the distinct values in order of first appearance
	rows  []uint32 // the code of each non-NULL row
	z     []byte   // the encoded dictionary
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
func (d *dictBuilder) build(v *coldata.Vec, lo, hi, nulls int) bool {
	present := hi - lo - nulls
	if present < dictMinRows {
		return false
	}
	if d.codes == nil {
		d.codes = make(map[string]uint32, 256)
	}
	clear(d.codes)
	clear(d.vals) // drop references to the previous Vec
	d.vals, d.rows = d.vals[:0], d.rows[:0]
	limit := present / dictMaxRatio
	b := &v.Bytes
	var prev []byte
	prevCode := uint32(0)
	for i := lo; i < hi; i++ {
		if nulls > 0 && v.Nulls.Get(i) {
			continue
		}
		val := b.Data[b.Offs[i]:b.Offs[i+1]]
		code := prevCode
		if prev == nil || !bytes.Equal(val, prev) {
			// The key aliases v's arena: no copy, valid while v is.
			key := unsafe.String(unsafe.SliceData(val), len(val))
			c, ok := d.codes[key]
			if !ok {
				c = uint32(len(d.vals))
				if int(c) >= limit || (len(d.rows) < dictProbe && int(c) > len(d.rows)*7/8+8) {
					return false
				}
				d.codes[key] = c
				d.vals = append(d.vals, val)
			}
			code, prev, prevCode = c, val, c
		}
		d.rows = append(d.rows, code)
	}
	return len(d.vals) >= 2
}

// append appends the encDict payload of the chunk build accepted:
//
//	ndict:uvarint width:u8 dictEnc:u8 dictLen:uvarint dict[dictLen] codes
//
// dict is the values in the plain layout (lengths, then bytes), zstd
// compressed as appendMaybeZstd decides (dictEnc says which); codes are
// width bits per non-NULL row, least significant bit first.
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
	dst = binary.AppendUvarint(dst, uint64(len(d.vals)))
	dst = append(dst, byte(width))
	// The dictionary's encoding byte, then its length, which the zstd
	// form only knows once written: encode after a placeholder.
	encAt := len(dst)
	dst = append(dst, 0)
	dict, enc := appendMaybeZstd(d.z[:0], p)
	d.z = dict
	dst[encAt] = byte(enc)
	dst = binary.AppendUvarint(dst, uint64(len(dict)))
	dst = append(dst, dict...)
	return appendPacked(dst, d.rows, width)
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
