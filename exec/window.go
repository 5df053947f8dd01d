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
	Name      string // row_number, rank, dense_rank, lag, lead, first_value, last_value, nth_value, or an aggregate
	Args      []Expr // lag/lead: value, offset, default; nth_value: value, n; aggregates: the argument (none for count(*))
	Agg       *AggDef
	Partition []Expr
	Order     []SortKey // over the evaluated Order expressions
	OrderBy   []Expr
	Result    coldata.Type
	Frame     *WindowFrame // nil: the default frame
}

// WindowFrame is a frame clause: ROWS counts rows from the current one,
// RANGE counts peer groups (offsets are not supported in RANGE).
type WindowFrame struct {
	Rows       bool
	Start, End FrameBound
}

// FrameBound is one end of a frame.
type FrameBound struct {
	Kind   FrameBoundKind
	Offset int64 // OffsetPreceding, OffsetFollowing
}

// FrameBoundKind says where a frame bound lies.
type FrameBoundKind uint8

// Frame bounds.
const (
	UnboundedPreceding FrameBoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// DefaultFrame is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
var DefaultFrame = WindowFrame{Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}

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
	frame := DefaultFrame
	if f.Frame != nil {
		frame = *f.Frame
	}
	if f.Agg == nil && f.Name != "first_value" && f.Name != "last_value" && f.Name != "nth_value" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "window function %s is not supported yet", f.Name)
	}
	if f.Agg == nil || frame != DefaultFrame {
		return w.overFrames(f, frame, idx, args, samePart, peers, res)
	}
	// An aggregate over the default frame: run an accumulator along each
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

// overFrames computes f for each row over its frame: the rows of its
// partition (in order) between the frame's bounds. An aggregate whose
// frame starts at the partition's start and whose end only moves forward
// runs one accumulator along the partition; other frames are aggregated
// afresh for each row.
func (w *Window) overFrames(f *WindowFunc, frame WindowFrame, idx []int, args []*coldata.Vec,
	samePart, peers func(a, b int) bool, res *coldata.Vec) (*coldata.Vec, error) {
	n := len(idx)
	for _, b := range []FrameBound{frame.Start, frame.End} {
		if (b.Kind == OffsetPreceding || b.Kind == OffsetFollowing) && b.Offset < 0 {
			return nil, sqlerr.New("22013", "frame starting or ending offset must not be negative")
		}
	}
	var nth int64 = 1
	if f.Name == "nth_value" {
		if len(args) < 2 {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "nth_value needs two arguments")
		}
	}
	// bounds returns the frame [lo, hi] (positions in idx) of the row at
	// position k of the partition [ps, pe); lo > hi when it is empty.
	firstPeer, lastPeer := make([]int, n), make([]int, n)
	bounds := func(k, ps, pe int) (int, int) {
		pos := func(b FrameBound, start bool) int {
			switch b.Kind {
			case UnboundedPreceding:
				return ps
			case UnboundedFollowing:
				return pe - 1
			case CurrentRow:
				if frame.Rows {
					return k
				}
				if start {
					return firstPeer[k]
				}
				return lastPeer[k]
			case OffsetPreceding:
				return k - int(min(b.Offset, int64(n)))
			}
			return k + int(min(b.Offset, int64(n)))
		}
		lo, hi := max(pos(frame.Start, true), ps), min(pos(frame.End, false), pe-1)
		return lo, hi
	}
	results := coldata.NewVec(f.Result, n)
	at := make([]int, n)
	for ps := 0; ps < n; {
		pe := ps + 1
		for pe < n && samePart(idx[ps], idx[pe]) {
			pe++
		}
		for k := ps; k < pe; {
			g := k + 1
			for g < pe && (len(f.Order) > 0 && peers(idx[k], idx[g])) {
				g++
			}
			if len(f.Order) == 0 {
				g = pe // without ORDER BY every row is a peer of every other
			}
			for j := k; j < g; j++ {
				firstPeer[j], lastPeer[j] = k, g-1
			}
			k = g
		}
		incremental := f.Agg != nil && frame.Start.Kind == UnboundedPreceding
		var acc accumulator
		added := ps // rows [ps, added) are in acc
		for k := ps; k < pe; k++ {
			r := idx[k]
			lo, hi := bounds(k, ps, pe)
			switch {
			case f.Agg == nil:
				// first_value, last_value, nth_value.
				pick := -1
				switch f.Name {
				case "first_value":
					pick = lo
				case "last_value":
					pick = hi
				default:
					if args[1].IsNull(r) {
						results.AppendNull()
						at[r] = results.Len() - 1
						continue
					}
					if nth = args[1].Int64[r]; nth <= 0 {
						return nil, sqlerr.New("22016", "argument of nth_value must be greater than zero")
					}
					pick = lo + int(min(nth-1, int64(n)))
				}
				if lo > hi || pick < lo || pick > hi {
					results.AppendNull()
				} else {
					results.AppendFrom(args[0], idx[pick])
				}
			case incremental && hi >= added-1:
				if acc == nil {
					acc = f.Agg.newAcc(f.Agg)
					acc.grow(1)
				}
				if hi >= added {
					w.fold(acc, args, idx[added:hi+1])
					added = hi + 1
				}
				acc.final(0, 1, results)
			default:
				fresh := f.Agg.newAcc(f.Agg)
				fresh.grow(1)
				if lo <= hi {
					w.fold(fresh, args, idx[lo:hi+1])
				}
				fresh.final(0, 1, results)
			}
			at[r] = results.Len() - 1
		}
		ps = pe
	}
	for r := range n {
		res.AppendFrom(results, at[r])
	}
	return res, nil
}

// fold adds rows of the window's input to an aggregate's accumulator.
func (w *Window) fold(acc accumulator, args []*coldata.Vec, rows []int) {
	var arg *coldata.Vec
	if len(args) > 0 {
		arg = args[0].Gather(rows)
	}
	acc.update(make([]uint32, len(rows)), arg)
}
