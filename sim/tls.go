package sim

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// ServerOptions are the gRPC server options of a simulator configured by
// cfg: GRPCServerOptions, plus TLS when cfg names a certificate (mutual
// TLS when it also names a client CA). It reads the files at once, so a
// missing or malformed one fails before anything is served.
func ServerOptions(cfg Config) ([]grpc.ServerOption, error) {
	opts := GRPCServerOptions()
	if cfg.TLSCertFile == "" && cfg.TLSKeyFile == "" && cfg.TLSClientCAFile == "" {
		return opts, nil
	}
	tc, err := serverTLS(&cfg)
	if err != nil {
		return nil, err
	}
	return append(opts, grpc.Creds(credentials.NewTLS(tc))), nil
}

func serverTLS(cfg *Config) (*tls.Config, error) {
	if cfg.TLSCertFile == "" || cfg.TLSKeyFile == "" {
		return nil, errors.New("sim TLS: TLSCertFile and TLSKeyFile must be given together")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("sim TLS certificate %s with key %s: %w", cfg.TLSCertFile, cfg.TLSKeyFile, err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if cfg.TLSClientCAFile != "" {
		data, err := os.ReadFile(cfg.TLSClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("sim TLS client CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("sim TLS client CA bundle %s: no PEM certificate", cfg.TLSClientCAFile)
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return tc, nil
}
