package exec

import (
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/sqlerr"
)

// Functions over the system catalogs whose answers do not depend on the
// session: type names, encodings, identifiers, sizes. Those that need the
// session's tables or users (regclass output, pg_get_userbyid) are bound
// by the planner as lookups.

// catalogFuncs are this file's functions.
var catalogFuncs = []string{"format_type", "regtype_text", "regnamespace_text", "pg_encoding_to_char",
	"pg_table_is_visible", "pg_size_pretty", "quote_ident", "array_lower", "array_upper", "array_eq", "array_cat", "parse_ident"}

func init() {
	for _, n := range catalogFuncs {
		funcNames[n] = true
	}
}

// resolveCatalogFunc is ResolveFunc for this file's functions.
func resolveCatalogFunc(name string, args []coldata.Type) ([]coldata.Type, coldata.Type, bool) {
	intish := func(t coldata.Type) bool { return t == coldata.Unknown || t.IsInteger() }
	n := len(args)
	switch name {
	case "format_type":
		if n == 2 && intish(args[0]) && intish(args[1]) {
			return []coldata.Type{coldata.Int64, coldata.Int64}, coldata.Text, true
		}
	case "regtype_text", "regnamespace_text", "pg_encoding_to_char", "pg_size_pretty":
		if n == 1 && intish(args[0]) {
			return []coldata.Type{coldata.Int64}, coldata.Text, true
		}
	case "pg_table_is_visible":
		if n == 1 && intish(args[0]) {
			return []coldata.Type{coldata.Int64}, coldata.Bool, true
		}
	case "quote_ident":
		if n == 1 && (args[0] == coldata.Unknown || args[0] == coldata.Text) {
			return []coldata.Type{coldata.Text}, coldata.Text, true
		}
	case "parse_ident":
		if (n == 1 || (n == 2 && (args[1] == coldata.Bool || args[1] == coldata.Unknown))) && (args[0] == coldata.Text || args[0] == coldata.Unknown) {
			want := []coldata.Type{coldata.Text, coldata.Bool}
			return want[:n], coldata.TextArray, true
		}
	case "array_cat":
		if n == 2 && args[0] == coldata.TextArray && args[1] == coldata.TextArray {
			return args, coldata.TextArray, true
		}
	case "array_eq":
		if n == 2 && args[0] == coldata.TextArray && args[1] == coldata.TextArray {
			return args, coldata.Bool, true
		}
	case "array_lower", "array_upper":
		if n == 2 && args[0] == coldata.TextArray && intish(args[1]) {
			return []coldata.Type{coldata.TextArray, coldata.Int64}, coldata.Int32, true
		}
	}
	return nil, coldata.Unknown, false
}

func compileCatalogFunc(e *funcExpr) error {
	switch e.name {
	case "format_type":
		// format_type(NULL type) is NULL; a NULL typmod means none.
		e.strict = false
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			for i := range n {
				if in[0].IsNull(i) {
					e.setNull(i)
					e.out.Bytes.Append(nil)
					continue
				}
				mod := int64(-1)
				if !in[1].IsNull(i) {
					mod = in[1].Int64[i]
				}
				e.out.Bytes.AppendString(pgcatalog.FormatType(in[0].Int64[i], mod))
			}
			return nil
		}
	case "regtype_text":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			oid := in[0].Int64[i]
			if t, ok := pgcatalog.TypeByOID(oid); ok {
				return append(dst, t.SQL...), nil
			}
			if oid == 0 {
				return append(dst, '-'), nil
			}
			return strconv.AppendInt(dst, oid, 10), nil
		})
	case "regnamespace_text":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			if name, ok := pgcatalog.NamespaceName(in[0].Int64[i]); ok {
				return append(dst, name...), nil
			}
			return strconv.AppendInt(dst, in[0].Int64[i], 10), nil
		})
	case "pg_encoding_to_char":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			switch in[0].Int64[i] {
			case 0:
				return append(dst, "SQL_ASCII"...), nil
			case 6:
				return append(dst, "UTF8"...), nil
			}
			return dst, nil
		})
	case "pg_table_is_visible":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Bool = resizeBools(e.out.Bool, n)
			for i := range n {
				e.out.Bool[i] = !e.null(i) && pgcatalog.VisibleOID(in[0].Int64[i])
			}
			return nil
		}
	case "pg_size_pretty":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			return appendSizePretty(dst, in[0].Int64[i]), nil
		})
	case "quote_ident":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			return append(dst, QuoteIdent(in[0].Bytes.GetString(i))...), nil
		})
	case "parse_ident":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Arr = append(e.out.Arr[:0], 0)
			for i := range n {
				if !e.null(i) {
					strict := len(in) < 2 || in[1].Bool[i]
					parts, err := ParseIdent(in[0].Bytes.GetString(i), strict)
					if err != nil {
						return err
					}
					for _, p := range parts {
						e.out.Bytes.AppendString(p)
					}
				}
				e.out.Arr = append(e.out.Arr, int32(e.out.Bytes.Len()))
			}
			return nil
		}
	case "array_cat":
		// NULL || array is the array, as in PostgreSQL.
		e.strict = false
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Arr = append(e.out.Arr[:0], 0)
			for i := range n {
				if in[0].IsNull(i) && in[1].IsNull(i) {
					e.setNull(i)
				}
				for _, v := range in {
					if v.IsNull(i) {
						continue
					}
					for j := range v.ArrayLen(i) {
						e.out.Bytes.Append(v.ArrayElem(i, j))
					}
				}
				e.out.Arr = append(e.out.Arr, int32(e.out.Bytes.Len()))
			}
			return nil
		}
	case "array_eq":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Bool = resizeBools(e.out.Bool, n)
			for i := range n {
				e.out.Bool[i] = false
				if e.null(i) {
					continue
				}
				k := in[0].ArrayLen(i)
				eq := k == in[1].ArrayLen(i)
				for j := 0; eq && j < k; j++ {
					eq = string(in[0].ArrayElem(i, j)) == string(in[1].ArrayElem(i, j))
				}
				e.out.Bool[i] = eq
			}
			return nil
		}
	case "array_lower", "array_upper":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = resizeInts(e.out.Int64, n)
			for i := range n {
				e.out.Int64[i] = 0
				if e.null(i) {
					continue
				}
				k := in[0].ArrayLen(i)
				if k == 0 || in[1].Int64[i] != 1 {
					e.setNull(i)
					continue
				}
				if e.name == "array_lower" {
					e.out.Int64[i] = 1
				} else {
					e.out.Int64[i] = int64(k)
				}
			}
			return nil
		}
	}
	return nil
}

func resizeInts(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	return s[:n]
}

// appendSizePretty prints a byte count as pg_size_pretty does: in bytes
// below 10 kB, else in the largest unit (kB to PB) that keeps the value
// under 20480, rounded half away from zero.
func appendSizePretty(dst []byte, size int64) []byte {
	type unit struct {
		name  string
		limit int64
		round bool
		bits  uint
	}
	units := []unit{{"bytes", 10 * 1024, false, 0}, {"kB", 20*1024 - 1, true, 10}, {"MB", 20*1024 - 1, true, 20},
		{"GB", 20*1024 - 1, true, 30}, {"TB", 20*1024 - 1, true, 40}, {"PB", 20*1024 - 1, true, 50}}
	for i, u := range units {
		abs := size
		if abs < 0 {
			abs = -abs
		}
		if i == len(units)-1 || abs < u.limit {
			if u.round {
				if size < 0 {
					size = (size - 1) / 2
				} else {
					size = (size + 1) / 2
				}
			}
			return append(append(strconv.AppendInt(dst, size, 10), ' '), u.name...)
		}
		// One extra bit is kept for rounding in every unit but bytes.
		bits := units[i+1].bits - u.bits
		if units[i+1].round {
			bits--
		}
		if u.round {
			bits++
		}
		size /= int64(1) << bits
	}
	return dst
}

// ParseIdent splits a qualified identifier as parse_ident does: dots
// separate names, double quotes keep case and dots, unquoted names fold to
// lower case. strict rejects anything after the last name.
func ParseIdent(s string, strict bool) ([]string, error) {
	bad := func(why string) error {
		return sqlerr.New(sqlerr.InvalidParameterValue, "string is not a valid identifier: %q", s).WithDetail(why)
	}
	var parts []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, bad("String has unclosed double quotes.")
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if b.Len() == 0 {
				return nil, bad("Quoted identifier must not be empty.")
			}
			parts = append(parts, b.String())
		} else {
			start := i
			for i < len(s) && s[i] != '.' && s[i] != ' ' && s[i] != '"' {
				i++
			}
			if i == start {
				if len(parts) == 0 {
					return nil, bad("No valid identifier before \".\".")
				}
				return nil, bad("No valid identifier after \".\".")
			}
			parts = append(parts, strings.ToLower(s[start:i]))
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if i < len(s) && strict {
			return nil, bad("")
		}
		return parts, nil
	}
}

// QuoteIdent quotes an identifier when PostgreSQL would: unless it is
// all lower-case letters, digits and underscores, not starting with a
// digit, and not a reserved keyword.
func QuoteIdent(s string) string {
	safe := s != "" && (s[0] < '0' || s[0] > '9')
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		safe = c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
	}
	if safe && !reservedKeywords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedKeywords are PostgreSQL's reserved and type-function keywords,
// which quote_ident quotes.
var reservedKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check
		collate column constraint create current_catalog current_date current_role current_time
		current_timestamp current_user default deferrable desc distinct do else end except false fetch for
		foreign from grant group having in initially intersect into lateral leading limit localtime
		localtimestamp not null offset on only or order placing primary references returning select
		session_user some symmetric system_user table then to trailing true union unique user using
		variadic when where window with authorization binary collation concurrently cross
		current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps
		right similar tablesample verbose`) {
		m[k] = true
	}
	return m
}()
