package coldata

// Bytes is a column of variable-length values in one arena: value i is
// Data[Offs[i]:Offs[i+1]]. Offs always starts with 0 once initialized.
type Bytes struct {
	Data []byte
	Offs []int32
}

// Init prepares b for capacity values.
func (b *Bytes) Init(capacity int) {
	b.Data = b.Data[:0]
	if cap(b.Offs) < capacity+1 {
		b.Offs = make([]int32, 1, capacity+1)
	} else {
		b.Offs = append(b.Offs[:0], 0)
	}
}

// Len returns the number of values.
func (b *Bytes) Len() int {
	if len(b.Offs) == 0 {
		return 0
	}
	return len(b.Offs) - 1
}

// Get returns value i. The slice aliases the arena: copy it to keep it
// past the next Reset.
func (b *Bytes) Get(i int) []byte { return b.Data[b.Offs[i]:b.Offs[i+1]] }

// GetString returns value i as a new string.
func (b *Bytes) GetString(i int) string { return string(b.Get(i)) }

// Append adds one value.
func (b *Bytes) Append(v []byte) {
	if len(b.Offs) == 0 {
		b.Offs = append(b.Offs, 0)
	}
	b.Data = append(b.Data, v...)
	b.Offs = append(b.Offs, int32(len(b.Data)))
}

// AppendString adds one value.
func (b *Bytes) AppendString(v string) {
	if len(b.Offs) == 0 {
		b.Offs = append(b.Offs, 0)
	}
	b.Data = append(b.Data, v...)
	b.Offs = append(b.Offs, int32(len(b.Data)))
}

// AppendRange appends values [lo, hi) of src in bulk: their bytes in one
// copy, their offsets rebased.
func (b *Bytes) AppendRange(src *Bytes, lo, hi int) {
	if len(b.Offs) == 0 {
		b.Offs = append(b.Offs, 0)
	}
	if hi <= lo {
		return
	}
	base, first := b.Offs[len(b.Offs)-1], src.Offs[lo]
	for _, o := range src.Offs[lo+1 : hi+1] {
		b.Offs = append(b.Offs, base+o-first)
	}
	b.Data = append(b.Data, src.Data[first:src.Offs[hi]]...)
}

// Reset empties b, keeping memory.
func (b *Bytes) Reset() {
	b.Data = b.Data[:0]
	if len(b.Offs) > 0 {
		b.Offs = b.Offs[:1]
	}
}
