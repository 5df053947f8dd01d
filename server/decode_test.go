package server

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// wantCode checks that err carries SQLSTATE code ("" for no error).
func wantCode(t *testing.T, what string, err error, code string) bool {
	t.Helper()
	switch {
	case code == "" && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case code != "" && err == nil:
		t.Errorf("%s: no error, want %s", what, code)
	case code != "" && sqlerr.Code(err) != code:
		t.Errorf("%s: error %q has code %s, want %s", what, err, sqlerr.Code(err), code)
	default:
		return code == ""
	}
	return false
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		typ  coldata.Type
		want int64
		code string
	}{
		{"42", coldata.Int32, 42, ""},
		{" -42 \n", coldata.Int32, -42, ""},
		{"+7", coldata.Int64, 7, ""},
		{"017", coldata.Int32, 17, ""},
		{"0x1F", coldata.Int32, 31, ""},
		{"0o17", coldata.Int32, 15, ""},
		{"0B101", coldata.Int32, 5, ""},
		{"1_000_000", coldata.Int64, 1000000, ""},
		{"-2147483648", coldata.Int32, math.MinInt32, ""},
		{"2147483648", coldata.Int32, 0, sqlerr.NumericValueOutOfRange},
		{"32768", coldata.Int16, 0, sqlerr.NumericValueOutOfRange},
		{"-32768", coldata.Int16, -32768, ""},
		{"-9223372036854775808", coldata.Int64, math.MinInt64, ""},
		{"9223372036854775808", coldata.Int64, 0, sqlerr.NumericValueOutOfRange},
		{"99999999999999999999999", coldata.Int64, 0, sqlerr.NumericValueOutOfRange},
		{"abc", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
		{"", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
		{"1.5", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
		{"1_", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
		{"1__0", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
		{"- 1", coldata.Int32, 0, sqlerr.InvalidTextRepresentation},
	} {
		got, err := parseInt(tc.in, tc.typ)
		if wantCode(t, tc.in, err, tc.code) && got != tc.want {
			t.Errorf("%q: got %d, want %d", tc.in, got, tc.want)
		}
	}
	_, err := parseInt("abc", coldata.Int32)
	if want := `invalid input syntax for type integer: "abc"`; err == nil || err.Error() != want {
		t.Errorf("message: got %v, want %s", err, want)
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{
		"t": true, "TRUE": true, "tr": true, "  yes ": true, "y": true, "on": true, "1": true,
		"f": false, "False": false, "No": false, "n": false, "off": false, "of": false, "0": false,
	} {
		if got, ok := parseBool(in); !ok || got != want {
			t.Errorf("%q: got %v, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "o", "2", "onx", "truee", "yess", "nope"} {
		if _, ok := parseBool(in); ok {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestParseFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		typ  coldata.Type
		want float64
		code string
	}{
		{"1.5", coldata.Float64, 1.5, ""},
		{" -2e10 ", coldata.Float64, -2e10, ""},
		{"Infinity", coldata.Float64, math.Inf(1), ""},
		{"-inf", coldata.Float64, math.Inf(-1), ""},
		{"0.1", coldata.Float32, float64(float32(0.1)), ""},
		{"1e400", coldata.Float64, 0, sqlerr.NumericValueOutOfRange},
		{"1e39", coldata.Float32, 0, sqlerr.NumericValueOutOfRange},
		{"abc", coldata.Float64, 0, sqlerr.InvalidTextRepresentation},
		{"1_0", coldata.Float64, 0, sqlerr.InvalidTextRepresentation},
	} {
		got, err := parseFloat(tc.in, tc.typ)
		if wantCode(t, tc.in, err, tc.code) && got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
	if f, err := parseFloat("NaN", coldata.Float64); err != nil || !math.IsNaN(f) {
		t.Errorf("NaN: got %v, %v", f, err)
	}
}

func TestParseNumeric(t *testing.T) {
	for _, tc := range []struct {
		in, want, code string
	}{
		{"1.50", "1.50", ""},
		{" +001.5 ", "1.5", ""},
		{".5", "0.5", ""},
		{"5.", "5", ""},
		{"-0.00", "0.00", ""},
		{"-12345.6780", "-12345.6780", ""},
		{"1e3", "1000", ""},
		{"1.5E-3", "0.0015", ""},
		{"1.50e1", "15.0", ""},
		{"nan", "NaN", ""},
		{"-inf", "-Infinity", ""},
		{"abc", "", sqlerr.InvalidTextRepresentation},
		{"1e", "", sqlerr.InvalidTextRepresentation},
		{".", "", sqlerr.InvalidTextRepresentation},
		{"1.2.3", "", sqlerr.InvalidTextRepresentation},
		{"1e100000", "", sqlerr.NumericValueOutOfRange},
	} {
		got, err := parseNumeric(tc.in)
		if wantCode(t, tc.in, err, tc.code) && got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTimestamptz(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	utc := func(y int, mo time.Month, d, h, mi, s, us int) int64 {
		return time.Date(y, mo, d, h, mi, s, us*1000, time.UTC).UnixMicro()
	}
	six := utc(2026, 11, 1, 6, 0, 0, 0)
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want int64
		code string
	}{
		{"2026-11-01 06:00:00+00", time.UTC, six, ""},
		{"2026-11-01T06:00:00Z", kolkata, six, ""},
		{"2026-11-01t06:00:00z", kolkata, six, ""},
		{"  2026-11-01 06:00:00+00  ", time.UTC, six, ""},
		{"2026-11-01 06:00", time.UTC, six, ""},
		{"2026-11-01 11:30:00+05:30", time.UTC, six, ""},
		{"2026-11-01 11:30:00+0530", time.UTC, six, ""},
		{"2026-11-01 11:30:00 +05:30", time.UTC, six, ""},
		{"2026-11-01 01:00:00-05", time.UTC, six, ""},
		{"2026-11-01 06:53:28+00:53:28", time.UTC, six, ""},
		{"2026-11-01 11:30:00", kolkata, six, ""},
		{"2026-11-01", kolkata, utc(2026, 10, 31, 18, 30, 0, 0), ""},
		{"2026-11-01 06:00:00 UTC", kolkata, six, ""},
		{"2026-11-01 07:00:00 Europe/Berlin", time.UTC, six, ""},
		{"2026-11-01 06:00:00.5+00", time.UTC, utc(2026, 11, 1, 6, 0, 0, 500000), ""},
		{"2026-11-01T06:00:00.123456789Z", time.UTC, utc(2026, 11, 1, 6, 0, 0, 123457), ""},
		{"2026-11-01T06:00:00.0000005Z", time.UTC, six, ""},
		{"2026-11-01T06:00:00.0000015Z", time.UTC, utc(2026, 11, 1, 6, 0, 0, 2), ""},
		{"2026-11-01 24:00:00+00", time.UTC, utc(2026, 11, 2, 0, 0, 0, 0), ""},
		{"2028-02-29 00:00:00+00", time.UTC, utc(2028, 2, 29, 0, 0, 0, 0), ""},
		{"infinity", time.UTC, math.MaxInt64, ""},
		{"-Infinity", time.UTC, math.MinInt64, ""},
		{"epoch", time.UTC, 0, ""},
		{"2026-02-29 00:00:00", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"2026-13-01", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"2026-11-01 25:00:00", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"2026-11-01 24:00:01", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"2026-11-01 06:60:00", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"2026-11-01 06:00:00+16", time.UTC, 0, sqlerr.DatetimeFieldOverflow},
		{"garbage", time.UTC, 0, sqlerr.InvalidDatetimeFormat},
		{"2026-11-01 06", time.UTC, 0, sqlerr.InvalidDatetimeFormat},
		{"2026-11-01 06:00:00+", time.UTC, 0, sqlerr.InvalidDatetimeFormat},
		{"2026-11-01X06:00:00", time.UTC, 0, sqlerr.InvalidDatetimeFormat},
		{"2026-11-01 06:00:00 Mars/Olympus", time.UTC, 0, sqlerr.InvalidParameterValue},
	} {
		got, err := coldata.ParseTimestamptz(tc.in, tc.loc)
		if wantCode(t, tc.in, err, tc.code) && got != tc.want {
			t.Errorf("%q in %s: got %s, want %s", tc.in, tc.loc,
				coldata.AppendTimestamptz(nil, got, time.UTC), coldata.AppendTimestamptz(nil, tc.want, time.UTC))
		}
	}
}

func TestParseTextArray(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		code string
	}{
		{"{a,b}", []string{"a", "b"}, ""},
		{"{}", []string{}, ""},
		{" { } ", []string{}, ""},
		{` { a , "b c" } `, []string{"a", "b c"}, ""},
		{`{"d\"e",f\,g}`, []string{`d"e`, "f,g"}, ""},
		{`{a\ }`, []string{"a "}, ""},
		{`{""}`, []string{""}, ""},
		{`{"NULL",nullx}`, []string{"NULL", "nullx"}, ""},
		{`{é,日本}`, []string{"é", "日本"}, ""},
		{"{NULL}", nil, sqlerr.FeatureNotSupported},
		{"{{a}}", nil, sqlerr.FeatureNotSupported},
		{"[1:1]={a}", nil, sqlerr.FeatureNotSupported},
		{"{a,,b}", nil, sqlerr.InvalidTextRepresentation},
		{"a", nil, sqlerr.InvalidTextRepresentation},
		{"{a", nil, sqlerr.InvalidTextRepresentation},
		{`{"a}`, nil, sqlerr.InvalidTextRepresentation},
		{"{a}x", nil, sqlerr.InvalidTextRepresentation},
		{`{"a"b}`, nil, sqlerr.InvalidTextRepresentation},
	} {
		got, err := parseTextArray(tc.in)
		if wantCode(t, tc.in, err, tc.code) && strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeParam(t *testing.T) {
	be64 := func(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
	be32 := func(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	kolkata := mustZone(t, "Asia/Kolkata")
	for _, tc := range []struct {
		name   string
		typ    coldata.Type
		oid    uint32
		format int16
		data   []byte
		want   string // the value printed in text, "NULL" for NULL
		code   string
	}{
		{"null", coldata.Int64, 20, textFormat, nil, "NULL", ""},
		{"int8 text", coldata.Int64, 20, textFormat, []byte("-7"), "-7", ""},
		{"int8 binary", coldata.Int64, 20, binaryFormat, be64(-7), "-7", ""},
		{"int4 binary into int8", coldata.Int64, 23, binaryFormat, be32(9), "9", ""},
		{"int8 binary into int4 out of range", coldata.Int32, 20, binaryFormat, be64(1 << 40), "", sqlerr.NumericValueOutOfRange},
		{"int8 binary short", coldata.Int64, 20, binaryFormat, be32(1), "", sqlerr.InvalidBinaryRepresentation},
		{"bool text", coldata.Bool, 16, textFormat, []byte("yes"), "t", ""},
		{"bool binary", coldata.Bool, 16, binaryFormat, []byte{1}, "t", ""},
		{"bool bad", coldata.Bool, 16, textFormat, []byte("maybe"), "", sqlerr.InvalidTextRepresentation},
		{"float8 binary", coldata.Float64, 701, binaryFormat, be64(int64(math.Float64bits(2.5))), "2.5", ""},
		{"float4 binary", coldata.Float32, 700, binaryFormat, be32(int32(math.Float32bits(0.1))), "0.1", ""},
		{"text", coldata.Text, 25, textFormat, []byte("héllo"), "héllo", ""},
		{"varchar binary", coldata.Text, 1043, binaryFormat, []byte("abc"), "abc", ""},
		{"text bad utf8", coldata.Text, 25, textFormat, []byte{'a', 0xff}, "", sqlerr.CharacterNotInRepertoire},
		{"text NUL", coldata.Text, 25, textFormat, []byte{'a', 0}, "", sqlerr.CharacterNotInRepertoire},
		{"numeric text", coldata.Numeric, 1700, textFormat, []byte("001.50"), "1.50", ""},
		{"numeric binary", coldata.Numeric, 1700, binaryFormat, mustHex(t, "0003000140000004000109291a7c"), "-12345.6780", ""},
		{"numeric binary bad", coldata.Numeric, 1700, binaryFormat, mustHex(t, "0003"), "", sqlerr.InvalidBinaryRepresentation},
		{"jsonb text", coldata.Jsonb, 3802, textFormat, []byte(`{"a":1}`), `{"a":1}`, ""},
		{"jsonb binary", coldata.Jsonb, 3802, binaryFormat, []byte("\x01[1]"), "[1]", ""},
		{"json binary", coldata.Jsonb, 114, binaryFormat, []byte("[1]"), "[1]", ""},
		{"jsonb bad", coldata.Jsonb, 3802, textFormat, []byte(`{"a":`), "", sqlerr.InvalidTextRepresentation},
		{"timestamptz text", coldata.Timestamptz, 1184, textFormat, []byte("2026-11-01 06:00:00Z"), "2026-11-01 11:30:00+05:30", ""},
		{"timestamptz binary", coldata.Timestamptz, 1184, binaryFormat, be64(846828000000000), "2026-11-01 11:30:00+05:30", ""},
		{"timestamp binary in session zone", coldata.Timestamptz, 1114, binaryFormat, be64(846828000000000), "2026-11-01 06:00:00+05:30", ""},
		{"timestamptz bad", coldata.Timestamptz, 1184, textFormat, []byte("yesterday-ish"), "", sqlerr.InvalidDatetimeFormat},
		{"text[] text", coldata.TextArray, 1009, textFormat, []byte(`{a,"b c"}`), `{a,"b c"}`, ""},
		{"text[] binary", coldata.TextArray, 1009, binaryFormat, mustHex(t, "000000010000000000000019000000020000000100000002616200000001 63"), "{ab,c}", ""},
		{"text[] binary NULL element", coldata.TextArray, 1009, binaryFormat, mustHex(t, "00000001000000010000001900000001 00000001 ffffffff"), "", sqlerr.FeatureNotSupported},
		{"text[] binary truncated", coldata.TextArray, 1009, binaryFormat, mustHex(t, "000000010000000000000019000000020000000100000002 6162"), "", sqlerr.InvalidBinaryRepresentation},
	} {
		v := coldata.NewVec(tc.typ, 1)
		err := decodeParam(v, 1, tc.oid, tc.format, tc.data, kolkata)
		if !wantCode(t, tc.name, err, tc.code) {
			continue
		}
		got := "NULL"
		if !v.IsNull(0) {
			var e encodedColumn
			if err := e.encodeText(v, 1, kolkata); err != nil {
				t.Fatal(err)
			}
			got = string(e.data[e.offs[0]:e.offs[1]])
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
