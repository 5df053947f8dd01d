package exec

import (
	"bytes"
	"math"
	"slices"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// compileMathFunc sets the kernel of a numeric function. Everything but
// abs works on double precision, as PostgreSQL resolves these functions
// for integer and float arguments.
func compileMathFunc(e *funcExpr) error {
	if e.typ == coldata.Numeric {
		compileNumericFunc(e)
		return nil
	}
	switch e.name {
	case "abs":
		if e.typ.IsInteger() {
			lo, _ := intRange(e.typ)
			e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
				e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
				for i, x := range in[0].Int64[:n] {
					if x == lo && !e.null(i) {
						return outOfRange(e.typ)
					}
					if x < 0 {
						x = -x
					}
					e.out.Int64[i] = x
				}
				return nil
			}
			return nil
		}
		e.kernel = floatKernel(func(x float64) (float64, error) { return math.Abs(x), nil })
	case "floor":
		e.kernel = floatKernel(func(x float64) (float64, error) { return math.Floor(x), nil })
	case "ceil", "ceiling":
		e.kernel = floatKernel(func(x float64) (float64, error) { return math.Ceil(x), nil })
	case "round":
		// round(double precision) rounds half to even, like C's rint.
		e.kernel = floatKernel(func(x float64) (float64, error) { return math.RoundToEven(x), nil })
	case "trunc":
		e.kernel = floatKernel(func(x float64) (float64, error) { return math.Trunc(x), nil })
	case "sign":
		e.kernel = floatKernel(func(x float64) (float64, error) {
			switch {
			case x > 0:
				return 1, nil
			case x < 0:
				return -1, nil
			}
			return x, nil
		})
	case "sqrt":
		e.kernel = floatKernel(func(x float64) (float64, error) {
			if x < 0 {
				return 0, sqlerr.New("2201F", "cannot take square root of a negative number")
			}
			return math.Sqrt(x), nil
		})
	case "exp":
		e.kernel = floatKernel(func(x float64) (float64, error) {
			r := math.Exp(x)
			if math.IsInf(r, 0) && !math.IsInf(x, 0) {
				return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			return r, nil
		})
	case "ln":
		e.kernel = floatKernel(func(x float64) (float64, error) {
			switch {
			case x == 0:
				return 0, sqlerr.New("2201E", "cannot take logarithm of zero")
			case x < 0:
				return 0, sqlerr.New("2201E", "cannot take logarithm of a negative number")
			}
			return math.Log(x), nil
		})
	case "power", "pow":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Float64 = slices.Grow(e.out.Float64[:0], n)[:n]
			for i := range n {
				if e.null(i) {
					e.out.Float64[i] = 0
					continue
				}
				x, y := in[0].Float64[i], in[1].Float64[i]
				if x == 0 && y < 0 {
					return sqlerr.New("2201F", "zero raised to a negative power is undefined")
				}
				if x < 0 && y != math.Trunc(y) {
					return sqlerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
				}
				e.out.Float64[i] = math.Pow(x, y)
			}
			return nil
		}
	}
	return nil
}

// compileConditional sets the kernel of COALESCE, GREATEST, LEAST and
// NULLIF, whose arguments all have the result's type. None is strict.
func compileConditional(e *funcExpr) {
	e.strict = false
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		for i := range n {
			pick := -1
			switch e.name {
			case "coalesce":
				for k, v := range in {
					if !v.IsNull(i) {
						pick = k
						break
					}
				}
			case "greatest", "least":
				// NULLs are ignored; NULL only when every argument is.
				for k, v := range in {
					if v.IsNull(i) {
						continue
					}
					if pick < 0 {
						pick = k
						continue
					}
					c := compareValues(v, i, in[pick], i)
					if (e.name == "greatest" && c > 0) || (e.name == "least" && c < 0) {
						pick = k
					}
				}
			case "nullif":
				if !in[0].IsNull(i) && (in[1].IsNull(i) || compareValues(in[0], i, in[1], i) != 0) {
					pick = 0
				}
			}
			if pick < 0 {
				e.out.AppendNull()
			} else {
				e.out.AppendFrom(in[pick], i)
			}
		}
		return nil
	}
}

// compareValues orders row i of a and row j of b, two non-NULL values of
// one type, as ORDER BY does.
func compareValues(a *coldata.Vec, i int, b *coldata.Vec, j int) int {
	switch t := a.Type; {
	case t == coldata.Bool:
		return boolCmp(a.Bool[i], b.Bool[j])
	case t.InInt64():
		return cmpInt(a.Int64[i], b.Int64[j])
	case t.IsFloat():
		return cmpFloat(a.Float64[i], b.Float64[j])
	case t == coldata.Numeric:
		return cmpDecimal(a.Bytes.Get(i), b.Bytes.Get(j))
	case t == coldata.Interval:
		return coldata.CompareIntervals(a.IntervalAt(i), b.IntervalAt(j))
	}
	return bytes.Compare(a.Bytes.Get(i), b.Bytes.Get(j))
}

// compileNumericFunc sets the kernel of abs, floor, ceil, round and trunc
// over numeric, with round and trunc's optional number of decimals.
func compileNumericFunc(e *funcExpr) {
	e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
		d, err := readDecimal(in[0].Bytes.Get(i))
		if err != nil {
			return nil, err
		}
		switch e.name {
		case "abs":
			d.u.Abs(d.u)
		case "floor", "ceil":
			d = numericRound(d, 0, e.name)
		case "round", "trunc":
			scale := 0
			if len(in) == 2 {
				scale = clampInt(max(min(in[1].Int64[i], 1000), -1000))
			}
			d = numericRound(d, scale, e.name)
		}
		return append(dst, formatDecimal(d.u, d.scale)...), nil
	})
}
