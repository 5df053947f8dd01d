package sim

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
)

// selfSigned writes a throwaway self-signed certificate and its key into
// dir and returns their paths.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubearmor"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for path, b := range map[string]*pem.Block{cert: {Type: "CERTIFICATE", Bytes: der}, key: {Type: "PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key
}

func TestValidateTLS(t *testing.T) {
	for name, c := range map[string]Config{
		"certificate without key": {TLSCertFile: "cert.pem"},
		"key without certificate": {TLSKeyFile: "key.pem"},
		"client CA without TLS":   {TLSClientCAFile: "ca.pem"},
	} {
		c.EnsureDefaults()
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	c := Config{TLSCertFile: "cert.pem", TLSKeyFile: "key.pem", TLSClientCAFile: "ca.pem"}
	c.EnsureDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("mutual TLS: %v", err)
	}
}

// Unreadable or malformed TLS files fail ServerOptions, and Serve before
// it serves, with an error naming the file.
func TestServerOptionsFileErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	cert, key := selfSigned(t, dir)
	if opts, err := ServerOptions(Config{}); err != nil || len(opts) != len(GRPCServerOptions()) {
		t.Errorf("plaintext: %d options, %v", len(opts), err)
	}
	if opts, err := ServerOptions(Config{TLSCertFile: cert, TLSKeyFile: key, TLSClientCAFile: cert}); err != nil || len(opts) != len(GRPCServerOptions())+1 {
		t.Errorf("mutual TLS: %d options, %v", len(opts), err)
	}
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"missing certificate":     {Config{TLSCertFile: missing, TLSKeyFile: junk}, "sim TLS certificate " + missing},
		"certificate not PEM":     {Config{TLSCertFile: junk, TLSKeyFile: junk}, "failed to find any PEM data"},
		"key without certificate": {Config{TLSKeyFile: junk}, "together"},
		"key of no certificate":   {Config{TLSCertFile: cert, TLSKeyFile: junk}, "sim TLS certificate " + cert + " with key " + junk},
		"missing client CA":       {Config{TLSCertFile: cert, TLSKeyFile: key, TLSClientCAFile: missing}, "sim TLS client CA bundle: open " + missing},
		"client CA not PEM":       {Config{TLSCertFile: cert, TLSKeyFile: key, TLSClientCAFile: junk}, "sim TLS client CA bundle " + junk + ": no PEM certificate"},
	} {
		if _, err := ServerOptions(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if err := NewServer(tc.cfg).Serve(t.Context(), lis); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Serve: %v, want an error containing %q", name, err, tc.want)
		}
	}
}
