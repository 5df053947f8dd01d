package coldata

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The batch wire encoding carries batches between operators and query
// nodes. It is little-endian and laid out so that decoding is a few bulk
// copies per column:
//
//	batch   := version:u8 ncols:uvarint nrows:uvarint column*
//	column  := type:u8 flags:u8 [nulls] values
//	nulls   := nwords:uvarint word:u64*          (flags bit 0 set)
//	values  := Bool:        nrows × u8 (0 or 1)
//	           ints, times: nrows × i64
//	           floats:      nrows × f64 bits
//	           bytes:       bytes
//	           TextArray:   bounds:(nrows+1) × i32, bytes
//	bytes   := nvals:uvarint offs:(nvals+1) × i32 ndata:uvarint data
//
// Decode checks every length and offset against the input, so a corrupt or
// hostile message yields an error, never a panic or an out-of-range slice.
const encodingVersion = 1

var errShort = errors.New("truncated batch")

// AppendEncoded appends the wire encoding of b to dst.
func AppendEncoded(dst []byte, b *Batch) []byte {
	dst = append(dst, encodingVersion)
	dst = binary.AppendUvarint(dst, uint64(len(b.Vecs)))
	dst = binary.AppendUvarint(dst, uint64(b.Len))
	for _, v := range b.Vecs {
		dst = append(dst, byte(v.Type))
		words := nullWords(v.Nulls, b.Len)
		if words != nil {
			dst = append(dst, 1)
			dst = binary.AppendUvarint(dst, uint64(len(words)))
			for _, w := range words {
				dst = binary.LittleEndian.AppendUint64(dst, w)
			}
		} else {
			dst = append(dst, 0)
		}
		switch {
		case v.Type == Bool:
			for _, x := range v.Bool[:b.Len] {
				if x {
					dst = append(dst, 1)
				} else {
					dst = append(dst, 0)
				}
			}
		case v.Type.InInt64():
			for _, x := range v.Int64[:b.Len] {
				dst = binary.LittleEndian.AppendUint64(dst, uint64(x))
			}
		case v.Type.IsFloat():
			for _, x := range v.Float64[:b.Len] {
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(x))
			}
		case v.Type.IsBytes():
			dst = appendBytes(dst, &v.Bytes, b.Len)
		case v.Type == TextArray:
			for _, x := range v.Arr[:b.Len+1] {
				dst = binary.LittleEndian.AppendUint32(dst, uint32(x))
			}
			dst = appendBytes(dst, &v.Bytes, int(v.Arr[b.Len]))
		}
	}
	return dst
}

// nullWords returns the bitmap words covering n rows, or nil when none of
// them is NULL.
func nullWords(n Nulls, rows int) []uint64 {
	words := (rows + 63) / 64
	if words > len(n) {
		words = len(n)
	}
	w := n[:words]
	if words > 0 && rows%64 != 0 && words == (rows+63)/64 {
		last := w[words-1] & (1<<(uint(rows)%64) - 1)
		if last != w[words-1] {
			w = append(append([]uint64(nil), w[:words-1]...), last)
		}
	}
	if !w.Any() {
		return nil
	}
	return w
}

func appendBytes(dst []byte, b *Bytes, n int) []byte {
	dst = binary.AppendUvarint(dst, uint64(n))
	if n == 0 {
		dst = binary.LittleEndian.AppendUint32(dst, 0)
		return binary.AppendUvarint(dst, 0)
	}
	base := b.Offs[0]
	for _, o := range b.Offs[:n+1] {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(o-base))
	}
	data := b.Data[base:b.Offs[n]]
	dst = binary.AppendUvarint(dst, uint64(len(data)))
	return append(dst, data...)
}

type reader struct {
	buf []byte
	err error
}

func (r *reader) uvarint(limit uint64) int {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	if x > limit {
		r.err = fmt.Errorf("batch count %d exceeds %d", x, limit)
		return 0
	}
	r.buf = r.buf[n:]
	return int(x)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.buf) {
		r.err = errShort
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

// Decode parses one batch from its wire encoding. The result does not
// alias data.
func Decode(data []byte) (*Batch, error) {
	r := &reader{buf: data}
	if v := r.bytes(1); r.err == nil && v[0] != encodingVersion {
		return nil, fmt.Errorf("decode batch: unknown encoding version %d", v[0])
	}
	// A value takes at least one byte on the wire, which bounds the counts
	// before anything is allocated.
	ncols := r.uvarint(uint64(len(data)))
	nrows := r.uvarint(math.MaxInt32 - 1)
	b := &Batch{Vecs: make([]*Vec, 0, ncols), Len: nrows}
	for c := 0; c < ncols && r.err == nil; c++ {
		v, err := decodeVec(r, nrows)
		if err != nil {
			return nil, fmt.Errorf("decode batch column %d: %w", c, err)
		}
		b.Vecs = append(b.Vecs, v)
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode batch: %w", r.err)
	}
	if len(r.buf) != 0 {
		return nil, fmt.Errorf("decode batch: %d trailing bytes", len(r.buf))
	}
	return b, nil
}

func decodeVec(r *reader, nrows int) (*Vec, error) {
	hdr := r.bytes(2)
	if r.err != nil {
		return nil, r.err
	}
	t := Type(hdr[0])
	if !t.Valid() {
		return nil, fmt.Errorf("unknown type %d", hdr[0])
	}
	v := &Vec{Type: t}
	if hdr[1]&1 != 0 {
		words := r.uvarint(uint64(nrows+63) / 64)
		raw := r.bytes(words * 8)
		if r.err != nil {
			return nil, r.err
		}
		v.Nulls = make(Nulls, words)
		for i := range v.Nulls {
			v.Nulls[i] = binary.LittleEndian.Uint64(raw[i*8:])
		}
	}
	switch {
	case t == Bool:
		raw := r.bytes(nrows)
		if r.err != nil {
			return nil, r.err
		}
		v.Bool = make([]bool, nrows)
		for i, x := range raw {
			v.Bool[i] = x != 0
		}
	case t.InInt64():
		raw := r.bytes(nrows * 8)
		if r.err != nil {
			return nil, r.err
		}
		v.Int64 = make([]int64, nrows)
		for i := range v.Int64 {
			v.Int64[i] = int64(binary.LittleEndian.Uint64(raw[i*8:]))
		}
	case t.IsFloat():
		raw := r.bytes(nrows * 8)
		if r.err != nil {
			return nil, r.err
		}
		v.Float64 = make([]float64, nrows)
		for i := range v.Float64 {
			v.Float64[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[i*8:]))
		}
	case t.IsBytes():
		if err := decodeBytes(r, &v.Bytes, nrows); err != nil {
			return nil, err
		}
	case t == TextArray:
		raw := r.bytes((nrows + 1) * 4)
		if r.err != nil {
			return nil, r.err
		}
		v.Arr = make([]int32, nrows+1)
		for i := range v.Arr {
			v.Arr[i] = int32(binary.LittleEndian.Uint32(raw[i*4:]))
			if v.Arr[i] < 0 || (i > 0 && v.Arr[i] < v.Arr[i-1]) || (i == 0 && v.Arr[0] != 0) {
				return nil, errors.New("array bounds out of order")
			}
		}
		if err := decodeBytes(r, &v.Bytes, int(v.Arr[nrows])); err != nil {
			return nil, err
		}
	}
	return v, r.err
}

func decodeBytes(r *reader, b *Bytes, want int) error {
	n := r.uvarint(uint64(len(r.buf)))
	if r.err != nil {
		return r.err
	}
	if n != want {
		return fmt.Errorf("%d values where %d were expected", n, want)
	}
	raw := r.bytes((n + 1) * 4)
	ndata := r.uvarint(uint64(len(r.buf)))
	data := r.bytes(ndata)
	if r.err != nil {
		return r.err
	}
	b.Offs = make([]int32, n+1)
	for i := range b.Offs {
		o := binary.LittleEndian.Uint32(raw[i*4:])
		if o > uint32(ndata) || (i > 0 && int32(o) < b.Offs[i-1]) || (i == 0 && o != 0) {
			return errors.New("string offsets out of order")
		}
		b.Offs[i] = int32(o)
	}
	if int(b.Offs[n]) != ndata {
		return errors.New("string data length mismatch")
	}
	b.Data = append([]byte(nil), data...)
	return nil
}
