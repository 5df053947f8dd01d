package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
)

// testServer is a Server on 127.0.0.1:0 with a fakeEngine, closed when the
// test ends.
type testServer struct {
	srv  *Server
	eng  *fakeEngine
	addr string
	logs *syncBuffer
}

func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	eng := &fakeEngine{}
	srv, err := New(cfg, eng)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("serve returned %v, want ErrServerClosed", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &testServer{srv: srv, eng: eng, addr: ln.Addr().String(), logs: logs}
}

func (ts *testServer) url(extra string) string {
	u := "postgres://armorlake@" + ts.addr + "/armorlake?sslmode=disable"
	if extra != "" {
		u += "&" + extra
	}
	return u
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawClient speaks the protocol message by message, for conversation
// tests and for what real drivers never send.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// startup sends a StartupMessage and renders the answer up to
// ReadyForQuery.
func (c *rawClient) startup(params map[string]string) string {
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	return c.until("ReadyForQuery")
}

// until reads and renders messages until it has seen each of types in
// order, or the connection ends ("EOF").
func (c *rawClient) until(types ...string) string {
	c.t.Helper()
	var out strings.Builder
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.nc.SetReadDeadline(time.Time{})
	for len(types) > 0 {
		msg, err := c.fe.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatalf("timed out waiting for %s; got so far:\n%s", types[0], out.String())
			}
			out.WriteString("EOF\n")
			break
		}
		line := render(msg)
		out.WriteString(line + "\n")
		if strings.SplitN(line, " ", 2)[0] == types[0] {
			types = types[1:]
		}
	}
	return out.String()
}

// render prints a backend message on one line.
func render(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.CommandComplete:
		return "CommandComplete " + strconv.Quote(string(m.CommandTag))
	case *pgproto3.RowDescription:
		var b strings.Builder
		b.WriteString("RowDescription")
		for _, f := range m.Fields {
			fmt.Fprintf(&b, " %s:%d", f.Name, f.DataTypeOID)
			if f.Format == binaryFormat {
				b.WriteString(":bin")
			}
		}
		return b.String()
	case *pgproto3.DataRow:
		var b strings.Builder
		b.WriteString("DataRow")
		for _, v := range m.Values {
			b.WriteByte(' ')
			b.WriteString(renderValue(v))
		}
		return b.String()
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	case *pgproto3.ErrorResponse:
		return renderNotice("ErrorResponse", m)
	case *pgproto3.NoticeResponse:
		return renderNotice("NoticeResponse", (*pgproto3.ErrorResponse)(m))
	case *pgproto3.NegotiateProtocolVersion:
		return fmt.Sprintf("NegotiateProtocolVersion %d %v", m.NewestMinorProtocol, m.UnrecognizedOptions)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

func renderValue(v []byte) string {
	if v == nil {
		return "NULL"
	}
	printable := utf8.Valid(v)
	for _, c := range v {
		if c < 32 {
			printable = false
		}
	}
	if printable {
		return strconv.Quote(string(v))
	}
	return `\x` + hex.EncodeToString(v)
}

func renderNotice(kind string, n *pgproto3.ErrorResponse) string {
	s := fmt.Sprintf("%s %s %s %q", kind, n.Severity, n.Code, n.Message)
	if n.Detail != "" {
		s += fmt.Sprintf(" detail=%q", n.Detail)
	}
	if n.Position != 0 {
		s += fmt.Sprintf(" position=%d", n.Position)
	}
	return s
}
