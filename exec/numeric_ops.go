package exec

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Numeric arithmetic with PostgreSQL's result scales: + and - keep the
// larger scale, * the sum of scales, / select_div_scale's (at least 16
// significant digits, never fewer decimals than either operand), rounded
// half away from zero.

// decimal is unscaled / 10^scale.
type decimal struct {
	u     *big.Int
	scale int
}

func readDecimal(b []byte) (decimal, error) {
	u, scale, ok := parseDecimal(string(b))
	if !ok {
		return decimal{}, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", string(b))
	}
	return decimal{u, scale}, nil
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// rescale returns d's unscaled value at a larger scale.
func (d decimal) at(scale int) *big.Int {
	if scale == d.scale {
		return d.u
	}
	return new(big.Int).Mul(d.u, pow10(scale-d.scale))
}

// weightFirst is PostgreSQL's base-10000 weight and first digit of d.
func (d decimal) weightFirst() (int, int64) {
	if d.u.Sign() == 0 {
		return 0, 0
	}
	digits := new(big.Int).Abs(d.u).String()
	intDigits := len(digits) - d.scale
	if intDigits > 0 {
		weight := (intDigits - 1) / 4
		lead := intDigits - weight*4
		var first int64
		for k := range lead {
			first = first*10 + int64(digits[k]-'0')
		}
		return weight, first
	}
	zeros := -intDigits // between the point and the first digit
	weight := -(zeros / 4) - 1
	group := strings.Repeat("0", zeros%4) + digits
	for len(group) < 4 {
		group += "0"
	}
	var first int64
	for _, c := range group[:4] {
		first = first*10 + int64(c-'0')
	}
	return weight, first
}

func numericOp(op byte, a, b decimal) (decimal, error) {
	switch op {
	case '+', '-':
		s := max(a.scale, b.scale)
		x, y := a.at(s), b.at(s)
		r := new(big.Int)
		if op == '+' {
			r.Add(x, y)
		} else {
			r.Sub(x, y)
		}
		return decimal{r, s}, nil
	case '*':
		return decimal{new(big.Int).Mul(a.u, b.u), a.scale + b.scale}, nil
	case '/':
		if b.u.Sign() == 0 {
			return decimal{}, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
		}
		w1, f1 := a.weightFirst()
		w2, f2 := b.weightFirst()
		qweight := w1 - w2
		if f1 <= f2 {
			qweight--
		}
		rscale := 16 - qweight*4
		rscale = min(max(rscale, a.scale, b.scale, 0), 1000)
		// a/b at rscale: (a.u * 10^(rscale + b.scale - a.scale)) / b.u,
		// rounded half away from zero.
		num := new(big.Int).Set(a.u)
		den := new(big.Int).Set(b.u)
		if e := rscale + b.scale - a.scale; e >= 0 {
			num.Mul(num, pow10(e))
		} else {
			den.Mul(den, pow10(-e))
		}
		q, r := new(big.Int).QuoRem(num, den, new(big.Int))
		r.Abs(r).Lsh(r, 1)
		if r.Cmp(new(big.Int).Abs(den)) >= 0 {
			if (num.Sign() < 0) != (den.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		return decimal{q, rscale}, nil
	case '%':
		if b.u.Sign() == 0 {
			return decimal{}, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
		}
		s := max(a.scale, b.scale)
		return decimal{new(big.Int).Rem(a.at(s), b.at(s)), s}, nil
	}
	return decimal{}, sqlerr.New(sqlerr.InternalError, "numeric operator %c", op)
}

// numericArith evaluates a numeric operator over two numeric vectors.
func numericArith(op byte, a, c *coldata.Vec, n int, out *coldata.Vec) error {
	for i := range n {
		if out.Nulls.Get(i) {
			out.Bytes.Append(nil)
			continue
		}
		x, err := readDecimal(a.Bytes.Get(i))
		if err != nil {
			return err
		}
		y, err := readDecimal(c.Bytes.Get(i))
		if err != nil {
			return err
		}
		r, err := numericOp(op, x, y)
		if err != nil {
			return err
		}
		out.Bytes.AppendString(formatDecimal(r.u, r.scale))
	}
	return nil
}

// numericRound rounds d to scale digits (scale may be negative: tens,
// hundreds): half away from zero for round, toward -inf for floor, +inf
// for ceil, toward zero for trunc. The result keeps max(scale, 0) digits.
func numericRound(d decimal, scale int, mode string) decimal {
	if scale >= d.scale {
		return decimal{d.at(scale), scale}
	}
	p := pow10(d.scale - scale)
	q, r := new(big.Int).QuoRem(d.u, p, new(big.Int))
	switch mode {
	case "round":
		r2 := new(big.Int).Abs(r)
		r2.Lsh(r2, 1)
		if r2.Cmp(p) >= 0 {
			if d.u.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	case "floor":
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		}
	case "ceil":
		if r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
	}
	if scale < 0 {
		return decimal{q.Mul(q, pow10(-scale)), 0}
	}
	return decimal{q, scale}
}

// ParseNumeric reads numeric input text ("1.50", "-.5", "1e3", " 2 ") as
// the canonical decimal text numeric values travel as, keeping the scale
// written ("1.50" stays "1.50"; an exponent shifts it).
func ParseNumeric(s string) (string, error) {
	invalid := sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf":
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "numeric %s is not supported yet", t)
	}
	mant, exp := t, 0
	if k := strings.IndexAny(t, "eE"); k >= 0 {
		mant = t[:k]
		x, err := strconv.Atoi(t[k+1:])
		if err != nil || x > 1000 || x < -1000 {
			return "", invalid
		}
		exp = x
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(strings.TrimPrefix(mant, "-"), "+")
	intPart, frac, hasPoint := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || strings.ContainsAny(intPart+frac, "+-.eE ") || (hasPoint && strings.Contains(frac, ".")) {
		return "", invalid
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return "", invalid
		}
	}
	u, ok := new(big.Int).SetString("0"+intPart+frac, 10)
	if !ok {
		return "", invalid
	}
	if neg {
		u.Neg(u)
	}
	scale := len(frac) - exp
	if scale < 0 {
		u.Mul(u, pow10(-scale))
		scale = 0
	}
	return formatDecimal(u, scale), nil
}
