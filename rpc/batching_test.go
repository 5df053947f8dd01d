package rpc

import (
	"fmt"
	"testing"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
)

// TestLargeRowRoundTrips: one row can hold a group's distinct values, far
// more than a message's usual size and than 64 MiB decompressed; it is
// sent whole, compressed, and decodes whole.
func TestLargeRowRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB row")
	}
	const elems = 1_500_000
	b := coldata.NewBatch([]coldata.Type{coldata.Text, coldata.TextArray}, 1)
	b.Vecs[0].Bytes.AppendString("group")
	v := b.Vecs[1]
	for i := range elems {
		v.Bytes.AppendString(fmt.Sprintf("/var/lib/containers/storage/overlay/%032d/diff/etc/file", i))
	}
	v.Arr = append(v.Arr, int32(v.Bytes.Len()))
	b.Len = 1
	var msgs []*rpcpb.ExecuteResponse
	out := &batcher{send: func(m *rpcpb.ExecuteResponse) error { msgs = append(msgs, m); return nil }}
	if err := out.add(b); err != nil {
		t.Fatal(err)
	}
	if err := out.flush(); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !msgs[0].Zstd {
		t.Fatalf("%d messages (first compressed: %v), want one compressed", len(msgs), len(msgs) > 0 && msgs[0].Zstd)
	}
	got, err := decodeMessage(msgs[0])
	if err != nil {
		t.Fatalf("decode %d compressed bytes of a %d-byte row: %v", len(msgs[0].Batch), len(v.Bytes.Data), err)
	}
	if got.Len != 1 || got.Vecs[1].ArrayLen(0) != elems || string(got.Vecs[1].ArrayElem(0, elems-1)) != string(v.Bytes.Get(elems-1)) {
		t.Fatalf("decoded %d rows, %d elements, want 1 row of %d", got.Len, got.Vecs[1].ArrayLen(0), elems)
	}
}
