package exec

import "github.com/cespare/xxhash/v2"

// bytesSet is a set of byte strings without a pointer per value: the
// values are appended to one arena and an open-addressing table holds
// their hashes and places in it. Adding a value already present neither
// allocates nor copies, and the garbage collector sees three slices, not
// a string per value, which is what sets of a million file paths
// (count(DISTINCT resource)) need.
type bytesSet struct {
	arena []byte
	slots []setSlot // power-of-two length; empty slots have end == 0
	n     int
}

type setSlot struct {
	hash       uint64
	start, end uint32 // arena[start:end-1]: end is one past, plus one, so 0 means empty
}

// add inserts v and reports whether it was new.
func (s *bytesSet) add(v []byte) bool {
	return s.addHashed(v, xxhash.Sum64(v))
}

func (s *bytesSet) addHashed(v []byte, h uint64) bool {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &s.slots[i]
		if sl.end == 0 {
			start := uint32(len(s.arena))
			s.arena = append(s.arena, v...)
			*sl = setSlot{hash: h, start: start, end: uint32(len(s.arena)) + 1}
			s.n++
			return true
		}
		if sl.hash == h && string(s.arena[sl.start:sl.end-1]) == string(v) {
			return false
		}
	}
}

func (s *bytesSet) grow() {
	old := s.slots
	s.slots = make([]setSlot, max(16, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, sl := range old {
		if sl.end == 0 {
			continue
		}
		i := sl.hash & mask
		for s.slots[i].end != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
}

// len is the number of values in the set.
func (s *bytesSet) len() int { return s.n }

// walk calls f with every value, in no particular order. f must not
// keep v.
func (s *bytesSet) walk(f func(v []byte)) {
	for _, sl := range s.slots {
		if sl.end != 0 {
			f(s.arena[sl.start : sl.end-1])
		}
	}
}

// bytes is the memory the set holds.
func (s *bytesSet) bytes() int64 { return int64(cap(s.arena)) + int64(cap(s.slots))*16 }
