package cmd

import (
	"context"
	"fmt"
	"sort"

	"github.com/armorlake/armorlake/catalog"
	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
	"github.com/armorlake/armorlake/storage"
)

// storageSource lets exec scan an operator's store: exec declares the
// interface, storage knows nothing of exec, and this is where they meet.
type storageSource struct {
	store  *storage.Store
	tables func(name string) (*schema.Table, bool)
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
	it, err := s.store.Scan(ctx, storage.ScanRequest{Table: t, Columns: cols, MinTs: spec.MinTs, MaxTs: spec.MaxTs})
	if err != nil {
		return nil, err
	}
	return iterOp{it}, nil
}

type iterOp struct{ it *storage.Iterator }

func (o iterOp) Next(ctx context.Context) (*coldata.Batch, error) { return o.it.Next(ctx) }
func (o iterOp) Close() error                                     { return o.it.Close() }

var _ exec.ScanSource = storageSource{}

// catalogView is the planner's view of the catalog cache.
type catalogView struct{ cache *catalog.Cache }

func (v catalogView) Table(name string) (*schema.Table, bool) { return v.cache.Table(name) }

// Targets picks the operators whose placements overlap [lo, hi). An
// operator that holds such rows but has no live registration fails the
// query, naming it, instead of letting its rows silently go missing.
func (v catalogView) Targets(table string, lo, hi int64) ([]exec.Target, error) {
	var out []exec.Target
	var missing []string
	for _, p := range v.cache.Placements(table) {
		if p.Rows == 0 || p.MaxTs < lo || p.MinTs >= hi {
			continue
		}
		n, ok := v.cache.Node(p.NodeID)
		if !ok {
			missing = append(missing, p.NodeID)
			continue
		}
		out = append(out, exec.Target{NodeID: n.ID, Addr: n.Addr})
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, sqlerr.New(sqlerr.SystemError, "operator %s holds rows of %s but is not available", missing[0], table).
			WithDetail(fmt.Sprintf("unavailable operators: %v", missing))
	}
	return out, nil
}
