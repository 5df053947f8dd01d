package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

const sqlstateKey = "armorlake-sqlstate"

// TableResolver returns a table's descriptor by name.
type TableResolver func(name string) (*schema.Table, bool)

// Server serves the operator service over one node's stored rows.
type Server struct {
	rpcpb.UnimplementedOperatorServer
	src    exec.ScanSource
	tables TableResolver
	logger *slog.Logger
	// FragmentMemory bounds the memory one fragment holds (its partial
	// aggregation's groups, a top-N's rows); 0 for DefaultFragmentMemory.
	FragmentMemory int64

	// Heartbeat is how often a running fragment sends an empty message
	// (DefaultHeartbeat when 0), so that the query node can tell a busy
	// operator from a hung one.
	Heartbeat time.Duration

	// CompressLoopback compresses messages to a query node on this host
	// too; by default only messages that leave the host are compressed.
	CompressLoopback bool

	running, finished, canceled atomic.Int64
}

// DefaultHeartbeat is a fragment's heartbeat interval.
const DefaultHeartbeat = time.Second

// FragmentCounts returns how many fragments are running now, how many
// have finished, and how many of those ended canceled (the query node
// gave up on them: its client canceled, a timeout, another operator's
// error).
func (s *Server) FragmentCounts() (running, finished, canceled int64) {
	return s.running.Load(), s.finished.Load(), s.canceled.Load()
}

// DefaultFragmentMemory is the memory budget of one fragment on an
// operator.
const DefaultFragmentMemory = 512 << 20

// NewServer returns a Server answering fragments from src.
func NewServer(src exec.ScanSource, tables TableResolver, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{src: src, tables: tables, logger: logger}
}

// Register adds the service to a gRPC server.
func (s *Server) Register(g *grpc.Server) { rpcpb.RegisterOperatorServer(g, s) }

// Execute implements rpcpb.OperatorServer.
func (s *Server) Execute(req *rpcpb.ExecuteRequest, stream grpc.ServerStreamingServer[rpcpb.ExecuteResponse]) (err error) {
	ctx := stream.Context()
	s.running.Add(1)
	defer func() {
		s.running.Add(-1)
		s.finished.Add(1)
		if ctx.Err() != nil {
			s.canceled.Add(1)
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("fragment panicked", "panic", r, "stack", string(debug.Stack()))
			err = sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
		}
		if err != nil {
			err = toStatus(ctx, stream, err)
		}
	}()
	start := time.Now()
	// Headers go out at once: the client bounds its wait for them, and a
	// long partial aggregation must not look like a dead operator.
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	frag := req.GetFragment()
	if frag == nil {
		return sqlerr.New(sqlerr.ProtocolViolation, "execute: no fragment")
	}
	t, ok := s.tables(frag.Table)
	if !ok {
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", frag.Table)
	}
	types := make([]coldata.Type, len(frag.Columns))
	for i, c := range frag.Columns {
		j := t.ColumnIndex(c)
		if j < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", c)
		}
		types[i] = t.Columns[j].Type
	}
	limit := s.FragmentMemory
	if limit == 0 {
		limit = DefaultFragmentMemory
	}
	ctx = exec.WithBudget(ctx, &exec.Budget{Limit: limit, Name: "operator's fragment memory budget"})
	var scanned exec.ScanStats
	ctx = exec.WithScanStats(ctx, &scanned)
	op, err := exec.BuildFragment(ctx, frag, types, s.src)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			op.Close()
		}
	}()
	// While the fragment works without producing (a partial aggregation
	// over weeks of data), empty messages tell the query node it is
	// alive; gRPC streams take one sender at a time.
	var sendMu sync.Mutex
	send := func(m *rpcpb.ExecuteResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(m)
	}
	hbDone := make(chan struct{})
	defer close(hbDone)
	go func() {
		interval := s.Heartbeat
		if interval == 0 {
			interval = DefaultHeartbeat
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if send(&rpcpb.ExecuteResponse{}) != nil {
					return
				}
			case <-hbDone:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	out := &batcher{send: send, plain: !s.CompressLoopback && loopbackPeer(ctx)}
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if b.Len == 0 {
			continue
		}
		if err := out.add(b); err != nil {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	// The scans report into scanned when they close.
	closed = true
	op.Close()
	return send(&rpcpb.ExecuteResponse{Stats: &rpcpb.FragmentStats{
		Nanos:       time.Since(start).Nanoseconds(),
		RowsScanned: scanned.Rows, BatchesScanned: scanned.Batches,
		Partitions: scanned.Partitions, PartitionsSkipped: scanned.PartitionsSkipped,
		Blocks: scanned.Blocks, BlocksSkipped: scanned.BlocksSkipped, Chunks: scanned.Chunks,
	}})
}

// toStatus turns err into a gRPC status, with its SQLSTATE in the
// trailer.
func toStatus(ctx context.Context, stream grpc.ServerStream, err error) error {
	if _, ok := status.FromError(err); ok && sqlerr.As(err) == nil {
		return err
	}
	code := codes.Unknown
	switch {
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	}
	if ctx.Err() == nil {
		stream.SetTrailer(metadata.Pairs(sqlstateKey, sqlerr.Code(err)))
	}
	msg := err.Error()
	if e := sqlerr.As(err); e != nil {
		msg = e.Message
	}
	return status.Error(code, fmt.Sprint(msg))
}

// loopbackPeer reports whether the stream's client is on this host: its
// messages then cross memory, where compressing them costs more CPU than
// the bytes it saves.
func loopbackPeer(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return false
	}
	a, ok := p.Addr.(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}
