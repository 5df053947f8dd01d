package exec

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// format(formatstr, args...): %s (the value's text, NULL as empty), %I
// (quoted as an identifier when it must be), %L (quoted as a literal,
// NULL as NULL) and %%, with optional argument positions (%2$s), as
// PostgreSQL's format. Width flags are not supported.

func init() { funcNames["format"] = true }

func resolveFormat(args []coldata.Type) ([]coldata.Type, coldata.Type, bool) {
	if len(args) == 0 || (args[0] != coldata.Text && args[0] != coldata.Unknown) {
		return nil, coldata.Unknown, false
	}
	want := slices.Clone(args)
	for i, t := range want {
		if t == coldata.Unknown {
			want[i] = coldata.Text
		}
	}
	return want, coldata.Text, true
}

func compileFormat(e *funcExpr) error {
	e.strict = false
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		for i := range n {
			if in[0].IsNull(i) {
				e.setNull(i)
				e.out.Bytes.Append(nil)
				continue
			}
			out, err := formatRow(e.buf[:0], in[0].Bytes.GetString(i), in[1:], i)
			if err != nil {
				return err
			}
			e.buf = out
			e.out.Bytes.Append(out)
		}
		return nil
	}
	return nil
}

func formatRow(dst []byte, f string, args []*coldata.Vec, row int) ([]byte, error) {
	next := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(f) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unterminated format() type specifier").
				WithHint(`For a single "%" use "%%".`)
		}
		if f[i] == '%' {
			dst = append(dst, '%')
			continue
		}
		arg := next
		if j := strings.IndexByte(f[i:], '$'); j > 0 {
			if p, err := strconv.Atoi(f[i : i+j]); err == nil {
				if p < 1 {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
				}
				arg, i = p-1, i+j+1
			}
		}
		if i >= len(f) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if arg >= len(args) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "too few arguments for format()")
		}
		next = arg + 1
		v := args[arg]
		switch f[i] {
		case 's':
			if !v.IsNull(row) {
				dst = coldata.AppendText(dst, v, row, time.UTC)
			}
		case 'I':
			if v.IsNull(row) {
				return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			dst = append(dst, QuoteIdent(string(coldata.AppendText(nil, v, row, time.UTC)))...)
		case 'L':
			if v.IsNull(row) {
				dst = append(dst, "NULL"...)
				continue
			}
			s := string(coldata.AppendText(nil, v, row, time.UTC))
			if strings.Contains(s, `\`) {
				dst = append(dst, 'E')
				s = strings.ReplaceAll(s, `\`, `\\`)
			}
			dst = append(dst, '\'')
			dst = append(dst, strings.ReplaceAll(s, "'", "''")...)
			dst = append(dst, '\'')
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", f[i]).
				WithHint(`For a single "%" use "%%".`)
		}
	}
	return dst, nil
}
