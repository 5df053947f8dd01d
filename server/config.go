package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"time"
)

// Config configures a Server. The zero value of every field means its
// default; EnsureDefaults fills them in and Validate checks the result.
type Config struct {
	// Listen is the TCP address ListenAndServe listens on.
	// Default "127.0.0.1:5432".
	Listen string

	// MaxConnections is the number of sessions served at once. The next
	// client gets ErrorResponse 53300 and is disconnected. Cancel requests
	// do not count. Default 100.
	MaxConnections int

	// MaxMessageSize is the largest frontend message accepted, in bytes,
	// length word included. A larger message is a protocol violation
	// (08P01) that closes the connection. Default 64 MiB.
	MaxMessageSize int

	// IdleTimeout closes a session that waits longer than this for the
	// client's next message. 0, the default, means never.
	IdleTimeout time.Duration

	// StartupTimeout bounds the handshake, from accept to the first
	// ReadyForQuery (PostgreSQL's authentication_timeout), so that silent
	// connections cannot pile up. Default 1 minute.
	StartupTimeout time.Duration

	// ServerVersion is reported as the server_version parameter. It must
	// start with "16.<minor>": psql and drivers gate their catalog queries
	// on the major version, and armorlake answers PostgreSQL 16's.
	// server_version_num is derived from it. Default "16.4 (armorlake)".
	ServerVersion string

	// TLS, when set, answers SSLRequest with 'S' and a TLS handshake;
	// nil answers 'N' and clients go on in plain text.
	TLS *tls.Config

	// Auth decides who may connect, pg_hba.conf's way (auth.go); nil
	// trusts everyone (TrustAll), as armorlake dev does.
	Auth []AuthRule
	// Users gives the password verifiers of the users that log in by
	// password.
	Users Users

	// Logger receives connection-level events (at Debug) and recovered
	// panics (at Error). Default: discard everything.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultListen         = "127.0.0.1:5432"
	DefaultMaxConnections = 100
	DefaultMaxMessageSize = 64 << 20
	DefaultStartupTimeout = time.Minute
	DefaultServerVersion  = "16.4 (armorlake)"

	// minMessageSize keeps MaxMessageSize above what any handshake or
	// ordinary short query needs.
	minMessageSize = 1 << 10
)

// EnsureDefaults replaces zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.StartupTimeout == 0 {
		c.StartupTimeout = DefaultStartupTimeout
	}
	if c.ServerVersion == "" {
		c.ServerVersion = DefaultServerVersion
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Auth == nil {
		c.Auth = TrustAll
	}
}

var serverVersionRE = regexp.MustCompile(`^16\.([0-9]{1,4})(?:$|[ (])`)

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("Listen %q: %w", c.Listen, err))
	}
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("MaxConnections %d: must be positive", c.MaxConnections))
	}
	if c.MaxMessageSize < minMessageSize {
		errs = append(errs, fmt.Errorf("MaxMessageSize %d: must be at least %d", c.MaxMessageSize, minMessageSize))
	}
	if c.IdleTimeout < 0 {
		errs = append(errs, fmt.Errorf("IdleTimeout %v: must not be negative", c.IdleTimeout))
	}
	if c.StartupTimeout < 0 {
		errs = append(errs, fmt.Errorf("StartupTimeout %v: must not be negative", c.StartupTimeout))
	}
	if !serverVersionRE.MatchString(c.ServerVersion) {
		errs = append(errs, fmt.Errorf("ServerVersion %q: must start with 16.<minor>", c.ServerVersion))
	}
	if c.Logger == nil {
		errs = append(errs, errors.New("Logger: nil (call EnsureDefaults)"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("server config: %w", errors.Join(errs...))
	}
	return nil
}

// serverVersionNum derives server_version_num ("160004") from a validated
// ServerVersion.
func serverVersionNum(version string) string {
	m := serverVersionRE.FindStringSubmatch(version)
	minor, _ := strconv.Atoi(m[1])
	return strconv.Itoa(160000 + minor)
}
