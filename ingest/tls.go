package ingest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// TLSConfig secures the connection to one endpoint, as `karmor --secure`
// does. The zero value is plaintext, KubeArmor's default. Files are PEM
// and read once, when the Ingester is created: a certificate rotated on
// disk takes effect at the next restart.
type TLSConfig struct {
	// Enabled connects over TLS and verifies the server's certificate.
	// Default false: plaintext. The other fields need it.
	Enabled bool
	// CAFile is a bundle of the CA certificates that sign the server's
	// certificate. Default: the system roots.
	CAFile string
	// CertFile and KeyFile are the client certificate (with its chain)
	// and its private key, presented to a server that requires mutual
	// TLS. Both or neither.
	CertFile, KeyFile string
	// ServerName is the name the server's certificate must carry.
	// Default: the host of Endpoint.Addr.
	ServerName string
}

func (c *TLSConfig) validate() error {
	switch {
	case !c.Enabled && (c.CAFile != "" || c.CertFile != "" || c.KeyFile != "" || c.ServerName != ""):
		return errors.New("TLS settings given but TLS not enabled")
	case (c.CertFile == "") != (c.KeyFile == ""):
		return errors.New("TLS client certificate and key must be given together")
	}
	return nil
}

// transportCredentials returns the gRPC credentials of ep: plaintext, or
// TLS with the files of ep.TLS loaded. Handshakes report to w.
func (ep *Endpoint) transportCredentials(w *tlsWatch) (credentials.TransportCredentials, error) {
	c := &ep.TLS
	if !c.Enabled {
		return insecure.NewCredentials(), nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if c.CAFile != "" {
		pool, err := loadCertPool(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA bundle: %w", err)
		}
		cfg.RootCAs = pool
	}
	var cert *tls.Certificate
	if c.CertFile != "" {
		kp, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate %s with key %s: %w", c.CertFile, c.KeyFile, err)
		}
		cert = &kp
	}
	// VerifyConnection runs in every handshake that gets past the server's
	// certificate; GetClientCertificate after it, if the server asks for
	// a client certificate.
	cfg.VerifyConnection = func(tls.ConnectionState) error {
		w.clientCert.Store(nil)
		return nil
	}
	cfg.GetClientCertificate = func(req *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if cert == nil {
			w.note("the server asked for a client certificate and none is configured")
			return &tls.Certificate{}, nil
		}
		if err := req.SupportsCertificate(cert); err != nil {
			w.note(fmt.Sprintf("the server asked for a client certificate and may refuse %s: %v", c.CertFile, err))
		}
		// Sent even if the server may refuse it: the server decides.
		return cert, nil
	}
	return credentials.NewTLS(cfg), nil
}

// tlsWatch keeps what an endpoint's last TLS handshake revealed about the
// client certificate. Under TLS 1.3 a server refuses the client's
// certificate only after the client has finished its handshake, so the
// client sees a broken connection ("broken pipe", "EOF", at best "remote
// error: certificate required") rather than the reason; the server's
// certificate request, seen during the handshake, tells it beforehand.
type tlsWatch struct {
	clientCert atomic.Pointer[string] // nil: nothing to report
}

func (w *tlsWatch) note(s string) { w.clientCert.Store(&s) }

// hint returns a parenthesized explanation to append to err, a failed
// stream of an endpoint with the given TLS settings, or "".
func (w *tlsWatch) hint(c *TLSConfig, err error) string {
	if status.Code(err) != codes.Unavailable {
		return ""
	}
	if c.Enabled {
		if s := w.clientCert.Load(); s != nil {
			return " (" + *s + ")"
		}
		return ""
	}
	// A TLS server drops a plaintext connection before sending its HTTP/2
	// preface, which gRPC reports as "error reading server preface: EOF"
	// or "connection closed before server preface received".
	if strings.Contains(err.Error(), "server preface") {
		return " (the server closed a plaintext connection: does the endpoint require TLS?)"
	}
	return ""
}

// loadCertPool reads a PEM bundle of CA certificates.
func loadCertPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return pool, nil
}
