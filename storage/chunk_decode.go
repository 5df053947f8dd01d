package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/armorlake/armorlake/coldata"
)

// chunkHeader is the part of a chunk before its payload.
type chunkHeader struct {
	typ    coldata.Type
	enc    encoding
	rows   int
	nulls  int
	bitmap []byte // set only when 0 < nulls < rows
}

var (
	errTrailing = errors.New("trailing bytes")
	errLengths  = errors.New("value lengths disagree with data")
)

// parseChunkHeader checks and splits off the header of a chunk body (the
// value without its checksum).
func parseChunkHeader(body []byte) (chunkHeader, []byte, error) {
	var h chunkHeader
	if len(body) < 2 {
		return h, nil, errShort
	}
	h.typ, h.enc = coldata.Type(body[0]), encoding(body[1])
	if !h.typ.Valid() {
		return h, nil, fmt.Errorf("unknown column type %d", body[0])
	}
	p := body[2:]
	rows, n := binary.Uvarint(p)
	if n <= 0 || rows == 0 || rows > maxBlockRows {
		return h, nil, errors.New("bad row count")
	}
	p = p[n:]
	nulls, n := binary.Uvarint(p)
	if n <= 0 || nulls > rows {
		return h, nil, errors.New("bad null count")
	}
	p = p[n:]
	h.rows, h.nulls = int(rows), int(nulls)
	if h.nulls > 0 && h.nulls < h.rows {
		size := (h.rows + 7) / 8
		if len(p) < size {
			return h, nil, errShort
		}
		h.bitmap, p = p[:size], p[size:]
		c := 0
		for _, b := range h.bitmap {
			c += bits.OnesCount8(b)
		}
		if c != h.nulls || h.bitmap[size-1]>>(uint(h.rows-1)&7)>>1 != 0 {
			return h, nil, errors.New("null bitmap disagrees with null count")
		}
	}
	return h, p, nil
}

// chunkDecoder decodes column chunks into Vecs. It keeps a scratch buffer
// for zstd between calls; it is not safe for concurrent use.
type chunkDecoder struct {
	// cache, when set, keeps decompressed payloads of the chunk named
	// ref, whose body is refBody (Iterator.chunkBody sets both).
	cache   *decodedCache
	ref     chunkRef
	refBody []byte

	z     []byte
	offs  []int32 // a dictionary's value offsets
	codes []int32 // a dictionary chunk's codes of the rows selected (selectedCodes)
	all   []int32 // a dictionary chunk's code per row
}

// selectedCodes returns the dictionary code of each of rows sel (every
// row when sel is nil), -1 for NULL, from the codes parseDict returned.
// A few rows of a packed chunk without NULLs are read where they lie;
// otherwise every row's code is unpacked and the selected kept.
func (d *chunkDecoder) selectedCodes(h *chunkHeader, codes []byte, width int, layout byte, ndict int, sel []int32) ([]int32, error) {
	if sel != nil && layout == codesPacked && h.nulls == 0 && len(sel)*4 <= h.rows {
		if err := checkPacked(codes, width, h.rows); err != nil {
			return nil, err
		}
		out := resize(d.codes, len(sel))
		d.codes = out
		for k, i := range sel {
			if int(i) >= h.rows {
				return nil, fmt.Errorf("row %d selected of %d", i, h.rows)
			}
			c := packedAt(codes, width, int(i))
			if c >= uint64(ndict) {
				return nil, errors.New("dictionary code out of range")
			}
			out[k] = int32(c)
		}
		return out, nil
	}
	d.all = codesFor(d.all, h.rows)
	if err := rowCodes(d.all, h, codes, width, layout, ndict); err != nil {
		return nil, err
	}
	if len(sel) > 0 && int(sel[len(sel)-1]) >= h.rows {
		return nil, fmt.Errorf("row %d selected of %d", sel[len(sel)-1], h.rows)
	}
	return gatherCodes(&d.codes, d.all, sel), nil
}

// gatherCodes returns rows sel of all (all itself when sel is nil) in
// *buf. sel must be in range.
func gatherCodes(buf *[]int32, all []int32, sel []int32) []int32 {
	if sel == nil {
		return all
	}
	out := resize(*buf, len(sel))
	*buf = out
	for k, i := range sel {
		out[k] = all[i]
	}
	return out
}

// checkPacked checks that p holds exactly n values of width bits, the
// padding after them zero, as unpackAll does.
func checkPacked(p []byte, width, n int) error {
	if width > maxPackWidth {
		return fmt.Errorf("bit width %d", width)
	}
	if len(p) != (n*width+7)/8 {
		return errLengths
	}
	if pad := uint(n*width) & 7; pad != 0 && p[len(p)-1]>>pad != 0 {
		return errors.New("packed values have trailing bits")
	}
	return nil
}

// packedAt returns value i of values of width (at most 56) bits packed
// as unpackAll reads them; p must hold it (checkPacked).
func packedAt(p []byte, width, i int) uint64 {
	bit := i * width
	o := bit >> 3
	var w uint64
	if o+8 <= len(p) {
		w = binary.LittleEndian.Uint64(p[o:])
	} else {
		var tail [8]byte
		copy(tail[:], p[o:])
		w = binary.LittleEndian.Uint64(tail[:])
	}
	return w >> uint(bit&7) & (1<<uint(width) - 1)
}

// decodeSel decodes rows sel (ascending) of a chunk body of rows rows
// into v. A dictionary chunk copies only those rows' strings; other
// encodings decode every row and keep the selected.
func (d *chunkDecoder) decodeSel(v *coldata.Vec, body []byte, rows int, sel []int32) error {
	v.Codes = nil
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return err
	}
	if h.rows != rows {
		return fmt.Errorf("chunk has %d rows, metadata says %d", h.rows, rows)
	}
	if h.typ == v.Type && v.Type.IsBytes() && (h.enc == encPlain || h.enc == encZstd) && h.rows != h.nulls {
		return d.decodeBytesSel(v, &h, p, sel)
	}
	if h.typ != v.Type || !v.Type.IsBytes() || h.enc != encDict || h.rows == h.nulls {
		if err := d.decode(v, body); err != nil {
			return err
		}
		if len(sel) > 0 && int(sel[len(sel)-1]) >= v.Len() {
			return fmt.Errorf("row %d selected of %d", sel[len(sel)-1], v.Len())
		}
		compact(v, sel)
		return nil
	}
	data, width, layout, codes, err := d.parseDict(p, h.rows-h.nulls, &d.offs)
	if err != nil {
		return err
	}
	if sel == nil {
		sel = []int32{} // no rows; to selectedCodes, nil is every row
	}
	selCodes, err := d.selectedCodes(&h, codes, width, layout, len(d.offs)-1, sel)
	if err != nil {
		return err
	}
	// The selected values' size first: the arena is allocated once.
	size := 0
	for _, c := range selCodes {
		if c >= 0 {
			if size += int(d.offs[c+1] - d.offs[c]); size > maxChunkData {
				return errors.New("string chunk too large")
			}
		}
	}
	b := emptySelected(v, len(sel), size)
	for k, c := range selCodes {
		if c >= 0 {
			b.Data = append(b.Data, data[d.offs[c]:d.offs[c+1]]...)
		} else {
			v.Nulls.Set(k)
		}
		b.Offs[k+1] = int32(len(b.Data))
	}
	return nil
}

// emptySelected empties text-like v for n values of size bytes in all,
// without NULLs: its Offs hold n+1 entries from 0, its Data room for
// size bytes.
func emptySelected(v *coldata.Vec, n, size int) *coldata.Bytes {
	b := &v.Bytes
	b.Offs = resize(b.Offs, n+1)
	b.Offs[0] = 0
	b.Data = slices.Grow(b.Data[:0], size)
	v.Nulls = v.Nulls[:0]
	return b
}

// decodeBytesSel decodes rows sel of a plain or zstd text-like chunk
// payload p, copying only their values.
func (d *chunkDecoder) decodeBytesSel(v *coldata.Vec, h *chunkHeader, p []byte, sel []int32) error {
	if h.enc == encZstd {
		var err error
		if p, err = d.unzstd(p); err != nil {
			return err
		}
	}
	if len(p) > maxChunkData {
		return errors.New("string chunk too large")
	}
	d.offs = resize(d.offs, h.rows+1)
	data, err := readLens(d.offs, h.bitmap, p)
	if err != nil {
		return err
	}
	size := 0
	for _, i := range sel {
		if int(i) >= h.rows {
			return fmt.Errorf("row %d selected of %d", i, h.rows)
		}
		size += int(d.offs[i+1] - d.offs[i])
	}
	b := emptySelected(v, len(sel), size)
	for k, i := range sel {
		if h.bitmap != nil && bitSet(h.bitmap, int(i)) {
			v.Nulls.Set(k)
		} else {
			b.Data = append(b.Data, data[d.offs[i]:d.offs[i+1]]...)
		}
		b.Offs[k+1] = int32(len(b.Data))
	}
	return nil
}

// decodeCoded decodes rows sel (ascending; every row when sel is nil)
// of a text-like chunk body of rows rows into v dictionary-coded
// (coldata.Vec.Codes) when the chunk is a dictionary or a constant: the
// distinct values into v.Bytes, a code per row. Other chunks decode to
// values, as decodeSel does.
func (d *chunkDecoder) decodeCoded(v *coldata.Vec, body []byte, rows int, sel []int32) error {
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return err
	}
	if h.rows != rows {
		return fmt.Errorf("chunk has %d rows, metadata says %d", h.rows, rows)
	}
	if h.typ != v.Type || !v.Type.IsBytes() || (h.enc != encDict && h.enc != encConst) {
		if sel == nil {
			return d.decode(v, body)
		}
		return d.decodeSel(v, body, rows, sel)
	}
	if len(sel) > 0 && int(sel[len(sel)-1]) >= h.rows {
		return fmt.Errorf("row %d selected of %d", sel[len(sel)-1], h.rows)
	}
	present := h.rows - h.nulls
	b := &v.Bytes
	b.Reset()
	var selCodes []int32
	if h.enc == encConst {
		// One value, code 0; NULL rows -1.
		if present == 0 && len(p) != 0 {
			return errors.New("all-NULL chunk with a payload")
		}
		if present > 0 {
			l, n := binary.Uvarint(p)
			if n <= 0 || l != uint64(len(p)-n) {
				return errLengths
			}
			b.Append(p[n:])
		}
		d.all = resize(d.all, h.rows)
		for i := range d.all {
			if present == 0 || (h.bitmap != nil && bitSet(h.bitmap, i)) {
				d.all[i] = -1
			} else {
				d.all[i] = 0
			}
		}
		selCodes = gatherCodes(&d.codes, d.all, sel)
	} else {
		data, width, layout, codes, err := d.parseDict(p, present, &d.offs)
		if err != nil {
			return err
		}
		if selCodes, err = d.selectedCodes(&h, codes, width, layout, len(d.offs)-1, sel); err != nil {
			return err
		}
		b.Data = append(b.Data, data...)
		b.Offs = append(b.Offs[:0], d.offs...)
	}
	out := append(v.Codes[:0], selCodes...)
	if out == nil {
		out = []int32{} // no rows, still coded
	}
	v.Nulls = v.Nulls[:0]
	if h.nulls > 0 {
		for k, c := range out {
			if c < 0 {
				v.Nulls.Set(k)
			}
		}
	}
	v.Codes = out
	return nil
}

// decode decodes a chunk body (the value without its checksum) into v,
// replacing v's contents and reusing its memory. v.Type must be the chunk's
// type. Every length and count is checked against the body before use, so
// corrupt bytes give an error, never a panic or a wrong-length Vec.
func (d *chunkDecoder) decode(v *coldata.Vec, body []byte) error {
	v.Codes = nil
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return err
	}
	if h.typ != v.Type {
		return fmt.Errorf("chunk holds %s, column is %s", h.typ, v.Type)
	}
	setNulls(v, &h)
	present := h.rows - h.nulls
	if present == 0 && (h.enc != encConst || len(p) != 0) {
		return errors.New("all-NULL chunk with a payload")
	}
	t := v.Type
	if h.enc == encZstd && (t.IsBytes() || t == coldata.TextArray) {
		if p, err = d.unzstd(p); err != nil {
			return err
		}
		h.enc = encPlain
	}
	switch {
	case t == coldata.Bool:
		return decodeBools(v, &h, p, present)
	case isIntType(t):
		return decodeInts(v, &h, p, present)
	case t.IsFloat():
		return decodeFloats(v, &h, p, present)
	case t.IsBytes() && h.enc == encDict:
		return d.decodeDict(v, &h, p, present)
	case t.IsBytes():
		return decodeBytes(v, &h, p, present)
	default:
		return decodeArrays(v, &h, p, present)
	}
}

// allNull makes v n NULL rows, reusing its memory.
func allNull(v *coldata.Vec, n int) {
	v.Codes = nil
	t := v.Type
	switch {
	case t == coldata.Bool:
		v.Bool = resize(v.Bool, n)
		clear(v.Bool)
	case isIntType(t):
		v.Int64 = resize(v.Int64, n)
		clear(v.Int64)
	case t.IsFloat():
		v.Float64 = resize(v.Float64, n)
		clear(v.Float64)
	case t.IsBytes():
		v.Bytes.Offs = resize(v.Bytes.Offs, n+1)
		clear(v.Bytes.Offs)
		v.Bytes.Data = v.Bytes.Data[:0]
	case t == coldata.TextArray:
		v.Arr = resize(v.Arr, n+1)
		clear(v.Arr)
		v.Bytes.Reset()
	}
	setNulls(v, &chunkHeader{rows: n, nulls: n})
}

// setNulls sets v's bitmap from the chunk header.
func setNulls(v *coldata.Vec, h *chunkHeader) {
	switch {
	case h.nulls == 0:
		v.Nulls = v.Nulls[:0]
	case h.nulls == h.rows:
		v.Nulls = resize(v.Nulls, (h.rows+63)/64)
		for i := range v.Nulls {
			v.Nulls[i] = ^uint64(0)
		}
		if r := h.rows & 63; r != 0 {
			v.Nulls[len(v.Nulls)-1] = 1<<uint(r) - 1
		}
	default:
		v.Nulls = resize(v.Nulls, (h.rows+63)/64)
		for w := range v.Nulls {
			var x uint64
			for b, by := range h.bitmap[w*8 : min(w*8+8, len(h.bitmap))] {
				x |= uint64(by) << (8 * b)
			}
			v.Nulls[w] = x
		}
	}
}

// bitSet reads bit i of a chunk bitmap.
func bitSet(bitmap []byte, i int) bool { return bitmap[i>>3]&(1<<(i&7)) != 0 }

// spread moves the present non-NULL values at the front of out to their
// rows, back to front so that it works in place, and zeroes NULL rows. A
// nil bitmap means every row is NULL.
func spread[T any](out []T, present int, bitmap []byte) {
	if bitmap == nil {
		clear(out)
		return
	}
	var zero T
	k := present - 1
	for i := len(out) - 1; i >= 0; i-- {
		if bitSet(bitmap, i) {
			out[i] = zero
		} else {
			out[i] = out[k]
			k--
		}
	}
}

// resize returns s with length n, reallocating only when it is too small.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func badEncoding(h *chunkHeader) error {
	return fmt.Errorf("unknown encoding %d for %s", uint8(h.enc), h.typ)
}

func decodeInts(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	out := resize(v.Int64, h.rows)
	v.Int64 = out
	vals := out[:present]
	switch {
	case present == 0:
	case h.enc == encConst:
		if len(p) != 8 {
			return errLengths
		}
		x := int64(binary.LittleEndian.Uint64(p))
		for i := range vals {
			vals[i] = x
		}
	case h.enc == encPlain:
		if len(p) != 8*present {
			return errLengths
		}
		for i := range vals {
			vals[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
		}
	case h.enc == encDelta:
		prev := int64(0)
		for i := range vals {
			// Most differences take one byte: decode those inline.
			var u uint64
			if len(p) > 0 && p[0] < 0x80 {
				u, p = uint64(p[0]), p[1:]
			} else {
				x, n := binary.Uvarint(p)
				if n <= 0 {
					return errShort
				}
				u, p = x, p[n:]
			}
			prev += unzigzag(u)
			vals[i] = prev
		}
		if len(p) != 0 {
			return errTrailing
		}
	case h.enc == encFOR:
		z, n := binary.Uvarint(p)
		if n <= 0 || len(p) < n+1 {
			return errShort
		}
		ref, width := uint64(unzigzag(z)), int(p[n])
		if err := unpackAll(vals, p[n+1:], width); err != nil {
			return err
		}
		for i, x := range vals {
			vals[i] = int64(ref + uint64(x))
		}
	case h.enc == encPatchedDelta:
		if err := decodePatched(vals, p); err != nil {
			return err
		}
	case h.enc == encDeltaFOR:
		z1, n1 := binary.Uvarint(p)
		if n1 <= 0 {
			return errShort
		}
		z2, n2 := binary.Uvarint(p[n1:])
		if n2 <= 0 || len(p) < n1+n2+1 {
			return errShort
		}
		first, ref, width := uint64(unzigzag(z1)), uint64(unzigzag(z2)), int(p[n1+n2])
		if err := unpackAll(vals[1:], p[n1+n2+1:], width); err != nil {
			return err
		}
		prev := first
		vals[0] = int64(first)
		for i := 1; i < present; i++ {
			prev += uint64(vals[i]) + ref // wraps like the int64 differences did
			vals[i] = int64(prev)
		}
	default:
		return badEncoding(h)
	}
	if h.nulls > 0 {
		spread(out, present, h.bitmap)
	}
	return nil
}

func decodeFloats(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	out := resize(v.Float64, h.rows)
	v.Float64 = out
	vals := out[:present]
	switch {
	case present == 0:
	case h.enc == encConst:
		if len(p) != 8 {
			return errLengths
		}
		x := math.Float64frombits(binary.LittleEndian.Uint64(p))
		for i := range vals {
			vals[i] = x
		}
	case h.enc == encPlain:
		if len(p) != 8*present {
			return errLengths
		}
		for i := range vals {
			vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(p[8*i:]))
		}
	default:
		return badEncoding(h)
	}
	if h.nulls > 0 {
		spread(out, present, h.bitmap)
	}
	return nil
}

func decodeBools(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	out := resize(v.Bool, h.rows)
	v.Bool = out
	vals := out[:present]
	switch {
	case present == 0:
	case h.enc == encConst:
		if len(p) != 1 || p[0] > 1 {
			return errLengths
		}
		for i := range vals {
			vals[i] = p[0] == 1
		}
	case h.enc == encPlain:
		if len(p) != (present+7)/8 || p[len(p)-1]>>(uint(present-1)&7)>>1 != 0 {
			return errLengths
		}
		for i := range vals {
			vals[i] = bitSet(p, i)
		}
	default:
		return badEncoding(h)
	}
	if h.nulls > 0 {
		spread(out, present, h.bitmap)
	}
	return nil
}

// readLens reads the uvarint lengths of the values of rows [0, len(offs)-1)
// that the bitmap leaves non-NULL, turning them into offsets, and returns
// the bytes after them, which must be exactly the values' data.
func readLens(offs []int32, bitmap []byte, p []byte) ([]byte, error) {
	offs[0] = 0
	var total uint64
	for i := 1; i < len(offs); i++ {
		if bitmap == nil || !bitSet(bitmap, i-1) {
			l, n := binary.Uvarint(p)
			if n <= 0 {
				return nil, errShort
			}
			p = p[n:]
			// Each length is checked before it is added, so the total
			// never exceeds what is left of p and cannot overflow.
			if l > uint64(len(p))-total {
				return nil, errLengths
			}
			total += l
		}
		offs[i] = int32(total)
	}
	if total != uint64(len(p)) {
		return nil, errLengths
	}
	return p, nil
}

func decodeBytes(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	b := &v.Bytes
	b.Offs = resize(b.Offs, h.rows+1)
	switch {
	case present == 0:
		clear(b.Offs)
		b.Data = b.Data[:0]
	case h.enc == encConst:
		l, n := binary.Uvarint(p)
		if n <= 0 || l != uint64(len(p)-n) {
			return errLengths
		}
		val := p[n:]
		if l*uint64(present) > maxChunkData {
			return errors.New("constant string chunk too large")
		}
		b.Data = slices.Grow(b.Data[:0], int(l)*present)
		b.Offs[0] = 0
		for i := 0; i < h.rows; i++ {
			if h.bitmap == nil || !bitSet(h.bitmap, i) {
				b.Data = append(b.Data, val...)
			}
			b.Offs[i+1] = int32(len(b.Data))
		}
	case h.enc == encPlain:
		if len(p) > maxChunkData {
			return errors.New("string chunk too large")
		}
		data, err := readLens(b.Offs, h.bitmap, p)
		if err != nil {
			return err
		}
		b.Data = append(b.Data[:0], data...)
	default:
		return badEncoding(h)
	}
	return nil
}

func decodeArrays(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	b := &v.Bytes
	v.Arr = resize(v.Arr, h.rows+1)
	v.Arr[0] = 0
	if present == 0 {
		clear(v.Arr)
		b.Offs = append(b.Offs[:0], 0)
		b.Data = b.Data[:0]
		return nil
	}
	if h.enc != encConst && h.enc != encPlain {
		return badEncoding(h)
	}
	if len(p) > maxChunkData {
		return errors.New("text[] chunk too large")
	}
	// Element counts, row by row. Every element costs at least one byte
	// of length, which bounds the total before anything is allocated.
	var elems uint64
	counts := p
	rowsStored := present
	if h.enc == encConst {
		rowsStored = 1
	}
	for i := 0; i < rowsStored; i++ {
		c, n := binary.Uvarint(p)
		if n <= 0 {
			return errShort
		}
		p = p[n:]
		if c > uint64(len(p))-elems {
			return errLengths
		}
		elems += c
	}
	counts = counts[:len(counts)-len(p)]
	// Element lengths and data, stored once for a constant chunk.
	b.Offs = resize(b.Offs, int(elems)+1)
	data, err := readLens(b.Offs, nil, p)
	if err != nil {
		return err
	}
	if h.enc == encConst {
		return fillConstArrays(v, h, present, int(elems), data)
	}
	b.Data = append(b.Data[:0], data...)
	for i := 0; i < h.rows; i++ {
		c := uint64(0)
		if h.bitmap == nil || !bitSet(h.bitmap, i) {
			var n int
			c, n = binary.Uvarint(counts)
			counts = counts[n:]
		}
		v.Arr[i+1] = v.Arr[i] + int32(c)
	}
	return nil
}

// fillConstArrays repeats the one stored text[] value, whose element
// offsets are in v.Bytes.Offs[:elems+1], over the non-NULL rows.
func fillConstArrays(v *coldata.Vec, h *chunkHeader, present, elems int, data []byte) error {
	b := &v.Bytes
	if uint64(len(data))*uint64(present) > maxChunkData ||
		uint64(elems)*uint64(present) >= math.MaxInt32 {
		return errors.New("constant text[] chunk too large")
	}
	total := elems * present
	if cap(b.Offs) < total+1 {
		b.Offs = append(make([]int32, 0, total+1), b.Offs[:elems+1]...)
	}
	b.Offs = b.Offs[:total+1]
	for r := 1; r < present; r++ {
		base := int32(r * len(data))
		for j := 1; j <= elems; j++ {
			b.Offs[r*elems+j] = base + b.Offs[j]
		}
	}
	b.Data = slices.Grow(b.Data[:0], len(data)*present)
	for r := 0; r < present; r++ {
		b.Data = append(b.Data, data...)
	}
	k := int32(0)
	for i := 0; i < h.rows; i++ {
		if h.bitmap == nil || !bitSet(h.bitmap, i) {
			k += int32(elems)
		}
		v.Arr[i+1] = k
	}
	return nil
}

// dictValues parses the dictionary of an encDict payload of present
// non-NULL rows and returns its values' bytes, with their offsets in
// *offs. The bytes may live in d's zstd scratch until the next call.
func (d *chunkDecoder) dictValues(p []byte, present int, offs *[]int32) ([]byte, error) {
	dict, _, _, _, err := d.parseDict(p, present, offs)
	return dict, err
}

// parseDict splits an encDict payload: the dictionary's values (bytes and
// *offs), the code width, the code layout, and the bytes of the codes.
func (d *chunkDecoder) parseDict(p []byte, present int, offs *[]int32) (data []byte, width int, layout byte, codes []byte, err error) {
	ndict, n := binary.Uvarint(p)
	if n <= 0 || ndict < 2 || ndict > uint64(present) {
		return nil, 0, 0, nil, errors.New("bad dictionary size")
	}
	p = p[n:]
	if len(p) < 3 {
		return nil, 0, 0, nil, errShort
	}
	width, layout = int(p[0]), p[1]
	dictEnc := encoding(p[2])
	if width != bits.Len64(ndict-1) {
		return nil, 0, 0, nil, errors.New("bad dictionary code width")
	}
	p = p[3:]
	dictLen, n := binary.Uvarint(p)
	if n <= 0 || dictLen > uint64(len(p)-n) {
		return nil, 0, 0, nil, errShort
	}
	dict, codes := p[n:n+int(dictLen)], p[n+int(dictLen):]
	switch dictEnc {
	case encPlain:
	case encZstd:
		if dict, err = d.unzstd(dict); err != nil {
			return nil, 0, 0, nil, err
		}
	default:
		return nil, 0, 0, nil, fmt.Errorf("bad dictionary encoding %d", dictEnc)
	}
	*offs = resize(*offs, int(ndict)+1)
	if data, err = readLens(*offs, nil, dict); err != nil {
		return nil, 0, 0, nil, err
	}
	return data, width, layout, codes, nil
}

// forEachRun calls fn for each run of equal codes of a dictionary chunk's
// codes (parseDict), in row order, skipping nothing: n is the run's count
// of non-NULL rows. It checks the codes as decodeDict does.
func forEachRun(codes []byte, width int, layout byte, present int, ndict uint64, fn func(c uint64, n int)) error {
	var lens []int
	ncodes := present
	if layout == codesRuns {
		nruns, n := binary.Uvarint(codes)
		if n <= 0 || nruns == 0 || nruns > uint64(present) {
			return errors.New("bad dictionary run count")
		}
		codes = codes[n:]
		total := 0
		for range nruns {
			l, n := binary.Uvarint(codes)
			if n <= 0 || l == 0 || l > uint64(present-total) {
				return errors.New("bad dictionary run length")
			}
			codes = codes[n:]
			total += int(l)
			lens = append(lens, int(l))
		}
		if total != present {
			return errors.New("dictionary runs disagree with the row count")
		}
		ncodes = int(nruns)
	} else if layout != codesPacked {
		return fmt.Errorf("bad dictionary code layout %d", layout)
	}
	u, err := newUnpacker(codes, width, ncodes)
	if err != nil {
		return err
	}
	for k := range ncodes {
		c := u.next()
		if c >= ndict {
			return errors.New("dictionary code out of range")
		}
		n := 1
		if lens != nil {
			n = lens[k]
		}
		fn(c, n)
	}
	return u.end()
}

// checkCodes reports an error if a code is not below ndict. Codes of
// width bits are all below 1<<width: only a dictionary smaller than that
// needs them checked.
func checkCodes(codes []int32, width, ndict int) error {
	if ndict >= 1<<width {
		return nil
	}
	top := int32(0)
	for _, c := range codes {
		top = max(top, c)
	}
	if int(top) >= ndict {
		return errors.New("dictionary code out of range")
	}
	return nil
}

// codesSlack is the capacity past its rows that rowCodes would have in
// out (codesFor gives it), to fill runs of codes eight at a time.
const codesSlack = 8

// codesFor returns s resized to n codes, with codesSlack more capacity.
func codesFor(s []int32, n int) []int32 {
	if cap(s) < n+codesSlack {
		s = make([]int32, n+codesSlack)
	}
	return s[:n]
}

// rowCodes sets out (h.rows long) to the dictionary code of each row of a
// dictionary chunk, -1 for a NULL row, from the codes parseDict returned:
// unpacked in bulk, runs filled, then spread over the NULLs. It may write
// up to codesSlack codes past the rows, within out's capacity.
func rowCodes(out []int32, h *chunkHeader, codes []byte, width int, layout byte, ndict int) error {
	present := h.rows - h.nulls
	vals := out[:present]
	switch layout {
	case codesPacked:
		if err := unpackAll(vals, codes, width); err != nil {
			return err
		}
		if err := checkCodes(vals, width, ndict); err != nil {
			return err
		}
	case codesRuns:
		nruns, n := binary.Uvarint(codes)
		if n <= 0 || nruns == 0 || nruns > uint64(present) {
			return errors.New("bad dictionary run count")
		}
		codes = codes[n:]
		// The run lengths come first, then the packed codes: the
		// lengths are read, the codes unpacked and checked (one per
		// run), then each run's rows filled with its code.
		var stack [128]int32
		buf := stack[:0]
		if 2*nruns > uint64(len(stack)) {
			buf = make([]int32, 2*nruns)
		}
		runLens, runCodes := buf[:nruns], buf[nruns:2*nruns]
		row := 0
		for k := range runLens {
			l, n := binary.Uvarint(codes)
			if n <= 0 || l == 0 || l > uint64(present-row) {
				return errors.New("bad dictionary run length")
			}
			codes = codes[n:]
			runLens[k] = int32(l)
			row += int(l)
		}
		if err := unpackAll(runCodes, codes, width); err != nil {
			return err
		}
		if err := checkCodes(runCodes, width, ndict); err != nil {
			return err
		}
		// With room for eight codes past the end, a run is filled eight
		// rows per step, the excess overwritten by the next run: most
		// runs take one step, and the loop's exit is predictable.
		wide := out[:cap(out)]
		if len(wide) < present+codesSlack {
			wide = nil
		}
		row = 0
		for k, c := range runCodes {
			end := row + int(runLens[k])
			if wide != nil {
				for ; row < end; row += codesSlack {
					// (Eight scalar stores: an array built on the stack
					// and copied would be read back before its stores
					// reach the cache, a stall per run.)
					w := wide[row : row+codesSlack : row+codesSlack]
					w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7] = c, c, c, c, c, c, c, c
				}
			} else {
				for ; row < end; row++ {
					vals[row] = c
				}
			}
			row = end
		}
		if row != present {
			return errors.New("dictionary runs disagree with the row count")
		}
	default:
		return fmt.Errorf("bad dictionary code layout %d", layout)
	}
	if h.bitmap != nil {
		k := present - 1
		for i := h.rows - 1; i >= 0; i-- {
			if bitSet(h.bitmap, i) {
				out[i] = -1
			} else {
				out[i] = out[k]
				k--
			}
		}
	}
	return nil
}

// decodeDict decodes an encDict payload (chunk_encode.go, dictBuilder.append).
func (d *chunkDecoder) decodeDict(v *coldata.Vec, h *chunkHeader, p []byte, present int) error {
	data, width, layout, codes, err := d.parseDict(p, present, &d.offs)
	if err != nil {
		return err
	}
	b := &v.Bytes
	b.Offs = resize(b.Offs, h.rows+1)
	b.Offs[0] = 0
	b.Data = b.Data[:0]
	row := 0 // the next row to fill; NULL rows get no bytes
	skipNulls := func() {
		for row < h.rows && h.bitmap != nil && bitSet(h.bitmap, row) {
			b.Offs[row+1] = int32(len(b.Data))
			row++
		}
	}
	tooLarge := false
	err = forEachRun(codes, width, layout, present, uint64(len(d.offs)-1), func(c uint64, n int) {
		val := data[d.offs[c]:d.offs[c+1]]
		for ; n > 0 && !tooLarge; n-- {
			skipNulls()
			if len(b.Data)+len(val) > maxChunkData {
				tooLarge = true
				return
			}
			b.Data = append(b.Data, val...)
			b.Offs[row+1] = int32(len(b.Data))
			row++
		}
	})
	switch {
	case err != nil:
		return err
	case tooLarge:
		return errors.New("string chunk too large")
	}
	skipNulls() // trailing NULL rows
	return nil
}

// unpacker reads n values of width bits packed least significant bit
// first (chunk_encode.go, packer).
type unpacker struct {
	p     []byte
	acc   uint64
	have  int
	width int
	mask  uint64
}

// newUnpacker checks that p holds exactly n values of width bits.
func newUnpacker(p []byte, width, n int) (unpacker, error) {
	if width > maxPackWidth {
		return unpacker{}, fmt.Errorf("bit width %d", width)
	}
	if len(p) != (n*width+7)/8 {
		return unpacker{}, errLengths
	}
	return unpacker{p: p, width: width, mask: 1<<uint(width) - 1}, nil
}

func (u *unpacker) next() uint64 {
	for u.have < u.width {
		u.acc |= uint64(u.p[0]) << u.have
		u.p = u.p[1:]
		u.have += 8
	}
	x := u.acc & u.mask
	u.acc >>= u.width
	u.have -= u.width
	return x
}

// end checks that the padding after the last value is 0.
func (u *unpacker) end() error {
	if u.acc != 0 || len(u.p) != 0 {
		return errors.New("packed values have trailing bits")
	}
	return nil
}

// field128 returns the bits of the 128-bit value hi:lo from bit b (below
// 128) up: a packed value starting there, once masked to its width.
func field128(lo, hi uint64, b uint) uint64 {
	if b < 64 {
		return lo>>b | hi<<(64-b)
	}
	return hi >> (b - 64)
}

// decodePatched decodes the patched delta encoding (appendPatched) of
// len(vals) values, at least one.
func decodePatched(vals []int64, p []byte) error {
	z, n := binary.Uvarint(p)
	if n <= 0 || len(p) < n+1 {
		return errShort
	}
	first, width := unzigzag(z), int(p[n])
	p = p[n+1:]
	exc, n := binary.Uvarint(p)
	if n <= 0 || exc > uint64(len(vals)-1) || width > maxPackWidth {
		return errors.New("bad patched delta header")
	}
	p = p[n:]
	diffs := vals[1:]
	packed := (len(diffs)*width + 7) / 8
	if len(p) < packed {
		return errShort
	}
	if err := unpackAll(diffs, p[:packed], width); err != nil {
		return err
	}
	p = p[packed:]
	idx := uint64(0)
	for k := range exc {
		gap, n := binary.Uvarint(p)
		if n <= 0 {
			return errShort
		}
		p = p[n:]
		hi, n := binary.Uvarint(p)
		if n <= 0 {
			return errShort
		}
		p = p[n:]
		idx += gap
		if (k > 0 && gap == 0) || idx >= uint64(len(diffs)) || hi == 0 || hi > math.MaxUint64>>uint(width) {
			return errors.New("bad patched delta exception")
		}
		diffs[idx] |= int64(hi << uint(width))
	}
	if len(p) != 0 {
		return errTrailing
	}
	prev := first
	vals[0] = first
	for i, d := range diffs {
		prev += unzigzag(uint64(d)) // wraps like the differences did
		diffs[i] = prev
	}
	return nil
}

// unpackAll decodes len(dst) values of width bits, packed least
// significant bit first, from p, which must hold exactly them and zero
// padding. Values are read eight bytes at a time: with width at most 56,
// a value and its offset within its first byte always fit in one load.
func unpackAll[T int64 | uint64 | int32](dst []T, p []byte, width int) error {
	n := len(dst)
	if width > maxPackWidth {
		return fmt.Errorf("bit width %d", width)
	}
	if len(p) != (n*width+7)/8 {
		return errLengths
	}
	mask := uint64(1)<<uint(width) - 1
	i, bit := 0, 0
	if width <= 8 {
		// Eight values fill width bytes: one load gives all eight, at
		// shifts fixed for the whole loop.
		w := uint(width)
		s1, s2, s3, s4, s5, s6, s7 := w&63, 2*w&63, 3*w&63, 4*w&63, 5*w&63, 6*w&63, 7*w&63
		for ; i+8 <= n && bit>>3+8 <= len(p); i, bit = i+8, bit+8*width {
			x := binary.LittleEndian.Uint64(p[bit>>3:])
			d := dst[i : i+8 : i+8]
			d[0] = T(x & mask)
			d[1] = T(x >> s1 & mask)
			d[2] = T(x >> s2 & mask)
			d[3] = T(x >> s3 & mask)
			d[4] = T(x >> s4 & mask)
			d[5] = T(x >> s5 & mask)
			d[6] = T(x >> s6 & mask)
			d[7] = T(x >> s7 & mask)
		}
	}
	if width <= 16 {
		// Eight values fill width bytes: two loads give all eight.
		for ; i+8 <= n && bit>>3+16 <= len(p); i, bit = i+8, bit+8*width {
			o := bit >> 3
			lo, hi := binary.LittleEndian.Uint64(p[o:]), binary.LittleEndian.Uint64(p[o+8:])
			d := dst[i : i+8 : i+8]
			for k := range d {
				d[k] = T(field128(lo, hi, uint(k*width)) & mask)
			}
		}
	}
	for ; i < n && bit>>3+8 <= len(p); i++ {
		w := binary.LittleEndian.Uint64(p[bit>>3:])
		dst[i] = T((w >> uint(bit&7)) & mask)
		bit += width
	}
	// The last values, within eight bytes of the end.
	var tail [16]byte
	rest := p[min(bit>>3, len(p)):]
	copy(tail[:], rest)
	base := bit >> 3 << 3
	for ; i < n; i++ {
		off := bit - base
		w := binary.LittleEndian.Uint64(tail[off>>3:])
		dst[i] = T((w >> uint(off&7)) & mask)
		bit += width
	}
	if pad := uint(n*width) & 7; pad != 0 && p[len(p)-1]>>pad != 0 {
		return errors.New("packed values have trailing bits")
	}
	return nil
}

// unzstd decompresses a zstd payload: the plain payload's length, then one
// zstd frame. The result lives in d's scratch buffer until the next call.
//
// The payload returned must not be changed: it may be the cache's.
func (d *chunkDecoder) unzstd(p []byte) ([]byte, error) {
	cached := d.cache != nil && within(p, d.refBody)
	if cached {
		if out, ok := d.cache.get(d.ref); ok {
			return out, nil
		}
	}
	raw, n := binary.Uvarint(p)
	if n <= 0 || raw > maxChunkData {
		return nil, errors.New("bad zstd length")
	}
	_, dec := zstdCodec()
	dst := d.z[:0]
	if cached {
		// A buffer of its own, which the cache keeps.
		dst = make([]byte, 0, min(raw, 64<<20))
	}
	out, err := dec.DecodeAll(p[n:], dst)
	if out != nil && !cached {
		d.z = out
	}
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	if uint64(len(out)) != raw {
		return nil, errors.New("zstd length mismatch")
	}
	if cached {
		d.cache.put(d.ref, out)
	}
	return out, nil
}
