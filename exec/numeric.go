package exec

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Exact decimal helpers for the numeric results of sum and avg. Values
// travel as canonical decimal text (coldata.Numeric); the arithmetic here
// follows PostgreSQL's numeric rules so results match it digit for digit.

// parseDecimal parses canonical decimal text into an unscaled integer and
// a scale: "-12.50" → (-1250, 2).
func parseDecimal(s string) (*big.Int, int, bool) {
	scale := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	v, ok := new(big.Int).SetString(s, 10)
	return v, scale, ok
}

// formatDecimal renders unscaled / 10^scale with exactly scale digits
// after the point.
func formatDecimal(v *big.Int, scale int) string {
	neg := v.Sign() < 0
	digits := new(big.Int).Abs(v).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// base10000 returns PostgreSQL's normalized weight and first digit of the
// integer |v| written in base 10000 (the weight of its leading digit).
func base10000(v *big.Int) (weight int, first int64) {
	a := new(big.Int).Abs(v)
	if a.Sign() == 0 {
		return 0, 0
	}
	s := a.String()
	weight = (len(s) - 1) / 4
	lead := len(s) - weight*4
	for _, c := range s[:lead] {
		first = first*10 + int64(c-'0')
	}
	return weight, first
}

// divScale is PostgreSQL's select_div_scale for two integers (display
// scale 0): enough digits for 16 significant ones, never fewer than 0.
func divScale(num, den *big.Int) int {
	w1, f1 := base10000(num)
	w2, f2 := base10000(den)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	const minSigDigits, decDigits, maxDisplayScale = 16, 4, 1000
	rscale := minSigDigits - qweight*decDigits
	if rscale < 0 {
		rscale = 0
	}
	if rscale > maxDisplayScale {
		rscale = maxDisplayScale
	}
	return rscale
}

// divideIntegers returns num/den as numeric text, rounded half away from
// zero at PostgreSQL's division scale, as numeric_div (and so avg over
// integers) computes it. den must not be zero.
func divideIntegers(num, den *big.Int) string {
	scale := divScale(num, den)
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	n := new(big.Int).Mul(num, pow)
	q, r := new(big.Int).QuoRem(n, den, new(big.Int))
	// Round half away from zero: |2r| >= |den| moves q one step outward.
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	if r2.Cmp(new(big.Int).Abs(den)) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return formatDecimal(q, scale)
}

// cmpDecimal orders two numeric texts by value.
func cmpDecimal(a, b []byte) int {
	x, xs, ok1 := parseDecimal(string(a))
	y, ys, ok2 := parseDecimal(string(b))
	if !ok1 || !ok2 {
		return strings.Compare(string(a), string(b))
	}
	for xs < ys {
		x.Mul(x, big.NewInt(10))
		xs++
	}
	for ys < xs {
		y.Mul(y, big.NewInt(10))
		ys++
	}
	return x.Cmp(y)
}

// castNumeric casts n rows of v to out.Type where one side is numeric:
// integers print exactly; floats go through their 15 significant digits,
// as PostgreSQL's float8 to numeric does; numeric to integer rounds half
// away from zero, to float as strconv reads decimal text (correctly
// rounded).
func castNumeric(v, out *coldata.Vec, n int) (*coldata.Vec, error) {
	to := out.Type
	var buf []byte
	for i := range n {
		null := v.IsNull(i)
		switch {
		case v.Type == coldata.Numeric && to.IsFloat():
			f := 0.0
			if !null {
				var err error
				if f, err = strconv.ParseFloat(v.Bytes.GetString(i), 64); err != nil {
					return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid numeric %q", v.Bytes.GetString(i))
				}
			}
			out.Float64 = append(out.Float64, f)
		case v.Type == coldata.Numeric && to.IsInteger():
			x := int64(0)
			if !null {
				d, scale, ok := parseDecimal(v.Bytes.GetString(i))
				if !ok {
					return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid numeric %q", v.Bytes.GetString(i))
				}
				r := roundHalfAway(d, scale)
				lo, hi := intRange(to)
				if !r.IsInt64() || r.Int64() < lo || r.Int64() > hi {
					return nil, outOfRange(to)
				}
				x = r.Int64()
			}
			out.Int64 = append(out.Int64, x)
		case v.Type.IsInteger():
			buf = buf[:0]
			if !null {
				buf = strconv.AppendInt(buf, v.Int64[i], 10)
			}
			out.Bytes.Append(buf)
		case v.Type.IsFloat():
			buf = buf[:0]
			if !null {
				buf = append(buf, floatToNumeric(v.Float64[i])...)
			}
			out.Bytes.Append(buf)
		default: // numeric to numeric
			out.Bytes.Append(v.Bytes.Get(i))
		}
	}
	return out, nil
}

// roundHalfAway rounds unscaled/10^scale to an integer, half away from
// zero.
func roundHalfAway(d *big.Int, scale int) *big.Int {
	if scale == 0 {
		return d
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	q, r := new(big.Int).QuoRem(d, p, new(big.Int))
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(p) >= 0 {
		if d.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// floatToNumeric renders f as PostgreSQL's float8 to numeric cast does:
// its %.15g text read as a decimal, exponent expanded.
func floatToNumeric(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	mant, exp := s, 0
	if k := strings.IndexByte(s, 'e'); k >= 0 {
		mant = s[:k]
		exp, _ = strconv.Atoi(s[k+1:])
	}
	d, scale, _ := parseDecimal(mant)
	scale -= exp
	if scale < 0 {
		d.Mul(d, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-scale)), nil))
		scale = 0
	}
	return formatDecimal(d, scale)
}

// FormatScaled renders unscaled / 10^scale as numeric text.
func FormatScaled(unscaled *big.Int, scale int) string { return formatDecimal(unscaled, scale) }
