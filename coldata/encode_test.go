package coldata

import (
	"bytes"
	"math"
	"reflect"
	"testing"
)

func sampleBatch() *Batch {
	b := NewBatch([]Type{Bool, Int32, Int64, Float64, Text, Timestamptz, Numeric, Jsonb, TextArray}, 4)
	for i := 0; i < 70; i++ {
		for c, v := range b.Vecs {
			if (i+c)%7 == 3 {
				v.AppendNull()
				continue
			}
			switch v.Type {
			case Bool:
				v.Bool = append(v.Bool, i%2 == 0)
			case Int32, Int64, Timestamptz:
				v.Int64 = append(v.Int64, int64(i)*math.MaxInt32)
			case Float64:
				v.Float64 = append(v.Float64, float64(i)/3)
			case Text, Jsonb, Numeric:
				v.Bytes.AppendString(string(bytes.Repeat([]byte{'x', 0xff}, i)))
			case TextArray:
				v.AppendStrings(make([]string, i%4))
			}
		}
		b.Len++
	}
	return b
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, b := range []*Batch{sampleBatch(), NewBatch([]Type{Text, Int64, TextArray}, 0), {}} {
		enc := AppendEncoded(nil, b)
		got, err := Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len != b.Len || len(got.Vecs) != len(b.Vecs) {
			t.Fatalf("shape: got %d×%d, want %d×%d", got.Len, len(got.Vecs), b.Len, len(b.Vecs))
		}
		// Re-encoding the decoded batch must give identical bytes.
		if again := AppendEncoded(nil, got); !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding differs")
		}
		for c := range b.Vecs {
			for i := 0; i < b.Len; i++ {
				if b.Vecs[c].IsNull(i) != got.Vecs[c].IsNull(i) {
					t.Fatalf("col %d row %d: null mismatch", c, i)
				}
			}
		}
		if b.Len > 0 && !reflect.DeepEqual(b.Vecs[2].Int64, got.Vecs[2].Int64) {
			t.Fatalf("int64 values differ")
		}
	}
}

func TestDecodeRejectsTruncation(t *testing.T) {
	enc := AppendEncoded(nil, sampleBatch())
	for n := 0; n < len(enc); n++ {
		if _, err := Decode(enc[:n]); err == nil {
			t.Fatalf("decode of %d/%d bytes succeeded", n, len(enc))
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(AppendEncoded(nil, sampleBatch()))
	f.Add(AppendEncoded(nil, NewBatch([]Type{TextArray}, 0)))
	f.Add([]byte{1, 1, 1, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			return
		}
		// A decoded batch must be safe to walk and to re-encode.
		enc := AppendEncoded(nil, b)
		if _, err := Decode(enc); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
