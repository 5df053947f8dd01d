package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/sqlerr"
)

// errCancelConn ends a connection that carried a CancelRequest.
var errCancelConn = errors.New("cancel request served")

// maxNegotiations bounds the SSLRequest and GSSENCRequest packets before
// the StartupMessage: libpq sends at most one of each.
const maxNegotiations = 2

// startup runs the handshake: encryption negotiation, CancelRequest, the
// StartupMessage, authentication and the parameter burst, up to the first
// ReadyForQuery. It is bounded by StartupTimeout.
func (c *conn) startup() error {
	if t := c.srv.cfg.StartupTimeout; t > 0 {
		c.nc.SetDeadline(time.Now().Add(t))
		defer c.nc.SetDeadline(time.Time{})
	}
	for n := 0; ; n++ {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			if isDisconnect(err) {
				return err
			}
			return fatal(sqlerr.ProtocolViolation, "invalid startup packet: %v", err)
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			c.negotiated++
			if n >= maxNegotiations || c.tls {
				return fatal(sqlerr.ProtocolViolation, "too many encryption requests")
			}
			if err := c.startTLS(); err != nil {
				return err
			}
		case *pgproto3.GSSEncRequest:
			c.negotiated++
			if n >= maxNegotiations {
				return fatal(sqlerr.ProtocolViolation, "too many encryption requests")
			}
			// 'N': no GSSAPI encryption; the client goes on, in plain
			// text or with an SSLRequest, on the same connection.
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return err
			}
		case *pgproto3.CancelRequest:
			c.srv.cancelRequest(m.ProcessID, m.SecretKey)
			return errCancelConn
		case *pgproto3.StartupMessage:
			return c.startSession(m)
		default:
			return fatal(sqlerr.ProtocolViolation, "unexpected startup packet %T", msg)
		}
	}
}

// startTLS answers an SSLRequest: 'S' and a TLS handshake when the server
// has a certificate, else 'N' and the client goes on in plain text.
func (c *conn) startTLS() error {
	cfg := c.srv.cfg.TLS
	if cfg == nil {
		_, err := c.nc.Write([]byte{'N'})
		return err
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return err
	}
	// Bytes the client sent after SSLRequest and before the handshake
	// would be read as if encrypted (CVE-2021-23214): refuse them.
	if c.raw.n > int64(c.negotiated)*8 {
		return fatal(sqlerr.ProtocolViolation, "received unencrypted data after SSL request")
	}
	tc := tls.Server(c.nc, cfg)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.nc, c.tls = tc, true
	c.raw = &countingReader{r: tc}
	c.be = newBackend(c.raw, tc, c.srv.cfg.MaxMessageSize)
	c.w.w = tc
	return nil
}

// startSession admits the client described by m.
func (c *conn) startSession(m *pgproto3.StartupMessage) error {
	params := m.Parameters
	user := params["user"]
	if user == "" {
		return fatal(sqlerr.InvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	database := params["database"]
	if database == "" {
		database = user
	}

	// Protocol 3.2 and "_pq_." protocol options are answered with the
	// newest version armorlake speaks (3.0) and the options it ignores.
	var pqOptions []string
	for k := range params {
		if strings.HasPrefix(k, "_pq_.") {
			pqOptions = append(pqOptions, k)
		}
	}
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 || len(pqOptions) > 0 {
		slices.Sort(pqOptions)
		c.w.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: pqOptions})
	}

	if !c.srv.addSession(c) {
		return fatal(sqlerr.TooManyConnections, "sorry, too many clients already")
	}
	c.sess = newSession(&c.srv.cfg, user, database)
	c.mu.Lock()
	c.user, c.database, c.started = user, database, time.Now()
	c.mu.Unlock()
	if err := c.applyStartupParams(params); err != nil {
		return &fatalError{err: err}
	}
	c.sess.markStarted()

	if err := c.authenticate(); err != nil {
		return err
	}
	for _, msg := range c.sess.appendReports(nil) {
		c.w.send(msg)
	}
	c.w.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.readyForQuery()
	return c.w.err
}

// applyStartupParams applies the StartupMessage parameters as the session's
// defaults. Unknown parameters are kept as they are, as drivers forward
// whatever their connection string holds.
func (c *conn) applyStartupParams(params map[string]string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := params[k]
		switch {
		case k == "user" || k == "database" || k == "replication" || strings.HasPrefix(k, "_pq_."):
		case k == "options":
			opts, err := parseOptions(v)
			if err != nil {
				return err
			}
			for _, o := range opts {
				if err := c.setStartupParam(o[0], o[1]); err != nil {
					return err
				}
			}
		default:
			if err := c.setStartupParam(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *conn) setStartupParam(name, value string) error {
	// libpq asks for the client's locale encoding, which may not be UTF8.
	// armorlake sends UTF8 regardless and says so in its ParameterStatus,
	// which libpq then follows, rather than refusing the connection.
	if cname, _ := canonical(name); cname == "client_encoding" && !isUTF8Name(value) {
		c.log.Debug("client_encoding not supported, using UTF8", "requested", value)
		return nil
	}
	if value == "" {
		return nil
	}
	return c.sess.set(name, value)
}

// parseOptions splits the "options" startup parameter, command-line
// switches for the backend: "-c name=value" or "--name=value", separated by
// spaces, with backslash escaping a space.
func parseOptions(s string) ([][2]string, error) {
	var words []string
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur = append(cur, s[i])
		case c == ' ' || c == '\t':
			if len(cur) > 0 {
				words = append(words, string(cur))
				cur = cur[:0]
			}
		default:
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	var out [][2]string
	for i := 0; i < len(words); i++ {
		w := words[i]
		var kv string
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			kv = words[i]
		case strings.HasPrefix(w, "-c"):
			kv = w[2:]
		case strings.HasPrefix(w, "--"):
			kv = w[2:]
		default:
			return nil, sqlerr.New(sqlerr.ProtocolViolation, "invalid command-line argument for server process: %s", w)
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, sqlerr.New(sqlerr.SyntaxError, "%s requires a value", fmt.Sprintf("-c %s", kv))
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}
