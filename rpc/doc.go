// Package rpc carries plan fragments between query nodes and operators
// over gRPC (service armorlake.operator.v1.Operator, defined in rpcpb).
//
// The Server side runs on operators: it compiles a fragment with exec
// over the node's ScanSource and streams the result batches back in
// coldata's wire encoding. The Client side runs on query nodes and
// implements exec.Remote, so a Gather operator can fan a fragment out.
//
// Errors cross the wire with their SQLSTATE in the trailer metadata key
// "armorlake-sqlstate"; the client rebuilds a sqlerr.Error whose message
// names the operator. An operator that cannot be reached yields SQLSTATE
// 58000 naming it; a canceled query, 57014.
package rpc
