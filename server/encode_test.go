package server

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/planner"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func TestTimestamptzBinary(t *testing.T) {
	for _, tc := range []struct {
		unix, pg int64
	}{
		{pgEpochMicros, 0},
		{0, -pgEpochMicros},
		{time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC).UnixMicro(), 846828000000000},
		{math.MaxInt64, math.MaxInt64},
		{math.MinInt64, math.MinInt64},
	} {
		if got := timestamptzToPG(tc.unix); got != tc.pg {
			t.Errorf("to PG %d: got %d, want %d", tc.unix, got, tc.pg)
		}
		if got := timestamptzFromPG(tc.pg); got != tc.unix {
			t.Errorf("from PG %d: got %d, want %d", tc.pg, got, tc.unix)
		}
	}
}

func textArrayVec(rows ...[]string) *coldata.Vec {
	v := coldata.NewVec(coldata.TextArray, len(rows))
	for _, r := range rows {
		v.AppendStrings(r)
	}
	return v
}

func TestTextArrayBinary(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{}, "00000000 00000000 00000019"},
		{[]string{"ab", "c"}, "00000001 00000000 00000019 00000002 00000001 00000002 6162 00000001 63"},
	} {
		v := textArrayVec(tc.in)
		got := appendTextArrayBinary(nil, v, 0)
		want := strings.ReplaceAll(tc.want, " ", "")
		if hex.EncodeToString(got) != want {
			t.Errorf("%q: got %x, want %s", tc.in, got, want)
		}
		back, err := textArrayFromBinary(got)
		if err != nil || strings.Join(back, "|") != strings.Join(tc.in, "|") {
			t.Errorf("%q: decoded %q, %v", tc.in, back, err)
		}
	}
}

// Expected bytes are numeric_send's output: ndigits, weight, sign, dscale,
// base-10000 digits.
var numericBinaryCases = []struct {
	text string
	hex  string
}{
	{"0", "0000 0000 0000 0000"},
	{"0.00", "0000 0000 0000 0002"},
	{"1", "0001 0000 0000 0000 0001"},
	{"-1", "0001 0000 4000 0000 0001"},
	{"1.5", "0002 0000 0000 0001 0001 1388"},
	{"10000", "0001 0001 0000 0000 0001"},
	{"0.0001", "0001 ffff 0000 0004 0001"},
	{"0.00000001", "0001 fffe 0000 0008 0001"},
	{"12345.678", "0003 0001 0000 0003 0001 0929 1a7c"},
	{"-12345.6780", "0003 0001 4000 0004 0001 0929 1a7c"},
	{"123456789012345678901234567890", "0008 0007 0000 0000 000c 0d80 1ed2 04d2 162e 2334 0d80 1ed2"},
	{"NaN", "0000 0000 c000 0000"},
	{"Infinity", "0000 0000 d000 0000"},
	{"-Infinity", "0000 0000 f000 0000"},
}

func TestNumericBinary(t *testing.T) {
	for _, tc := range numericBinaryCases {
		got, err := appendNumericBinary(nil, []byte(tc.text))
		want := strings.ReplaceAll(tc.hex, " ", "")
		if err != nil || hex.EncodeToString(got) != want {
			t.Errorf("%s: got %x, %v; want %s", tc.text, got, err, want)
			continue
		}
		back, err := numericFromBinary(got)
		if err != nil || back != tc.text {
			t.Errorf("%s: decoded back as %q, %v", tc.text, back, err)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "1e5", "abc", " 1"} {
		if _, err := appendNumericBinary(nil, []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestRowEncoder checks a whole batch through the column encoder, text and
// binary, NULLs included.
func TestRowEncoder(t *testing.T) {
	b := typesBatch()
	var e rowEncoder
	text := make([]int16, len(typesColumns))
	if err := e.encode(b, typesColumns, text, time.UTC); err != nil {
		t.Fatal(err)
	}
	want := []string{"t", "-32768", "2147483647", "-9223372036854775808", "1.5e+06", "1e+20",
		"héllo, wörld", "2026-11-01 06:00:00.123456+00", "-12345.6780", `{"a": [1, 2], "b": null}`, `{a,"b c","d\"e",""}`}
	for i, w := range want {
		c := &e.cols[i]
		if got := string(c.data[c.offs[0]:c.offs[1]]); got != w || c.nulls.Get(0) {
			t.Errorf("text column %s: got %q, want %q", typesColumns[i].Name, got, w)
		}
		if !c.nulls.Get(1) {
			t.Errorf("text column %s: row 2 not NULL", typesColumns[i].Name)
		}
	}

	bin := make([]int16, len(typesColumns))
	for i := range bin {
		bin[i] = binaryFormat
	}
	if err := e.encode(b, typesColumns, bin, time.UTC); err != nil {
		t.Fatal(err)
	}
	wantHex := []string{"01", "8000", "7fffffff", "8000000000000000", "49b71b00", "4415af1d78b58c40",
		hex.EncodeToString([]byte("héllo, wörld")), "0003022f82221a40", "0003000140000004000109291a7c",
		"01" + hex.EncodeToString([]byte(`{"a": [1, 2], "b": null}`)), ""}
	for i, w := range wantHex {
		if w == "" {
			continue
		}
		c := &e.cols[i]
		if got := hex.EncodeToString(c.data[c.offs[0]:c.offs[1]]); got != w {
			t.Errorf("binary column %s: got %s, want %s", typesColumns[i].Name, got, w)
		}
	}

	if err := e.encode(b, typesColumns[:3], text, time.UTC); err == nil {
		t.Error("column count mismatch: no error")
	}
	wrong := append([]planner.Column(nil), typesColumns...)
	wrong[0].Type = coldata.Int32
	if err := e.encode(b, wrong, text, time.UTC); err == nil {
		t.Error("column type mismatch: no error")
	}
}

// TestRowEncoderAllocs checks that steady-state encoding and DataRow
// assembly allocate nothing.
func TestRowEncoderAllocs(t *testing.T) {
	b := typesBatch()
	var e rowEncoder
	formats := make([]int16, len(typesColumns))
	w := writer{w: discard{}}
	run := func() {
		if err := e.encode(b, typesColumns, formats, time.UTC); err != nil {
			t.Fatal(err)
		}
		for r := range b.Len {
			w.dataRow(&e, r)
		}
		w.flush()
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per batch, want 0", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkEncodeDataRows(b *testing.B) {
	batches := seriesBatches(1024, 1024)
	cols := []planner.Column{{Name: "n", Type: coldata.Int64}}
	formats := []int16{textFormat}
	var e rowEncoder
	w := writer{w: discard{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.encode(batches[0], cols, formats, time.UTC); err != nil {
			b.Fatal(err)
		}
		for r := range e.rows {
			w.dataRow(&e, r)
		}
	}
}
