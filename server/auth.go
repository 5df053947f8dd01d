package server

import (
	"bufio"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/sqlerr"
)

// Authentication. Each connection is matched against the rules of
// Config.Auth, in order, as PostgreSQL matches pg_hba.conf: by whether it
// is encrypted, by user and by client address. The first rule that
// matches decides: trust admits, reject refuses, scram-sha-256 runs a
// SCRAM-SHA-256 exchange (RFC 5802, 7677) against the user's verifier,
// and password asks for the password in clear, which armorlake accepts
// only over TLS. Users and their verifiers come from Config.Users (the
// catalog, managed with "armorlake user").

// Users gives the SCRAM-SHA-256 verifier of a user.
type Users interface {
	// Verifier returns the user's verifier in PostgreSQL's form,
	// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
	Verifier(user string) (string, bool)
}

// AuthRule is one line of pg_hba.conf: connection type, users, client
// addresses and method.
type AuthRule struct {
	Type   string   // "host", "hostssl" or "hostnossl"
	Users  []string // names, or "all"
	Nets   []*net.IPNet
	AllIPs bool
	Method string // "trust", "reject", "scram-sha-256" or "password"
}

// Authentication methods.
const (
	MethodTrust  = "trust"
	MethodReject = "reject"
	MethodSCRAM  = "scram-sha-256"
	MethodClear  = "password"
)

// TrustAll admits everyone: armorlake dev's default.
var TrustAll = []AuthRule{{Type: "host", Users: []string{"all"}, AllIPs: true, Method: MethodTrust}}

// DefaultAuth trusts loopback clients and asks every other for a
// password by SCRAM: a query node's default.
var DefaultAuth = mustRules("host all 127.0.0.1/32 trust\nhost all ::1/128 trust\nhost all all scram-sha-256")

func mustRules(s string) []AuthRule {
	r, err := ParseAuthRules(s)
	if err != nil {
		panic(err)
	}
	return r
}

// ParseAuthRules reads rules in pg_hba.conf's form, one per line:
//
//	TYPE  [DATABASE]  USER  ADDRESS  METHOD
//
// TYPE is host, hostssl or hostnossl; DATABASE, when given, must be "all"
// (armorlake has one database under many names); USER is all or a
// comma-separated list; ADDRESS is all, an IP with a /prefix, or an IP;
// METHOD is trust, reject, scram-sha-256 or password. # starts a comment.
func ParseAuthRules(s string) ([]AuthRule, error) {
	var rules []AuthRule
	sc := bufio.NewScanner(strings.NewReader(s))
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("auth rules line %d: %s", line, fmt.Sprintf(format, args...))
		}
		switch len(f) {
		case 4:
		case 5:
			if f[1] != "all" {
				return nil, bad("database %q: armorlake has one database, give all", f[1])
			}
			f = append(f[:1], f[2:]...)
		default:
			return nil, bad("want TYPE [DATABASE] USER ADDRESS METHOD, got %d fields", len(f))
		}
		r := AuthRule{Type: f[0], Users: strings.Split(f[1], ","), Method: f[3]}
		switch r.Type {
		case "host", "hostssl", "hostnossl":
		default:
			return nil, bad("connection type %q: want host, hostssl or hostnossl", r.Type)
		}
		switch r.Method {
		case MethodTrust, MethodReject, MethodSCRAM, MethodClear:
		default:
			return nil, bad("method %q: want trust, reject, scram-sha-256 or password", r.Method)
		}
		if f[2] == "all" {
			r.AllIPs = true
		} else {
			for _, a := range strings.Split(f[2], ",") {
				if !strings.Contains(a, "/") {
					if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
						a += "/32"
					} else {
						a += "/128"
					}
				}
				_, n, err := net.ParseCIDR(a)
				if err != nil {
					return nil, bad("address %q: %v", a, err)
				}
				r.Nets = append(r.Nets, n)
			}
		}
		rules = append(rules, r)
	}
	return rules, sc.Err()
}

// LoadAuthRules reads rules from a file.
func LoadAuthRules(path string) ([]AuthRule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rules, err := ParseAuthRules(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rules, nil
}

// matches reports whether r applies to a connection.
func (r *AuthRule) matches(user string, ip net.IP, tls bool) bool {
	if (r.Type == "hostssl" && !tls) || (r.Type == "hostnossl" && tls) {
		return false
	}
	userOK := false
	for _, u := range r.Users {
		userOK = userOK || u == "all" || u == user
	}
	if !userOK {
		return false
	}
	if r.AllIPs {
		return true
	}
	for _, n := range r.Nets {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// authenticate authenticates the session's user by the first matching
// rule, and sends AuthenticationOk.
func (c *conn) authenticate() error {
	user := c.sess.user
	var ip net.IP
	if a, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
		ip = a.IP
	}
	rules := c.srv.cfg.Auth
	var rule *AuthRule
	for i := range rules {
		if rules[i].matches(user, ip, c.tls) {
			rule = &rules[i]
			break
		}
	}
	ssl := "off"
	if c.tls {
		ssl = "on"
	}
	if rule == nil {
		return fatal(sqlerr.InvalidAuthorization, "no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", SSL %s",
			ip, user, c.sess.database, ssl)
	}
	var err error
	switch rule.Method {
	case MethodTrust:
	case MethodReject:
		err = fatal(sqlerr.InvalidAuthorization, "pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", SSL %s",
			ip, user, c.sess.database, ssl)
	case MethodClear:
		err = c.authCleartext(user)
	case MethodSCRAM:
		err = c.authSCRAM(user)
	}
	if err != nil {
		c.log.Info("authentication failed", "user", user, "method", rule.Method, "err", err)
		return err
	}
	c.w.send(&pgproto3.AuthenticationOk{})
	return nil
}

// errPasswordFailed is the one answer to every failed password: it does
// not say whether the user exists.
func errPasswordFailed(user string) error {
	return fatal(sqlerr.InvalidPassword, "password authentication failed for user \"%s\"", user)
}

// verifier returns the user's parsed verifier; for an unknown user, a
// made-up one that no password matches, so that the exchange goes on as
// for a real user (no user enumeration).
func (c *conn) verifier(user string) (*scramVerifier, bool) {
	if c.srv.cfg.Users != nil {
		if s, ok := c.srv.cfg.Users.Verifier(user); ok {
			if v, err := parseVerifier(s); err == nil {
				return v, true
			}
			c.log.Warn("unreadable SCRAM verifier", "user", user)
		}
	}
	v := &scramVerifier{iterations: scramIterations, salt: make([]byte, 16), storedKey: make([]byte, 32), serverKey: make([]byte, 32)}
	rand.Read(v.salt)
	rand.Read(v.storedKey)
	return v, false
}

func (c *conn) authCleartext(user string) error {
	if !c.tls {
		return fatal(sqlerr.InvalidAuthorization, "password authentication in clear needs an encrypted connection: connect with sslmode=require")
	}
	msg, err := c.authExchange(&pgproto3.AuthenticationCleartextPassword{}, pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return fatal(sqlerr.ProtocolViolation, "expected password response, got %T", msg)
	}
	v, known := c.verifier(user)
	if !known || !v.checkPassword(pm.Password) {
		return errPasswordFailed(user)
	}
	return nil
}

// authSCRAM runs SCRAM-SHA-256 without channel binding.
func (c *conn) authSCRAM(user string) error {
	msg, err := c.authExchange(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}}, pgproto3.AuthTypeSASL)
	if err != nil {
		return err
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return fatal(sqlerr.ProtocolViolation, "expected SASL response, got %T", msg)
	}
	if init.AuthMechanism != "SCRAM-SHA-256" {
		return fatal(sqlerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism")
	}
	clientFirstBare, clientNonce, err := parseClientFirst(string(init.Data))
	if err != nil {
		return err
	}
	v, known := c.verifier(user)
	nonce := make([]byte, 18)
	rand.Read(nonce)
	serverNonce := clientNonce + base64.StdEncoding.EncodeToString(nonce)
	serverFirst := "r=" + serverNonce + ",s=" + base64.StdEncoding.EncodeToString(v.salt) + ",i=" + strconv.Itoa(v.iterations)
	if msg, err = c.authExchange(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)}, pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fatal(sqlerr.ProtocolViolation, "expected SASL response, got %T", msg)
	}
	// client-final-message: c=<binding>,r=<nonce>,p=<proof>
	final := string(resp.Data)
	withoutProof, proofAttr, ok := strings.Cut(final, ",p=")
	if !ok || (!strings.HasPrefix(withoutProof, "c=biws,") && !strings.HasPrefix(withoutProof, "c=eSws,")) {
		return fatal(sqlerr.ProtocolViolation, "malformed SCRAM message: unexpected channel-binding or attribute")
	}
	if attrs := strings.Split(withoutProof, ","); len(attrs) < 2 || attrs[1] != "r="+serverNonce {
		return fatal(sqlerr.ProtocolViolation, "malformed SCRAM message: nonce does not match")
	}
	proof, err := base64.StdEncoding.DecodeString(proofAttr)
	if err != nil || len(proof) != sha256.Size {
		return fatal(sqlerr.ProtocolViolation, "malformed SCRAM message: invalid proof")
	}
	authMessage := clientFirstBare + "," + serverFirst + "," + withoutProof
	clientSig := hmacSHA256(v.storedKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ clientSig[i]
	}
	stored := sha256.Sum256(clientKey)
	if !known || subtle.ConstantTimeCompare(stored[:], v.storedKey) != 1 {
		return errPasswordFailed(user)
	}
	serverSig := hmacSHA256(v.serverKey, authMessage)
	c.w.send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	return nil
}

// parseClientFirst reads "n,,n=<user>,r=<nonce>": no channel binding
// ("y" is accepted: armorlake offers none), the user name ignored as
// PostgreSQL ignores it (the startup packet's counts).
func parseClientFirst(s string) (bare, nonce string, err error) {
	malformed := fatal(sqlerr.ProtocolViolation, "malformed SCRAM message")
	var header string
	switch {
	case strings.HasPrefix(s, "n,"), strings.HasPrefix(s, "y,"):
		header = s[:2]
	case strings.HasPrefix(s, "p="):
		return "", "", fatal(sqlerr.ProtocolViolation, "channel binding is not supported: armorlake does not offer SCRAM-SHA-256-PLUS")
	default:
		return "", "", malformed
	}
	rest := s[len(header):]
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || authzid != "" {
		return "", "", malformed
	}
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok && v != "" {
			nonce = v
		}
	}
	if nonce == "" || !strings.HasPrefix(bare, "n=") {
		return "", "", malformed
	}
	return bare, nonce, nil
}

// SCRAM verifiers.

const scramIterations = 4096

type scramVerifier struct {
	iterations           int
	salt                 []byte
	storedKey, serverKey []byte
}

// NewSCRAMVerifier makes the SCRAM-SHA-256 verifier of a password, with
// a random salt and PostgreSQL's 4096 iterations, in PostgreSQL's form.
func NewSCRAMVerifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	v, err := deriveVerifier(password, salt, scramIterations)
	if err != nil {
		return "", err
	}
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.iterations, enc(v.salt), enc(v.storedKey), enc(v.serverKey)), nil
}

func deriveVerifier(password string, salt []byte, iterations int) (*scramVerifier, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return &scramVerifier{iterations: iterations, salt: salt, storedKey: stored[:], serverKey: hmacSHA256(salted, "Server Key")}, nil
}

func parseVerifier(s string) (*scramVerifier, error) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, fmt.Errorf("not a SCRAM-SHA-256 verifier")
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, fmt.Errorf("malformed verifier")
	}
	iterStr, saltStr, ok1 := strings.Cut(params, ":")
	storedStr, serverStr, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("malformed verifier")
	}
	v := &scramVerifier{}
	var err error
	if v.iterations, err = strconv.Atoi(iterStr); err != nil || v.iterations < 1 {
		return nil, fmt.Errorf("malformed verifier iterations")
	}
	dec := base64.StdEncoding.DecodeString
	if v.salt, err = dec(saltStr); err != nil {
		return nil, err
	}
	if v.storedKey, err = dec(storedStr); err != nil || len(v.storedKey) != sha256.Size {
		return nil, fmt.Errorf("malformed verifier stored key")
	}
	if v.serverKey, err = dec(serverStr); err != nil || len(v.serverKey) != sha256.Size {
		return nil, fmt.Errorf("malformed verifier server key")
	}
	return v, nil
}

// CheckPassword reports whether password matches a verifier in
// PostgreSQL's form.
func CheckPassword(verifier, password string) bool {
	v, err := parseVerifier(verifier)
	return err == nil && v.checkPassword(password)
}

// checkPassword reports whether password derives the verifier's keys.
func (v *scramVerifier) checkPassword(password string) bool {
	d, err := deriveVerifier(password, v.salt, v.iterations)
	return err == nil && subtle.ConstantTimeCompare(d.storedKey, v.storedKey) == 1
}

// authExchange sends an authentication request and reads the client's
// answer, decoded as the request calls for.
func (c *conn) authExchange(req pgproto3.BackendMessage, authType uint32) (pgproto3.FrontendMessage, error) {
	c.w.send(req)
	if err := c.w.flush(); err != nil {
		return nil, err
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return nil, readError(err)
	}
	return msg, nil
}

// readError turns a failed read during authentication into the error
// that ends the session.
func readError(err error) error {
	if isDisconnect(err) {
		return err
	}
	return fatal(sqlerr.ProtocolViolation, "invalid authentication message: %v", err)
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
