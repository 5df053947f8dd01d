package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
)

// Operator is one node of a running plan. Operators are pulled: the
// consumer calls Next until it returns a nil batch, then Close.
//
// A batch returned by Next belongs to the operator and is valid only until
// the next call to Next or Close; a consumer that keeps rows copies them.
// Operators are not safe for concurrent use. Close releases resources
// (remote streams, storage iterators) and is safe to call more than once
// and before the end of the stream.
type Operator interface {
	Next(ctx context.Context) (*coldata.Batch, error)
	Close() error
}
