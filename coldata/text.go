package coldata

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// PostgreSQL's text output format: what the type's output function
// (boolout, int8out, float8out, timestamptz_out, array_out…) prints, and
// so what psql shows, what a client gets for a text-format result column,
// and what COPY … TO writes. The wire layer sends it and the exporters
// write it, so that a value reads the same from armorlake as from
// PostgreSQL, byte for byte.
//
// Nothing here allocates: every function appends to a caller's buffer.

// AppendText appends row i of v in PostgreSQL's text output format and
// returns the extended buffer:
//
//	boolean                t, f
//	smallint … bigint      -12
//	real, double precision shortest round-trip decimal (PostgreSQL ≥ 12):
//	                       0.1, 1e+20, 1.5e-07, NaN, Infinity, -0
//	text, numeric, jsonb   the stored text, as is
//	timestamptz            2026-11-01 06:00:00.123456+00, in zone loc
//	text[]                 {a,"b c","d\"e"}
//
// loc is the session TimeZone; nil means UTC. A NULL row appends what its
// value slot holds (the type's zero value): callers check v.Nulls, since
// how NULL is spelled depends on the format around the value. AppendText
// panics on a Vec whose Type is not Valid, which is a bug of the caller.
func AppendText(dst []byte, v *Vec, i int, loc *time.Location) []byte {
	switch v.Type {
	case Bool:
		if v.Bool[i] {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case Int16, Int32, Int64:
		return strconv.AppendInt(dst, v.Int64[i], 10)
	case Float32:
		return appendFloat(dst, v.Float64[i], 32)
	case Float64:
		return appendFloat(dst, v.Float64[i], 64)
	case Text, Numeric, Jsonb:
		return append(dst, v.Bytes.Get(i)...)
	case Timestamptz:
		return AppendTimestamptz(dst, v.Int64[i], loc)
	case TextArray:
		return appendTextArray(dst, v, i)
	case Date:
		return AppendDate(dst, v.Int64[i])
	case Timestamp:
		return AppendTimestamp(dst, v.Int64[i])
	case Interval:
		return AppendIntervalText(dst, v.IntervalAt(i))
	}
	panic("coldata: no text output for type " + v.Type.String())
}

// AppendTextColumn appends the text output of rows [0, n) of v to dst, one
// after another, and the end of each to offs, which must hold the start of
// the first (usually len(dst)). Row i's text is then dst[offs[k+i]:offs[k+i+1]]
// with k = len(offs)-1 on entry. A NULL row appends no text.
//
// It is AppendText in a loop; the switch on the type inside AppendText
// costs nothing measurable beside the formatting (BenchmarkAppendText).
func AppendTextColumn(dst []byte, offs []int32, v *Vec, n int, loc *time.Location) ([]byte, []int32) {
	for i := range n {
		if !v.Nulls.Get(i) {
			dst = AppendText(dst, v, i, loc)
		}
		offs = append(offs, int32(len(dst)))
	}
	return dst, offs
}

// appendFloat appends f as PostgreSQL 12+ prints float4 (bits 32) and
// float8 (bits 64) with the default extra_float_digits: the shortest
// decimal that reads back as the same value, in fixed notation when the
// decimal exponent is in [-4, 6) for float4 or [-4, 15) for float8, else
// as d.ddde±XX.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0"...)
		}
		return append(b, '0')
	}
	maxExp := 15
	if bits == 32 {
		maxExp = 6
	}
	// Go's shortest 'e' form has the same digits PostgreSQL's Ryu port
	// picks, and the same exponent spelling (sign, at least two digits).
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, bits)
	e := len(b) - 1
	for b[e] != 'e' {
		e--
	}
	exp, _ := strconv.Atoi(string(b[e+1:]))
	if exp < -4 || exp >= maxExp {
		return b
	}
	// Rewrite d.ddd e±X in fixed notation.
	var digits [24]byte
	nd := 0
	neg := b[start] == '-'
	for _, c := range b[start:e] {
		if c >= '0' && c <= '9' {
			digits[nd] = c
			nd++
		}
	}
	b = b[:start]
	if neg {
		b = append(b, '-')
	}
	if exp < 0 {
		b = append(b, '0', '.')
		for range -exp - 1 {
			b = append(b, '0')
		}
		return append(b, digits[:nd]...)
	}
	intLen := exp + 1
	if nd <= intLen {
		b = append(b, digits[:nd]...)
		for range intLen - nd {
			b = append(b, '0')
		}
		return b
	}
	b = append(b, digits[:intLen]...)
	b = append(b, '.')
	return append(b, digits[intLen:nd]...)
}

// AppendTimestamptz appends us (µs since the Unix epoch) as PostgreSQL
// prints timestamptz with DateStyle ISO in time zone loc (nil: UTC):
// "2026-11-01 06:00:00.123456+00", trailing zeros of the fraction dropped
// (and the fraction with them when zero), the offset as +hh, +hh:mm or
// +hh:mm:ss, years before 1 as "... BC".
func AppendTimestamptz(b []byte, us int64, loc *time.Location) []byte {
	switch us {
	case math.MaxInt64:
		return append(b, "infinity"...)
	case math.MinInt64:
		return append(b, "-infinity"...)
	}
	if loc == nil {
		loc = time.UTC
	}
	t := time.UnixMicro(us).In(loc)
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	_, off := t.Zone()
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	b = appendPadded(b, year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(month), 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, ' ')
	b = appendPadded(b, hour, 2)
	b = append(b, ':')
	b = appendPadded(b, minute, 2)
	b = append(b, ':')
	b = appendPadded(b, sec, 2)
	if frac := t.Nanosecond() / 1000; frac != 0 {
		width := 6
		for frac%10 == 0 {
			frac /= 10
			width--
		}
		b = append(b, '.')
		b = appendPadded(b, frac, width)
	}
	b = appendOffset(b, off)
	if bc {
		b = append(b, " BC"...)
	}
	return b
}

// appendOffset appends a UTC offset in seconds as PostgreSQL prints it:
// +05, -03:30, +00:53:28.
func appendOffset(b []byte, off int) []byte {
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	b = appendPadded(b, off/3600, 2)
	if m, s := off/60%60, off%60; m != 0 || s != 0 {
		b = append(b, ':')
		b = appendPadded(b, m, 2)
		if s != 0 {
			b = append(b, ':')
			b = appendPadded(b, s, 2)
		}
	}
	return b
}

// appendPadded appends the non-negative v in decimal, zero-padded to width.
func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 10 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	tmp[i] = byte('0' + v)
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// appendTextArray appends row i of the text[] vector v as PostgreSQL's
// array_out prints it: {a,b,"c d"}. An element is quoted when it is empty,
// spells NULL, or holds a quote, a backslash, a brace, a comma or white
// space; quotes and backslashes inside are backslash-escaped.
func appendTextArray(b []byte, v *Vec, i int) []byte {
	b = append(b, '{')
	for j := v.Arr[i]; j < v.Arr[i+1]; j++ {
		if j > v.Arr[i] {
			b = append(b, ',')
		}
		b = appendArrayElem(b, v.Bytes.Get(int(j)))
	}
	return append(b, '}')
}

func appendArrayElem(b, e []byte) []byte {
	if !arrayElemNeedsQuotes(e) {
		return append(b, e...)
	}
	b = append(b, '"')
	for _, c := range e {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

func arrayElemNeedsQuotes(e []byte) bool {
	if len(e) == 0 || (len(e) == 4 && (e[0]|0x20) == 'n' && (e[1]|0x20) == 'u' && (e[2]|0x20) == 'l' && (e[3]|0x20) == 'l') {
		return true
	}
	for _, c := range e {
		switch c {
		case '"', '\\', '{', '}', ',', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

// ErrArrayNull reports a NULL element in a text[] literal: armorlake's
// arrays have none.
var ErrArrayNull = errors.New("arrays with NULL elements are not supported yet")

// ErrArrayDims reports a multidimensional array literal.
var ErrArrayDims = errors.New("multidimensional arrays are not supported yet")

// ParseTextArray reads a one-dimensional text[] literal as PostgreSQL's
// array_in does: {a, b,"c d",\"e}: white space around unquoted elements
// is dropped, double quotes and backslashes quote. A malformed literal is
// an error naming the problem; a NULL element is ErrArrayNull.
func ParseTextArray(s string) ([]string, error) {
	malformed := func(why string) error { return fmt.Errorf("malformed array literal: %q: %s", s, why) }
	in := strings.TrimSpace(s)
	if len(in) < 2 || in[0] != '{' || in[len(in)-1] != '}' {
		if strings.HasPrefix(in, "[") {
			return nil, ErrArrayDims
		}
		return nil, malformed(`array value must start with "{"`)
	}
	body := in[1 : len(in)-1]
	if strings.TrimSpace(body) == "" {
		return []string{}, nil
	}
	var out []string
	i := 0
	for {
		for i < len(body) && isArraySpace(body[i]) {
			i++
		}
		var elem []byte
		if i < len(body) && body[i] == '{' {
			return nil, ErrArrayDims
		}
		if i < len(body) && body[i] == '"' {
			i++
			for {
				if i >= len(body) {
					return nil, malformed("unexpected end of input")
				}
				c := body[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					i++
					if i >= len(body) {
						return nil, malformed("unexpected end of input")
					}
					c = body[i]
				}
				elem = append(elem, c)
				i++
			}
			for i < len(body) && isArraySpace(body[i]) {
				i++
			}
		} else {
			trailing := 0 // unescaped white space at the end, dropped
			escaped := false
			for i < len(body) && body[i] != ',' {
				c := body[i]
				switch {
				case c == '"' || c == '{' || c == '}':
					return nil, malformed("unexpected character")
				case c == '\\':
					i++
					if i >= len(body) {
						return nil, malformed("unexpected end of input")
					}
					elem, trailing, escaped = append(elem, body[i]), 0, true
				case isArraySpace(c):
					elem = append(elem, c)
					trailing++
				default:
					elem, trailing = append(elem, c), 0
				}
				i++
			}
			elem = elem[:len(elem)-trailing]
			if len(elem) == 0 {
				return nil, malformed("empty element")
			}
			if !escaped && strings.EqualFold(string(elem), "null") {
				return nil, ErrArrayNull
			}
		}
		out = append(out, string(elem))
		if i >= len(body) {
			return out, nil
		}
		if body[i] != ',' {
			return nil, malformed("junk after closing quote")
		}
		i++
	}
}

func isArraySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// AppendTextArrayLiteral appends elems as PostgreSQL prints a text[].
func AppendTextArrayLiteral(b []byte, elems []string) []byte {
	b = append(b, '{')
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendArrayElem(b, []byte(e))
	}
	return append(b, '}')
}
