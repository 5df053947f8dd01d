package exec

import (
	"math/big"
	"math/bits"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Variance and standard deviation over integers and numerics are numeric
// in PostgreSQL, computed exactly from the count, the sum and the sum of
// squares (numeric_stddev_internal):
//
//	aggregate               partial states                   merge   final
//	var_*/stddev_*(int)     int8 n, numeric Σx, numeric Σx²  sums    (nΣx² − (Σx)²) / (n(n−1) or n²), √ for stddev
//
// with the division at PostgreSQL's numeric division scale and the square
// root rounded at that scale. Integer inputs accumulate in 128-bit
// integers; numeric inputs, merged states and a 128-bit overflow go to
// big integers at the group's scale (the largest scale of its inputs).

// int128 is a two's-complement 128-bit integer.
type int128 struct {
	hi int64
	lo uint64
}

// add adds x to a, reporting signed overflow (a is then unchanged).
func (a *int128) add(x int128) bool {
	lo, carry := bits.Add64(a.lo, x.lo, 0)
	hi := a.hi + x.hi + int64(carry)
	// Overflow: both operands share a sign the result lacks.
	if (a.hi >= 0) == (x.hi >= 0) && (hi >= 0) != (a.hi >= 0) {
		return true
	}
	a.hi, a.lo = hi, lo
	return false
}

func int128Of(x int64) int128 {
	if x < 0 {
		return int128{hi: -1, lo: uint64(x)}
	}
	return int128{lo: uint64(x)}
}

// square returns x², which fits in 127 bits.
func square(x int64) int128 {
	ux := uint64(x)
	if x < 0 {
		ux = uint64(-x)
	}
	hi, lo := bits.Mul64(ux, ux)
	return int128{hi: int64(hi), lo: lo}
}

func (a int128) big() *big.Int {
	v := new(big.Int).SetInt64(a.hi)
	v.Lsh(v, 64)
	return v.Add(v, new(big.Int).SetUint64(a.lo))
}

type varGroup struct {
	n       int64
	sx, sx2 int128
	// bx and bx2 are the rest of Σx and Σx², unscaled at scale and
	// 2·scale; nil until needed.
	bx, bx2 *big.Int
	scale   int
}

// numVarianceAcc computes var_pop, var_samp, stddev_pop and stddev_samp
// as numeric.
type numVarianceAcc struct {
	kind   string
	groups []varGroup
}

func (a *numVarianceAcc) grow(n int) {
	for len(a.groups) < n {
		a.groups = append(a.groups, varGroup{})
	}
}

// addBig adds Σx and Σx² given unscaled at scale and 2·scale.
func (g *varGroup) addBig(x, x2 *big.Int, scale int) {
	if g.bx == nil {
		g.bx, g.bx2 = new(big.Int), new(big.Int)
	}
	switch {
	case scale > g.scale:
		g.bx.Mul(g.bx, pow10(scale-g.scale))
		g.bx2.Mul(g.bx2, pow10(2*(scale-g.scale)))
		g.scale = scale
	case scale < g.scale:
		x = new(big.Int).Mul(x, pow10(g.scale-scale))
		x2 = new(big.Int).Mul(x2, pow10(2*(g.scale-scale)))
	}
	g.bx.Add(g.bx, x)
	g.bx2.Add(g.bx2, x2)
}

func (a *numVarianceAcc) update(gids []uint32, arg *coldata.Vec) {
	hasNulls := arg.Nulls.Any()
	if arg.Type == coldata.Numeric {
		for i, gid := range gids {
			if hasNulls && arg.IsNull(i) {
				continue
			}
			d, err := readDecimal(arg.Bytes.Get(i))
			if err != nil {
				continue // stored numerics are valid; a computed one too
			}
			g := &a.groups[gid]
			g.n++
			g.addBig(d.u, new(big.Int).Mul(d.u, d.u), d.scale)
		}
		return
	}
	for i, gid := range gids {
		if hasNulls && arg.IsNull(i) {
			continue
		}
		x := arg.Int64[i]
		g := &a.groups[gid]
		g.n++
		sx, sx2 := g.sx, g.sx2
		if sx.add(int128Of(x)) || sx2.add(square(x)) {
			xb := big.NewInt(x)
			g.addBig(xb, new(big.Int).Mul(xb, xb), 0)
			continue
		}
		g.sx, g.sx2 = sx, sx2
	}
}

func (a *numVarianceAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, gid := range gids {
		n := states[0].Int64[i]
		if n == 0 {
			continue
		}
		x, err := readDecimal(states[1].Bytes.Get(i))
		if err != nil {
			return err
		}
		x2, err := readDecimal(states[2].Bytes.Get(i))
		if err != nil {
			return err
		}
		g := &a.groups[gid]
		g.n += n
		g.addBig(x.u, x2.at(2*x.scale), x.scale)
	}
	return nil
}

// sums returns Σx and Σx² of group g as decimals.
func (g *varGroup) sums() (decimal, decimal) {
	x := g.sx.big()
	x2 := g.sx2.big()
	if g.bx != nil {
		x.Mul(x, pow10(g.scale)).Add(x, g.bx)
		x2.Mul(x2, pow10(2*g.scale)).Add(x2, g.bx2)
	}
	return decimal{x, g.scale}, decimal{x2, 2 * g.scale}
}

func (a *numVarianceAcc) states(from, to int, out []*coldata.Vec) {
	for gi := from; gi < to; gi++ {
		g := &a.groups[gi]
		x, x2 := g.sums()
		out[0].Int64 = append(out[0].Int64, g.n)
		out[1].Bytes.AppendString(formatDecimal(x.u, x.scale))
		out[2].Bytes.AppendString(formatDecimal(x2.u, x2.scale))
	}
}

func (a *numVarianceAcc) final(from, to int, out *coldata.Vec) {
	sample := a.kind == "var_samp" || a.kind == "stddev_samp"
	for gi := from; gi < to; gi++ {
		g := &a.groups[gi]
		if g.n == 0 || (sample && g.n == 1) {
			out.AppendNull()
			continue
		}
		out.Bytes.AppendString(numericVariance(g, sample, a.kind == "stddev_pop" || a.kind == "stddev_samp"))
	}
}

// numericVariance follows numeric_stddev_internal step by step.
func numericVariance(g *varGroup, sample, stddev bool) string {
	sx, sx2 := g.sums()
	n := decimal{big.NewInt(g.n), 0}
	num, _ := numericOp('-', decimal{new(big.Int).Mul(n.u, sx2.u), sx2.scale}, decimal{new(big.Int).Mul(sx.u, sx.u), 2 * sx.scale})
	if num.u.Sign() <= 0 {
		return "0"
	}
	den := new(big.Int).Set(n.u)
	if sample {
		den.Mul(den, big.NewInt(g.n-1))
	} else {
		den.Mul(den, n.u)
	}
	v, err := numericOp('/', num, decimal{den, 0})
	if err != nil {
		return "0" // den > 0
	}
	if stddev {
		v = decimalSqrt(v)
	}
	return formatDecimal(v.u, v.scale)
}

// decimalSqrt returns √d rounded half up at d's scale (d ≥ 0).
func decimalSqrt(d decimal) decimal {
	// √(u / 10^s) · 10^s = √(u · 10^s).
	x := new(big.Int).Mul(d.u, pow10(d.scale))
	r := new(big.Int).Sqrt(x)
	// Round: r+1 when (r + ½)² ≤ x, i.e. (2r + 1)² ≤ 4x.
	t := new(big.Int).Lsh(r, 1)
	t.Add(t, big.NewInt(1))
	t.Mul(t, t)
	if t.Cmp(new(big.Int).Lsh(x, 2)) <= 0 {
		r.Add(r, big.NewInt(1))
	}
	return decimal{r, d.scale}
}

func lookupNumericVariance(d *AggDef, kind string) (*AggDef, error) {
	if d.Arg != coldata.Numeric && !d.Arg.IsInteger() {
		return nil, sqlerr.New(sqlerr.InternalError, "numeric variance of %s", d.Arg)
	}
	d.States = []coldata.Type{coldata.Int64, coldata.Numeric, coldata.Numeric}
	d.Result = coldata.Numeric
	d.newAcc = func(*AggDef) accumulator { return &numVarianceAcc{kind: kind} }
	return d, nil
}
