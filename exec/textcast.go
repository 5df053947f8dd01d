package exec

import (
	"strconv"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// textCastExpr reads text as a number or a boolean, with PostgreSQL's
// input rules and errors (22P02, 22003).
type textCastExpr struct {
	arg Expr
	typ coldata.Type
}

func (e *textCastExpr) Type() coldata.Type { return e.typ }

func (e *textCastExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	n := b.Len
	out := coldata.NewVec(e.typ, n)
	for i := range n {
		if v.IsNull(i) {
			out.AppendNull()
			continue
		}
		if err := appendParsed(out, v.Bytes.GetString(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendParsed appends text read as out's type.
func appendParsed(out *coldata.Vec, text string) error {
	t := out.Type
	s := strings.TrimSpace(text)
	invalid := sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, text)
	switch {
	case t.IsInteger():
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return sqlerr.New(sqlerr.NumericValueOutOfRange, "value %q is out of range for type %s", text, t)
			}
			return invalid
		}
		if lo, hi := intRange(t); x < lo || x > hi {
			return sqlerr.New(sqlerr.NumericValueOutOfRange, "value %q is out of range for type %s", text, t)
		}
		out.Int64 = append(out.Int64, x)
	case t.IsFloat():
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return invalid
			}
			return sqlerr.New(sqlerr.NumericValueOutOfRange, "%q is out of range for type %s", text, t)
		}
		out.Float64 = append(out.Float64, x)
	case t == coldata.Numeric:
		d, err := ParseNumeric(s)
		if err != nil {
			return err
		}
		out.Bytes.AppendString(d)
	case t == coldata.Bool:
		switch strings.ToLower(s) {
		case "t", "true", "yes", "y", "on", "1":
			out.Bool = append(out.Bool, true)
		case "f", "false", "no", "n", "off", "0":
			out.Bool = append(out.Bool, false)
		default:
			return invalid
		}
	}
	return nil
}

// toTextExpr is a value's text form, as PostgreSQL prints it.
type toTextExpr struct {
	arg Expr
	buf []byte
}

func (e *toTextExpr) Type() coldata.Type { return coldata.Text }

func (e *toTextExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	out := coldata.NewVec(coldata.Text, b.Len)
	for i := range b.Len {
		if v.IsNull(i) {
			out.AppendNull()
			continue
		}
		if v.Type == coldata.Bool {
			// The cast spells booleans out, unlike their output form.
			if v.Bool[i] {
				out.Bytes.AppendString("true")
			} else {
				out.Bytes.AppendString("false")
			}
			continue
		}
		e.buf = coldata.AppendText(e.buf[:0], v, i, time.UTC)
		out.Bytes.Append(e.buf)
	}
	return out, nil
}

// boolToIntExpr casts booleans to 1 and 0.
type boolToIntExpr struct {
	arg Expr
	typ coldata.Type
}

func (e *boolToIntExpr) Type() coldata.Type { return e.typ }

func (e *boolToIntExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	out := &coldata.Vec{Type: e.typ, Nulls: v.Nulls, Int64: make([]int64, b.Len)}
	for i, x := range v.Bool[:b.Len] {
		if x {
			out.Int64[i] = 1
		}
	}
	return out, nil
}
