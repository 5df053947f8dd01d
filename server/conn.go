package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// conn is one client connection, served by one goroutine from startup to
// the end: it reads a message, acts on it and answers, in order. Only
// cancelRunning is called from other goroutines.
type conn struct {
	srv *Server
	nc  net.Conn
	raw *countingReader // what be reads from: nc, counted
	be  *pgproto3.Backend
	w   writer
	log *slog.Logger

	tls        bool // the connection is encrypted
	negotiated int  // encryption requests read, 8 bytes each

	pid    uint32  // process ID in BackendKeyData; 0 until startup ends
	secret [4]byte // secret key in BackendKeyData

	// ctx lives as long as the session; statement contexts derive from it.
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	running context.CancelCauseFunc // cancels the statement now executing; guarded by mu
	// What pg_stat_activity shows of the session, guarded by mu: its
	// user and database (set once at startup), start, and activity.
	user, database string
	started        time.Time
	act            activity

	sess session
	// plan is what the planner sees of the session. Statements read it
	// when they run, so one planned before a SET TimeZone in the same
	// query string still sees the new zone.
	plan           planner.Session
	stmts          map[string]*prepared
	stmtCache      map[string][]*planner.Statement // prepare's cache, by query text and parameter types
	portals        map[string]*portal
	active         *portal // the portal executing now, dropped if it panics
	ignoreTillSync bool    // an extended-protocol error skips messages up to Sync
	spare          *rowEncoder
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancelCause(s.ctx)
	raw := &countingReader{r: nc}
	return &conn{
		srv:     s,
		nc:      nc,
		raw:     raw,
		be:      newBackend(raw, nc, s.cfg.MaxMessageSize),
		w:       writer{w: nc},
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		stmts:   make(map[string]*prepared),
		portals: make(map[string]*portal),
	}
}

func newBackend(r io.Reader, w io.Writer, maxMessage int) *pgproto3.Backend {
	be := pgproto3.NewBackend(r, w)
	be.SetMaxBodyLen(maxMessage - 4)
	return be
}

// countingReader counts the bytes read through it: before a TLS handshake
// it tells whether the client sent more than its SSLRequest.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// serve runs the session to its end and releases everything it holds.
func (c *conn) serve() {
	err := c.startup()
	if err == nil {
		c.log = c.log.With("pid", c.pid)
		c.log.Debug("session started", "user", c.sess.user, "database", c.sess.database)
		err = c.loop()
	}
	c.end(err)
}

// end reports why the session ends, to the client when it is a FATAL error,
// and releases the session.
func (c *conn) end(err error) {
	var f *fatalError
	if errors.As(err, &f) {
		c.w.send(errorResponse(f.err, severityFatal))
		c.w.flush()
	}
	c.log.Debug("session ended", "reason", err)
	c.cancel(errConnClosed)
	c.closePortals(nil)
	c.srv.removeSession(c)
	c.nc.Close()
}

// isDisconnect reports whether err means the connection is gone.
func isDisconnect(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}

// loop reads and handles messages until the session ends.
func (c *conn) loop() error {
	idle := c.srv.cfg.IdleTimeout
	for {
		if idle > 0 {
			c.nc.SetReadDeadline(time.Now().Add(idle))
		}
		msg, err := c.be.Receive()
		if err != nil {
			return c.receiveError(err)
		}
		if c.ignoreTillSync {
			switch msg.(type) {
			case *pgproto3.Sync, *pgproto3.Terminate:
			default:
				continue
			}
		}
		if err := c.dispatch(msg); err != nil {
			return err
		}
		if c.w.err != nil {
			return c.w.err
		}
	}
}

// receiveError turns a failed read into the reason the session ends.
func (c *conn) receiveError(err error) error {
	var tooLong *pgproto3.ExceededMaxBodyLenErr
	var ne net.Error
	switch {
	case errors.As(err, &tooLong):
		return fatal(sqlerr.ProtocolViolation, "invalid message length: %d bytes exceeds the limit of %d",
			tooLong.ActualBodyLen+4, c.srv.cfg.MaxMessageSize)
	case errors.As(err, &ne) && ne.Timeout():
		if c.sess.txn == txnIdle {
			return fatal(sqlerr.IdleSessionTimeout, "terminating connection due to idle-session timeout")
		}
		return fatal(sqlerr.IdleInTransactionSessionTimeout, "terminating connection due to idle-in-transaction timeout")
	case isDisconnect(err):
		return err
	}
	// Bad framing, an unknown message type or a malformed body: the stream
	// cannot be trusted any more.
	return fatal(sqlerr.ProtocolViolation, "invalid frontend message: %v", err)
}

// dispatch handles one message. Errors the client can recover from are
// answered here; a returned error ends the session.
func (c *conn) dispatch(msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(m.String)
	case *pgproto3.Parse:
		c.extended(func() error { return c.parse(m) })
	case *pgproto3.Bind:
		c.extended(func() error { return c.bind(m) })
	case *pgproto3.Describe:
		c.extended(func() error { return c.describe(m) })
	case *pgproto3.Execute:
		if p := c.portals[m.Portal]; p != nil && !c.ignoreTillSync {
			c.setActivity("active", p.stmt.SQL)
		}
		c.extended(func() error { return c.execute(m) })
	case *pgproto3.Close:
		c.extended(func() error { return c.closeMsg(m) })
	case *pgproto3.Sync:
		c.sync()
	case *pgproto3.Flush:
		c.w.flush()
	case *pgproto3.Terminate:
		return errTerminate
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// PostgreSQL ignores these outside COPY: they trail a COPY
		// that has already failed.
	case *pgproto3.FunctionCall:
		c.sendError(sqlerr.New(sqlerr.FeatureNotSupported, "the fast-path function call interface is not supported"))
		c.readyForQuery()
	default:
		return fatal(sqlerr.ProtocolViolation, "invalid frontend message type %T", msg)
	}
	return nil
}

// extended runs the handler of an extended-protocol message. After an
// error, messages up to the next Sync are skipped.
func (c *conn) extended(fn func() error) {
	if err := c.guard(fn); err != nil {
		c.sendError(err)
		c.ignoreTillSync = true
	}
}

// guard runs fn, the root of everything a statement does, turning a panic
// into an XX000 error: the stack is logged, the portal that was running is
// dropped, and the session goes on.
func (c *conn) guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic serving statement", "panic", r, "stack", string(debug.Stack()))
			if p := c.active; p != nil {
				c.active = nil
				c.dropPortal(p)
			}
			c.setRunning(nil)
			err = panicError(r)
		}
	}()
	return fn()
}

// sendError sends err as an ErrorResponse and fails the transaction block.
func (c *conn) sendError(err error) {
	c.w.send(errorResponse(err, severityError))
	c.sess.fail()
}

// readyForQuery sends parameter changes and ReadyForQuery, and flushes.
func (c *conn) readyForQuery() {
	c.setActivity(c.idleState(), "")
	for _, m := range c.sess.appendReports(nil) {
		c.w.send(m)
	}
	c.w.send(&pgproto3.ReadyForQuery{TxStatus: c.sess.txn})
	c.w.flush()
}

// setRunning records how to cancel the statement executing now (nil:
// none). A CancelRequest that arrives between statements cancels nothing,
// as in PostgreSQL.
func (c *conn) setRunning(cancel context.CancelCauseFunc) {
	c.mu.Lock()
	c.running = cancel
	c.mu.Unlock()
}

// cancelRunning is CancelRequest's effect: called from another goroutine.
func (c *conn) cancelRunning() {
	c.mu.Lock()
	cancel := c.running
	c.mu.Unlock()
	if cancel != nil {
		cancel(errQueryCanceled)
	}
}

// statementError returns the error a statement running under ctx reports:
// the cancel reason when ctx was canceled, which PostgreSQL reports in
// place of whatever the interrupted work returned.
func statementError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && cause != errConnClosed {
			return cause
		}
	}
	return err
}

// closeOperator closes op, which may belong to a statement that panicked,
// so a second panic is caught too.
func (c *conn) closeOperator(op exec.Operator) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic closing operator", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if err := op.Close(); err != nil {
		c.log.Debug("close operator", "err", err)
	}
}
