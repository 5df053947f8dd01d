package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// blockVersion is the version byte that starts every block's metadata,
// the version this build writes. It reads blocks from minBlockVersion on
// (version 2 added the dictionary encoding); a block of any other version
// is refused, never guessed at.
const (
	blockVersion    = 3
	minBlockVersion = 1
)

// maxEncodingOf is the largest encoding a block of version v may use.
func maxEncodingOf(v byte) encoding {
	switch v {
	case 1:
		return encZstd
	case 2:
		return encDeltaFOR
	}
	return maxEncoding
}

// blockMeta is the decoded metadata of one block: enough to prune it, count
// it, and find and verify its chunks without reading them.
type blockMeta struct {
	rows         int
	minTs, maxTs int64 // of the table's time column, both inclusive
	cols         []colMeta
}

// colMeta describes one column chunk of a block.
type colMeta struct {
	typ      coldata.Type
	enc      encoding
	nulls    int
	size     int    // bytes of the chunk's value, checksum included
	crc      uint32 // the chunk's CRC32C, as it trails the chunk
	min, max int64  // set for integer and timestamp chunks with a non-NULL value

	// Summaries of text-like chunks (version 3), parsed from ext.
	summary textSummary
}

// textSummary is what a block's metadata says of a text-like column
// (text, numeric, jsonb) beyond its encoding and NULLs, so that a scan
// can rule the block out, or count its rows by value, without reading
// the chunk. Every field is optional.
//
//	ext := flags:u8
//	       [lowLen:uvarint low highLen:uvarint high]        flags&1
//	       [n:uvarint (len:uvarint value count:uvarint){n}]  flags&2
//	       [bloomSize:uvarint bloomCRC:u32]                  flags&4
type textSummary struct {
	// ext is the encoded summary: what appendMeta writes. Empty means
	// flags 0.
	ext []byte
	// low <= every value <= high, byte-wise. Values longer than
	// maxBoundLen are cut: low to its prefix, high to a prefix
	// incremented (the bounds are dropped when that is impossible).
	hasBounds bool
	low, high []byte
	// values and counts list the distinct values of a constant or
	// dictionary chunk with at most maxSummaryValues of them, in the
	// dictionary's order, and the non-NULL rows holding each.
	hasValues bool
	values    [][]byte
	counts    []int64
	// The bloom filter of the values of a chunk with many distinct
	// values, stored under bloomKey: its size and CRC32C, as for chunks.
	bloomSize int
	bloomCRC  uint32
}

// Summary flags.
const (
	sumBounds = 1
	sumValues = 2
	sumBloom  = 4
)

// Summary limits: values longer than maxBoundLen are cut in bounds; a
// value list is kept when a chunk has at most maxSummaryValues distinct
// values of at most maxSummaryBytes in all.
const (
	maxBoundLen      = 32
	maxSummaryValues = 32
	maxSummaryBytes  = 512
)

// appendSummary appends the ext encoding of a text summary built by the
// writer.
func appendSummary(dst []byte, low, high []byte, values [][]byte, counts []int64, bloomSize int, bloomCRC uint32) []byte {
	flags := byte(0)
	lowCut, highCut, ok := bounds(low, high)
	if ok {
		flags |= sumBounds
	}
	if len(values) > 0 {
		flags |= sumValues
	}
	if bloomSize > 0 {
		flags |= sumBloom
	}
	dst = append(dst, flags)
	if ok {
		dst = binary.AppendUvarint(dst, uint64(len(lowCut)))
		dst = append(dst, lowCut...)
		dst = binary.AppendUvarint(dst, uint64(len(highCut)))
		dst = append(dst, highCut...)
	}
	if len(values) > 0 {
		dst = binary.AppendUvarint(dst, uint64(len(values)))
		for i, v := range values {
			dst = binary.AppendUvarint(dst, uint64(len(v)))
			dst = append(dst, v...)
			dst = binary.AppendUvarint(dst, uint64(counts[i]))
		}
	}
	if bloomSize > 0 {
		dst = binary.AppendUvarint(dst, uint64(bloomSize))
		dst = binary.LittleEndian.AppendUint32(dst, bloomCRC)
	}
	return dst
}

// bounds cuts a chunk's least and greatest values to at most maxBoundLen
// bytes: the low one to its prefix, the high one to its prefix with the
// last byte that is not 0xff incremented and the rest dropped. ok is
// false when there are no values or the high bound cannot be cut.
func bounds(low, high []byte) (lowCut, highCut []byte, ok bool) {
	if low == nil || high == nil {
		return nil, nil, false
	}
	if len(low) > maxBoundLen {
		low = low[:maxBoundLen]
	}
	if len(high) > maxBoundLen {
		cut := append([]byte(nil), high[:maxBoundLen]...)
		for len(cut) > 0 && cut[len(cut)-1] == 0xff {
			cut = cut[:len(cut)-1]
		}
		if len(cut) == 0 {
			return nil, nil, false
		}
		cut[len(cut)-1]++
		high = cut
	}
	return low, high, true
}

// parseSummary decodes ext into s, which keeps referring to ext.
func parseSummary(s *textSummary, ext []byte, rows int) error {
	r := metaReader{buf: ext}
	flags := r.bytes(1)
	if r.err != nil {
		return r.err
	}
	if flags[0]&^(sumBounds|sumValues|sumBloom) != 0 {
		return fmt.Errorf("bad summary flags %#x", flags[0])
	}
	s.hasBounds = flags[0]&sumBounds != 0
	s.low, s.high = nil, nil
	if s.hasBounds {
		s.low = r.bytes(int(min(r.uvarint(), maxBoundLen+1)))
		s.high = r.bytes(int(min(r.uvarint(), maxBoundLen+1)))
		if r.err == nil && (len(s.low) > maxBoundLen || len(s.high) > maxBoundLen || bytes.Compare(s.low, s.high) > 0) {
			return errors.New("bad summary bounds")
		}
	}
	s.values, s.counts = s.values[:0], s.counts[:0]
	s.hasValues = flags[0]&sumValues != 0
	if s.hasValues {
		n := r.uvarint()
		if r.err == nil && (n == 0 || n > maxSummaryValues) {
			return errors.New("bad summary value count")
		}
		total := uint64(0)
		for range n {
			v := r.bytes(int(min(r.uvarint(), maxSummaryBytes+1)))
			c := r.uvarint()
			if r.err != nil {
				break
			}
			total += c
			s.values = append(s.values, v)
			s.counts = append(s.counts, int64(c))
		}
		if r.err == nil && (total == 0 || total > uint64(rows)) {
			return errors.New("summary counts disagree with the rows")
		}
	}
	s.bloomSize, s.bloomCRC = 0, 0
	if flags[0]&sumBloom != 0 {
		size := r.uvarint()
		s.bloomCRC = r.uint32()
		if r.err == nil && (size < 5 || size > maxBloomBytes+5) {
			return errors.New("bad bloom filter size")
		}
		s.bloomSize = int(size)
	}
	if r.err != nil {
		return r.err
	}
	if len(r.buf) != 0 {
		return errTrailing
	}
	return nil
}

// hasMinMax reports whether the column's metadata carries min and max.
func (c *colMeta) hasMinMax(rows int) bool { return isIntType(c.typ) && c.nulls < rows }

// appendMeta appends the encoded metadata, checksum included, to dst.
func appendMeta(dst []byte, m *blockMeta) []byte {
	start := len(dst)
	dst = append(dst, blockVersion)
	dst = binary.AppendUvarint(dst, uint64(m.rows))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(m.minTs))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(m.maxTs))
	dst = binary.AppendUvarint(dst, uint64(len(m.cols)))
	for i := range m.cols {
		c := &m.cols[i]
		dst = append(dst, byte(c.typ), byte(c.enc))
		dst = binary.AppendUvarint(dst, uint64(c.nulls))
		dst = binary.AppendUvarint(dst, uint64(c.size))
		dst = binary.LittleEndian.AppendUint32(dst, c.crc)
		if c.hasMinMax(m.rows) {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.min))
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.max))
		}
		if c.typ.IsBytes() {
			ext := c.summary.ext
			if len(ext) == 0 {
				ext = []byte{0}
			}
			dst = binary.AppendUvarint(dst, uint64(len(ext)))
			dst = append(dst, ext...)
		}
	}
	dst, _ = appendChecksum(dst, start)
	return dst
}

// errVersion reports a block written by a format this build does not read.
type errVersion struct{ version byte }

func (e errVersion) Error() string {
	return fmt.Sprintf("block format version %d unknown (this build reads versions %d to %d)", e.version, minBlockVersion, blockVersion)
}

// decodeMeta verifies and decodes a metadata value into m, reusing m.cols.
// metaTimes reads only the time span of a block from its metadata,
// checksum verified.
func metaTimes(value []byte) (minTs, maxTs int64, err error) {
	_, minTs, maxTs, err = metaHeader(value)
	return minTs, maxTs, err
}

// metaHeader reads only the row count and time span of a block from its
// metadata, checksum verified.
func metaHeader(value []byte) (rows int, minTs, maxTs int64, err error) {
	body, _, err := splitChecksum(value)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(body) == 0 {
		return 0, 0, 0, errShort
	}
	if v := body[0]; v < minBlockVersion || v > blockVersion {
		return 0, 0, 0, errVersion{v}
	}
	r := metaReader{buf: body[1:]}
	n := r.uvarint()
	minTs, maxTs = r.int64(), r.int64()
	if r.err == nil && (n == 0 || n > maxBlockRows || minTs > maxTs) {
		return 0, 0, 0, errors.New("bad block header")
	}
	return int(n), minTs, maxTs, r.err
}

func decodeMeta(m *blockMeta, value []byte) error {
	body, _, err := splitChecksum(value)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return errShort
	}
	version := body[0]
	if version < minBlockVersion || version > blockVersion {
		return errVersion{version}
	}
	r := metaReader{buf: body[1:]}
	rows := r.uvarint()
	m.minTs, m.maxTs = r.int64(), r.int64()
	ncols := r.uvarint()
	// A column takes at least 8 bytes, which bounds ncols before the
	// slice is sized.
	if r.err == nil && (rows == 0 || rows > maxBlockRows || m.minTs > m.maxTs ||
		ncols > maxColumns || ncols > uint64(len(r.buf))/8) {
		return errors.New("bad block header")
	}
	m.rows = int(rows)
	m.cols = resize(m.cols, int(ncols))
	for i := range m.cols {
		c := &m.cols[i]
		hdr := r.bytes(2)
		if r.err != nil {
			break
		}
		c.typ, c.enc = coldata.Type(hdr[0]), encoding(hdr[1])
		nulls, size := r.uvarint(), r.uvarint()
		c.crc = r.uint32()
		if r.err == nil && (!c.typ.Valid() || c.enc < encConst || c.enc > maxEncodingOf(version) ||
			nulls > rows || size > maxChunkData) {
			return fmt.Errorf("bad metadata for column %d", i)
		}
		c.nulls, c.size = int(nulls), int(size)
		c.min, c.max = 0, 0
		if c.hasMinMax(m.rows) {
			c.min, c.max = r.int64(), r.int64()
		}
		c.summary.ext = nil
		if version >= 3 && c.typ.IsBytes() && r.err == nil {
			ext := r.bytes(int(min(r.uvarint(), uint64(len(r.buf)+1))))
			if r.err != nil {
				break
			}
			if err := parseSummary(&c.summary, ext, m.rows); err != nil {
				return fmt.Errorf("column %d: %w", i, err)
			}
			c.summary.ext = nil
			if ext[0] != 0 {
				c.summary.ext = ext
			}
		} else {
			c.summary.hasBounds, c.summary.hasValues, c.summary.bloomSize = false, false, 0
		}
	}
	if r.err != nil {
		return r.err
	}
	if len(r.buf) != 0 {
		return errTrailing
	}
	return nil
}

// metaReader reads metadata fields, keeping the first error.
type metaReader struct {
	buf []byte
	err error
}

func (r *metaReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.buf) < n {
		r.err = errShort
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

func (r *metaReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.buf = r.buf[n:]
	return x
}

func (r *metaReader) int64() int64 {
	if b := r.bytes(8); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

func (r *metaReader) uint32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// corrupt wraps a decoding error of a stored value with SQLSTATE XX001 and
// the name of the block, or with 0A000 when the block is of a format
// version this build does not know.
func corrupt(err error, what string, table string, id blockID) error {
	msg := fmt.Sprintf("%s of %s", what, blockName(table, id))
	var ev errVersion
	if errors.As(err, &ev) {
		return sqlerr.Wrap(err, sqlerr.FeatureNotSupported, msg)
	}
	return sqlerr.Wrap(err, sqlerr.DataCorrupted, msg)
}
