package ingest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/sim"
)

// testPKI is a throwaway CA with a server and a client certificate, and
// an unrelated CA, written as PEM files into a test's temporary directory.
type testPKI struct {
	ca, otherCA               string
	serverCert, serverKey     string
	clientCert, clientKey     string
	strangerCert, strangerKey string // client certificate signed by otherCA
}

// serverName is the DNS name in the server certificate, besides 127.0.0.1.
const serverName = "kubearmor.kubearmor.svc"

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	serial := int64(0)
	issue := func(tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore = time.Now().Add(-time.Hour)
		tmpl.NotAfter = time.Now().Add(time.Hour)
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return cert, key, der
	}
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	writeKey := func(name string, key *ecdsa.PrivateKey) string {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, "PRIVATE KEY", der)
	}
	newCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		return issue(&x509.Certificate{
			Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		}, nil, nil)
	}
	leaf := func(name string, usage x509.ExtKeyUsage, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
		tmpl := &x509.Certificate{
			Subject: pkix.Name{CommonName: name}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if usage == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames = []string{serverName}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		_, key, der := issue(tmpl, ca, caKey)
		return key, der
	}

	var p testPKI
	ca, caKey, caDER := newCA("armorlake test CA")
	other, otherKey, otherDER := newCA("some other CA")
	p.ca, p.otherCA = write("ca.pem", "CERTIFICATE", caDER), write("other-ca.pem", "CERTIFICATE", otherDER)
	key, der := leaf("kubearmor", x509.ExtKeyUsageServerAuth, ca, caKey)
	p.serverCert, p.serverKey = write("server.pem", "CERTIFICATE", der), writeKey("server-key.pem", key)
	key, der = leaf("armorlake operator", x509.ExtKeyUsageClientAuth, ca, caKey)
	p.clientCert, p.clientKey = write("client.pem", "CERTIFICATE", der), writeKey("client-key.pem", key)
	key, der = leaf("stranger", x509.ExtKeyUsageClientAuth, other, otherKey)
	p.strangerCert, p.strangerKey = write("stranger.pem", "CERTIFICATE", der), writeKey("stranger-key.pem", key)
	return &p
}

// Every event of a lossless simulator arrives over TLS and over mutual
// TLS, with and without a server name override.
func TestTLSEndToEnd(t *testing.T) {
	p := newTestPKI(t)
	for _, tc := range []struct {
		name     string
		clientCA string
		tls      ingest.TLSConfig
	}{
		{"tls", "", ingest.TLSConfig{Enabled: true, CAFile: p.ca}},
		{"tls server name", "", ingest.TLSConfig{Enabled: true, CAFile: p.ca, ServerName: serverName}},
		{"mutual tls", p.ca, ingest.TLSConfig{Enabled: true, CAFile: p.ca, CertFile: p.clientCert, KeyFile: p.clientKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sim.Config{Seed: 11, Start: simStart, Span: time.Hour, Count: 3000,
				WaitForSubscribers: true, WaitForMessages: true, Lossless: true,
				TLSCertFile: p.serverCert, TLSKeyFile: p.serverKey, TLSClientCAFile: tc.clientCA}
			_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
			sink := newMemSink()
			in := newIngester(t, ingest.Config{
				Endpoints:     []ingest.Endpoint{{Addr: addr, Messages: true, TLS: tc.tls}},
				FlushInterval: 20 * time.Millisecond,
			}, sink)
			runIngester(t, in)
			waitFor(t, 30*time.Second, "every event stored", func() bool { return sink.total() == cfg.Count })
			if s := stats(in); s.Received != int64(cfg.Count) || s.Reconnects != 0 || s.LastError != "" {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// A connection the server's TLS refuses fails every stream with the
// reason in LastError, and the ingester backs off instead of spinning.
func TestTLSHandshakeFailures(t *testing.T) {
	p := newTestPKI(t)
	for _, tc := range []struct {
		name     string
		clientCA string // the server requires client certificates signed by it
		tls      ingest.TLSConfig
		want     string // in LastError
	}{
		{"mutual tls without client certificate", p.ca,
			ingest.TLSConfig{Enabled: true, CAFile: p.ca}, "the server asked for a client certificate and none is configured"},
		{"mutual tls with a certificate of another CA", p.ca,
			ingest.TLSConfig{Enabled: true, CAFile: p.ca, CertFile: p.strangerCert, KeyFile: p.strangerKey}, "may refuse "},
		{"wrong CA", "",
			ingest.TLSConfig{Enabled: true, CAFile: p.otherCA}, "certificate signed by unknown authority"},
		{"wrong server name", "",
			ingest.TLSConfig{Enabled: true, CAFile: p.ca, ServerName: "elsewhere.svc"}, "not elsewhere.svc"},
		{"plaintext client", "",
			ingest.TLSConfig{}, "does the endpoint require TLS?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sim.Config{Seed: 12, Rate: 1000, TLSCertFile: p.serverCert, TLSKeyFile: p.serverKey, TLSClientCAFile: tc.clientCA}
			_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
			sink := newMemSink()
			in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr, TLS: tc.tls}}}, sink)
			start := time.Now()
			runIngester(t, in)
			waitFor(t, 30*time.Second, "four reconnects", func() bool { return stats(in).Reconnects >= 4 })
			// The two streams back off independently: the fastest way to
			// four reconnects is two each, after waits of at least 200ms
			// and 400ms (250ms doubling, -20% jitter).
			if elapsed := time.Since(start); elapsed < 600*time.Millisecond {
				t.Errorf("four reconnects within %s: not backing off", elapsed)
			}
			s := stats(in)
			if s.Reconnects > 8 {
				t.Errorf("%d reconnects within %s", s.Reconnects, time.Since(start))
			}
			t.Logf("LastError: %s", s.LastError)
			if s.Connected || s.Received != 0 || s.EmptyStreams != 0 || !strings.Contains(s.LastError, tc.want) {
				t.Errorf("stats %+v, want LastError containing %q", s, tc.want)
			}
		})
	}
}

// Missing or malformed TLS files, and settings that contradict each
// other, fail New with an error naming the problem.
func TestTLSConfigErrors(t *testing.T) {
	p := newTestPKI(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct {
		name string
		tls  ingest.TLSConfig
		want string
	}{
		{"files without TLS", ingest.TLSConfig{CAFile: p.ca}, "TLS not enabled"},
		{"certificate without key", ingest.TLSConfig{Enabled: true, CertFile: p.clientCert}, "together"},
		{"key without certificate", ingest.TLSConfig{Enabled: true, KeyFile: p.clientKey}, "together"},
		{"missing CA", ingest.TLSConfig{Enabled: true, CAFile: missing}, "TLS CA bundle: open " + missing},
		{"CA not PEM", ingest.TLSConfig{Enabled: true, CAFile: p.clientKey}, "no PEM certificate"},
		{"missing certificate", ingest.TLSConfig{Enabled: true, CertFile: missing, KeyFile: p.clientKey}, "TLS client certificate " + missing},
		{"key of another certificate", ingest.TLSConfig{Enabled: true, CertFile: p.clientCert, KeyFile: p.serverKey}, "private key does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ingest.Config{OperatorID: "op", Endpoints: []ingest.Endpoint{{Addr: "127.0.0.1:1", TLS: tc.tls}}}
			_, err := ingest.New(cfg, newMemSink())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "127.0.0.1:1") {
				t.Errorf("New: %v, want an error naming the endpoint and containing %q", err, tc.want)
			}
		})
	}
}
