package cmd

import (
	"context"
	"slices"

	"github.com/armorlake/armorlake/catalog"
	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
	"github.com/armorlake/armorlake/storage"
)

// storageSource lets exec scan an operator's store: exec declares the
// interface, storage knows nothing of exec, and this is where they meet.
type storageSource struct {
	store  *storage.Store
	tables func(name string) (*schema.Table, bool)
	// virtual computes the rows of a virtual table.
	virtual func(t *schema.Table) (*coldata.Batch, error)
}

func (s storageSource) Scan(ctx context.Context, spec exec.ScanSpec) (exec.Operator, error) {
	t, ok := s.tables(spec.Table)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", spec.Table)
	}
	cols := make([]int, len(spec.Columns))
	for i, name := range spec.Columns {
		cols[i] = t.ColumnIndex(name)
		if cols[i] < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
		}
	}
	if t.Virtual {
		b, err := s.virtual(t)
		if err != nil {
			return nil, err
		}
		src := exec.NewMemSource()
		src.Append(t, b)
		return src.Scan(ctx, spec)
	}
	var match []storage.Match
	for _, m := range spec.Match {
		c := t.ColumnIndex(m.Column)
		if c < 0 || !t.Columns[c].Type.IsBytes() {
			if spec.MatchExact {
				return nil, sqlerr.New(sqlerr.InternalError, "scan of %s cannot match column %q", t.Name, m.Column)
			}
			continue // only a hint: nothing is lost by not using it
		}
		vals := make([][]byte, len(m.Values))
		for i, v := range m.Values {
			vals[i] = []byte(v)
		}
		match = append(match, storage.Match{Col: c, Values: vals})
	}
	var exclude []storage.Match
	for _, m := range spec.Exclude {
		c := t.ColumnIndex(m.Column)
		if c < 0 || !t.Columns[c].Type.IsBytes() {
			return nil, sqlerr.New(sqlerr.InternalError, "scan of %s cannot exclude on column %q", t.Name, m.Column)
		}
		vals := make([][]byte, len(m.Values))
		for i, v := range m.Values {
			vals[i] = []byte(v)
		}
		exclude = append(exclude, storage.Match{Col: c, Values: vals})
	}
	var ranges []storage.IntRange
	for _, r := range spec.Ranges {
		if c := t.ColumnIndex(r.Column); c >= 0 && (t.Columns[c].Type.IsInteger() || t.Columns[c].Type == coldata.Timestamptz) {
			ranges = append(ranges, storage.IntRange{Col: c, Min: r.Min, Max: r.Max})
		}
	}
	// A scan that decodes columns does so one block ahead, on another
	// core, while the fragment works on the current one, unless it is one
	// of a fragment's shards.
	req := storage.ScanRequest{Table: t, Columns: cols, MinTs: spec.MinTs, MaxTs: spec.MaxTs,
		Match: match, MatchExact: spec.MatchExact, Ranges: ranges, Exclude: exclude, ExactRanges: spec.ExactRanges,
		Codes: spec.Codes, Unread: spec.Unread, Shard: spec.Shard, Shards: spec.Shards,
		// A shard shares the cores with the others instead.
		Prefetch: len(cols) > 0 && spec.Shards <= 1}
	if spec.OrderColumn != "" && t.ColumnIndex(spec.OrderColumn) == t.TimeColumn {
		req.Order, req.Bound = storage.OrderOldest, spec.Bound.Get
		if spec.OrderDesc {
			req.Order = storage.OrderNewest
		}
	}
	it, err := s.store.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return &iterOp{it: it, stats: exec.ScanStatsFrom(ctx)}, nil
}

// ExactFilters says that stored tables take exact matches, exclusions
// and ranges (exec.ExactFilterer); virtual ones are scanned from memory,
// which does not apply them.
func (s storageSource) ExactFilters(table string) bool {
	t, ok := s.tables(table)
	return ok && !t.Virtual
}

var _ exec.ExactFilterer = storageSource{}

// ShardedScans says that scans of stored tables can be split by block
// (exec.ShardedScanner); a virtual table is one scan.
func (s storageSource) ShardedScans(table string) bool { return s.ExactFilters(table) }

var _ exec.ShardedScanner = storageSource{}

// CountRows counts stored rows from the store's partition counters where
// the time range does not cut a partition (exec.RowCounter).
func (s storageSource) CountRows(ctx context.Context, spec exec.ScanSpec) (int64, bool, error) {
	t, ok := s.tables(spec.Table)
	if !ok || t.Virtual {
		return 0, false, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	n, ok := s.store.CountRows(t.Name, spec.MinTs, spec.MaxTs)
	return n, ok, nil
}

// CountBy counts stored rows by a text column, from dictionary codes
// where the store can (exec.GroupCounter). Virtual tables are scanned as
// usual.
func (s storageSource) CountBy(ctx context.Context, spec exec.ScanSpec, column string) (map[string]int64, int64, bool, error) {
	t, ok := s.tables(spec.Table)
	if !ok || t.Virtual {
		return nil, 0, false, nil
	}
	col := t.ColumnIndex(column)
	if col < 0 || !t.Columns[col].Type.IsBytes() {
		return nil, 0, false, nil
	}
	var match []storage.Match
	for _, m := range spec.Match {
		c := t.ColumnIndex(m.Column)
		if c < 0 || !t.Columns[c].Type.IsBytes() {
			return nil, 0, false, nil
		}
		vals := make([][]byte, len(m.Values))
		for i, v := range m.Values {
			vals[i] = []byte(v)
		}
		match = append(match, storage.Match{Col: c, Values: vals})
	}
	counts, nulls, err := s.store.CountBy(ctx, storage.ScanRequest{Table: t, MinTs: spec.MinTs, MaxTs: spec.MaxTs,
		Match: match, MatchExact: spec.MatchExact}, col)
	return counts, nulls, err == nil, err
}

var (
	_ exec.GroupCounter = storageSource{}
	_ exec.RowCounter   = storageSource{}
)

// MinMax finds a column's least and greatest values from block metadata
// (exec.MinMaxer). Virtual tables, matches and ranges are left to a scan.
func (s storageSource) MinMax(ctx context.Context, spec exec.ScanSpec, column string) (lo, hi, n int64, ok bool, err error) {
	t, found := s.tables(spec.Table)
	if !found || t.Virtual || len(spec.Match) > 0 || len(spec.Ranges) > 0 {
		return 0, 0, 0, false, nil
	}
	col := t.ColumnIndex(column)
	if col < 0 || !(t.Columns[col].Type.IsInteger() || t.Columns[col].Type == coldata.Timestamptz) {
		return 0, 0, 0, false, nil
	}
	lo, hi, n, err = s.store.MinMax(ctx, storage.ScanRequest{Table: t, MinTs: spec.MinTs, MaxTs: spec.MaxTs}, col)
	return lo, hi, n, err == nil, err
}

var _ exec.MinMaxer = storageSource{}

// iterOp is a store scan as an exec.Operator; it adds what it read to
// the fragment's ScanStats, if any, when it closes.
type iterOp struct {
	it      *storage.Iterator
	stats   *exec.ScanStats
	counted exec.ScanStats
	closed  bool
}

func (o *iterOp) Next(ctx context.Context) (*coldata.Batch, error) {
	b, err := o.it.Next(ctx)
	if b != nil {
		o.counted.Rows += int64(b.Len)
		o.counted.Batches++
	}
	return b, err
}

func (o *iterOp) Close() error {
	// Closed first: a prefetching scan's goroutine has stopped counting.
	err := o.it.Close()
	if !o.closed && o.stats != nil {
		st := o.it.Stats()
		o.counted.Partitions, o.counted.PartitionsSkipped = int64(st.Partitions), int64(st.PartitionsSkipped)
		o.counted.Blocks, o.counted.BlocksSkipped, o.counted.Chunks = int64(st.Blocks), int64(st.BlocksSkipped), int64(st.Chunks)
		o.stats.Add(o.counted)
	}
	o.closed = true
	return err
}

var _ exec.ScanSource = storageSource{}

// catalogView is the planner's view of the catalog cache.
type catalogView struct{ cache *catalog.Cache }

func (v catalogView) Table(name string) (*schema.Table, bool) { return v.cache.Table(name) }

// Tables lists the catalog's tables, for pg_catalog.
func (v catalogView) Tables() []*schema.Table { return v.cache.Tables() }

// RowCount estimates a table's rows from its placements: the rows of
// each replica group's fullest member, summed.
func (v catalogView) RowCount(table string) int64 {
	return v.sumPlacements(table, func(p catalog.Placement) int64 { return p.Rows })
}

// Bytes is RowCount for the stored bytes.
func (v catalogView) Bytes(table string) int64 {
	return v.sumPlacements(table, func(p catalog.Placement) int64 { return p.Bytes })
}

// sumPlacements adds up f over a table's placements, counting each
// replica group once (its fullest member).
func (v catalogView) sumPlacements(table string, f func(catalog.Placement) int64) int64 {
	if t, ok := v.cache.Table(table); !ok || t.Virtual {
		return -1
	}
	most := map[string]int64{}
	for _, p := range v.cache.Placements(table) {
		g := p.Cluster
		if g == "" {
			g = "node " + p.NodeID
		}
		most[g] = max(most[g], f(p))
	}
	var n int64
	for _, r := range most {
		n += r
	}
	return n
}

// Targets turns the catalog's holders of table in [lo, hi) into fragment
// targets, one per replica group, and names the groups none of whose
// members is available.
func (v catalogView) Targets(table string, lo, hi int64) ([]exec.Target, []string, error) {
	if t, ok := v.cache.Table(table); ok && t.Virtual {
		// Every live operator computes its own rows.
		var out []exec.Target
		for _, n := range v.cache.Nodes() {
			if n.Role == catalog.RoleOperator {
				out = append(out, exec.Target{NodeID: n.ID, Addr: n.Addr})
			}
		}
		return out, nil, nil
	}
	// One member of each replica group, the others to fall back on.
	groups, missing := v.cache.HolderGroups(table, lo, hi)
	out := make([]exec.Target, len(groups))
	for i, g := range groups {
		out[i] = exec.Target{NodeID: g.Live[0].ID, Addr: g.Live[0].Addr}
		for _, n := range g.Live[1:] {
			out[i].Alternates = append(out[i].Alternates, exec.Target{NodeID: n.ID, Addr: n.Addr})
		}
	}
	return out, missing, nil
}

// Pruned names the operators holding rows of table only outside [lo, hi).
func (v catalogView) Pruned(table string, lo, hi int64) []string {
	var out []string
	for _, p := range v.cache.Placements(table) {
		if p.Rows > 0 && (p.MaxTs < lo || p.MinTs >= hi) {
			out = append(out, p.NodeID)
		}
	}
	slices.Sort(out)
	return out
}

// PlannerCatalog is the planner's view of a catalog cache, for programs
// that build a query node of their own (the federation benchmark).
func PlannerCatalog(cache *catalog.Cache) planner.Catalog { return catalogView{cache} }
