package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Key spaces. The first byte of every key says which one it belongs to.
const (
	keySpaceStore   byte = 0x00 // store-wide records (formatKey)
	keySpaceBlockV1 byte = 0x01 // blocks of store format 1, rewritten at Open (migrate.go)
	keySpaceBlock   byte = 0x02 // blocks: metadata, column chunks and filters
)

// Kinds of block key, the byte after the partition. Within a partition
// every block's metadata sorts first, then the chunks of column 0 of every
// block, of column 1, and so on, then the bloom filters: a scan reads the
// metadata as one sequence and each column it needs as another, so that
// the bytes of columns it does not need are never read.
const (
	kindMeta  byte = 0x00
	kindChunk byte = 0x01
	kindBloom byte = 0x02
)

// formatKey holds the store's format record (format.go).
var formatKey = []byte{keySpaceStore, 'f', 'o', 'r', 'm', 'a', 't'}

// blockIDLen is the length of partition, stream and sequence in a block key.
const blockIDLen = 8 + 8 + 8

// maxColumns bounds a table's columns: the chunk key spends two bytes on the
// column index. PostgreSQL stops at 1600.
const maxColumns = math.MaxUint16 + 1

// blockID identifies one block of one table.
type blockID struct {
	partition int64  // start of the time partition, µs since the epoch
	stream    uint64 // stream (hash of the stream columns) of the block's first row
	seq       uint64 // store-wide sequence number, unique per block
}

// tablePrefix appends the key prefix shared by every block of table.
func tablePrefix(dst []byte, table string) []byte {
	dst = append(dst, keySpaceBlock)
	dst = binary.AppendUvarint(dst, uint64(len(table)))
	return append(dst, table...)
}

// orderedTs maps a timestamp to a uint64 whose big-endian bytes sort like
// the signed value.
func orderedTs(ts int64) uint64 { return uint64(ts) ^ (1 << 63) }

// appendPartition appends the 8 key bytes of a partition start.
func appendPartition(dst []byte, partition int64) []byte {
	return binary.BigEndian.AppendUint64(dst, orderedTs(partition))
}

// blockKey appends the key of one value of a block: its metadata (kind
// kindMeta, col ignored), a column chunk or a column's bloom filter.
//
//	key := prefix partition:u64be kind:u8 [col:u16be] stream:u64be seq:u64be
func blockKey(dst []byte, prefix []byte, id blockID, kind byte, col int) []byte {
	dst = appendPartition(append(dst, prefix...), id.partition)
	dst = append(dst, kind)
	if kind != kindMeta {
		dst = binary.BigEndian.AppendUint16(dst, uint16(col))
	}
	dst = binary.BigEndian.AppendUint64(dst, id.stream)
	return binary.BigEndian.AppendUint64(dst, id.seq)
}

// metaKey appends the key of a block's metadata.
func metaKey(dst []byte, prefix []byte, id blockID) []byte {
	return blockKey(dst, prefix, id, kindMeta, 0)
}

// chunkKey appends the key of column col of a block.
func chunkKey(dst []byte, prefix []byte, id blockID, col int) []byte {
	return blockKey(dst, prefix, id, kindChunk, col)
}

// bloomKey appends the key of the bloom filter of column col of a block.
func bloomKey(dst []byte, prefix []byte, id blockID, col int) []byte {
	return blockKey(dst, prefix, id, kindBloom, col)
}

// sectionStart appends the first key of a partition's section: its
// metadata (kind kindMeta), or the chunks or filters of one column.
func sectionStart(dst []byte, prefix []byte, partition int64, kind byte, col int) []byte {
	dst = appendPartition(append(dst, prefix...), partition)
	dst = append(dst, kind)
	if kind != kindMeta {
		dst = binary.BigEndian.AppendUint16(dst, uint16(col))
	}
	return dst
}

// partitionEnd appends the smallest key after every key of a partition.
func partitionEndKey(dst []byte, prefix []byte, partition int64) []byte {
	start := len(dst)
	dst = appendPartition(append(dst, prefix...), partition)
	if end := prefixEnd(dst[start:]); end != nil {
		return append(dst[:start], end...)
	}
	return dst[:start] // unreachable: a table prefix starts with keySpaceBlock
}

// prefixEnd returns the smallest key greater than every key starting with
// prefix, or nil when there is none (prefix is all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

var errBadKey = errors.New("malformed block key")

// parseBlockKey splits a block key of a table whose prefix is prefixLen
// bytes long into its block ID, kind and column.
func parseBlockKey(key []byte, prefixLen int) (id blockID, kind byte, col int, err error) {
	rest := key[min(prefixLen, len(key)):]
	if len(rest) < 9 {
		return id, 0, 0, errBadKey
	}
	id.partition = int64(binary.BigEndian.Uint64(rest) ^ (1 << 63))
	kind, rest = rest[8], rest[9:]
	switch {
	case kind == kindMeta && len(rest) == 16:
	case (kind == kindChunk || kind == kindBloom) && len(rest) == 18:
		col, rest = int(binary.BigEndian.Uint16(rest)), rest[2:]
	default:
		return id, 0, 0, errBadKey
	}
	id.stream = binary.BigEndian.Uint64(rest)
	id.seq = binary.BigEndian.Uint64(rest[8:])
	return id, kind, col, nil
}

// parseTable reads the table name at the start of a block key and returns
// it with the length of the table prefix.
func parseTable(key []byte) (table string, prefixLen int, err error) {
	if len(key) == 0 || (key[0] != keySpaceBlock && key[0] != keySpaceBlockV1) {
		return "", 0, errBadKey
	}
	n, w := binary.Uvarint(key[1:])
	if w <= 0 || n > uint64(len(key)-1-w) {
		return "", 0, errBadKey
	}
	end := 1 + w + int(n)
	return string(key[1+w : end]), end, nil
}

// partitionStart returns the start of the partition holding ts: ts rounded
// down to a multiple of width. The partition holding math.MinInt64 would
// start before it, so it is cut to start there.
func partitionStart(ts, width int64) int64 {
	r := ts % width
	if r < 0 {
		r += width
	}
	if ts < math.MinInt64+r {
		return math.MinInt64
	}
	return ts - r
}

// partitionName renders a partition start for error messages.
func partitionName(partition int64) string {
	return time.UnixMicro(partition).UTC().Format(time.RFC3339)
}

// String names the block for error messages, as "block 42 of alerts
// partition 2026-05-19T10:00:00Z" once given its table (blockName).
// String names the block by its sequence number, which is unique in the
// store; the stream, a hash, would only make messages longer.
func (id blockID) String() string {
	return fmt.Sprintf("block %d", id.seq)
}

// blockName names a block of table for error messages.
func blockName(table string, id blockID) string {
	return fmt.Sprintf("%s of %s partition %s", id, table, partitionName(id.partition))
}
