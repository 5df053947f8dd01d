package exec

import (
	"bytes"
	"math"
	"slices"
	"sync/atomic"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Scalar functions. The planner asks ResolveFunc what a call's arguments
// must be and what it returns; the wire form then names the function and
// carries arguments of exactly those types, which compileFunc checks
// again, so that a fragment built elsewhere cannot make a kernel meet a
// type it does not expect.

// funcNames are the scalar functions exec implements (ResolveFunc).
var funcNames = map[string]bool{}

func init() {
	for _, n := range []string{"lower", "upper", "btrim", "ltrim", "rtrim", "reverse", "initcap", "md5", "length",
		"char_length", "character_length", "octet_length", "substring", "left", "right", "repeat", "replace",
		"split_part", "strpos", "starts_with", "||", "concat", "abs", "floor", "ceil", "round", "trunc", "sqrt",
		"exp", "ln", "sign", "power", "coalesce", "greatest", "least", "nullif", "date_trunc", "date_part",
		"extract", "to_timestamp", "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "iregex",
		"not_iregex", "ts_add", "date_bin", "epoch_div_floor", "any_eq", "array_length", "cardinality", "array_to_string",
		"string_to_array", "jsonb_get", "jsonb_get_text", "jsonb_exists", "ts_text", "regexp_replace", "regexp_match", "array_elem", "array"} {
		funcNames[n] = true
	}
}

// HasFunc reports whether exec implements the scalar function name.
func HasFunc(name string) bool { return funcNames[name] }

// ResolveFunc returns the types a call of the scalar function name must
// pass its arguments as, and the type it returns, given the arguments'
// types: coldata.Unknown for an untyped literal, which takes the type
// asked of it. ok is false when there is no such function (for these
// argument types); the caller reports 42883.
func ResolveFunc(name string, args []coldata.Type) (want []coldata.Type, result coldata.Type, ok bool) {
	n := len(args)
	all := func(t coldata.Type) []coldata.Type {
		out := make([]coldata.Type, n)
		for i := range out {
			out[i] = t
		}
		return out
	}
	textish := func(ts ...coldata.Type) bool {
		for _, t := range ts {
			if t != coldata.Unknown && t != coldata.Text {
				return false
			}
		}
		return true
	}
	intish := func(t coldata.Type) bool { return t == coldata.Unknown || t.IsInteger() }
	if want, result, ok := resolveCatalogFunc(name, args); ok {
		return want, result, true
	}
	if name == "json_build_object" || name == "jsonb_build_object" {
		return resolveJSONBuild(name, args)
	}
	if name == "format" {
		return resolveFormat(args)
	}
	switch name {
	case "lower", "upper", "btrim", "ltrim", "rtrim", "reverse", "initcap", "md5":
		if (n == 1 || (n == 2 && name != "lower" && name != "upper" && name != "reverse" && name != "initcap" && name != "md5")) && textish(args...) {
			return all(coldata.Text), coldata.Text, true
		}
	case "length", "char_length", "character_length", "octet_length":
		if n == 1 && textish(args[0]) {
			return all(coldata.Text), coldata.Int32, true
		}
	case "substring":
		if (n == 2 || n == 3) && textish(args[0]) && intish(args[1]) && (n == 2 || intish(args[2])) {
			want = all(coldata.Int64)
			want[0] = coldata.Text
			return want, coldata.Text, true
		}
	case "left", "right", "repeat":
		if n == 2 && textish(args[0]) && intish(args[1]) {
			return []coldata.Type{coldata.Text, coldata.Int64}, coldata.Text, true
		}
	case "replace":
		if n == 3 && textish(args...) {
			return all(coldata.Text), coldata.Text, true
		}
	case "split_part":
		if n == 3 && textish(args[0], args[1]) && intish(args[2]) {
			return []coldata.Type{coldata.Text, coldata.Text, coldata.Int64}, coldata.Text, true
		}
	case "strpos":
		if n == 2 && textish(args...) {
			return all(coldata.Text), coldata.Int32, true
		}
	case "starts_with":
		if n == 2 && textish(args...) {
			return all(coldata.Text), coldata.Bool, true
		}
	case "||":
		// text || anything that is not an array: the other side in its
		// text form.
		if n == 2 && (textish(args[0]) || textish(args[1])) && args[0] != coldata.TextArray && args[1] != coldata.TextArray {
			want = slices.Clone(args)
			for i, t := range want {
				if t == coldata.Unknown {
					want[i] = coldata.Text
				}
			}
			return want, coldata.Text, true
		}
	case "concat":
		if n >= 1 {
			want = slices.Clone(args)
			for i, t := range want {
				if t == coldata.Unknown {
					want[i] = coldata.Text
				}
			}
			return want, coldata.Text, true
		}
	case "abs":
		if n == 1 && (args[0].IsInteger() || args[0].IsFloat() || args[0] == coldata.Numeric) {
			return args, args[0], true
		}
		if n == 1 && args[0] == coldata.Unknown {
			return all(coldata.Float64), coldata.Float64, true
		}
	case "floor", "ceil", "round", "trunc", "sqrt", "exp", "ln", "sign":
		// floor(numeric) and kin stay numeric; round and trunc take a
		// number of decimals only as numeric.
		if n == 1 && args[0] == coldata.Numeric && name != "sqrt" && name != "exp" && name != "ln" {
			return args, coldata.Numeric, true
		}
		if n == 2 && (name == "round" || name == "trunc") && (args[0] == coldata.Numeric || args[0] == coldata.Unknown || args[0].IsInteger()) && intish(args[1]) {
			return []coldata.Type{coldata.Numeric, coldata.Int64}, coldata.Numeric, true
		}
		if n == 1 && (args[0] == coldata.Unknown || args[0].IsInteger() || args[0].IsFloat()) {
			return all(coldata.Float64), coldata.Float64, true
		}
	case "power":
		if n == 2 && (args[0] == coldata.Unknown || args[0].IsNumber()) && (args[1] == coldata.Unknown || args[1].IsNumber()) &&
			!(args[0] == coldata.Numeric && args[1] == coldata.Numeric) {
			return all(coldata.Float64), coldata.Float64, true
		}
	case "coalesce", "greatest", "least":
		if t, ok := CommonType(args); ok && n >= 1 && t != coldata.TextArray && t != coldata.Jsonb {
			return all(t), t, true
		}
	case "nullif":
		if t, ok := CommonType(args); ok && n == 2 {
			return all(t), t, true
		}
	case "date_trunc":
		// The planner adds the session's time zone as a third argument.
		if n == 3 && textish(args[0], args[2]) && (args[1] == coldata.Unknown || args[1] == coldata.Timestamptz) {
			return []coldata.Type{coldata.Text, coldata.Timestamptz, coldata.Text}, coldata.Timestamptz, true
		}
		// Of a timestamp without time zone: the same in UTC (the planner
		// passes 'UTC').
		if n == 3 && textish(args[0], args[2]) && args[1] == coldata.Timestamp {
			return []coldata.Type{coldata.Text, coldata.Timestamp, coldata.Text}, coldata.Timestamp, true
		}
	case "date_part", "extract":
		if n == 3 && textish(args[0], args[2]) && (args[1] == coldata.Unknown || args[1] == coldata.Timestamptz || args[1] == coldata.Timestamp) {
			result = coldata.Float64
			if name == "extract" {
				result = coldata.Numeric
			}
			ts := args[1]
			if ts == coldata.Unknown {
				ts = coldata.Timestamptz
			}
			return []coldata.Type{coldata.Text, ts, coldata.Text}, result, true
		}
	case "ts_add":
		// ts_add(ts, months, days, µs, zone): the binder's form of
		// timestamp + interval.
		if n == 5 && args[0] == coldata.Timestamptz && args[1] == coldata.Int64 && args[2] == coldata.Int64 &&
			args[3] == coldata.Int64 && args[4] == coldata.Text {
			return args, coldata.Timestamptz, true
		}
	case "ts_text":
		// ts_text(ts, zone): a timestamp's text in the session's zone,
		// the binder's form of ts::text.
		if n == 2 && args[0] == coldata.Timestamptz && args[1] == coldata.Text {
			return args, coldata.Text, true
		}
	case "epoch_div_floor":
		// epoch_div_floor(source, divisor µs): the binder's form of
		// floor(extract(epoch from source) / seconds).
		if n == 2 && (args[0] == coldata.Timestamptz || args[0] == coldata.Timestamp) && args[1] == coldata.Int64 {
			return args, coldata.Int64, true
		}
	case "date_bin":
		// date_bin(stride µs, source, origin).
		if n == 3 && args[0] == coldata.Int64 && (args[1] == coldata.Unknown || args[1] == coldata.Timestamptz) &&
			(args[2] == coldata.Unknown || args[2] == coldata.Timestamptz) {
			return []coldata.Type{coldata.Int64, coldata.Timestamptz, coldata.Timestamptz}, coldata.Timestamptz, true
		}
	case "regexp_replace":
		if (n == 3 || n == 4) && textish(args...) {
			return all(coldata.Text), coldata.Text, true
		}
	case "regexp_match":
		if (n == 2 || n == 3) && textish(args...) {
			return all(coldata.Text), coldata.TextArray, true
		}
	case "array":
		// ARRAY[e, …] of text elements.
		if n >= 1 && textish(args...) {
			return all(coldata.Text), coldata.TextArray, true
		}
	case "array_elem":
		// arr[i], 1-based.
		if n == 2 && args[0] == coldata.TextArray && intish(args[1]) {
			return []coldata.Type{coldata.TextArray, coldata.Int64}, coldata.Text, true
		}
	case "any_eq":
		if n == 2 && textish(args[0]) && args[1] == coldata.TextArray {
			return []coldata.Type{coldata.Text, coldata.TextArray}, coldata.Bool, true
		}
	case "array_length":
		if n == 2 && args[0] == coldata.TextArray && intish(args[1]) {
			return []coldata.Type{coldata.TextArray, coldata.Int64}, coldata.Int32, true
		}
	case "cardinality":
		if n == 1 && args[0] == coldata.TextArray {
			return args, coldata.Int32, true
		}
	case "array_to_string":
		if n == 2 && args[0] == coldata.TextArray && textish(args[1]) {
			return []coldata.Type{coldata.TextArray, coldata.Text}, coldata.Text, true
		}
	case "string_to_array":
		if n == 2 && textish(args...) {
			return all(coldata.Text), coldata.TextArray, true
		}
	case "jsonb_get", "jsonb_get_text":
		// jsonb -> key or index, jsonb ->> key or index.
		result = coldata.Jsonb
		if name == "jsonb_get_text" {
			result = coldata.Text
		}
		if n == 2 && args[0] == coldata.Jsonb && textish(args[1]) {
			return []coldata.Type{coldata.Jsonb, coldata.Text}, result, true
		}
		if n == 2 && args[0] == coldata.Jsonb && args[1].IsInteger() {
			return []coldata.Type{coldata.Jsonb, coldata.Int64}, result, true
		}
	case "jsonb_exists":
		if n == 2 && args[0] == coldata.Jsonb && textish(args[1]) {
			return []coldata.Type{coldata.Jsonb, coldata.Text}, coldata.Bool, true
		}
	case "to_timestamp":
		if n == 1 && (args[0] == coldata.Unknown || args[0].IsNumber()) {
			return all(coldata.Float64), coldata.Timestamptz, true
		}
	case "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "iregex", "not_iregex":
		if n == 2 && textish(args...) {
			return all(coldata.Text), coldata.Bool, true
		}
	default:
		return resolveDatetimeFunc(name, args)
	}
	return nil, coldata.Unknown, false
}

// CommonType is the type values of the given types are brought to when
// they meet in one column (CASE, COALESCE, GREATEST): all equal, integers
// widened, integers and floats as floats, untyped literals as the others
// (text when all are untyped). ok is false when they cannot meet.
func CommonType(ts []coldata.Type) (coldata.Type, bool) {
	out := coldata.Unknown
	for _, t := range ts {
		switch {
		case t == coldata.Unknown:
		case out == coldata.Unknown || out == t:
			out = t
		case out.IsInteger() && t.IsInteger():
			out = widerInt(out, t)
		case out.IsFloat() && t.IsNumber(), t.IsFloat() && out.IsNumber():
			out = coldata.Float64
		case out.IsNumber() && t.IsNumber(): // integers and numeric
			out = coldata.Numeric
		default:
			return coldata.Unknown, false
		}
	}
	if out == coldata.Unknown {
		out = coldata.Text
	}
	return out, true
}

func widerInt(a, b coldata.Type) coldata.Type {
	rank := map[coldata.Type]int{coldata.Int16: 1, coldata.Int32: 2, coldata.Int64: 3}
	if rank[a] >= rank[b] {
		return a
	}
	return b
}

// funcExpr is a scalar function call: its arguments are evaluated, then
// the kernel fills out for the batch's rows. Strict functions are NULL
// where any argument is; the kernel still writes every row (a zero value
// in NULL rows) so that byte offsets stay aligned.
type funcExpr struct {
	name   string
	typ    coldata.Type
	args   []Expr
	strict bool
	kernel func(e *funcExpr, in []*coldata.Vec, n int) error
	vals   []*coldata.Vec
	out    coldata.Vec
	buf    []byte
	// consts holds the arguments that are constants, by position (nil
	// otherwise), for kernels that prepare them once.
	consts []*coldata.Vec
	state  any
	// stop is set when the query is canceled (interrupt.go).
	stop *atomic.Bool
}

func (e *funcExpr) Type() coldata.Type { return e.typ }

func (e *funcExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	n := b.Len
	e.vals = e.vals[:0]
	for _, a := range e.args {
		v, err := a.Eval(b)
		if err != nil {
			return nil, err
		}
		e.vals = append(e.vals, v)
	}
	e.out.Reset()
	e.out.Type = e.typ
	e.out.Nulls = nil
	if e.strict {
		var nulls coldata.Nulls
		for _, v := range e.vals {
			nulls = unionNulls(nulls, v.Nulls, n)
		}
		e.out.Nulls = nulls
	}
	if err := e.kernel(e, e.vals, n); err != nil {
		return nil, err
	}
	return &e.out, nil
}

// null reports whether row i of the output is NULL (strict functions).
func (e *funcExpr) null(i int) bool { return e.out.Nulls.Get(i) }

// setNull marks row i of the output NULL.
func (e *funcExpr) setNull(i int) { e.out.Nulls.Set(i) }

// textKernel applies f to each non-NULL row of a text first argument.
func textKernel(f func(e *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error)) func(*funcExpr, []*coldata.Vec, int) error {
	return func(e *funcExpr, in []*coldata.Vec, n int) error {
		for i := range n {
			if e.interrupted(i) {
				return errInterrupted
			}
			if e.null(i) {
				e.out.Bytes.Append(nil)
				continue
			}
			var err error
			e.buf, err = f(e, in, i, e.buf[:0])
			if err != nil {
				return err
			}
			e.out.Bytes.Append(e.buf)
		}
		return nil
	}
}

// intKernel applies f to each non-NULL row, for an integer result.
func intKernel(f func(in []*coldata.Vec, i int) (int64, error)) func(*funcExpr, []*coldata.Vec, int) error {
	return func(e *funcExpr, in []*coldata.Vec, n int) error {
		e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
		for i := range n {
			if e.null(i) {
				e.out.Int64[i] = 0
				continue
			}
			x, err := f(in, i)
			if err != nil {
				return err
			}
			e.out.Int64[i] = x
		}
		return nil
	}
}

// floatKernel applies f to a float argument, row by row.
func floatKernel(f func(x float64) (float64, error)) func(*funcExpr, []*coldata.Vec, int) error {
	return func(e *funcExpr, in []*coldata.Vec, n int) error {
		e.out.Float64 = slices.Grow(e.out.Float64[:0], n)[:n]
		for i, x := range in[0].Float64[:n] {
			if e.null(i) {
				e.out.Float64[i] = 0
				continue
			}
			y, err := f(x)
			if err != nil {
				return err
			}
			e.out.Float64[i] = y
		}
		return nil
	}
}

// compileFunc builds a scalar function call whose arguments have the types
// ResolveFunc asked for.
func compileFunc(name string, typ coldata.Type, args []Expr) (Expr, error) {
	types := make([]coldata.Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	want, result, ok := ResolveFunc(name, types)
	if !ok || result != typ || !slices.Equal(want, types) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) is not supported by this node", name, typeList(types))
	}
	e := &funcExpr{name: name, typ: typ, args: args, strict: true}
	e.consts = make([]*coldata.Vec, len(args))
	for i, a := range args {
		if c, ok := a.(*constExpr); ok {
			e.consts[i] = c.val
		}
	}
	var err error
	switch name {
	case "lower", "upper", "length", "char_length", "character_length", "octet_length", "btrim", "ltrim", "rtrim",
		"substring", "left", "right", "repeat", "replace", "split_part", "strpos", "starts_with",
		"reverse", "initcap", "md5", "||", "concat":
		err = compileStringFunc(e)
	case "abs", "floor", "ceil", "round", "trunc", "sqrt", "exp", "ln", "sign", "power":
		err = compileMathFunc(e)
	case "coalesce", "greatest", "least", "nullif":
		compileConditional(e)
	case "date_trunc", "date_part", "extract", "to_timestamp", "ts_add", "date_bin", "ts_text", "epoch_div_floor":
		err = compileTimeFunc(e)
	case "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "iregex", "not_iregex":
		err = compileMatch(e)
	case "regexp_replace", "regexp_match":
		err = compileRegexpFunc(e)
	case "any_eq", "array_length", "cardinality", "array_to_string", "string_to_array", "array_elem", "array":
		err = compileArrayFunc(e)
	case "jsonb_get", "jsonb_get_text", "jsonb_exists":
		err = compileJSONFunc(e)
	case "json_build_object", "jsonb_build_object":
		err = compileJSONBuild(e)
	case "format":
		err = compileFormat(e)
	case "format_type", "regtype_text", "regnamespace_text", "pg_encoding_to_char", "pg_table_is_visible",
		"pg_size_pretty", "quote_ident", "array_lower", "array_upper", "array_eq", "array_cat", "parse_ident":
		err = compileCatalogFunc(e)
	case "to_local", "from_local", "local_date", "date_local", "ts_diff", "date_diff", "date_add_days", "ts_add_iv",
		"local_add_iv", "iv_add", "iv_sub", "iv_neg", "iv_mul", "iv_div", "iv_part", "iv_extract":
		err = compileDatetimeFunc(e)
	default:
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s is not supported by this node", name)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

func typeList(ts []coldata.Type) string {
	var b bytes.Buffer
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.String())
	}
	return b.String()
}

// runeSlice returns s from character from (0-based) for count characters
// (count < 0: to the end), without allocating.
func runeSlice(s []byte, from, count int) []byte {
	start := 0
	for k := 0; k < from && start < len(s); k++ {
		_, w := utf8.DecodeRune(s[start:])
		start += w
	}
	if count < 0 {
		return s[start:]
	}
	end := start
	for k := 0; k < count && end < len(s); k++ {
		_, w := utf8.DecodeRune(s[end:])
		end += w
	}
	return s[start:end]
}

// clampInt converts a 64-bit count to int, saturating.
func clampInt(x int64) int {
	if x > math.MaxInt32 {
		return math.MaxInt32
	}
	if x < math.MinInt32 {
		return math.MinInt32
	}
	return int(x)
}
