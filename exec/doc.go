// Package exec runs plans: vectorized operators over coldata batches,
// shared by query nodes (merging, final aggregation, sorting) and operator
// nodes (scanning, filtering, partial aggregation of plan fragments).
//
// # Shape
//
// Every operator implements Operator: Next returns the next batch of typed
// column vectors, nil at the end. Expressions (expr.go) are compiled once
// from their protobuf form (rpcpb.Expr) into a tree of Expr values that
// evaluate a whole batch at a time: the type switch happens once per batch,
// the loop inside runs over []int64, []float64 or byte arenas.
//
// A plan fragment (rpcpb.Fragment) is what a query node sends to the
// operators that hold the data; BuildFragment turns it into
//
//	scan → filter → partial aggregate            (aggregation mode)
//	scan → filter → project → top-N / limit      (projection mode)
//
// The query node's root consumes the fragments' streams through Gather and
// finishes the work: final aggregation (merging partial states), sorting,
// limiting and the final projection.
//
// # Distributed aggregation
//
// Aggregates are one table (agg.go), not scattered code: for each
// aggregate and argument type, the partial state columns an operator
// produces, how the query node merges them, and how the final value is
// rendered. AVG ships sum and count, never an average, so that merging is
// exact.
//
// # Dependencies
//
// exec knows nothing of storage or of the network: it declares the
// interfaces it consumes (ScanSource for stored rows, Remote for the
// operator service) and cmd wires the implementations in.
package exec
