package planner

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/schema"
)

// System relations: pg_catalog and information_schema (package
// pgcatalog). A query over one reads it as a derived relation whose rows
// are computed on the query node when the statement runs, from the
// catalog's tables and the session; everything above (filters, joins,
// subqueries, aggregates) is the ordinary engine.

// TableLister is a Catalog that can list its tables, for the system
// catalogs. A Catalog that cannot shows none.
type TableLister interface {
	Tables() []*schema.Table
	// RowCount estimates the rows of a table and Bytes their stored
	// size; -1 when unknown.
	RowCount(table string) int64
	Bytes(table string) int64
}

// systemRelation resolves a FROM name to a system relation: a name
// qualified by pg_catalog or information_schema, or an unqualified name
// of pg_catalog, which PostgreSQL searches before the search path.
func systemRelation(rv *pg.RangeVar) (*pgcatalog.Relation, bool) {
	switch rv.Schemaname {
	case "", "pg_catalog", "information_schema":
		return pgcatalog.Lookup(rv.Schemaname, rv.Relname)
	}
	return nil, false
}

// catalogInfo is what the system relations show to b's session.
func (b *binder) catalogInfo() *pgcatalog.Info {
	in := &pgcatalog.Info{}
	if s := b.sess; s != nil {
		in.User, in.Database, in.PID = s.User, s.Database, int64(s.PID)
		if s.Settings != nil {
			in.Settings = s.Settings()
		}
		if s.Activity != nil {
			in.Activity = s.Activity()
		}
	}
	if b.planner != nil {
		if l, ok := b.planner.cat.(TableLister); ok {
			in.Tables, in.RowCount, in.Bytes = l.Tables(), l.RowCount, l.Bytes
		}
	}
	return in
}

// bindSystem makes system relation r, called alias, the query's relation.
func (p *Planner) bindSystem(r *pgcatalog.Relation, alias string, colNames []*pg.Node, b *binder) error {
	cols := make([]Column, len(r.Table.Columns))
	for i, c := range r.Table.Columns {
		cols[i] = Column{Name: c.Name, Type: c.Type}
	}
	desc, err := relationDesc(alias, cols, colNames)
	if err != nil {
		return err
	}
	for i := range desc.Columns {
		// The PostgreSQL type, for the element type of arrays kept as
		// text[] (arrayElemType).
		desc.Columns[i].From = r.Table.Columns[i].From
	}
	plan := &selectPlan{columns: cols}
	plan.start = func(ctx context.Context) (exec.Operator, error) {
		return exec.NewBatches(r.Rows(b.catalogInfo())), nil
	}
	plan.explain = func(ctx context.Context, depth int) []string {
		return []string{indent(depth, "System Relation %s.%s (computed on the query node)", r.Schema, r.Table.Name)}
	}
	b.table, b.alias, b.derived, b.relOID = desc, alias, &derived{desc: desc, plan: plan}, r.OID
	return nil
}
