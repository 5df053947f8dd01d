package coldata

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// The expected strings below are what PostgreSQL 16 prints for the same
// values.

func TestAppendFloat8(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"},
		{100, "100"},
		{3.14159, "3.14159"},
		{1234567.5, "1234567.5"},
		{1e14, "100000000000000"},
		{123456789012345.6, "123456789012345.6"},
		{1e15, "1e+15"},
		{1234567890123456, "1.234567890123456e+15"},
		{1e20, "1e+20"},
		{-2.5e100, "-2.5e+100"},
		{0.0001, "0.0001"},
		{0.00012345, "0.00012345"},
		{1e-5, "1e-05"},
		{1.5e-7, "1.5e-07"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "5e-324"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	} {
		if got := string(appendFloat(nil, tc.in, 64)); got != tc.want {
			t.Errorf("float8 %v: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAppendFloat4(t *testing.T) {
	for _, tc := range []struct {
		in   float32
		want string
	}{
		{0, "0"},
		{0.1, "0.1"},
		{1.5, "1.5"},
		{100000, "100000"},
		{123456, "123456"},
		{1e6, "1e+06"},
		{1234567, "1.234567e+06"},
		{16777216, "1.6777216e+07"},
		{0.0001, "0.0001"},
		{1e-5, "1e-05"},
		{math.MaxFloat32, "3.4028235e+38"},
		{float32(math.Inf(-1)), "-Infinity"},
	} {
		if got := string(appendFloat(nil, float64(tc.in), 32)); got != tc.want {
			t.Errorf("float4 %v: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func TestAppendTimestamptz(t *testing.T) {
	utc := time.UTC
	kolkata := mustZone(t, "Asia/Kolkata")
	newYork := mustZone(t, "America/New_York")
	lmt := time.FixedZone("LMT", 5*3600+53*60+28)
	at := func(y int, mo time.Month, d, h, mi, s, us int) int64 {
		return time.Date(y, mo, d, h, mi, s, us*1000, time.UTC).UnixMicro()
	}
	for _, tc := range []struct {
		us   int64
		loc  *time.Location
		want string
	}{
		{at(2026, 11, 1, 6, 0, 0, 123456), utc, "2026-11-01 06:00:00.123456+00"},
		{at(2026, 11, 1, 6, 0, 0, 500000), utc, "2026-11-01 06:00:00.5+00"},
		{at(2026, 11, 1, 6, 0, 0, 120), utc, "2026-11-01 06:00:00.00012+00"},
		{at(2026, 11, 1, 6, 0, 0, 0), utc, "2026-11-01 06:00:00+00"},
		{at(2026, 11, 1, 6, 0, 0, 0), nil, "2026-11-01 06:00:00+00"},
		{0, utc, "1970-01-01 00:00:00+00"},
		{-1, utc, "1969-12-31 23:59:59.999999+00"},
		{at(2026, 11, 1, 6, 0, 0, 123456), kolkata, "2026-11-01 11:30:00.123456+05:30"},
		// New York leaves daylight saving time at 06:00 UTC that day.
		{at(2026, 11, 1, 5, 59, 59, 0), newYork, "2026-11-01 01:59:59-04"},
		{at(2026, 11, 1, 6, 0, 0, 0), newYork, "2026-11-01 01:00:00-05"},
		{at(2026, 11, 1, 6, 0, 0, 0), lmt, "2026-11-01 11:53:28+05:53:28"},
		{at(-43, 3, 15, 12, 0, 0, 0), utc, "0044-03-15 12:00:00+00 BC"},
		{at(0, 12, 31, 23, 59, 59, 0), utc, "0001-12-31 23:59:59+00 BC"},
		{at(1, 1, 1, 0, 0, 0, 0), utc, "0001-01-01 00:00:00+00"},
		{at(12345, 6, 7, 8, 9, 10, 0), utc, "12345-06-07 08:09:10+00"},
		{math.MaxInt64, utc, "infinity"},
		{math.MinInt64, utc, "-infinity"},
	} {
		if got := string(AppendTimestamptz(nil, tc.us, tc.loc)); got != tc.want {
			t.Errorf("%d in %s: got %q, want %q", tc.us, tc.loc, got, tc.want)
		}
	}
}

func textArrayVec(rows ...[]string) *Vec {
	v := NewVec(TextArray, len(rows))
	for _, r := range rows {
		v.AppendStrings(r)
	}
	return v
}

func TestTextArrayText(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{}, "{}"},
		{[]string{"a", "b"}, "{a,b}"},
		{[]string{"b c"}, `{"b c"}`},
		{[]string{`d"e`}, `{"d\"e"}`},
		{[]string{`a\b`}, `{"a\\b"}`},
		{[]string{""}, `{""}`},
		{[]string{"NULL", "null", "nullx"}, `{"NULL","null",nullx}`},
		{[]string{"{x}", "a,b", "tab\there"}, `{"{x}","a,b","tab	here"}`},
		{[]string{"é", "日本"}, "{é,日本}"},
	} {
		v := textArrayVec(tc.in)
		if got := string(appendTextArray(nil, v, 0)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// textBatch holds one value of every type, a NULL row, and a second
// text[] row after it, so that AppendText must pick row bounds right.
func textBatch() *Batch {
	b := NewBatch([]Type{Bool, Int16, Int32, Int64, Float32, Float64, Text, Timestamptz, Numeric, Jsonb, TextArray}, 3)
	v := b.Vecs
	v[0].Bool = append(v[0].Bool, true)
	v[1].Int64 = append(v[1].Int64, -32768)
	v[2].Int64 = append(v[2].Int64, 2147483647)
	v[3].Int64 = append(v[3].Int64, math.MinInt64)
	v[4].Float64 = append(v[4].Float64, float64(float32(1.5e6)))
	v[5].Float64 = append(v[5].Float64, 1e20)
	v[6].Bytes.AppendString("héllo, wörld")
	v[7].Int64 = append(v[7].Int64, time.Date(2026, 11, 1, 6, 0, 0, 123456000, time.UTC).UnixMicro())
	v[8].Bytes.AppendString("-12345.6780")
	v[9].Bytes.AppendString(`{"a": [1, 2], "b": null}`)
	v[10].AppendStrings([]string{"a", "b c", `d"e`, ""})
	for _, vec := range v {
		vec.AppendNull()
	}
	v[0].Bool = append(v[0].Bool, false)
	v[1].Int64 = append(v[1].Int64, 0)
	v[2].Int64 = append(v[2].Int64, -1)
	v[3].Int64 = append(v[3].Int64, math.MaxInt64)
	v[4].Float64 = append(v[4].Float64, float64(float32(0.1)))
	v[5].Float64 = append(v[5].Float64, 0.1)
	v[6].Bytes.AppendString("")
	v[7].Int64 = append(v[7].Int64, math.MaxInt64)
	v[8].Bytes.AppendString("NaN")
	v[9].Bytes.AppendString(`{}`)
	v[10].AppendStrings([]string{"NULL"})
	b.Len = 3
	return b
}

func TestAppendText(t *testing.T) {
	want := [][]string{
		{"t", "-32768", "2147483647", "-9223372036854775808", "1.5e+06", "1e+20",
			"héllo, wörld", "2026-11-01 11:30:00.123456+05:30", "-12345.6780", `{"a": [1, 2], "b": null}`, `{a,"b c","d\"e",""}`},
		nil, // NULL
		{"f", "0", "-1", "9223372036854775807", "0.1", "0.1", "", "infinity", "NaN", "{}", `{"NULL"}`},
	}
	b := textBatch()
	kolkata := mustZone(t, "Asia/Kolkata")
	for row, cols := range want {
		for c, w := range cols {
			if got := string(AppendText([]byte("x"), b.Vecs[c], row, kolkata)); got != "x"+w {
				t.Errorf("row %d %s: got %q, want %q", row, b.Vecs[c].Type, got, "x"+w)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Unknown type: no panic")
		}
	}()
	AppendText(nil, &Vec{Type: Unknown}, 0, nil)
}

func TestAppendTextColumn(t *testing.T) {
	b := textBatch()
	for _, v := range b.Vecs {
		dst, offs := AppendTextColumn([]byte("x"), []int32{1}, v, b.Len, time.UTC)
		if len(offs) != b.Len+1 || offs[1] != offs[2] {
			t.Errorf("%s: offsets %v (row 1 is NULL)", v.Type, offs)
			continue
		}
		for i := range b.Len {
			want := ""
			if !v.Nulls.Get(i) {
				want = string(AppendText(nil, v, i, time.UTC))
			}
			if got := string(dst[offs[i]:offs[i+1]]); got != want {
				t.Errorf("%s row %d: got %q, want %q", v.Type, i, got, want)
			}
		}
	}
}

func TestAppendTextAllocs(t *testing.T) {
	b := textBatch()
	loc := mustZone(t, "America/New_York")
	buf := make([]byte, 0, 4096)
	n := testing.AllocsPerRun(100, func() {
		buf = buf[:0]
		for _, v := range b.Vecs {
			for i := range b.Len {
				buf = AppendText(buf, v, i, loc)
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per batch, want 0", n)
	}
}

func BenchmarkAppendText(b *testing.B) {
	batch := textBatch()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, v := range batch.Vecs {
			for i := range batch.Len {
				buf = AppendText(buf, v, i, time.UTC)
			}
		}
	}
}

// TestParseTextArray reads text[] literals as PostgreSQL's array_in does
// and prints them back as array_out does.
func TestParseTextArray(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		out  string
	}{
		{"{}", []string{}, "{}"},
		{" { } ", []string{}, "{}"},
		{"{a,b}", []string{"a", "b"}, "{a,b}"},
		{"{ a , b c ,d}", []string{"a", "b c", "d"}, `{a,"b c",d}`},
		{`{"",  "x y" , "q\"r", "s\\t"}`, []string{"", "x y", `q"r`, `s\t`}, `{"","x y","q\"r","s\\t"}`},
		{`{\"a,b\ c,"NULL",N\ULL}`, []string{`"a`, "b c", "NULL", "NULL"}, `{"\"a","b c","NULL","NULL"}`},
		{"{é,日本}", []string{"é", "日本"}, "{é,日本}"},
	} {
		got, err := ParseTextArray(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseTextArray(%q) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		if out := string(AppendTextArrayLiteral(nil, got)); out != c.out {
			t.Errorf("%q prints as %q, want %q", c.in, out, c.out)
		}
	}
	for _, in := range []string{"", "a", "{a", "a}", "{a,}", "{,a}", `{"a}`, `{"a"b}`, "{a\"b}", `{a\}`, "{{a}}", "[1:1]={a}", "{NULL}", "{a, null}"} {
		if got, err := ParseTextArray(in); err == nil {
			t.Errorf("ParseTextArray(%q) = %q, want an error", in, got)
		}
	}
	if _, err := ParseTextArray("{a,NULL}"); !errors.Is(err, ErrArrayNull) {
		t.Errorf("NULL element: %v", err)
	}
}

// TestIntervalText prints intervals as PostgreSQL does with IntervalStyle
// postgres, and dates and timestamps with DateStyle ISO.
func TestIntervalText(t *testing.T) {
	h := int64(3600e6)
	for _, c := range []struct {
		iv   IntervalValue
		want string
	}{
		{IntervalValue{}, "00:00:00"},
		{IntervalValue{Months: 14, Days: 3, Micros: 4*h + 5*60e6 + 6.5e6}, "1 year 2 mons 3 days 04:05:06.5"},
		{IntervalValue{Days: -1, Micros: 2 * h}, "-1 days +02:00:00"},
		{IntervalValue{Micros: -90e6}, "-00:01:30"},
		{IntervalValue{Months: -14}, "-1 years -2 mons"},
		{IntervalValue{Months: 1, Days: 1}, "1 mon 1 day"},
		{IntervalValue{Days: 2, Micros: -h}, "2 days -01:00:00"},
		{IntervalValue{Micros: 30 * h}, "30:00:00"},
		{IntervalValue{Micros: 1}, "00:00:00.000001"},
	} {
		if got := string(AppendIntervalText(nil, c.iv)); got != c.want {
			t.Errorf("%+v prints %q, want %q", c.iv, got, c.want)
		}
		if back, ok := ParseIntervalDatum(IntervalDatum(c.iv)); !ok || back != c.iv {
			t.Errorf("%+v: datum round trip %+v, %v", c.iv, back, ok)
		}
	}
	if CompareIntervals(IntervalValue{Months: 1}, IntervalValue{Days: 30}) != 0 ||
		CompareIntervals(IntervalValue{Days: 1}, IntervalValue{Micros: 25 * h}) >= 0 ||
		CompareIntervals(IntervalValue{Months: math.MaxInt32}, IntervalValue{Micros: math.MaxInt64}) <= 0 {
		t.Error("intervals do not order by their span")
	}
	for days, want := range map[int64]string{0: "1970-01-01", 20758: "2026-11-01", -719528: "0001-01-01 BC"} {
		if got := string(AppendDate(nil, days)); got != want {
			t.Errorf("date %d prints %q, want %q", days, got, want)
		}
	}
	if got := string(AppendTimestamp(nil, 1_500_000)); got != "1970-01-01 00:00:01.5" {
		t.Errorf("timestamp prints %q", got)
	}
}
