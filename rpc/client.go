package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// ConnectTimeout bounds how long a query waits for an operator's
	// connection before failing with an error naming it. Default 3s.
	ConnectTimeout time.Duration
	// SilenceTimeout bounds how long a running fragment's stream may go
	// without any message (operators send a heartbeat every second while
	// they work) before the operator is taken as hung and the query
	// fails naming it. Default 10s.
	SilenceTimeout time.Duration
	// TLS, when set, connects to operators with it (ClientTLS): mutual
	// TLS. Nil: plaintext.
	TLS *tls.Config
}

// Client sends fragments to operators. It keeps one connection per
// operator address and is safe for concurrent use.
type Client struct {
	cfg   ClientConfig
	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

// NewClient returns a Client.
func NewClient(cfg ClientConfig) *Client {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 3 * time.Second
	}
	if cfg.SilenceTimeout <= 0 {
		cfg.SilenceTimeout = 10 * time.Second
	}
	return &Client{cfg: cfg, conns: map[string]*grpc.ClientConn{}}
}

func (c *Client) conn(addr string) (*grpc.ClientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc := c.conns[addr]; cc != nil {
		return cc, nil
	}
	creds := insecure.NewCredentials()
	if c.cfg.TLS != nil {
		creds = credentials.NewTLS(c.cfg.TLS)
	}
	cc, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32)),
		// Retry a lost operator often: a restarted one should serve the
		// next query, not wait out a long backoff.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
			MinConnectTimeout: c.cfg.ConnectTimeout,
		}))
	if err != nil {
		return nil, err
	}
	c.conns[addr] = cc
	return cc, nil
}

// Close closes every connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for addr, cc := range c.conns {
		cc.Close()
		delete(c.conns, addr)
	}
	return nil
}

// Execute implements exec.Remote.
func (c *Client) Execute(ctx context.Context, t exec.Target, frag *rpcpb.Fragment) (exec.Operator, error) {
	cc, err := c.conn(t.Addr)
	if err != nil {
		return nil, unreachable(t, err)
	}
	// The stream lives as long as the query; only the connection wait is
	// bounded, so that a dead operator fails the query quickly.
	sctx, cancel := context.WithCancel(ctx)
	var timedOut atomic.Bool
	connected := make(chan struct{})
	timer := time.AfterFunc(c.cfg.ConnectTimeout, func() {
		select {
		case <-connected:
		default:
			timedOut.Store(true)
			cancel()
		}
	})
	stream, err := rpcpb.NewOperatorClient(cc).Execute(sctx, &rpcpb.ExecuteRequest{Fragment: frag}, grpc.WaitForReady(false))
	if err == nil {
		// Headers arrive once the operator accepted the stream.
		_, err = stream.Header()
	}
	close(connected)
	timer.Stop()
	// Header may also return no error for a stream ended without headers:
	// the timeout is what matters then.
	if timedOut.Load() && ctx.Err() == nil {
		cancel()
		return nil, sqlerr.New(sqlerr.SystemError, "operator %s (%s) is unreachable: no answer within %s", t.NodeID, t.Addr, c.cfg.ConnectTimeout)
	}
	if err != nil {
		cancel()
		return nil, remoteError(ctx, t, err, nil)
	}
	st := &stream_{ctx: ctx, stream: stream, cancel: cancel, target: t, silence: c.cfg.SilenceTimeout}
	// A stream that says nothing for SilenceTimeout is a hung operator
	// or a dead link: cancel it, and Next reports which.
	st.watchdog = time.AfterFunc(st.silence, func() {
		st.silent.Store(true)
		cancel()
	})
	return st, nil
}

// stream_ adapts a fragment's result stream to exec.Operator.
type stream_ struct {
	ctx    context.Context
	stream grpc.ServerStreamingClient[rpcpb.ExecuteResponse]
	cancel context.CancelFunc
	target exec.Target
	stats  exec.RemoteStats

	silence  time.Duration
	watchdog *time.Timer
	silent   atomic.Bool
}

// RemoteStats implements exec.RemoteStatser.
func (s *stream_) RemoteStats() exec.RemoteStats { return s.stats }

func (s *stream_) Next(ctx context.Context) (*coldata.Batch, error) {
	for {
		msg, err := s.stream.Recv()
		if errors.Is(err, io.EOF) {
			s.watchdog.Stop()
			return nil, nil
		}
		if err != nil {
			s.watchdog.Stop()
			if s.silent.Load() && s.ctx.Err() == nil {
				return nil, sqlerr.New(sqlerr.SystemError, "operator %s (%s) sent nothing for %s: it is hung or its link is down", s.target.NodeID, s.target.Addr, s.silence).
					WithHint("The query node's --operator-timeout sets how long to wait.")
			}
			return nil, remoteError(s.ctx, s.target, err, s.stream.Trailer())
		}
		s.watchdog.Reset(s.silence)
		if st := msg.Stats; st != nil {
			s.stats.Reported = true
			s.stats.RemoteTime = time.Duration(st.Nanos)
			s.stats.Scan = exec.ScanStats{Rows: st.RowsScanned, Batches: st.BatchesScanned,
				Partitions: st.Partitions, PartitionsSkipped: st.PartitionsSkipped,
				Blocks: st.Blocks, BlocksSkipped: st.BlocksSkipped, Chunks: st.Chunks}
		}
		if len(msg.Batch) == 0 {
			continue
		}
		b, err := decodeMessage(msg)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "operator "+s.target.NodeID)
		}
		s.stats.Rows += int64(b.Len)
		s.stats.Batches++
		s.stats.Bytes += int64(len(msg.Batch))
		return b, nil
	}
}

func (s *stream_) Close() error {
	s.watchdog.Stop()
	s.cancel()
	return nil
}

func unreachable(t exec.Target, err error) error {
	return sqlerr.New(sqlerr.SystemError, "operator %s (%s) is unreachable: %v", t.NodeID, t.Addr, err)
}

// remoteError rebuilds the SQL error an operator sent, or explains a
// transport failure naming the operator.
func remoteError(ctx context.Context, t exec.Target, err error, trailer metadata.MD) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout")
		}
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	st, _ := status.FromError(err)
	if codes := trailer.Get(sqlstateKey); len(codes) > 0 {
		return &sqlerr.Error{Code: codes[0], Message: st.Message(), Detail: "reported by operator " + t.NodeID}
	}
	switch st.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return unreachable(t, errors.New(st.Message()))
	}
	return sqlerr.New(sqlerr.SystemError, "operator %s (%s): %s", t.NodeID, t.Addr, st.Message())
}

var _ exec.Remote = (*Client)(nil)
