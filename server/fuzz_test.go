package server

import (
	"bytes"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzMessageLoop feeds arbitrary bytes to a session, startup included,
// and checks that the server neither panics nor hangs, and that what it
// answers is a well-formed stream of backend messages.
func FuzzMessageLoop(f *testing.F) {
	startup := encodeFrontend(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "fuzz", "TimeZone": "Asia/Kolkata"}})
	f.Add(concat(startup, encodeFrontend(f,
		&pgproto3.Query{String: "SELECT 1; SELECT * FROM types; SHOW TimeZone"},
		&pgproto3.Query{String: "BEGIN; SELECT * FROM nosuch"},
		&pgproto3.Query{String: "ROLLBACK; SELECT boom()"},
		&pgproto3.Terminate{})))
	f.Add(concat(startup, encodeFrontend(f,
		&pgproto3.Parse{Name: "s", Query: "SELECT $1::int8, $2::timestamptz, $3::text[], $4::numeric"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0, 0, 1},
			Parameters:        [][]byte{{0, 0, 0, 0, 0, 0, 0, 7}, []byte("2026-11-01 06:00:00+00"), []byte(`{a,"b c"}`), {0, 1, 0, 0, 0, 0, 0, 0, 0, 1}},
			ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "SELECT * FROM series(10, 3)"},
		&pgproto3.Bind{DestinationPortal: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 4},
		&pgproto3.Execute{Portal: "p", MaxRows: 4},
		&pgproto3.Close{ObjectType: 'P', Name: "p"},
		&pgproto3.Sync{})))
	f.Add(concat(encodeFrontend(f, &pgproto3.SSLRequest{}, &pgproto3.GSSEncRequest{}), startup, []byte("garbage")))
	f.Add(concat(startup, encodeFrontend(f, &pgproto3.Query{String: "SET TimeZone = 'Europe/Berlin'; SELECT now_ts()"}, &pgproto3.Flush{})))
	f.Add(cancelPacket(1, 2))
	f.Add([]byte{0, 0, 0, 8, 4, 210, 22, 47})

	srv, err := New(Config{Logger: slog.New(slog.DiscardHandler), MaxMessageSize: 1 << 16}, &fakeEngine{noSleep: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSession(t, srv, data) })
}

// FuzzAuth is FuzzMessageLoop through password authentication: SCRAM
// and cleartext exchanges with whatever the client sends.
func FuzzAuth(f *testing.F) {
	verifier, err := NewSCRAMVerifier("secret")
	if err != nil {
		f.Fatal(err)
	}
	rules, err := ParseAuthRules("host all alice all scram-sha-256\nhost all carol all password\nhost all mallory all reject\nhost all all all trust")
	if err != nil {
		f.Fatal(err)
	}
	startup := func(user string) []byte {
		return encodeFrontend(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": user}})
	}
	f.Add(concat(startup("alice"), []byte("p\x00\x00\x00\x36SCRAM-SHA-256\x00\x00\x00\x00\x20n,,n=,r=rOprNGfwEbeRWgbNEkqO12345678"),
		[]byte("p\x00\x00\x00\x30c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")))
	f.Add(concat(startup("alice"), []byte("p\x00\x00\x00\x20SCRAM-SHA-256-PLUS\x00\x00\x00\x00\x05p=tls")))
	f.Add(concat(startup("carol"), encodeFrontend(f, &pgproto3.PasswordMessage{Password: "secret"})))
	f.Add(concat(startup("mallory"), encodeFrontend(f, &pgproto3.Query{String: "SELECT 1"})))
	f.Add(concat(startup("zed"), encodeFrontend(f, &pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{})))
	srv, err := New(Config{Logger: slog.New(slog.DiscardHandler), MaxMessageSize: 1 << 16, Auth: rules,
		Users: fuzzUsers{"alice": verifier, "carol": verifier}}, &fakeEngine{noSleep: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSession(t, srv, data) })
}

type fuzzUsers map[string]string

func (u fuzzUsers) Verifier(name string) (string, bool) { v, ok := u[name]; return v, ok }

// fuzzSession serves data as a client's bytes and checks that the server
// neither panics nor hangs, and that what it answers is a well-formed
// stream of backend messages.
func fuzzSession(t *testing.T, srv *Server, data []byte) {
	nc := &memConn{r: bytes.NewReader(data)}
	newConn(srv, nc).serve()

	// Skip the one-byte answers to SSLRequest and GSSENCRequest, then
	// decode everything else.
	var out []byte
	for _, w := range nc.writes {
		if len(w) != 1 || w[0] != 'N' {
			out = append(out, w...)
		}
	}
	for len(out) > 0 {
		if len(out) < 5 {
			t.Fatalf("torn message header %q\ninput %q", out, data)
		}
		n := 1 + int(binary.BigEndian.Uint32(out[1:]))
		if n < 5 || n > len(out) {
			t.Fatalf("bad message length %d of %d bytes left\ninput %q", n, len(out), data)
		}
		fe := pgproto3.NewFrontend(bytes.NewReader(out[:n]), io.Discard)
		if _, err := fe.Receive(); err != nil {
			t.Fatalf("malformed message %q: %v\ninput %q", out[:n], err, data)
		}
		out = out[n:]
	}
}

func encodeFrontend(tb testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// memConn is a net.Conn that reads a fixed input and records what is
// written, one entry per Write.
type memConn struct {
	r      *bytes.Reader
	writes [][]byte
}

func (c *memConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *memConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
