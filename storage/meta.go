package storage

import (
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
	blockVersion    = 2
	minBlockVersion = 1
)

// maxEncodingOf is the largest encoding a block of version v may use.
func maxEncodingOf(v byte) encoding {
	if v == 1 {
		return encZstd
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
