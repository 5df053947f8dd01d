package server

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestLoadOrCreateCertificate: the first start makes a certificate, the
// next ones load the same; a lone half is an error, not a silent remake.
func TestLoadOrCreateCertificate(t *testing.T) {
	dir := t.TempDir()
	first, created, err := LoadOrCreateCertificate(dir, []string{"query-1.example", "10.1.2.3", "0.0.0.0"})
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}
	again, created, err := LoadOrCreateCertificate(dir, nil)
	if err != nil || created {
		t.Fatalf("second start: created %v, %v", created, err)
	}
	if !bytes.Equal(first.Certificate[0], again.Certificate[0]) {
		t.Error("second start made a new certificate")
	}
	leaf, err := x509.ParseCertificate(first.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "query-1.example", "127.0.0.1", "10.1.2.3", "::1"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("certificate not valid for %s: %v", name, err)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, KeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v, %v", info.Mode(), err)
	}
	if err := os.Remove(filepath.Join(dir, CertFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateCertificate(dir, nil); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Errorf("key without certificate: %v", err)
	}
}

func startTLSServer(t *testing.T) (*testServer, string) {
	t.Helper()
	dir := t.TempDir()
	cert, _, err := LoadOrCreateCertificate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return startServer(t, Config{TLS: ServerTLSConfig(cert)}), filepath.Join(dir, CertFile)
}

// TestTLS connects with every sslmode a client may use, and cancels a
// statement from a connection that is itself encrypted.
func TestTLS(t *testing.T) {
	ts, certPath := startTLSServer(t)
	ctx := testCtx(t)
	for _, tc := range []struct {
		mode string
		tls  bool
	}{
		{"sslmode=disable", false},
		{"sslmode=prefer", true},
		{"sslmode=require", true},
		{"sslmode=verify-ca&sslrootcert=" + certPath, true},
		{"sslmode=verify-full&sslrootcert=" + certPath, true},
	} {
		u := strings.Replace(ts.url(tc.mode), "sslmode=disable&", "", 1)
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Errorf("%s: %v", tc.mode, err)
			continue
		}
		_, isTLS := conn.PgConn().Conn().(*tls.Conn)
		if isTLS != tc.tls {
			t.Errorf("%s: TLS %v, want %v", tc.mode, isTLS, tc.tls)
		}
		var one int32
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Errorf("%s: %v, %v", tc.mode, one, err)
		}
		conn.Close(ctx)
	}

	// A certificate from another authority fails verify-ca.
	other, _, err := SelfSignedCertificate(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherPath := filepath.Join(t.TempDir(), "other.crt")
	os.WriteFile(otherPath, other, 0o644)
	u := strings.Replace(ts.url("sslmode=verify-ca&sslrootcert="+otherPath), "sslmode=disable&", "", 1)
	if conn, err := pgx.Connect(ctx, u); err == nil {
		conn.Close(ctx)
		t.Error("verify-ca against another CA connected")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("verify-ca against another CA: %v", err)
	}

	// Cancel over TLS: pgx sends the CancelRequest on a new encrypted
	// connection when the session's is encrypted.
	u = strings.Replace(ts.url("sslmode=require"), "sslmode=disable&", "", 1)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT pg_sleep()")
		done <- err
	}()
	waitFor(t, "the statement to block", func() bool { return ts.eng.sleeping.Load() == 1 })
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; pgCode(err) != "57014" {
		t.Errorf("canceled over TLS: %v", err)
	}
}

// TestTLSNegotiation: bytes sent after SSLRequest before the handshake
// are refused (they would be taken as encrypted), and a second
// SSLRequest inside TLS is a protocol violation.
func TestTLSNegotiation(t *testing.T) {
	ts, _ := startTLSServer(t)

	c := dialRaw(t, ts.addr)
	var buf []byte
	buf, _ = (&pgproto3.SSLRequest{}).Encode(buf)
	buf, _ = (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}}).Encode(buf)
	c.write(buf)
	var b [1]byte
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'S' {
		t.Fatalf("answer to SSLRequest: %q, %v", b, err)
	}
	if got := c.until("EOF"); got != "ErrorResponse FATAL 08P01 \"received unencrypted data after SSL request\"\nEOF\n" {
		t.Errorf("data after SSLRequest:\n%s", got)
	}

	c = dialRaw(t, ts.addr)
	c.send(&pgproto3.SSLRequest{})
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'S' {
		t.Fatalf("answer to SSLRequest: %q, %v", b, err)
	}
	tc := tls.Client(c.nc, &tls.Config{InsecureSkipVerify: true})
	buf, _ = (&pgproto3.SSLRequest{}).Encode(nil)
	if _, err := tc.Write(buf); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(tc)
	if !bytes.Contains(out, []byte("too many encryption requests")) {
		t.Errorf("SSLRequest inside TLS: %q", out)
	}
}
