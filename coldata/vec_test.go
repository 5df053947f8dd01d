package coldata

import (
	"fmt"
	"slices"
	"testing"
)

// TestAppendRows: appending a batch's rows in bulk gives what appending
// them one by one gives, NULLs, empty strings and arrays included, onto
// a Vec that already holds rows.
func TestAppendRows(t *testing.T) {
	for _, typ := range []Type{Bool, Int32, Int64, Float64, Text, Timestamptz, Numeric, Jsonb, TextArray} {
		src := NewVec(typ, 0)
		for i := range 70 {
			switch {
			case i%9 == 4:
				src.AppendNull()
			case typ == Bool:
				src.Bool = append(src.Bool, i%2 == 0)
			case typ == Int32 || typ == Int64 || typ == Timestamptz:
				src.Int64 = append(src.Int64, int64(i*7))
			case typ == Float64:
				src.Float64 = append(src.Float64, float64(i)/3)
			case typ == TextArray:
				src.AppendStrings([]string{fmt.Sprint(i), ""})
			case i%5 == 0:
				src.Bytes.AppendString("")
			default:
				src.Bytes.AppendString(fmt.Sprintf("v%d", i))
			}
		}
		bulk, one := NewVec(typ, 0), NewVec(typ, 0)
		for _, v := range []*Vec{bulk, one} {
			v.AppendFrom(src, 1) // a row already there
			v.AppendNull()
		}
		bulk.AppendRows(src, 64)
		for i := range 64 {
			one.AppendFrom(src, i)
		}
		if bulk.Len() != one.Len() {
			t.Fatalf("%s: %d rows, want %d", typ, bulk.Len(), one.Len())
		}
		for i := range one.Len() {
			if bulk.IsNull(i) != one.IsNull(i) {
				t.Fatalf("%s row %d: NULL %v, want %v", typ, i, bulk.IsNull(i), one.IsNull(i))
			}
			if string(AppendText(nil, bulk, i, nil)) != string(AppendText(nil, one, i, nil)) {
				t.Fatalf("%s row %d: %q, want %q", typ, i, AppendText(nil, bulk, i, nil), AppendText(nil, one, i, nil))
			}
		}
	}
}

// A dictionary-coded vector reads, gathers, slices and appends as the
// values its codes name, NULLs included.
func TestCodedVec(t *testing.T) {
	v := NewVec(Text, 0)
	for _, s := range []string{"Process", "File", "Network"} {
		v.Bytes.AppendString(s)
	}
	v.Codes = []int32{1, 1, -1, 0, 2, 1}
	v.Nulls.Set(2)
	want := []string{"File", "File", "NULL", "Process", "Network", "File"}
	show := func(x *Vec) []string {
		var out []string
		for i := range x.Len() {
			if x.IsNull(i) {
				out = append(out, "NULL")
			} else {
				out = append(out, string(x.Value(i)))
			}
		}
		return out
	}
	if got := show(v); !slices.Equal(got, want) {
		t.Fatalf("coded vector reads %q, want %q", got, want)
	}
	if got := show(v.Gather([]int{5, 2, 3})); !slices.Equal(got, []string{"File", "NULL", "Process"}) {
		t.Errorf("Gather = %q", got)
	}
	if got := show(v.Slice(1, 4)); !slices.Equal(got, want[1:4]) {
		t.Errorf("Slice = %q, want %q", got, want[1:4])
	}
	plain := NewVec(Text, 0)
	plain.AppendRows(v, v.Len())
	plain.AppendFrom(v, 4)
	if plain.Codes != nil || !slices.Equal(show(plain), append(slices.Clone(want), "Network")) {
		t.Errorf("appended as values: %q (coded %v)", show(plain), plain.Codes != nil)
	}
}

// Truncate keeps a prefix of every type of vector, NULLs included, and
// appending after it continues from there.
func TestTruncate(t *testing.T) {
	for _, typ := range []Type{Bool, Int64, Float64, Text, TextArray} {
		v := NewVec(typ, 0)
		for i := range 70 {
			switch {
			case i%3 == 0:
				v.AppendNull()
			case typ == Bool:
				v.Bool = append(v.Bool, i%2 == 0)
			case typ == Int64:
				v.Int64 = append(v.Int64, int64(i))
			case typ == Float64:
				v.Float64 = append(v.Float64, float64(i))
			case typ == Text:
				v.Bytes.AppendString(fmt.Sprint(i))
			default:
				v.AppendStrings([]string{fmt.Sprint(i), "x"})
			}
		}
		want := v.Slice(0, 65)
		v.Truncate(65)
		if v.Len() != 65 {
			t.Fatalf("%s: %d rows after Truncate(65)", typ, v.Len())
		}
		for i := range 65 {
			if v.IsNull(i) != want.IsNull(i) {
				t.Fatalf("%s: row %d NULL %v, want %v", typ, i, v.IsNull(i), want.IsNull(i))
			}
		}
		v.AppendFrom(want, 1)
		if v.Len() != 66 || v.IsNull(65) {
			t.Fatalf("%s: append after Truncate: %d rows, last NULL %v", typ, v.Len(), v.IsNull(65))
		}
		if v.Nulls.Get(68) {
			t.Fatalf("%s: a NULL bit past the end survived", typ)
		}
	}
}
