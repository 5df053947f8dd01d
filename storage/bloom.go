package storage

import (
	"encoding/binary"
	"errors"
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// A bloom filter answers "might this chunk hold value v?" for a text-like
// column with too many distinct values for a dictionary, so that
// `WHERE resource = '/etc/shadow'` reads the filters, a few bytes per
// distinct value, rather than every chunk. It is blocked: each value sets
// bloomProbes bits of one 64-bit word chosen by its hash, so a test costs
// one memory access. With bloomBitsPerValue bits per distinct value it
// answers "maybe" for about 4% of absent values (TestBloomFalsePositives).
//
//	bloom := words:u64le{n} crc:u32
//
// The word of a value is (high 32 bits of its xxhash64 × n) >> 32, its
// bits six bits of the hash each, from the lowest.
const (
	bloomBitsPerValue = 8
	bloomProbes       = 6
	// maxBloomBytes bounds a filter: 2^16 rows at 8 bits, rounded up.
	maxBloomBytes = 128 << 10
)

// bloomMask is the bits a hash sets in its word.
func bloomMask(h uint64) uint64 {
	var m uint64
	for i := range bloomProbes {
		m |= 1 << ((h >> (6 * uint(i))) & 63)
	}
	return m
}

// bloomWords is the number of words for n distinct values:
// bloomBitsPerValue bits per value, at least one word.
func bloomWords(n int) int { return max((n*bloomBitsPerValue+63)/64, 1) }

// bloomWord is the word of hash h in a filter of n words.
func bloomWord(h uint64, n int) int { return int((h >> 32) * uint64(n) >> 32) }

// appendBloom appends the filter of the distinct hashes hs, checksum
// included, and returns its size and CRC.
func appendBloom(dst []byte, hs []uint64) ([]byte, int, uint32) {
	start := len(dst)
	n := bloomWords(len(hs))
	dst = append(dst, make([]byte, 8*n)...)
	words := dst[start:]
	for _, h := range hs {
		w := bloomWord(h, n)
		x := binary.LittleEndian.Uint64(words[8*w:])
		binary.LittleEndian.PutUint64(words[8*w:], x|bloomMask(h))
	}
	dst, crc := appendChecksum(dst, start)
	return dst, len(dst) - start, crc
}

// bloomMayHold reports whether a filter body (without its checksum) may
// hold a value with hash h.
func bloomMayHold(body []byte, h uint64) (bool, error) {
	n := len(body) / 8
	if n == 0 || len(body)%8 != 0 {
		return false, errors.New("bad bloom filter size")
	}
	w := bloomWord(h, n)
	m := bloomMask(h)
	return binary.LittleEndian.Uint64(body[8*w:])&m == m, nil
}

// hashSet collects the distinct 64-bit hashes of a chunk's values, with
// open addressing in a table reused from chunk to chunk. Hash 0 is
// remapped to 1 so that 0 can mark an empty slot: the filter only loses
// a bit of precision.
type hashSet struct {
	slots []uint64
	list  []uint64
}

func (s *hashSet) reset(capacity int) {
	n := 1 << bits.Len(uint(2*capacity))
	if len(s.slots) < n || len(s.slots) > 4*n {
		s.slots = make([]uint64, n)
	} else {
		s.slots = s.slots[:n]
		clear(s.slots)
	}
	s.list = s.list[:0]
}

func (s *hashSet) add(v []byte) {
	h := bloomHash(v)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.list = append(s.list, h)
			return
		}
	}
}

// bloomHash is the hash a filter is built and probed with.
func bloomHash(v []byte) uint64 {
	h := xxhash.Sum64(v)
	if h == 0 {
		h = 1
	}
	return h
}
