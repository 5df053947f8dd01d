// Package schema describes armorlake's tables: their columns, types and
// time column. The engine is schema-generic and reads these descriptors
// through the catalog; the KubeArmor tables (kubearmor.go) are the first
// source of data, not a special case anywhere else.
package schema

import "github.com/armorlake/armorlake/coldata"

// Column is one column of a table.
type Column struct {
	Name string       `json:"name"`
	Type coldata.Type `json:"type"`
	// From names the KubeArmor field the column comes from, for docs.
	From string `json:"from,omitempty"`
}

// Table is a table descriptor.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	// TimeColumn is the index in Columns of the timestamptz column that
	// partitioning and time pruning use; -1 for a table without one.
	TimeColumn int `json:"time_column"`
	// StreamColumns name the text columns that identify the source of a
	// row (host, namespace, pod, container). Storage keeps a source's rows
	// together within a time partition, so that those columns, and the
	// ones that follow from them, are constant or tiny dictionaries per
	// block. Empty: rows stay in arrival order.
	StreamColumns []string `json:"stream_columns,omitempty"`
	// Virtual tables are not stored: every operator computes its rows
	// when asked (its ingest status, say), so a query over one goes to
	// every live operator rather than to the holders of placements.
	Virtual bool `json:"virtual,omitempty"`
}

// ColumnIndex returns the index of the named column, or -1.
func (t *Table) ColumnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Types returns the type of every column, in order.
func (t *Table) Types() []coldata.Type {
	ts := make([]coldata.Type, len(t.Columns))
	for i, c := range t.Columns {
		ts[i] = c.Type
	}
	return ts
}
