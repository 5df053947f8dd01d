package coldata

// Vec is one column of a Batch. Exactly one of the value slices is in use,
// chosen by Type:
//
//	Bool                     Bool
//	Int16, Int32, Int64      Int64
//	Timestamptz              Int64 (µs since the Unix epoch, UTC)
//	Float32, Float64         Float64
//	Text, Numeric, Jsonb     Bytes, one value per row
//	TextArray                Bytes holds every element; row i's elements
//	                         are Bytes values Arr[i] to Arr[i+1]-1
//
// The value slot of a NULL row holds the zero value (or an empty string)
// so that loops may read it without checking the bitmap first.
type Vec struct {
	Type    Type
	Nulls   Nulls
	Bool    []bool
	Int64   []int64
	Float64 []float64
	Bytes   Bytes
	Arr     []int32
	// Codes, when not nil, makes a text-like vector dictionary-coded:
	// Bytes holds the distinct values and row i's value is
	// Bytes.Get(int(Codes[i])); a NULL row's code is -1 (and its Nulls
	// bit is set). Only a scan asked for codes returns such a vector, to
	// an aggregation that groups or deduplicates by code (exec.HashAgg).
	// Len, IsNull, Value, Truncate and, as a source, AppendFrom,
	// AppendRows, Gather and Slice handle it; other readers of Bytes do
	// not, and a coded vector is never appended to.
	Codes []int32
}

// Value returns row i of a text-like vector, coded or not.
func (v *Vec) Value(i int) []byte {
	if v.Codes != nil {
		c := v.Codes[i]
		if c < 0 {
			return nil
		}
		return v.Bytes.Get(int(c))
	}
	return v.Bytes.Get(i)
}

// NewVec returns an empty Vec of type t with room for capacity rows.
func NewVec(t Type, capacity int) *Vec {
	v := &Vec{Type: t}
	switch {
	case t == Bool:
		v.Bool = make([]bool, 0, capacity)
	case t.InInt64():
		v.Int64 = make([]int64, 0, capacity)
	case t.IsFloat():
		v.Float64 = make([]float64, 0, capacity)
	case t.IsBytes():
		v.Bytes.Init(capacity)
	case t == TextArray:
		v.Bytes.Init(capacity)
		v.Arr = append(make([]int32, 0, capacity+1), 0)
	}
	return v
}

// Len returns the number of rows in v.
func (v *Vec) Len() int {
	switch {
	case v.Type == Bool:
		return len(v.Bool)
	case v.Type.InInt64():
		return len(v.Int64)
	case v.Type.IsFloat():
		return len(v.Float64)
	case v.Codes != nil:
		return len(v.Codes)
	case v.Type.IsBytes():
		return v.Bytes.Len()
	case v.Type == TextArray:
		if len(v.Arr) == 0 {
			return 0
		}
		return len(v.Arr) - 1
	}
	return 0
}

// IsNull reports whether row i is NULL.
func (v *Vec) IsNull(i int) bool { return v.Nulls.Get(i) }

// AppendNull appends a NULL row.
func (v *Vec) AppendNull() {
	n := v.Len()
	switch {
	case v.Type == Bool:
		v.Bool = append(v.Bool, false)
	case v.Type.InInt64():
		v.Int64 = append(v.Int64, 0)
	case v.Type.IsFloat():
		v.Float64 = append(v.Float64, 0)
	case v.Type.IsBytes():
		v.Bytes.Append(nil)
	case v.Type == TextArray:
		v.Arr = append(v.Arr, v.Arr[len(v.Arr)-1])
	}
	v.Nulls.Set(n)
}

// AppendStrings appends one text[] row.
func (v *Vec) AppendStrings(elems []string) {
	for _, e := range elems {
		v.Bytes.AppendString(e)
	}
	v.Arr = append(v.Arr, int32(v.Bytes.Len()))
}

// ArrayLen returns the number of elements of text[] row i.
func (v *Vec) ArrayLen(i int) int { return int(v.Arr[i+1] - v.Arr[i]) }

// ArrayElem returns element j of text[] row i.
func (v *Vec) ArrayElem(i, j int) []byte { return v.Bytes.Get(int(v.Arr[i]) + j) }

// AppendFrom appends row i of src, which must have v's type.
func (v *Vec) AppendFrom(src *Vec, i int) {
	if src.Nulls.Get(i) {
		v.AppendNull()
		return
	}
	switch {
	case v.Type == Bool:
		v.Bool = append(v.Bool, src.Bool[i])
	case v.Type.InInt64():
		v.Int64 = append(v.Int64, src.Int64[i])
	case v.Type.IsFloat():
		v.Float64 = append(v.Float64, src.Float64[i])
	case v.Type.IsBytes():
		v.Bytes.Append(src.Value(i))
	case v.Type == TextArray:
		v.Bytes.AppendRange(&src.Bytes, int(src.Arr[i]), int(src.Arr[i+1]))
		v.Arr = append(v.Arr, int32(v.Bytes.Len()))
	}
}

// Reset empties v, keeping its memory.
func (v *Vec) Reset() {
	v.Codes = nil
	v.Nulls = v.Nulls[:0]
	v.Bool = v.Bool[:0]
	v.Int64 = v.Int64[:0]
	v.Float64 = v.Float64[:0]
	v.Bytes.Reset()
	if v.Type == TextArray {
		v.Arr = append(v.Arr[:0], 0)
	}
}

// Truncate keeps the first n rows of v (n at most v.Len()).
func (v *Vec) Truncate(n int) {
	switch {
	case v.Codes != nil:
		v.Codes = v.Codes[:n]
	case v.Type == Bool:
		v.Bool = v.Bool[:n]
	case v.Type.InInt64():
		v.Int64 = v.Int64[:n]
	case v.Type.IsFloat():
		v.Float64 = v.Float64[:n]
	case v.Type.IsBytes():
		v.Bytes.Data = v.Bytes.Data[:v.Bytes.Offs[n]]
		v.Bytes.Offs = v.Bytes.Offs[:n+1]
	case v.Type == TextArray:
		e := v.Arr[n]
		v.Bytes.Data = v.Bytes.Data[:v.Bytes.Offs[e]]
		v.Bytes.Offs = v.Bytes.Offs[:e+1]
		v.Arr = v.Arr[:n+1]
	}
	words := (n + 63) / 64
	if len(v.Nulls) > words {
		v.Nulls = v.Nulls[:words]
	}
	if r := n & 63; r != 0 && len(v.Nulls) == words {
		v.Nulls[words-1] &= 1<<uint(r) - 1
	}
}

// Gather returns a new Vec holding rows sel of v, in that order.
func (v *Vec) Gather(sel []int) *Vec {
	out := NewVec(v.Type, len(sel))
	v.GatherInto(out, sel)
	return out
}

// GatherInto replaces out's rows with rows sel of v, in that order,
// reusing out's memory. out must have v's type and must not be v.
func (v *Vec) GatherInto(out *Vec, sel []int) {
	out.Reset()
	hasNulls := v.Nulls.Any()
	switch {
	case v.Codes != nil:
		// Coded stays coded: the dictionary, then the rows' codes.
		out.Bytes.Data = append(out.Bytes.Data, v.Bytes.Data...)
		out.Bytes.Offs = append(out.Bytes.Offs[:0], v.Bytes.Offs...)
		codes := make([]int32, len(sel))
		for k, i := range sel {
			if codes[k] = v.Codes[i]; codes[k] < 0 {
				out.Nulls.Set(k)
			}
		}
		out.Codes = codes
	case !hasNulls && v.Type == Bool:
		for _, i := range sel {
			out.Bool = append(out.Bool, v.Bool[i])
		}
	case !hasNulls && (v.Type.InInt64()):
		for _, i := range sel {
			out.Int64 = append(out.Int64, v.Int64[i])
		}
	case !hasNulls && v.Type.IsFloat():
		for _, i := range sel {
			out.Float64 = append(out.Float64, v.Float64[i])
		}
	case !hasNulls && v.Type.IsBytes():
		for _, i := range sel {
			out.Bytes.Append(v.Bytes.Get(i))
		}
	default:
		for _, i := range sel {
			out.AppendFrom(v, i)
		}
	}
}

// Slice returns a new Vec holding rows [from, to) of v.
func (v *Vec) Slice(from, to int) *Vec {
	sel := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		sel = append(sel, i)
	}
	return v.Gather(sel)
}

// Batch is a set of Vecs of equal length: a horizontal slice of a table or
// of an intermediate result.
type Batch struct {
	Vecs []*Vec
	Len  int
}

// NewBatch returns an empty batch with one Vec per type.
func NewBatch(types []Type, capacity int) *Batch {
	b := &Batch{Vecs: make([]*Vec, len(types))}
	for i, t := range types {
		b.Vecs[i] = NewVec(t, capacity)
	}
	return b
}

// Types returns the type of each column.
func (b *Batch) Types() []Type {
	ts := make([]Type, len(b.Vecs))
	for i, v := range b.Vecs {
		ts[i] = v.Type
	}
	return ts
}

// Reset empties every Vec, keeping memory.
func (b *Batch) Reset() {
	for _, v := range b.Vecs {
		v.Reset()
	}
	b.Len = 0
}

// Gather returns a new batch holding rows sel of b.
func (b *Batch) Gather(sel []int) *Batch {
	out := &Batch{Vecs: make([]*Vec, len(b.Vecs)), Len: len(sel)}
	for i, v := range b.Vecs {
		out.Vecs[i] = v.Gather(sel)
	}
	return out
}

// GatherInto replaces out's rows with rows sel of b, reusing out's memory;
// out must have b's types.
func (b *Batch) GatherInto(out *Batch, sel []int) {
	for i, v := range b.Vecs {
		v.GatherInto(out.Vecs[i], sel)
	}
	out.Len = len(sel)
}

// Slice returns a new batch holding rows [from, to) of b.
func (b *Batch) Slice(from, to int) *Batch {
	out := &Batch{Vecs: make([]*Vec, len(b.Vecs)), Len: to - from}
	for i, v := range b.Vecs {
		out.Vecs[i] = v.Slice(from, to)
	}
	return out
}

// AppendRows appends rows [0, n) of src, a Vec of v's type, in bulk: a
// slice append per column instead of a call per value.
func (v *Vec) AppendRows(src *Vec, n int) {
	if n == 0 {
		return
	}
	if src.Type == TextArray || src.Codes != nil {
		for i := range n {
			v.AppendFrom(src, i)
		}
		return
	}
	start := v.Len()
	switch {
	case v.Type == Bool:
		v.Bool = append(v.Bool, src.Bool[:n]...)
	case v.Type.InInt64():
		v.Int64 = append(v.Int64, src.Int64[:n]...)
	case v.Type.IsFloat():
		v.Float64 = append(v.Float64, src.Float64[:n]...)
	case v.Type.IsBytes():
		v.Bytes.AppendRange(&src.Bytes, 0, n)
	}
	if src.Nulls.Any() {
		for i := range n {
			if src.Nulls.Get(i) {
				v.Nulls.Set(start + i)
			}
		}
	}
}
