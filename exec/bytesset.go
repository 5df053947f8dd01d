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
	// flat holds the ends in arena of values adopted as a whole, known
	// distinct and not yet in slots (adopt); the table is built from
	// them only when another value comes.
	flat     []uint32
	flatFrom uint32 // where the first adopted value starts
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
	if s.flat != nil {
		s.index()
	}
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

// adopt makes an empty set hold values already known to be distinct:
// data holds them back to back, value i ending at ends[i]-base. They
// are copied, not hashed, so that a set that receives nothing else (a
// group one operator alone saw) costs a copy; the table is built when
// another value comes.
func (s *bytesSet) adopt(data []byte, ends []int32, base int32) {
	if s.n > 0 || len(ends) == 0 {
		panic("bytesSet: adopt into a set that is not empty")
	}
	s.flatFrom = uint32(len(s.arena))
	s.arena = append(s.arena, data...)
	for _, e := range ends {
		s.flat = append(s.flat, s.flatFrom+uint32(e-base))
	}
	s.n = len(ends)
}

// index moves the adopted values into the table.
func (s *bytesSet) index() {
	flat, begin := s.flat, s.flatFrom
	s.flat, s.n = nil, 0
	for len(flat)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for _, end := range flat {
		h := xxhash.Sum64(s.arena[begin:end])
		i := h & mask
		for s.slots[i].end != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = setSlot{hash: h, start: begin, end: end + 1}
		begin = end
	}
	s.n = len(flat)
}

// len is the number of values in the set.
func (s *bytesSet) len() int { return s.n }

// walk calls f with every value, in no particular order. f must not
// keep v.
func (s *bytesSet) walk(f func(v []byte)) {
	begin := s.flatFrom
	for _, end := range s.flat {
		f(s.arena[begin:end])
		begin = end
	}
	for _, sl := range s.slots {
		if sl.end != 0 {
			f(s.arena[sl.start : sl.end-1])
		}
	}
}

// bytes is the memory the set holds.
func (s *bytesSet) bytes() int64 {
	return int64(cap(s.arena)) + int64(cap(s.slots))*16 + int64(cap(s.flat))*4
}
