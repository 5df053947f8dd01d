package exec

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// json_build_object and jsonb_build_object: key/value pairs of any types
// to a JSON object. Both return armorlake's one JSON type, jsonb; the
// json_build_object text keeps the keys in order and PostgreSQL's json
// spacing ({"a" : 1}), the jsonb one sorts and deduplicates them as
// jsonb does ({"a": 1}). Timestamps are written in UTC.

func init() {
	funcNames["json_build_object"] = true
	funcNames["jsonb_build_object"] = true
}

func resolveJSONBuild(name string, args []coldata.Type) ([]coldata.Type, coldata.Type, bool) {
	if len(args)%2 != 0 {
		return nil, coldata.Unknown, false
	}
	want := slices.Clone(args)
	for i, t := range want {
		if t == coldata.Unknown {
			want[i] = coldata.Text
		}
		if i%2 == 0 && want[i] != coldata.Text {
			return nil, coldata.Unknown, false
		}
	}
	return want, coldata.Jsonb, true
}

func compileJSONBuild(e *funcExpr) error {
	e.strict = false
	sorted := e.name == "jsonb_build_object"
	type member struct{ key, val []byte }
	var members []member
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		for i := range n {
			members = members[:0]
			var vals []byte
			for a := 0; a+1 < len(in); a += 2 {
				if in[a].IsNull(i) {
					return sqlerr.New(sqlerr.InvalidParameterValue, "argument %d cannot be null", a+1).WithHint("Object keys should be text.")
				}
				start := len(vals)
				vals = appendJSONValue(vals, in[a+1], i, sorted)
				members = append(members, member{in[a].Bytes.Get(i), vals[start:len(vals):len(vals)]})
			}
			if sorted {
				// jsonb: shorter keys first, then bytewise; the last of
				// equal keys wins.
				slices.SortStableFunc(members, func(x, y member) int {
					if len(x.key) != len(y.key) {
						return len(x.key) - len(y.key)
					}
					return slices.Compare(x.key, y.key)
				})
				out := members[:0]
				for _, m := range members {
					if len(out) > 0 && string(out[len(out)-1].key) == string(m.key) {
						out[len(out)-1] = m
						continue
					}
					out = append(out, m)
				}
				members = out
			}
			e.buf = append(e.buf[:0], '{')
			for k, m := range members {
				if k > 0 {
					e.buf = append(e.buf, ", "...)
				}
				e.buf = appendJSONString(e.buf, m.key)
				if sorted {
					e.buf = append(e.buf, ": "...)
				} else {
					e.buf = append(e.buf, " : "...)
				}
				e.buf = append(e.buf, m.val...)
			}
			e.buf = append(e.buf, '}')
			e.out.Bytes.Append(e.buf)
		}
		return nil
	}
	return nil
}

// appendJSONValue appends row i of v as a JSON value, as to_json does;
// jsonb spaces array elements as jsonb prints them.
func appendJSONValue(dst []byte, v *coldata.Vec, i int, jsonb bool) []byte {
	if v.IsNull(i) {
		return append(dst, "null"...)
	}
	switch t := v.Type; {
	case t == coldata.Bool:
		return strconv.AppendBool(dst, v.Bool[i])
	case t.IsInteger(), t == coldata.Numeric:
		return coldata.AppendText(dst, v, i, time.UTC)
	case t.IsFloat():
		if f := v.Float64[i]; math.IsNaN(f) || math.IsInf(f, 0) {
			return appendJSONString(dst, coldata.AppendText(nil, v, i, time.UTC))
		}
		return coldata.AppendText(dst, v, i, time.UTC)
	case t == coldata.Jsonb:
		return append(dst, v.Bytes.Get(i)...)
	case t == coldata.TextArray:
		dst = append(dst, '[')
		for j := range v.ArrayLen(i) {
			if j > 0 {
				dst = append(dst, ',')
				if jsonb {
					dst = append(dst, ' ')
				}
			}
			dst = appendJSONString(dst, v.ArrayElem(i, j))
		}
		return append(dst, ']')
	case t == coldata.Timestamptz:
		return appendJSONString(dst, time.UnixMicro(v.Int64[i]).UTC().AppendFormat(nil, "2006-01-02T15:04:05.999999-07:00"))
	case t == coldata.Timestamp:
		return appendJSONString(dst, time.UnixMicro(v.Int64[i]).UTC().AppendFormat(nil, "2006-01-02T15:04:05.999999"))
	}
	return appendJSONString(dst, coldata.AppendText(nil, v, i, time.UTC))
}

// appendJSONString appends s as a JSON string, escaped as PostgreSQL
// escapes it.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		switch {
		case r == '"':
			dst = append(dst, `\"`...)
		case r == '\\':
			dst = append(dst, `\\`...)
		case r == '\b':
			dst = append(dst, `\b`...)
		case r == '\f':
			dst = append(dst, `\f`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r < 0x20:
			dst = append(dst, `\u00`...)
			dst = append(dst, "0123456789abcdef"[r>>4], "0123456789abcdef"[r&0xf])
		default:
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return append(dst, '"')
}
