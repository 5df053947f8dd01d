package planner

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
)

// Plans without pushdown: the fragment reads the columns the query needs
// and nothing else; the filter, the whole aggregation, the projection,
// sort and limit run on the query node. armorlake.pushdown = off selects
// them, so that tests can check that pushing work down never changes a
// result.

func (q *query) prepareRaw(aggregating bool) error {
	exprs := []*scalar{q.where, q.having}
	exprs = append(exprs, q.groups...)
	for _, t := range q.targets {
		exprs = append(exprs, t.expr)
	}
	for _, o := range q.order {
		exprs = append(exprs, o.expr)
	}
	names, remap := q.scanColumns(exprs...)
	idx := q.scanIdx
	frag := &rpcpb.Fragment{Table: q.b.table.Name, Columns: names}
	for i, c := range idx {
		t := q.b.table.Columns[c].Type
		q.rawTypes = append(q.rawTypes, t)
		frag.Projections = append(frag.Projections, colScalar(i, "", t).toProto(nil))
	}
	if len(names) == 0 {
		// count(*) alone: read one column for the rows.
		t := q.b.table.Columns[0].Type
		frag.Columns = []string{q.b.table.Columns[0].Name}
		frag.Projections = []*rpcpb.Expr{colScalar(0, "", t).toProto(nil)}
		q.rawTypes = []coldata.Type{t}
		idx = []int{0}
	}
	q.remap, q.aggregating, q.raw = remap, aggregating, true
	if aggregating {
		if err := q.prepareAggregation(); err != nil {
			return err
		}
	} else {
		for _, t := range q.targets {
			q.rootCols = append(q.rootCols, remapScalar(t.expr, remap))
		}
		for i := range q.order {
			q.order[i].expr = remapScalar(q.order[i].expr, remap)
		}
	}
	q.frag, q.scanIdx = frag, idx
	return nil
}

// remapScalar returns s reading relation column c at position remap[c].
func remapScalar(s *scalar, remap map[int]int) *scalar {
	switch s.kind {
	case kindColumn:
		c := *s
		c.col = remap[s.col]
		return &c
	case kindCall:
		c := *s
		c.args = make([]*scalar, len(s.args))
		for i, a := range s.args {
			c.args[i] = remapScalar(a, remap)
		}
		return &c
	case kindAgg:
		c := *s
		c.agg = s.agg.mapExprs(func(x *scalar) *scalar { return remapScalar(x, remap) })
		return &c
	}
	return s
}

func (q *query) startRaw(ctx context.Context) (exec.Operator, error) {
	in, err := q.gather(ctx)
	if err != nil {
		return nil, err
	}
	op := exec.Operator(in)
	compile := func(s *scalar) (exec.Expr, error) {
		return exec.CompileExpr(remapScalar(s, q.remap).toProto(nil), q.rawTypes)
	}
	if q.where != nil {
		w, err := compile(q.where)
		if err != nil {
			op.Close()
			return nil, err
		}
		f, err := exec.NewFilter(op, w)
		if err != nil {
			op.Close()
			return nil, err
		}
		op = f
	}
	if !q.aggregating {
		return q.finish(op, q.rawTypes, -1)
	}
	var keys []exec.Expr
	var final []coldata.Type
	for i := range q.groups {
		g := q.groupKey(i)
		k, err := compile(g)
		if err != nil {
			op.Close()
			return nil, err
		}
		keys = append(keys, k)
		final = append(final, g.typ)
	}
	var specs []exec.AggSpec
	for _, a := range q.aggs {
		spec, err := a.agg.spec(compile)
		if err != nil {
			op.Close()
			return nil, err
		}
		specs = append(specs, spec)
		final = append(final, a.typ)
	}
	return q.finish(exec.NewHashAgg(op, exec.AggComplete, keys, specs), final, -1)
}
