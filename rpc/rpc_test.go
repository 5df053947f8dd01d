package rpc

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

var table = &schema.Table{Name: "t", Columns: []schema.Column{
	{Name: "ts", Type: coldata.Timestamptz},
	{Name: "n", Type: coldata.Int64},
}}

// serve starts an operator service over rows 0..rows-1 and returns its
// address.
func serve(t *testing.T, rows int) string {
	t.Helper()
	return serveWith(t, rows, func(*Server) {})
}

// serveWith is serve with the server set up by configure first.
func serveWith(t *testing.T, rows int, configure func(*Server)) string {
	t.Helper()
	src := exec.NewMemSource()
	for from := 0; from < rows; from += 1000 {
		b := coldata.NewBatch(table.Types(), 1000)
		for i := from; i < min(from+1000, rows); i++ {
			b.Vecs[0].Int64 = append(b.Vecs[0].Int64, int64(i))
			b.Vecs[1].Int64 = append(b.Vecs[1].Int64, int64(i))
			b.Len++
		}
		src.Append(table, b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	s := NewServer(src, func(name string) (*schema.Table, bool) { return table, name == "t" }, nil)
	configure(s)
	s.Register(g)
	go g.Serve(ln)
	t.Cleanup(g.Stop)
	return ln.Addr().String()
}

func sumFragment() *rpcpb.Fragment {
	col := &rpcpb.Expr{Type: uint32(coldata.Int64), Kind: &rpcpb.Expr_Column{Column: 0}}
	return &rpcpb.Fragment{Table: "t", Columns: []string{"n"},
		Aggregates: []*rpcpb.Aggregate{{Func: "count"}, {Func: "sum", Arg: col}}}
}

func drain(t *testing.T, op exec.Operator) ([]*coldata.Batch, error) {
	t.Helper()
	defer op.Close()
	var out []*coldata.Batch
	for {
		b, err := op.Next(context.Background())
		if err != nil || b == nil {
			return out, err
		}
		out = append(out, b)
	}
}

func TestExecuteRoundTrip(t *testing.T) {
	addr := serve(t, 10000)
	c := NewClient(ClientConfig{})
	defer c.Close()
	op, err := c.Execute(context.Background(), exec.Target{NodeID: "op-1", Addr: addr}, sumFragment())
	if err != nil {
		t.Fatal(err)
	}
	bs, err := drain(t, op)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Len != 1 {
		t.Fatalf("want one partial row, got %d batches", len(bs))
	}
	// Partial states: count, then sum(int8) as exact numeric text.
	if n := bs[0].Vecs[0].Int64[0]; n != 10000 {
		t.Errorf("count = %d", n)
	}
	if s := bs[0].Vecs[1].Bytes.GetString(0); s != "49995000" {
		t.Errorf("sum = %s", s)
	}
}

func TestRemoteErrorKeepsSQLSTATE(t *testing.T) {
	addr := serve(t, 10)
	c := NewClient(ClientConfig{})
	defer c.Close()
	frag := sumFragment()
	frag.Table = "nope"
	op, err := c.Execute(context.Background(), exec.Target{NodeID: "op-7", Addr: addr}, frag)
	if err == nil {
		_, err = drain(t, op)
	}
	if sqlerr.Code(err) != sqlerr.UndefinedTable || !strings.Contains(sqlerr.As(err).Detail, "op-7") {
		t.Fatalf("got %v (code %s), want 42P01 from op-7", err, sqlerr.Code(err))
	}
}

func TestUnreachableOperatorIsNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	c := NewClient(ClientConfig{ConnectTimeout: time.Second})
	defer c.Close()
	began := time.Now()
	_, err = c.Execute(context.Background(), exec.Target{NodeID: "op-gone", Addr: refused}, sumFragment())
	if sqlerr.Code(err) != sqlerr.SystemError || !strings.Contains(err.Error(), "op-gone") {
		t.Fatalf("got %v, want 58000 naming op-gone", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("refused connection took %s to report", d)
	}
}

func TestSilentOperatorTimesOut(t *testing.T) {
	// A listener that accepts and never speaks: a hung operator.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c := NewClient(ClientConfig{ConnectTimeout: 500 * time.Millisecond})
	defer c.Close()
	began := time.Now()
	_, err = c.Execute(context.Background(), exec.Target{NodeID: "op-hung", Addr: ln.Addr().String()}, sumFragment())
	if sqlerr.Code(err) != sqlerr.SystemError || !strings.Contains(err.Error(), "op-hung") {
		t.Fatalf("got %v, want 58000 naming op-hung", err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("hung operator took %s to report", d)
	}
}

func TestCancelStopsStream(t *testing.T) {
	addr := serve(t, 100000)
	c := NewClient(ClientConfig{})
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	frag := &rpcpb.Fragment{Table: "t", Columns: []string{"n"},
		Projections: []*rpcpb.Expr{{Type: uint32(coldata.Int64), Kind: &rpcpb.Expr_Column{Column: 0}}}}
	op, err := c.Execute(ctx, exec.Target{NodeID: "op-1", Addr: addr}, frag)
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	if _, err := op.Next(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	for {
		b, err := op.Next(ctx)
		if err != nil {
			if sqlerr.Code(err) != sqlerr.QueryCanceled {
				t.Fatalf("after cancel: %v, want 57014", err)
			}
			return
		}
		if b == nil {
			t.Fatal("stream ended normally after cancel")
		}
	}
}

// TestMessagesAreSizedAndCompressed: a fragment returning 300,000 rows
// (4.8 MB encoded, in batches of 1,000 rows) reaches the client whole and
// in order, in messages of 64 KiB to 1 MiB, compressed on the wire when
// the server compresses loopback streams, not compressed when it does
// not (the default).
func TestMessagesAreSizedAndCompressed(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			testMessages(t, compress)
		})
	}
}

func testMessages(t *testing.T, compress bool) {
	const rows = 300_000
	addr := serveWith(t, rows, func(s *Server) { s.CompressLoopback = compress })
	c := NewClient(ClientConfig{})
	defer c.Close()
	col := &rpcpb.Expr{Type: uint32(coldata.Int64), Kind: &rpcpb.Expr_Column{Column: 0}}
	frag := &rpcpb.Fragment{Table: "t", Columns: []string{"n", "ts"}, Projections: []*rpcpb.Expr{col,
		{Type: uint32(coldata.Timestamptz), Kind: &rpcpb.Expr_Column{Column: 1}}}}
	op, err := c.Execute(context.Background(), exec.Target{NodeID: "op-1", Addr: addr}, frag)
	if err != nil {
		t.Fatal(err)
	}
	stream := op.(*stream_)
	bs, err := drain(t, op)
	if err != nil {
		t.Fatal(err)
	}
	next := int64(0)
	for _, b := range bs {
		for _, x := range b.Vecs[0].Int64[:b.Len] {
			if x != next {
				t.Fatalf("row %d is %d", next, x)
			}
			next++
		}
	}
	if next != rows {
		t.Fatalf("%d rows, want %d", next, rows)
	}
	raw := int64(rows * 16)
	st := stream.RemoteStats()
	if st.Batches < raw/MaxMessage || st.Batches > raw/MinMessage+1 {
		t.Errorf("%d messages for %d bytes: not 64 KiB to 1 MiB each", st.Batches, raw)
	}
	if compressed := st.Bytes <= raw*4/5; compressed != compress {
		t.Errorf("%d bytes on the wire for %d encoded: compressed %v, want %v", st.Bytes, raw, compressed, compress)
	}
	t.Logf("%d rows in %d messages, %d bytes on the wire (%d encoded)", rows, st.Batches, st.Bytes, raw)
}
