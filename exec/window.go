package exec

import (
	"context"
	"sort"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// WindowFunc is one window function over its input: the rows of each
// partition (equal Partition values), in Order, and for aggregates the
// default frame: the whole partition without ORDER BY, else from its
// start to the current row's last peer (RANGE UNBOUNDED PRECEDING).
type WindowFunc struct {
	Name      string // row_number, rank, dense_rank, lag, lead, or an aggregate
	Args      []Expr // lag/lead: value, offset, default; aggregates: the argument (none for count(*))
	Agg       *AggDef
	Partition []Expr
	Order     []SortKey // over the evaluated Order expressions
	OrderBy   []Expr
	Result    coldata.Type
}

// Window computes window functions: it reads its whole input (the planner
// bounds it: window queries run over the query node's rows), and emits
// the input's columns followed by one column per function, in input
// order.
type Window struct {
	input Operator
	types []coldata.Type
	funcs []WindowFunc
	rows  *coldata.Batch
	done  bool
	pos   int
}

// NewWindow returns a window operator over input, whose columns have the
// given types.
func NewWindow(input Operator, types []coldata.Type, funcs []WindowFunc) *Window {
	return &Window{input: input, types: types, funcs: funcs}
}

const windowBatch = 1024

func (w *Window) Next(ctx context.Context) (*coldata.Batch, error) {
	if !w.done {
		if err := w.compute(ctx); err != nil {
			return nil, err
		}
		w.done = true
	}
	if w.pos >= w.rows.Len {
		return nil, nil
	}
	end := min(w.pos+windowBatch, w.rows.Len)
	out := &coldata.Batch{Len: end - w.pos}
	for _, v := range w.rows.Vecs {
		out.Vecs = append(out.Vecs, v.Slice(w.pos, end))
	}
	w.pos = end
	return out, nil
}

func (w *Window) Close() error { return w.input.Close() }

func (w *Window) compute(ctx context.Context) error {
	all := coldata.NewBatch(w.types, 0)
	for {
		b, err := w.input.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if err := budgetOf(ctx).Grow(rowBytes(b.Vecs, b.Len)); err != nil {
			return err
		}
		for c, v := range b.Vecs {
			all.Vecs[c].AppendRows(v, b.Len)
		}
		all.Len += b.Len
		if all.Len > maxJoinRows {
			return sqlerr.New(sqlerr.ProgramLimitExceeded, "window functions over more than %d rows are not supported yet", maxJoinRows)
		}
	}
	for k := range w.funcs {
		v, err := w.computeOne(&w.funcs[k], all)
		if err != nil {
			return err
		}
		all.Vecs = append(all.Vecs, v)
	}
	w.rows = all
	return nil
}

// evalAll evaluates exprs over the whole batch.
func evalAll(exprs []Expr, b *coldata.Batch) ([]*coldata.Vec, error) {
	out := make([]*coldata.Vec, len(exprs))
	for i, e := range exprs {
		v, err := e.Eval(b)
		if err != nil {
			return nil, err
		}
		out[i] = copyVec(v, b.Len)
	}
	return out, nil
}

func (w *Window) computeOne(f *WindowFunc, all *coldata.Batch) (*coldata.Vec, error) {
	n := all.Len
	part, err := evalAll(f.Partition, all)
	if err != nil {
		return nil, err
	}
	ord, err := evalAll(f.OrderBy, all)
	if err != nil {
		return nil, err
	}
	args, err := evalAll(f.Args, all)
	if err != nil {
		return nil, err
	}
	// Sort row numbers by partition, then order.
	keyBatch := &coldata.Batch{Len: n, Vecs: append(append([]*coldata.Vec(nil), part...), ord...)}
	var keys []SortKey
	for i := range part {
		keys = append(keys, SortKey{Col: i})
	}
	for _, k := range f.Order {
		k.Col += len(part)
		keys = append(keys, k)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return compareRows(keys, keyBatch, idx[a], keyBatch, idx[b]) < 0 })
	partKeys, ordKeys := keys[:len(part)], keys[len(part):]
	samePart := func(a, b int) bool { return compareRows(partKeys, keyBatch, a, keyBatch, b) == 0 }
	peers := func(a, b int) bool { return compareRows(ordKeys, keyBatch, a, keyBatch, b) == 0 }

	res := coldata.NewVec(f.Result, n)
	switch f.Name {
	case "row_number", "rank", "dense_rank":
		ints := make([]int64, n)
		var rowNum, rank, dense int64
		for k, r := range idx {
			if k == 0 || !samePart(idx[k-1], r) {
				rowNum, rank, dense = 0, 0, 0
			}
			rowNum++
			if k == 0 || rowNum == 1 || !peers(idx[k-1], r) {
				rank, dense = rowNum, dense+1
			}
			switch f.Name {
			case "row_number":
				ints[r] = rowNum
			case "rank":
				ints[r] = rank
			default:
				ints[r] = dense
			}
		}
		res.Int64 = ints
		return res, nil
	case "lag", "lead":
		// The row offset rows before (lag) or after (lead) in the
		// partition's order, else the default (NULL when none).
		src := make([]int, n) // row → source row of its value; -1 default, -2 NULL
		for k, r := range idx {
			offset := int64(1)
			if len(args) > 1 {
				if args[1].IsNull(r) {
					src[r] = -2
					continue
				}
				offset = args[1].Int64[r]
			}
			target := int64(k) - offset
			if f.Name == "lead" {
				target = int64(k) + offset
			}
			src[r] = -1
			if target >= 0 && target < int64(n) && samePart(idx[target], r) {
				src[r] = idx[target]
			}
		}
		for r := range n {
			switch {
			case src[r] >= 0:
				res.AppendFrom(args[0], src[r])
			case src[r] == -1 && len(args) > 2:
				res.AppendFrom(args[2], r)
			default:
				res.AppendNull()
			}
		}
		return res, nil
	}
	if f.Agg == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "window function %s is not supported yet", f.Name)
	}
	// An aggregate over the frame: run an accumulator along each
	// partition, reading its value at the end of each peer group.
	results := coldata.NewVec(f.Result, n)
	at := make([]int, n) // row → its value's position in results
	for k := 0; k < n; {
		acc := f.Agg.newAcc(f.Agg)
		acc.grow(1)
		pend := k
		for pend < n && samePart(idx[k], idx[pend]) {
			pend++
		}
		for g := k; g < pend; {
			gend := g + 1
			if len(f.Order) > 0 {
				for gend < pend && peers(idx[g], idx[gend]) {
					gend++
				}
			} else {
				gend = pend
			}
			rows := idx[g:gend]
			var arg *coldata.Vec
			if len(args) > 0 {
				arg = args[0].Gather(rows)
			}
			acc.update(make([]uint32, len(rows)), arg)
			acc.final(0, 1, results)
			for _, r := range rows {
				at[r] = results.Len() - 1
			}
			g = gend
		}
		k = pend
	}
	for r := range n {
		res.AppendFrom(results, at[r])
	}
	return res, nil
}
