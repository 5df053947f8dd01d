package planner

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// EXPLAIN shows the distributed plan as text, one line per step, the
// query node's steps first and, under each Gather, the fragment it sends
// and the operators the catalog chose for it (the others pruned by time).
// EXPLAIN ANALYZE runs the statement too and adds, for every fragment
// sent, what each operator returned (rows, batches, bytes on the wire,
// time until its stream ended) and what its scans read from storage
// (rows, blocks and partitions looked at and skipped, column chunks
// read, time on the operator), then the rows the statement returned and
// the time it took.

func (p *Planner) prepareExplain(ex *pg.ExplainStmt, text string, sess *Session, paramTypes []coldata.Type) (*Statement, error) {
	analyze := false
	for _, o := range ex.Options {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		switch strings.ToLower(de.Defname) {
		case "analyze":
			analyze = de.Arg == nil || strings.ToLower(de.Arg.GetString_().GetSval()) != "false"
		case "verbose", "costs", "timing", "summary", "buffers", "settings", "wal":
		case "format":
			if f := strings.ToLower(de.Arg.GetString_().GetSval()); f != "text" {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN (FORMAT %s) is not supported yet", strings.ToUpper(f))
			}
		default:
			return nil, sqlerr.New(sqlerr.SyntaxError, "unrecognized EXPLAIN option %q", de.Defname)
		}
	}
	sel := ex.Query.GetSelectStmt()
	if sel == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN of %s is not supported", nodeName(ex.Query))
	}
	cols := []Column{{Name: "QUERY PLAN", Type: coldata.Text}}
	run := func(ctx context.Context, params *coldata.Batch) (exec.Operator, error) {
		b := &binder{sess: sess, loc: sess.TimeZone, start: time.Now(), paramTypes: append([]coldata.Type(nil), paramTypes...), params: params,
			planner: p, ctx: ctx, noPushdown: sess.NoPushdown, partial: sess.PartialResults, describe: !analyze}
		plan, err := p.planSelect(sel, b)
		if err != nil {
			return nil, err
		}
		lines := plan.describe(ctx)
		if analyze {
			prof := &exec.Profile{}
			ctx := exec.WithProfile(ctx, prof)
			start := time.Now()
			op, err := plan.start(ctx)
			if err != nil {
				return nil, err
			}
			rows := 0
			for {
				batch, err := op.Next(ctx)
				if err != nil {
					op.Close()
					return nil, err
				}
				if batch == nil {
					break
				}
				rows += batch.Len
			}
			op.Close()
			elapsed := time.Since(start)
			lines = append(lines, profileLines(prof)...)
			lines = append(lines, fmt.Sprintf("Rows: %d", rows), fmt.Sprintf("Execution Time: %s", millis(elapsed)))
		}
		out := coldata.NewBatch([]coldata.Type{coldata.Text}, len(lines))
		for _, l := range lines {
			out.Vecs[0].Bytes.AppendString(l)
		}
		out.Len = len(lines)
		return exec.NewBatches(out), nil
	}
	return NewStatement(text, "EXPLAIN", cols, paramTypes, run), nil
}

// describe renders a plan's steps, or says it has none to show.
func (sp *selectPlan) describe(ctx context.Context) []string {
	if sp.explain == nil {
		return []string{"Result"}
	}
	return sp.explain(ctx, 0)
}

func indent(depth int, format string, args ...any) string {
	pad := ""
	if depth > 0 {
		pad = strings.Repeat("  ", depth-1) + "->  "
	}
	return pad + fmt.Sprintf(format, args...)
}

// explainRoot lists the query node's steps above the input, outermost
// first, and returns the depth the input goes at.
func (q *query) explainRoot(depth int, lines *[]string, aggregating bool) int {
	if q.limit >= 0 || q.offset > 0 {
		lim := "ALL"
		if q.limit >= 0 {
			lim = fmt.Sprint(q.limit)
		}
		*lines = append(*lines, indent(depth, "Limit (%s, offset %d)", lim, q.offset))
		depth++
	}
	if len(q.order) > 0 {
		var keys []string
		for _, o := range q.order {
			k := fmt.Sprintf("column %d", o.expr.col+1)
			if o.desc {
				k += " DESC"
			}
			keys = append(keys, k)
		}
		what := "Sort"
		if q.limit >= 0 {
			what = "Top-N sort"
		}
		*lines = append(*lines, indent(depth, "%s (%s)", what, strings.Join(keys, ", ")))
		depth++
	}
	if q.having != nil {
		*lines = append(*lines, indent(depth, "Filter (HAVING)"))
		depth++
	}
	if aggregating {
		what := "Final aggregation"
		if q.raw {
			what = "Aggregation"
		}
		*lines = append(*lines, indent(depth, "%s (%d group keys, %d aggregates)", what, len(q.groups), len(q.aggs)))
		depth++
	}
	return depth
}

// explainSource describes where the query's rows come from: a gathered
// fragment of a stored table, or a relation planned here.
func (q *query) explainSource(ctx context.Context, depth int, lines *[]string) {
	if d := q.b.derived; d != nil {
		*lines = append(*lines, indent(depth, "Fragment on the query node over %s: %s", q.b.table.Name, fragmentText(q.frag)))
		*lines = append(*lines, d.plan.describe2(ctx, depth+1)...)
		return
	}
	lo, hi := exec.TimeBounds(q.frag.TimeRange)
	targets, missing, err := q.p.cat.Targets(q.frag.Table, lo, hi)
	var names []string
	for _, t := range targets {
		name := t.NodeID
		for _, a := range t.Alternates {
			name += " or " + a.NodeID // replicas: the first answers, the others stand by
		}
		names = append(names, name)
	}
	gather := fmt.Sprintf("Gather from %d operators", len(targets))
	if len(names) > 0 {
		gather += " (" + listSome(names) + ")"
	}
	if len(missing) > 0 {
		gather += fmt.Sprintf("; %d holding rows not available (%s)", len(missing), listSome(missing))
	}
	if pr, ok := q.p.cat.(PruneReporter); ok {
		if pruned := pr.Pruned(q.frag.Table, lo, hi); len(pruned) > 0 {
			gather += fmt.Sprintf("; %d pruned by time (%s)", len(pruned), listSome(pruned))
		}
	}
	if err != nil {
		gather = "Gather: " + sqlerr.As(err).Message
	}
	*lines = append(*lines, indent(depth, "%s", gather))
	*lines = append(*lines, indent(depth+1, "Fragment on %s: %s", q.frag.Table, fragmentText(q.frag)))
}

// describe2 renders a nested plan at a depth.
func (sp *selectPlan) describe2(ctx context.Context, depth int) []string {
	if sp.explain == nil {
		return []string{indent(depth, "Result")}
	}
	return sp.explain(ctx, depth)
}

// fragmentText says what a fragment does where the data is.
func fragmentText(f *rpcpb.Fragment) string {
	var parts []string
	if len(f.Columns) > 0 {
		parts = append(parts, "reads "+strings.Join(f.Columns, ", "))
	} else {
		parts = append(parts, "counts rows")
	}
	if tr := f.TimeRange; tr != nil {
		r := "time ["
		if tr.MinUs != nil {
			r += time.UnixMicro(*tr.MinUs).UTC().Format(time.RFC3339Nano)
		} else {
			r += "-infinity"
		}
		r += ", "
		if tr.MaxUs != nil {
			r += time.UnixMicro(*tr.MaxUs).UTC().Format(time.RFC3339Nano)
		} else {
			r += "infinity"
		}
		parts = append(parts, r+")")
	}
	if f.Filter != nil {
		parts = append(parts, "filter "+exec.ExprString(f.Filter, f.Columns))
	}
	if len(f.GroupBy) > 0 || len(f.Aggregates) > 0 {
		var aggs []string
		for _, a := range f.Aggregates {
			aggs = append(aggs, explainAgg(a, f.Columns))
		}
		var keys []string
		for _, g := range f.GroupBy {
			keys = append(keys, exec.ExprString(g, f.Columns))
		}
		s := "partial aggregation " + strings.Join(aggs, ", ")
		if len(aggs) == 0 {
			s = "partial grouping"
		}
		if len(keys) > 0 {
			s += " by " + strings.Join(keys, ", ")
		}
		parts = append(parts, s)
	}
	if len(f.OrderBy) > 0 {
		s := fmt.Sprintf("sorts by %d keys", len(f.OrderBy))
		if f.Limit > 0 {
			s += fmt.Sprintf(", top %d", f.Limit)
		}
		parts = append(parts, s)
	} else if f.Limit > 0 {
		parts = append(parts, fmt.Sprintf("limit %d", f.Limit))
	}
	return strings.Join(parts, "; ")
}

// explainAgg renders a fragment's aggregate as SQL would spell it.
func explainAgg(a *rpcpb.Aggregate, cols []string) string {
	var args []string
	if a.Arg != nil {
		args = append(args, exec.ExprString(a.Arg, cols))
	}
	for _, m := range a.MoreArgs {
		args = append(args, exec.ExprString(m, cols))
	}
	arg := strings.Join(args, ", ")
	if a.Arg == nil && a.Func == "count" {
		arg = "*"
	}
	if exec.IsOrderedSetAgg(a.Func) && a.Func != "mode" {
		arg = strconv.FormatFloat(a.Fraction, 'g', -1, 64)
	}
	if a.Distinct {
		arg = "DISTINCT " + arg
	}
	var order []string
	for _, o := range a.Order {
		k := exec.ExprString(o.Expr, cols)
		if o.Desc {
			k += " DESC"
		}
		order = append(order, k)
	}
	s := a.Func + "(" + arg
	switch {
	case exec.IsOrderedSetAgg(a.Func):
		s += ") WITHIN GROUP (ORDER BY " + strings.Join(order, ", ") + ")"
	case len(order) > 0:
		s += " ORDER BY " + strings.Join(order, ", ") + ")"
	default:
		s += ")"
	}
	if a.Filter != nil {
		s += " FILTER (WHERE " + exec.ExprString(a.Filter, cols) + ")"
	}
	return s
}

func millis(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

// profileLines renders what every Gather of an EXPLAIN ANALYZE received.
func profileLines(p *exec.Profile) []string {
	var lines []string
	for _, g := range p.Gathers {
		targets := slices.Clone(g.Targets)
		slices.SortFunc(targets, func(a, b exec.TargetProfile) int { return strings.Compare(a.Target.NodeID, b.Target.NodeID) })
		var rows, bytes int64
		for _, t := range targets {
			rows += t.Stats.Rows
			bytes += t.Stats.Bytes
		}
		lines = append(lines, fmt.Sprintf("Fragment on %s: %d operators, %d rows, %s received", g.Table, len(targets), rows, byteSize(bytes)))
		for _, t := range targets {
			st := t.Stats
			l := fmt.Sprintf("  %s: %d rows in %d batches (%s), %s", t.Target.NodeID, st.Rows, st.Batches, byteSize(st.Bytes), millis(t.Time))
			if t.Err != nil {
				l += "; stopped: " + t.Err.Error()
			}
			if st.Reported {
				sc := st.Scan
				l += fmt.Sprintf("; scanned %d rows in %d batches, %d of %d blocks skipped, %d of %d partitions skipped, %d chunks read, %s on the operator",
					sc.Rows, sc.Batches, sc.BlocksSkipped, sc.Blocks, sc.PartitionsSkipped, sc.Partitions, sc.Chunks, millis(st.RemoteTime))
			}
			lines = append(lines, l)
		}
	}
	return lines
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// listSome joins up to ten names, and says how many more there are.
func listSome(names []string) string {
	if len(names) <= 10 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
}
