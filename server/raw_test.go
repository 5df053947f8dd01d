package server

import (
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// These tests send what no well-behaved driver sends.

func TestStartupNegotiation(t *testing.T) {
	ts := startServer(t, Config{})

	// SSLRequest and GSSENCRequest get 'N', then the StartupMessage
	// follows on the same connection.
	c := dialRaw(t, ts.addr)
	for _, m := range []pgproto3.FrontendMessage{&pgproto3.SSLRequest{}, &pgproto3.GSSEncRequest{}} {
		c.send(m)
		var b [1]byte
		c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
			t.Fatalf("answer to %T: %q, %v", m, b, err)
		}
	}
	if out := c.startup(map[string]string{"user": "u"}); !strings.HasSuffix(out, "ReadyForQuery I\n") {
		t.Errorf("startup after negotiation:\n%s", out)
	}

	for _, tc := range []struct {
		name string
		send func(c *rawClient)
		want string
	}{
		{"no user", func(c *rawClient) {
			c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "x"}})
		}, "ErrorResponse FATAL 28000 \"no PostgreSQL user name specified in startup packet\"\nEOF\n"},
		{"too many negotiations", func(c *rawClient) {
			c.send(&pgproto3.SSLRequest{}, &pgproto3.SSLRequest{}, &pgproto3.SSLRequest{})
			var b [2]byte
			io.ReadFull(c.nc, b[:])
		}, "ErrorResponse FATAL 08P01 \"too many encryption requests\"\nEOF\n"},
		{"unknown protocol", func(c *rawClient) {
			c.write([]byte{0, 0, 0, 8, 0, 4, 0, 0})
		}, "ErrorResponse FATAL 08P01 \"invalid startup packet: unknown startup message code: 262144\"\nEOF\n"},
		{"bad length", func(c *rawClient) {
			c.write([]byte{0x7f, 0xff, 0xff, 0xff})
		}, "ErrorResponse FATAL 08P01 \"invalid startup packet: invalid length of startup packet: 2147483643\"\nEOF\n"},
		{"truncated", func(c *rawClient) {
			c.write([]byte{0, 0, 0, 20, 0, 3})
			c.nc.(interface{ CloseWrite() error }).CloseWrite()
		}, "EOF\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			tc.send(c)
			if got := c.until("EOF"); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}

	// Protocol 3.2 and _pq_ options are negotiated down to 3.0.
	c = dialRaw(t, ts.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32, Parameters: map[string]string{"user": "u", "_pq_.compression": "on"}})
	out := c.until("ReadyForQuery")
	if !strings.HasPrefix(out, "NegotiateProtocolVersion 0 [_pq_.compression]\nAuthenticationOk\n") || !strings.HasSuffix(out, "ReadyForQuery I\n") {
		t.Errorf("protocol 3.2 startup:\n%s", out)
	}
}

func TestGarbageAfterStartup(t *testing.T) {
	ts := startServer(t, Config{})
	c := dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.write([]byte("hello, this is not a message\n"))
	// "ello" read as a length word is far past the limit.
	want := "ErrorResponse FATAL 08P01 \"invalid message length: 1701604463 bytes exceeds the limit of 67108864\"\nEOF\n"
	if got := c.until("EOF"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// A message with a length below its own length word.
	c = dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.write([]byte{'Q', 0, 0, 0, 2})
	if got := c.until("EOF"); !strings.HasPrefix(got, "ErrorResponse FATAL 08P01") {
		t.Errorf("bad length: %s", got)
	}

	// An unknown message type.
	c = dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.write([]byte{'h', 0, 0, 0, 4})
	if got, want := c.until("EOF"), "ErrorResponse FATAL 08P01 \"invalid frontend message: unknown message type: h\"\nEOF\n"; got != want {
		t.Errorf("unknown type: %s", got)
	}

	// A malformed body (Bind cut short).
	c = dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.write([]byte{'B', 0, 0, 0, 6, 'p', 0})
	if got := c.until("EOF"); !strings.HasPrefix(got, "ErrorResponse FATAL 08P01") {
		t.Errorf("malformed Bind: %s", got)
	}
	// A password message after startup.
	c = dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.send(&pgproto3.PasswordMessage{Password: "x"})
	if got := c.until("EOF"); !strings.HasPrefix(got, "ErrorResponse FATAL 08P01") {
		t.Errorf("password after startup: %s", got)
	}
}

func TestMessageTooLarge(t *testing.T) {
	ts := startServer(t, Config{MaxMessageSize: 1024})
	c := dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.send(&pgproto3.Query{String: "SELECT " + strings.Repeat("1", 1010)})
	if got := c.until("ReadyForQuery"); !strings.HasSuffix(got, "ReadyForQuery I\n") {
		t.Errorf("query just under the limit:\n%s", got)
	}
	c.send(&pgproto3.Query{String: "SELECT " + strings.Repeat("1", 2000)})
	want := "ErrorResponse FATAL 08P01 \"invalid message length: 2012 bytes exceeds the limit of 1024\"\nEOF\n"
	if got := c.until("EOF"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// A length word announcing a gigabyte is refused before the body.
	c = dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	c.write(binary.BigEndian.AppendUint32([]byte{'Q'}, 1<<30))
	if got := c.until("EOF"); !strings.HasPrefix(got, "ErrorResponse FATAL 08P01 \"invalid message length: 1073741824 bytes") {
		t.Errorf("huge length: %s", got)
	}
}

func TestTimeouts(t *testing.T) {
	ts := startServer(t, Config{IdleTimeout: 50 * time.Millisecond})
	c := dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "u"})
	want := "ErrorResponse FATAL 57P05 \"terminating connection due to idle-session timeout\"\nEOF\n"
	if got := c.until("EOF"); got != want {
		t.Errorf("idle session: got\n%s", got)
	}

	// BEGIN goes in the same packet as the startup, so that the session
	// is in its transaction block before any timer can fire.
	c = dialRaw(t, ts.addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}},
		&pgproto3.Query{String: "BEGIN"})
	c.until("ReadyForQuery", "ReadyForQuery")
	want = "ErrorResponse FATAL 25P03 \"terminating connection due to idle-in-transaction timeout\"\nEOF\n"
	if got := c.until("EOF"); got != want {
		t.Errorf("idle in transaction: got\n%s", got)
	}

	ts = startServer(t, Config{StartupTimeout: 50 * time.Millisecond})
	c = dialRaw(t, ts.addr)
	if got := c.until("EOF"); got != "EOF\n" {
		t.Errorf("silent client: got\n%s", got)
	}
}

func TestParseOptions(t *testing.T) {
	got, err := parseOptions(`-c search_path=a\ b  --statement-timeout=5s -cTimeZone=UTC`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"search_path", "a b"}, {"statement_timeout", "5s"}, {"TimeZone", "UTC"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("option %d: got %q, want %q", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"-x", "-c foo"} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestConfig(t *testing.T) {
	var cfg Config
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:5432" || cfg.MaxConnections != 100 || cfg.MaxMessageSize != 64<<20 || cfg.ServerVersion != "16.4 (armorlake)" {
		t.Errorf("defaults: %+v", cfg)
	}
	if got := serverVersionNum("16.13 (x)"); got != "160013" {
		t.Errorf("server_version_num: %s", got)
	}
	for _, bad := range []Config{
		{ServerVersion: "17.0"},
		{ServerVersion: "16"},
		{ServerVersion: "16.4beta"},
		{MaxConnections: -1},
		{MaxMessageSize: 10},
		{IdleTimeout: -time.Second},
		{Listen: "nohost"},
	} {
		bad.EnsureDefaults()
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: valid", bad)
		}
	}
	if _, err := New(Config{}, nil); err == nil {
		t.Error("nil engine accepted")
	}
}
