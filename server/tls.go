package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS for clients. A client that sends SSLRequest gets 'S' and a TLS
// handshake when the server has a certificate, 'N' otherwise. Grafana's
// PostgreSQL datasource defaults to sslmode=require, so a query node
// without a configured certificate makes itself one on first start
// (LoadOrCreateCertificate) and keeps it, so that a client that pinned it
// (sslmode=verify-ca with it as root) still connects after a restart.

// Certificate file names under a query node's data directory.
const (
	CertFile = "server.crt"
	KeyFile  = "server.key"
)

// ServerTLSConfig is the TLS configuration for serving clients with cert:
// TLS 1.2 or later (libpq and pgjdbc still negotiate 1.2 with some
// builds), no client certificates.
func ServerTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// LoadCertificate reads a PEM certificate chain and its key.
func LoadCertificate(certFile, keyFile string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("load TLS certificate %s: %w", certFile, err)
	}
	return cert, nil
}

// LoadOrCreateCertificate returns the certificate kept in dir, creating a
// self-signed one for hosts (names and IP addresses) when dir has none.
// created reports whether it was made now.
func LoadOrCreateCertificate(dir string, hosts []string) (cert tls.Certificate, created bool, err error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	_, errCert := os.Stat(certPath)
	_, errKey := os.Stat(keyPath)
	switch {
	case errCert == nil && errKey == nil:
		cert, err = LoadCertificate(certPath, keyPath)
		return cert, false, err
	case errCert == nil || errKey == nil:
		return tls.Certificate{}, false, fmt.Errorf("%s holds only one of %s and %s: remove it or supply the other", dir, CertFile, KeyFile)
	case !errors.Is(errCert, fs.ErrNotExist):
		return tls.Certificate{}, false, errCert
	}
	certPEM, keyPEM, err := SelfSignedCertificate(hosts, time.Now())
	if err != nil {
		return tls.Certificate{}, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, false, err
	}
	// The key first and private; the certificate last, so that a crash
	// between the two leaves a state the next start reports.
	if err := writeFileSync(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, false, err
	}
	if err := writeFileSync(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, false, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	return cert, true, err
}

// SelfSignedCertificate makes a self-signed ECDSA P-256 certificate valid
// for ten years from now for hosts, always including localhost and the
// loopback addresses. It returns the certificate and key in PEM.
func SelfSignedCertificate(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"armorlake"}, CommonName: "armorlake query node"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // its own root, so verify-full can trust it directly
	}
	seen := map[string]bool{}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func writeFileSync(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
