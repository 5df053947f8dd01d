package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/armorlake/armorlake/coldata"
)

// encoding says how a chunk lays out its non-NULL values. The values are
// part of the stored format: never renumber them.
type encoding uint8

const (
	// encConst: every non-NULL value is equal; the payload holds it once,
	// in the plain encoding. An all-NULL chunk is encConst with no payload.
	encConst encoding = 1
	// encPlain: the values one after the other (layout per type in doc.go).
	encPlain encoding = 2
	// encDelta: integers and timestamps as the zigzag varint of the first
	// value, then of each difference to the previous value.
	encDelta encoding = 3
	// encZstd: string and text[] chunks whose plain payload, compressed as
	// one zstd frame, is clearly smaller.
	encZstd encoding = 4
	// encDict: string chunks with few distinct values: the distinct values
	// once (a dictionary, in order of first appearance) and one bit-packed
	// code per non-NULL row.
	encDict encoding = 5
	// encFOR: integers and timestamps as their difference to the
	// smallest, bit-packed (frame of reference).
	encFOR encoding = 6
	// encDeltaFOR: integers and timestamps as the first value, then each
	// difference to the previous one minus the smallest difference,
	// bit-packed: rising timestamps and counters in a few bits each.
	encDeltaFOR encoding = 7
	// encPatchedDelta: integers and timestamps as the first value, then
	// the zigzag of each difference to the previous one, its low bits
	// bit-packed at a width most differences fit in, and the high bits of
	// the few that do not (exceptions) listed after: a stream's rising
	// timestamps or process IDs in a few bits each, the jumps between
	// streams apart. Version 3.
	encPatchedDelta encoding = 8
)

// maxEncoding is the largest encoding a reader of this version knows.
const maxEncoding = encPatchedDelta

// maxPackWidth bounds the bit width of packed integers, so that packing
// and unpacking fit in one 64-bit accumulator; wider values are stored
// plain or as varint deltas.
const maxPackWidth = 56

func (e encoding) String() string {
	switch e {
	case encConst:
		return "const"
	case encPlain:
		return "plain"
	case encDelta:
		return "delta"
	case encZstd:
		return "zstd"
	case encDict:
		return "dict"
	case encFOR:
		return "for"
	case encDeltaFOR:
		return "delta-for"
	case encPatchedDelta:
		return "patched-delta"
	}
	return fmt.Sprintf("encoding(%d)", uint8(e))
}

// Limits of the format. They bound what a decoder allocates for a value it
// has not yet verified, so a corrupt or hostile value cannot make it ask
// for gigabytes.
const (
	// maxBlockRows is the most rows one block may hold.
	maxBlockRows = 1 << 16
	// maxChunkData is the most bytes of string data a chunk decodes to:
	// coldata.Bytes addresses its arena with int32 offsets.
	maxChunkData = math.MaxInt32
)

// zstd pays only on payloads of some size, and only when it saves at least
// an eighth: decoding zstd costs more than reading plain bytes.
const (
	zstdMinPayload = 128
	zstdMinSaving  = 8 // use zstd when compressed < plain - plain/zstdMinSaving
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum returns the CRC32C of b.
func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// appendChecksum appends the CRC32C of b[from:] to b.
func appendChecksum(b []byte, from int) ([]byte, uint32) {
	c := checksum(b[from:])
	return binary.LittleEndian.AppendUint32(b, c), c
}

var (
	errChecksum = errors.New("checksum mismatch")
	errShort    = errors.New("value too short")
)

// splitChecksum verifies the CRC32C trailing value and returns the body
// before it and the checksum.
func splitChecksum(value []byte) ([]byte, uint32, error) {
	if len(value) < 4 {
		return nil, 0, errShort
	}
	body := value[:len(value)-4]
	want := binary.LittleEndian.Uint32(value[len(value)-4:])
	if checksum(body) != want {
		return nil, 0, errChecksum
	}
	return body, want, nil
}

// zstdCodec is the one encoder and decoder every chunk shares. EncodeAll
// and DecodeAll are safe for concurrent use and keep their own pools of
// state, so sharing them avoids allocating a codec per call.
var zstdCodec = sync.OnceValues(func() (*zstd.Encoder, *zstd.Decoder) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false), // the chunk carries its own CRC32C
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err) // constant options: a failure is a bug
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(maxChunkData))
	if err != nil {
		panic(err)
	}
	return enc, dec
})

func zigzag(x int64) uint64   { return uint64(x<<1) ^ uint64(x>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// uvarintLen returns the length of the uvarint encoding of x.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// isIntType reports whether chunks of t hold int64 values (integers and
// timestamps), the types that get delta encoding and min/max in metadata.
func isIntType(t coldata.Type) bool { return t.IsInteger() || t == coldata.Timestamptz }
