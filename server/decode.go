package server

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// OIDs a client may declare for a parameter beyond coldata's own types.
const (
	oidUnknown      = 705
	oidJSON         = 114
	oidTimestamp    = 1114
	oidVarcharArray = 1015
)

// paramType maps a parameter OID declared in Parse to the type the planner
// is asked to use; Unknown (OID 0 or unknown) lets it infer one. ok is
// false for types armorlake cannot hold.
func paramType(oid uint32) (t coldata.Type, ok bool) {
	switch oid {
	case 0, oidUnknown:
		return coldata.Unknown, true
	case oidTimestamp:
		return coldata.Timestamptz, true
	case oidJSON:
		return coldata.Jsonb, true
	case oidVarcharArray:
		return coldata.TextArray, true
	}
	t = coldata.TypeFromOID(oid)
	return t, t != coldata.Unknown
}

// decodeParam appends bind parameter n (1-based) to v, which is typed as
// the statement planned it. oid is the type the client encodes it as: the
// one it declared in Parse, else v's own. data nil is NULL.
func decodeParam(v *coldata.Vec, n int, oid uint32, format int16, data []byte, loc *time.Location) error {
	if data == nil {
		v.AppendNull()
		return nil
	}
	if format == binaryFormat {
		return decodeBinary(v, n, oid, data, loc)
	}
	return decodeText(v, data, loc)
}

func decodeText(v *coldata.Vec, data []byte, loc *time.Location) error {
	if err := checkUTF8(data); err != nil {
		return err
	}
	s := string(data)
	switch v.Type {
	case coldata.Bool:
		b, ok := parseBool(s)
		if !ok {
			return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type boolean: %q", s)
		}
		v.Bool = append(v.Bool, b)
	case coldata.Int16, coldata.Int32, coldata.Int64:
		x, err := parseInt(s, v.Type)
		if err != nil {
			return err
		}
		v.Int64 = append(v.Int64, x)
	case coldata.Float32, coldata.Float64:
		f, err := parseFloat(s, v.Type)
		if err != nil {
			return err
		}
		v.Float64 = append(v.Float64, f)
	case coldata.Text:
		v.Bytes.Append(data)
	case coldata.Numeric:
		d, err := parseNumeric(s)
		if err != nil {
			return err
		}
		v.Bytes.AppendString(d)
	case coldata.Jsonb:
		if !json.Valid(data) {
			return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail("The input string is not valid JSON.")
		}
		v.Bytes.Append(data)
	case coldata.Timestamptz:
		us, err := coldata.ParseTimestamptz(s, loc)
		if err != nil {
			return err
		}
		v.Int64 = append(v.Int64, us)
	case coldata.Timestamp, coldata.Date:
		// Wall-clock fields, as if in UTC.
		us, err := coldata.ParseTimestamptz(s, nil)
		if err != nil {
			return err
		}
		if v.Type == coldata.Date && us != math.MaxInt64 && us != math.MinInt64 {
			us = coldata.FloorDiv(us, 86400e6)
		}
		v.Int64 = append(v.Int64, us)
	case coldata.Interval:
		m, d, us, err := coldata.ParseInterval(s)
		if err != nil {
			return err
		}
		if m != int64(int32(m)) || d != int64(int32(d)) {
			return sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval field value out of range: %q", s)
		}
		v.AppendInterval(coldata.IntervalValue{Months: int32(m), Days: int32(d), Micros: us})
	case coldata.TextArray:
		elems, err := parseTextArray(s)
		if err != nil {
			return err
		}
		v.AppendStrings(elems)
	default:
		return sqlerr.New(sqlerr.FeatureNotSupported, "parameters of type %s are not supported", v.Type)
	}
	return nil
}

func decodeBinary(v *coldata.Vec, n int, oid uint32, data []byte, loc *time.Location) error {
	bad := func() error {
		return sqlerr.New(sqlerr.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", n)
	}
	switch v.Type {
	case coldata.Bool:
		if oid != v.Type.OID() || len(data) != 1 {
			return bad()
		}
		v.Bool = append(v.Bool, data[0] != 0)
	case coldata.Int16, coldata.Int32, coldata.Int64:
		var x int64
		switch {
		case oid == coldata.Int16.OID() && len(data) == 2:
			x = int64(int16(binary.BigEndian.Uint16(data)))
		case oid == coldata.Int32.OID() && len(data) == 4:
			x = int64(int32(binary.BigEndian.Uint32(data)))
		case oid == coldata.Int64.OID() && len(data) == 8:
			x = int64(binary.BigEndian.Uint64(data))
		default:
			return bad()
		}
		if lo, hi := intRange(v.Type); x < lo || x > hi {
			return sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", v.Type)
		}
		v.Int64 = append(v.Int64, x)
	case coldata.Float32, coldata.Float64:
		switch {
		case oid == coldata.Float32.OID() && len(data) == 4:
			v.Float64 = append(v.Float64, float64(math.Float32frombits(binary.BigEndian.Uint32(data))))
		case oid == coldata.Float64.OID() && len(data) == 8:
			f := math.Float64frombits(binary.BigEndian.Uint64(data))
			if v.Type == coldata.Float32 {
				f = float64(float32(f))
			}
			v.Float64 = append(v.Float64, f)
		default:
			return bad()
		}
	case coldata.Text:
		if coldata.TypeFromOID(oid) != coldata.Text {
			return bad()
		}
		if err := checkUTF8(data); err != nil {
			return err
		}
		v.Bytes.Append(data)
	case coldata.Numeric:
		if oid != v.Type.OID() {
			return bad()
		}
		d, err := numericFromBinary(data)
		if err != nil {
			return bad()
		}
		v.Bytes.AppendString(d)
	case coldata.Jsonb:
		switch oid {
		case oidJSON:
		case v.Type.OID():
			if len(data) == 0 || data[0] != 1 {
				return bad()
			}
			data = data[1:]
		default:
			return bad()
		}
		if checkUTF8(data) != nil || !json.Valid(data) {
			return bad()
		}
		v.Bytes.Append(data)
	case coldata.Timestamp:
		if len(data) != 8 || oid != v.Type.OID() {
			return bad()
		}
		v.Int64 = append(v.Int64, timestamptzFromPG(int64(binary.BigEndian.Uint64(data))))
	case coldata.Date:
		if len(data) != 4 || oid != v.Type.OID() {
			return bad()
		}
		v.Int64 = append(v.Int64, dateFromPG(int32(binary.BigEndian.Uint32(data))))
	case coldata.Interval:
		if len(data) != 16 || oid != v.Type.OID() {
			return bad()
		}
		v.AppendInterval(coldata.IntervalValue{Micros: int64(binary.BigEndian.Uint64(data)),
			Days: int32(binary.BigEndian.Uint32(data[8:])), Months: int32(binary.BigEndian.Uint32(data[12:]))})
	case coldata.Timestamptz:
		if len(data) != 8 {
			return bad()
		}
		pg := int64(binary.BigEndian.Uint64(data))
		switch oid {
		case v.Type.OID():
			v.Int64 = append(v.Int64, timestamptzFromPG(pg))
		case oidTimestamp:
			// A timestamp without time zone is wall-clock time; the
			// implicit cast reads it in the session's zone.
			us := timestamptzFromPG(pg)
			if us != math.MaxInt64 && us != math.MinInt64 {
				wall := time.UnixMicro(us).UTC()
				y, mo, d := wall.Date()
				h, mi, s := wall.Clock()
				us = time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc).UnixMicro()
			}
			v.Int64 = append(v.Int64, us)
		default:
			return bad()
		}
	case coldata.TextArray:
		if oid != v.Type.OID() && oid != oidVarcharArray {
			return bad()
		}
		elems, err := textArrayFromBinary(data)
		if err != nil {
			if e := sqlerr.As(err); e != nil {
				return err
			}
			return bad()
		}
		v.AppendStrings(elems)
	default:
		return sqlerr.New(sqlerr.FeatureNotSupported, "parameters of type %s are not supported", v.Type)
	}
	return nil
}

// checkUTF8 rejects what PostgreSQL rejects in UTF8 text: invalid
// sequences and NUL bytes.
func checkUTF8(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c != 0 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0 || r == utf8.RuneError && size <= 1 {
			return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", c)
		}
		i += size
	}
	return nil
}

// trimSpace trims the white space PostgreSQL's input functions skip.
func trimSpace(s string) string {
	return strings.Trim(s, " \t\n\r\v\f")
}

// parseBool parses boolean input as PostgreSQL's boolin does: true, yes,
// on, 1 and false, no, off, 0, any case, any unique prefix.
func parseBool(s string) (value, ok bool) {
	s = strings.ToLower(trimSpace(s))
	if s == "" {
		return false, false
	}
	prefixOf := func(word string) bool { return strings.HasPrefix(word, s) }
	switch {
	case prefixOf("true"), prefixOf("yes"), s == "on", s == "1":
		return true, true
	case prefixOf("false"), prefixOf("no"), len(s) >= 2 && prefixOf("off"), s == "0":
		return false, true
	}
	return false, false
}

func intRange(t coldata.Type) (lo, hi int64) {
	switch t {
	case coldata.Int16:
		return math.MinInt16, math.MaxInt16
	case coldata.Int32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// parseInt parses integer input as PostgreSQL 16 does: surrounding white
// space, a sign, decimal or 0x/0o/0b digits, single underscores between
// digits.
func parseInt(s string, t coldata.Type) (int64, error) {
	syntax := func() (int64, error) {
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, s)
	}
	str := trimSpace(s)
	neg := false
	if str != "" && (str[0] == '+' || str[0] == '-') {
		neg = str[0] == '-'
		str = str[1:]
	}
	base := 10
	if len(str) > 2 && str[0] == '0' {
		switch str[1] | 0x20 {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 10 {
			str = str[2:]
		}
	}
	if str == "" || str[0] == '_' || str[len(str)-1] == '_' || strings.Contains(str, "__") {
		return syntax()
	}
	if strings.IndexByte(str, '_') >= 0 {
		str = strings.ReplaceAll(str, "_", "")
	}
	u, err := strconv.ParseUint(str, base, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, outOfRange(s, t)
		}
		return syntax()
	}
	lo, hi := intRange(t)
	if neg {
		// -lo does not fit in an int64 when lo is MinInt64.
		if u > uint64(-(lo+1))+1 {
			return 0, outOfRange(s, t)
		}
		return int64(-u), nil
	}
	if u > uint64(hi) {
		return 0, outOfRange(s, t)
	}
	return int64(u), nil
}

func outOfRange(s string, t coldata.Type) error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, t)
}

// parseFloat parses float input as PostgreSQL's float4in and float8in do.
func parseFloat(s string, t coldata.Type) (float64, error) {
	bits := 64
	if t == coldata.Float32 {
		bits = 32
	}
	str := trimSpace(s)
	switch strings.ToLower(str) {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(str, bits)
	if err == nil && strings.IndexByte(str, '_') >= 0 {
		err = strconv.ErrSyntax // Go syntax, not PostgreSQL's
	}
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "%q is out of range for type %s", s, t)
		}
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, s)
	}
	return f, nil
}

// maxNumericExponent bounds the exponent of numeric input, as PostgreSQL
// bounds its weight.
const maxNumericExponent = 1000

// parseNumeric parses numeric input and returns the canonical decimal text
// PostgreSQL prints for it: scale kept ("1.50"), leading zeros dropped, an
// exponent applied ("1.5e3" → "1500"), no sign on zero.
func parseNumeric(s string) (string, error) {
	syntax := func() (string, error) {
		return "", sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	}
	str := trimSpace(s)
	switch strings.ToLower(str) {
	case "nan", "+nan", "-nan":
		return "NaN", nil
	case "infinity", "+infinity", "inf", "+inf":
		return "Infinity", nil
	case "-infinity", "-inf":
		return "-Infinity", nil
	}
	neg := false
	if str != "" && (str[0] == '+' || str[0] == '-') {
		neg = str[0] == '-'
		str = str[1:]
	}
	i := 0
	for i < len(str) && str[i] >= '0' && str[i] <= '9' {
		i++
	}
	intDigits := str[:i]
	fracDigits := ""
	if i < len(str) && str[i] == '.' {
		j := i + 1
		for j < len(str) && str[j] >= '0' && str[j] <= '9' {
			j++
		}
		fracDigits = str[i+1 : j]
		i = j
	}
	if intDigits == "" && fracDigits == "" {
		return syntax()
	}
	exp := 0
	if i < len(str) && (str[i] == 'e' || str[i] == 'E') {
		e, err := strconv.Atoi(str[i+1:])
		if err != nil || str[i+1:] == "" || str[i+1] == '_' {
			return syntax()
		}
		if e > maxNumericExponent || e < -maxNumericExponent {
			return "", sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
		}
		exp = e
		i = len(str)
	}
	if i != len(str) {
		return syntax()
	}
	all := intDigits + fracDigits
	point := len(intDigits) + exp
	var ip, fp string
	switch {
	case point <= 0:
		ip, fp = "", strings.Repeat("0", -point)+all
	case point >= len(all):
		ip, fp = all+strings.Repeat("0", point-len(all)), ""
	default:
		ip, fp = all[:point], all[point:]
	}
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	if len(fp) > numericMaxDScale {
		return "", sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	var b strings.Builder
	if neg && strings.Trim(ip+fp, "0") != "" {
		b.WriteByte('-')
	}
	b.WriteString(ip)
	if fp != "" {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String(), nil
}

// numericFromBinary converts PostgreSQL's binary numeric (see
// appendNumericBinary) to canonical decimal text.
func numericFromBinary(data []byte) (string, error) {
	errBad := errors.New("bad numeric")
	if len(data) < 8 {
		return "", errBad
	}
	ndigits := int(binary.BigEndian.Uint16(data))
	weight := int(int16(binary.BigEndian.Uint16(data[2:])))
	sign := binary.BigEndian.Uint16(data[4:])
	dscale := int(binary.BigEndian.Uint16(data[6:]))
	if len(data) != 8+2*ndigits || dscale > numericMaxDScale {
		return "", errBad
	}
	switch sign {
	case numericNaN:
		return "NaN", nil
	case numericPInf:
		return "Infinity", nil
	case numericNInf:
		return "-Infinity", nil
	case numericPos, numericNeg:
	default:
		return "", errBad
	}
	digit := func(i int) int { // base-10000 digit i, 0 past the end
		if i < 0 || i >= ndigits {
			return 0
		}
		return int(binary.BigEndian.Uint16(data[8+2*i:]))
	}
	for i := range ndigits {
		if digit(i) > 9999 {
			return "", errBad
		}
	}
	var b []byte
	if sign == numericNeg && ndigits > 0 {
		b = append(b, '-')
	}
	if weight < 0 {
		b = append(b, '0')
	} else {
		for i := 0; i <= weight; i++ {
			if i == 0 {
				b = strconv.AppendInt(b, int64(digit(i)), 10)
			} else {
				d := digit(i)
				b = append(b, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
			}
		}
	}
	if dscale > 0 {
		b = append(b, '.')
		for i, left := weight+1, dscale; left > 0; i++ {
			var group [4]byte
			d := digit(i)
			for k := 3; k >= 0; k-- {
				group[k] = byte('0' + d%10)
				d /= 10
			}
			take := min(4, left)
			b = append(b, group[:take]...)
			left -= take
		}
	}
	return string(b), nil
}

// parseTextArray reads a text[] parameter (coldata.ParseTextArray), with
// PostgreSQL's codes for what it refuses.
func parseTextArray(s string) ([]string, error) {
	elems, err := coldata.ParseTextArray(s)
	switch {
	case errors.Is(err, coldata.ErrArrayNull) || errors.Is(err, coldata.ErrArrayDims):
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%v", err)
	case err != nil:
		return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "%v", err)
	}
	return elems, nil
}

// textArrayFromBinary decodes a one-dimensional binary text[] (see
// appendTextArrayBinary).
func textArrayFromBinary(data []byte) ([]string, error) {
	errBad := errors.New("bad array")
	if len(data) < 12 {
		return nil, errBad
	}
	ndim := int32(binary.BigEndian.Uint32(data))
	elemOID := binary.BigEndian.Uint32(data[8:])
	if coldata.TypeFromOID(elemOID) != coldata.Text {
		return nil, errBad
	}
	switch ndim {
	case 0:
		if len(data) != 12 {
			return nil, errBad
		}
		return []string{}, nil
	case 1:
	default:
		if ndim < 0 {
			return nil, errBad
		}
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported")
	}
	if len(data) < 20 {
		return nil, errBad
	}
	n := int32(binary.BigEndian.Uint32(data[12:]))
	if n < 0 || int(n) > (len(data)-20)/4 {
		return nil, errBad
	}
	elems := make([]string, 0, n)
	rest := data[20:]
	for range n {
		if len(rest) < 4 {
			return nil, errBad
		}
		l := int32(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if l == -1 {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "NULL array elements are not supported")
		}
		if l < 0 || int(l) > len(rest) {
			return nil, errBad
		}
		if err := checkUTF8(rest[:l]); err != nil {
			return nil, err
		}
		elems = append(elems, string(rest[:l]))
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return nil, errBad
	}
	return elems, nil
}
