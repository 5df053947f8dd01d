package exec

import (
	"math/big"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// sum and avg over numeric: exact decimal sums at the largest scale seen
// (partial states are numeric text, merged exactly), avg dividing with
// PostgreSQL's numeric division scale.
type sumNumericAcc struct {
	avg   bool
	sum   []decimal
	seen  []int64
	scale []int
}

func (a *sumNumericAcc) grow(n int) {
	for len(a.sum) < n {
		a.sum = append(a.sum, decimal{new(big.Int), 0})
		a.seen = append(a.seen, 0)
	}
}

func (a *sumNumericAcc) add(g uint32, d decimal) {
	s := &a.sum[g]
	if d.scale > s.scale {
		s.u.Mul(s.u, pow10(d.scale-s.scale))
		s.scale = d.scale
	}
	s.u.Add(s.u, d.at(s.scale))
}

func (a *sumNumericAcc) update(gids []uint32, arg *coldata.Vec) {
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		d, err := readDecimal(arg.Bytes.Get(i))
		if err != nil {
			continue // stored numerics are canonical; nothing else reaches here
		}
		a.add(g, d)
		a.seen[g]++
	}
}

func (a *sumNumericAcc) merge(gids []uint32, states []*coldata.Vec) error {
	s := states[0]
	for i, g := range gids {
		if s.IsNull(i) {
			continue
		}
		d, err := readDecimal(s.Bytes.Get(i))
		if err != nil {
			return sqlerr.New(sqlerr.InternalError, "merge numeric sum: bad partial state %q", s.Bytes.Get(i))
		}
		a.add(g, d)
		if a.avg {
			a.seen[g] += states[1].Int64[i]
		} else {
			a.seen[g]++
		}
	}
	return nil
}

func (a *sumNumericAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		if a.seen[g] == 0 {
			out[0].AppendNull()
		} else {
			out[0].Bytes.AppendString(formatDecimal(a.sum[g].u, a.sum[g].scale))
		}
		if a.avg {
			out[1].Int64 = append(out[1].Int64, a.seen[g])
		}
	}
}

func (a *sumNumericAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		switch {
		case a.seen[g] == 0:
			out.AppendNull()
		case a.avg:
			q, _ := numericOp('/', a.sum[g], decimal{big.NewInt(a.seen[g]), 0})
			out.Bytes.AppendString(formatDecimal(q.u, q.scale))
		default:
			out.Bytes.AppendString(formatDecimal(a.sum[g].u, a.sum[g].scale))
		}
	}
}
