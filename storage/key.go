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
	keySpaceStore byte = 0x00 // store-wide records (formatKey)
	keySpaceBlock byte = 0x01 // blocks: metadata and column chunks
)

// Kinds of block key, the byte after the block sequence number. Metadata
// sorts before the chunks, so a forward scan meets a block's metadata first.
const (
	kindMeta  byte = 0x00
	kindChunk byte = 0x01
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

// appendBlockID appends partition, stream and sequence to a table prefix.
func appendBlockID(dst []byte, id blockID) []byte {
	dst = appendPartition(dst, id.partition)
	dst = binary.BigEndian.AppendUint64(dst, id.stream)
	return binary.BigEndian.AppendUint64(dst, id.seq)
}

// metaKey appends the key of a block's metadata.
func metaKey(dst []byte, prefix []byte, id blockID) []byte {
	dst = appendBlockID(append(dst, prefix...), id)
	return append(dst, kindMeta)
}

// chunkKey appends the key of column col of a block.
func chunkKey(dst []byte, prefix []byte, id blockID, col int) []byte {
	dst = appendBlockID(append(dst, prefix...), id)
	dst = append(dst, kindChunk)
	return binary.BigEndian.AppendUint16(dst, uint16(col))
}

// blockEnd appends the smallest key after every key of the block: the
// block prefix with its last byte incremented (the block ID is followed by
// a kind byte, so the ID itself needs no carry).
func blockEnd(dst []byte, prefix []byte, id blockID) []byte {
	dst = appendBlockID(append(dst, prefix...), id)
	return append(dst, 0xff)
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
	if len(rest) < blockIDLen+1 {
		return id, 0, 0, errBadKey
	}
	id.partition = int64(binary.BigEndian.Uint64(rest) ^ (1 << 63))
	id.stream = binary.BigEndian.Uint64(rest[8:])
	id.seq = binary.BigEndian.Uint64(rest[16:])
	kind = rest[blockIDLen]
	rest = rest[blockIDLen+1:]
	switch {
	case kind == kindMeta && len(rest) == 0:
		return id, kind, 0, nil
	case kind == kindChunk && len(rest) == 2:
		return id, kind, int(binary.BigEndian.Uint16(rest)), nil
	}
	return id, 0, 0, errBadKey
}

// parseTable reads the table name at the start of a block key and returns
// it with the length of the table prefix.
func parseTable(key []byte) (table string, prefixLen int, err error) {
	if len(key) == 0 || key[0] != keySpaceBlock {
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
