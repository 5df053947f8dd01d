package rpc

import (
	"context"
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

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// testPKI writes a CA and certificates it signs (for 127.0.0.1) into dir
// and returns the files of each named party.
func testPKI(t *testing.T, dir, caName string, parties ...string) map[string]TLSFiles {
	t.Helper()
	write := func(name string, block *pem.Block) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: caName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	caFile := write(caName+"-ca.pem", &pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	out := map[string]TLSFiles{}
	for i, p := range parties {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 2)), Subject: pkix.Name{CommonName: p},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		out[p] = TLSFiles{
			Cert: write(p+".pem", &pem.Block{Type: "CERTIFICATE", Bytes: der}),
			Key:  write(p+"-key.pem", &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
			CA:   caFile,
		}
	}
	return out
}

// TestMutualTLS: with mutual TLS an operator serves a query node whose
// certificate its CA signed; a query node with a certificate of another
// CA, or plaintext, is refused, and the error names the operator.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	pki := testPKI(t, dir, "armorlake", "operator", "query")
	rogue := testPKI(t, t.TempDir(), "rogue", "query")["query"]
	serverTLS, err := ServerTLS(pki["operator"])
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer(grpc.Creds(credentials.NewTLS(serverTLS)))
	NewServer(exec.NewMemSource(), func(name string) (*schema.Table, bool) { return table, name == "t" }, nil).Register(g)
	go g.Serve(ln)
	t.Cleanup(g.Stop)
	target := exec.Target{NodeID: "op-tls", Addr: ln.Addr().String()}

	run := func(c *Client) error {
		defer c.Close()
		op, err := c.Execute(context.Background(), target, sumFragment())
		if err != nil {
			return err
		}
		_, err = drain(t, op)
		return err
	}
	clientTLS, err := ClientTLS(pki["query"])
	if err != nil {
		t.Fatal(err)
	}
	if err := run(NewClient(ClientConfig{TLS: clientTLS})); err != nil {
		t.Fatalf("mutual TLS: %v", err)
	}
	// A client certificate from another CA: the operator refuses it
	// (and the client refuses the operator's certificate too).
	rogueTLS, err := ClientTLS(TLSFiles{Cert: rogue.Cert, Key: rogue.Key, CA: pki["query"].CA})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Client{
		"a certificate of another CA": NewClient(ClientConfig{TLS: rogueTLS, ConnectTimeout: 2 * time.Second}),
		"plaintext":                   NewClient(ClientConfig{ConnectTimeout: 2 * time.Second}),
	} {
		err := run(c)
		if sqlerr.Code(err) != sqlerr.SystemError || !strings.Contains(err.Error(), "op-tls") {
			t.Errorf("%s: %v, want 58000 naming the operator", name, err)
		}
	}
	if _, err := ServerTLS(TLSFiles{Cert: pki["operator"].Cert}); err == nil {
		t.Error("a certificate without key and CA was accepted")
	}
}
