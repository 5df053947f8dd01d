package exec

import (
	"math"

	"github.com/armorlake/armorlake/coldata"
)

// More aggregates for the distributed table:
//
//	aggregate             partial states            merge        final
//	bool_and, every       bool b (NULL: no rows)    and          b
//	bool_or               bool b                    or           b
//	var_pop, var_samp,    float8 n, mean, m2        Chan et al.  m2/n, m2/(n-1),
//	variance, stddev…     (Welford)                              and their roots
//
// Variance merges partial (count, mean, sum of squared deviations)
// triples exactly as the parallel algorithm does, so an operator's
// partial result is as precise as a single pass.

type boolAcc struct {
	or   bool
	val  []bool
	seen []bool
}

func (a *boolAcc) grow(n int) {
	for len(a.val) < n {
		a.val = append(a.val, !a.or)
		a.seen = append(a.seen, false)
	}
}

func (a *boolAcc) fold(g uint32, x bool) {
	a.seen[g] = true
	if a.or {
		a.val[g] = a.val[g] || x
	} else {
		a.val[g] = a.val[g] && x
	}
}

func (a *boolAcc) update(gids []uint32, arg *coldata.Vec) {
	for i, g := range gids {
		if !arg.IsNull(i) {
			a.fold(g, arg.Bool[i])
		}
	}
}

func (a *boolAcc) merge(gids []uint32, states []*coldata.Vec) error {
	a.update(gids, states[0])
	return nil
}

func (a *boolAcc) states(from, to int, out []*coldata.Vec) { a.final(from, to, out[0]) }

func (a *boolAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		if !a.seen[g] {
			out.AppendNull()
		} else {
			out.Bool = append(out.Bool, a.val[g])
		}
	}
}

// varianceAcc keeps count, mean and M2 per group (Welford).
type varianceAcc struct {
	kind        string // var_pop, var_samp, stddev_pop, stddev_samp
	n, mean, m2 []float64
}

func (a *varianceAcc) grow(n int) {
	for len(a.n) < n {
		a.n, a.mean, a.m2 = append(a.n, 0), append(a.mean, 0), append(a.m2, 0)
	}
}

func (a *varianceAcc) update(gids []uint32, arg *coldata.Vec) {
	for i, g := range gids {
		if arg.IsNull(i) {
			continue
		}
		x := arg.Float64[i]
		a.n[g]++
		d := x - a.mean[g]
		a.mean[g] += d / a.n[g]
		a.m2[g] += d * (x - a.mean[g])
	}
}

func (a *varianceAcc) merge(gids []uint32, states []*coldata.Vec) error {
	for i, g := range gids {
		nb := states[0].Float64[i]
		if nb == 0 {
			continue
		}
		mb, m2b := states[1].Float64[i], states[2].Float64[i]
		na := a.n[g]
		n := na + nb
		d := mb - a.mean[g]
		a.mean[g] += d * nb / n
		a.m2[g] += m2b + d*d*na*nb/n
		a.n[g] = n
	}
	return nil
}

func (a *varianceAcc) states(from, to int, out []*coldata.Vec) {
	for g := from; g < to; g++ {
		out[0].Float64 = append(out[0].Float64, a.n[g])
		out[1].Float64 = append(out[1].Float64, a.mean[g])
		out[2].Float64 = append(out[2].Float64, a.m2[g])
	}
}

func (a *varianceAcc) final(from, to int, out *coldata.Vec) {
	for g := from; g < to; g++ {
		n := a.n[g]
		var v float64
		switch a.kind {
		case "var_pop", "stddev_pop":
			if n == 0 {
				out.AppendNull()
				continue
			}
			v = a.m2[g] / n
		default:
			if n < 2 {
				out.AppendNull()
				continue
			}
			v = a.m2[g] / (n - 1)
		}
		if v < 0 {
			v = 0
		}
		if a.kind == "stddev_pop" || a.kind == "stddev_samp" {
			v = math.Sqrt(v)
		}
		out.Float64 = append(out.Float64, v)
	}
}
