package coldata

import "math/bits"

// Nulls is a bitmap of NULL rows: bit i set means row i is NULL. A nil or
// short bitmap means the rows past its end are not NULL, so a Vec without
// NULLs carries no bitmap at all.
type Nulls []uint64

// Get reports whether row i is NULL.
func (n Nulls) Get(i int) bool {
	w := i >> 6
	return w < len(n) && n[w]&(1<<(uint(i)&63)) != 0
}

// Set marks row i NULL, growing the bitmap as needed.
func (n *Nulls) Set(i int) {
	w := i >> 6
	for len(*n) <= w {
		*n = append(*n, 0)
	}
	(*n)[w] |= 1 << (uint(i) & 63)
}

// Any reports whether any row is NULL.
func (n Nulls) Any() bool {
	for _, w := range n {
		if w != 0 {
			return true
		}
	}
	return false
}

// Count returns the number of NULL rows.
func (n Nulls) Count() int {
	c := 0
	for _, w := range n {
		c += bits.OnesCount64(w)
	}
	return c
}
