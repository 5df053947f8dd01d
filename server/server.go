package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/planner"
)

// Engine plans SQL. *planner.Planner implements it; tests use fakes.
//
// Prepare must be safe for concurrent use by many sessions. It returns one
// Statement per statement in sql (a KindEmpty one for a string holding
// none), and an error carrying a SQLSTATE (sqlerr) when sql is invalid. ctx
// is canceled when the client cancels the statement or the session ends.
type Engine interface {
	Prepare(ctx context.Context, sess *planner.Session, sql string, paramTypes []coldata.Type) ([]*planner.Statement, error)
}

var _ Engine = (*planner.Planner)(nil)

// Server serves the PostgreSQL wire protocol. It is safe for concurrent
// use; Serve may run on several listeners at once.
type Server struct {
	cfg    Config
	engine Engine
	log    *slog.Logger

	// ctx is the parent of every session's context; Close cancels it with
	// errAdminShutdown.
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{} // every open connection, startup included
	sessions  map[uint32]*conn   // sessions past startup, by process ID
	nextPID   uint32
	wg        sync.WaitGroup // one per connection goroutine
}

// New returns a server that plans statements with engine. cfg is completed
// with EnsureDefaults and checked with Validate.
func New(cfg Config, engine Engine) (*Server, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if engine == nil {
		return nil, errors.New("server: nil engine")
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Server{
		cfg:       cfg,
		engine:    engine,
		log:       cfg.Logger,
		ctx:       ctx,
		cancel:    cancel,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		sessions:  make(map[uint32]*conn),
		nextPID:   randUint32()%1_000_000 + 1,
	}, nil
}

// ErrServerClosed is returned by Serve and ListenAndServe after Close.
var ErrServerClosed = errors.New("server closed")

// ListenAndServe listens on cfg.Listen and serves until ctx is done or
// Close is called.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln, one goroutine each, until ctx is done or
// Close is called; either closes the whole server, and Serve returns
// ErrServerClosed once every connection has ended. ln is closed on return.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	s.log.Info("serving PostgreSQL protocol", "addr", ln.Addr().String())

	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				s.wg.Wait()
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait and retry,
			// as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed; retrying", "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.ctx.Done():
			}
			continue
		}
		backoff = 0
		s.startConn(nc)
	}
}

// Addr returns the address of a listener Serve is accepting on, nil if
// there is none.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		return ln.Addr()
	}
	return nil
}

// Close stops accepting, cancels every running statement, closes every
// connection and waits for their goroutines to end. Operators must return
// promptly once their context is canceled for Close to return promptly.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	lns := make([]net.Listener, 0, len(s.listeners))
	for ln := range s.listeners {
		lns = append(lns, ln)
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	s.cancel(errAdminShutdown)
	var errs []error
	for _, ln := range lns {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	for _, c := range conns {
		c.nc.Close()
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// startConn serves nc on a new goroutine, or closes it if the server is
// closing.
func (s *Server) startConn(nc net.Conn) {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		c.serve()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
}

// addSession admits c as a session, giving it a process ID and a secret
// for CancelRequest. It fails past MaxConnections.
func (s *Server) addSession(c *conn) bool {
	secret := randUint32()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) >= s.cfg.MaxConnections {
		return false
	}
	for {
		s.nextPID++
		if s.nextPID == 0 || s.nextPID > 1<<22 {
			s.nextPID = 1
		}
		if s.sessions[s.nextPID] == nil {
			break
		}
	}
	c.pid = s.nextPID
	binary.BigEndian.PutUint32(c.secret[:], secret)
	s.sessions[c.pid] = c
	return true
}

func (s *Server) removeSession(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.pid != 0 && s.sessions[c.pid] == c {
		delete(s.sessions, c.pid)
	}
}

// cancelRequest cancels the statement session pid is running, if the
// secret matches. Like PostgreSQL, it says nothing either way: a wrong
// guess must not learn anything.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.sessions[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(secret, c.secret[:]) != 1 {
		s.log.Debug("cancel request ignored", "pid", pid)
		return
	}
	c.cancelRunning()
}

func randUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
