package storage

import "github.com/armorlake/armorlake/coldata"

// compact keeps rows sel of v, in order, in place. sel is increasing, so
// every row moves towards the front and nothing is read after it is
// overwritten.
func compact(v *coldata.Vec, sel []int32) {
	switch t := v.Type; {
	case t == coldata.Bool:
		v.Bool = compactSlice(v.Bool, sel)
	case isIntType(t):
		v.Int64 = compactSlice(v.Int64, sel)
	case t.IsFloat():
		v.Float64 = compactSlice(v.Float64, sel)
	case t.IsBytes():
		compactBytes(&v.Bytes, sel)
	case t == coldata.TextArray:
		compactArrays(v, sel)
	}
	if len(v.Nulls) > 0 {
		compactNulls(&v.Nulls, sel)
	}
}

func compactSlice[T any](s []T, sel []int32) []T {
	for k, i := range sel {
		s[k] = s[i]
	}
	return s[:len(sel)]
}

func compactBytes(b *coldata.Bytes, sel []int32) {
	w := int32(0)
	for k, i := range sel {
		start, end := b.Offs[i], b.Offs[i+1]
		copy(b.Data[w:], b.Data[start:end])
		b.Offs[k] = w
		w += end - start
	}
	b.Offs[len(sel)] = w
	b.Offs = b.Offs[:len(sel)+1]
	b.Data = b.Data[:w]
}

func compactArrays(v *coldata.Vec, sel []int32) {
	b := &v.Bytes
	we, wd := int32(0), int32(0) // elements and bytes kept so far
	for k, i := range sel {
		e0, e1 := v.Arr[i], v.Arr[i+1]
		v.Arr[k] = we
		for e := e0; e < e1; e++ {
			start, end := b.Offs[e], b.Offs[e+1]
			copy(b.Data[wd:], b.Data[start:end])
			b.Offs[we] = wd
			wd += end - start
			we++
		}
	}
	v.Arr[len(sel)] = we
	v.Arr = v.Arr[:len(sel)+1]
	b.Offs[we] = wd
	b.Offs = b.Offs[:we+1]
	b.Data = b.Data[:wd]
}

func compactNulls(n *coldata.Nulls, sel []int32) {
	bm := *n
	for k, i := range sel {
		w, bit := k>>6, uint64(1)<<(uint(k)&63)
		switch {
		case bm.Get(int(i)):
			bm[w] |= bit
		case w < len(bm):
			bm[w] &^= bit
		}
	}
	words := (len(sel) + 63) / 64
	if words > len(bm) {
		words = len(bm)
	}
	bm = bm[:words]
	if r := len(sel) & 63; r != 0 && words == (len(sel)+63)/64 {
		bm[words-1] &= 1<<uint(r) - 1
	}
	*n = bm
}
