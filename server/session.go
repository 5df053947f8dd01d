package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// Transaction status bytes of ReadyForQuery.
const (
	txnIdle   byte = 'I' // not in a transaction block
	txnBlock  byte = 'T' // in a transaction block
	txnFailed byte = 'E' // in a failed transaction block: only COMMIT or ROLLBACK run
)

// settingDef describes a configuration parameter the session knows. A
// session also keeps any other name a client sets, so that drivers that
// set parameters armorlake has no use for keep working.
type settingDef struct {
	name     string // canonical spelling, as SHOW and ParameterStatus print it
	report   bool   // GUC_REPORT: a change is sent to the client as ParameterStatus
	readOnly bool   // fixed by the server: SET fails with 55P02
	// check validates a value and returns its canonical form. nil accepts
	// any value as given.
	check func(v string) (string, error)
}

// settingDefs lists the parameters armorlake knows. The reported ones come
// first, in the order the startup ParameterStatus burst sends them.
var settingDefs = []settingDef{
	{name: "server_version", report: true, readOnly: true},
	{name: "server_encoding", report: true, readOnly: true},
	{name: "client_encoding", report: true, check: checkClientEncoding},
	{name: "DateStyle", report: true, check: checkDateStyle},
	{name: "TimeZone", report: true, check: checkTimeZone},
	{name: "integer_datetimes", report: true, readOnly: true},
	{name: "standard_conforming_strings", report: true, check: checkOnlyOn},
	{name: "IntervalStyle", report: true, check: checkIntervalStyle},
	{name: "is_superuser", report: true, readOnly: true},
	{name: "session_authorization", report: true, readOnly: true},
	{name: "application_name", report: true, check: checkApplicationName},

	{name: "server_version_num", readOnly: true},
	{name: "max_identifier_length", readOnly: true},
	{name: "search_path"},
	{name: "extra_float_digits", check: checkExtraFloatDigits},
	{name: "statement_timeout", check: checkTimeout("statement_timeout")},
	{name: "lock_timeout"},
	{name: "idle_in_transaction_session_timeout"},
	{name: "client_min_messages"},
	{name: "transaction_isolation"},
	{name: "default_transaction_isolation"},
	{name: "transaction_read_only"},
	{name: "default_transaction_read_only"},
	// armorlake's own: off plans queries without pushdown (fragments
	// only read columns), to check that pushing work down changes no
	// result.
	{name: "armorlake.pushdown", check: checkOnOff("armorlake.pushdown")},
	// The memory one statement may hold on the query node ("256MB").
	{name: "armorlake.query_memory", check: checkMemory("armorlake.query_memory")},
	// on answers from the operators that can, with a notice naming those
	// that could not, instead of failing the query.
	{name: "armorlake.partial_results", check: checkOnOff("armorlake.partial_results")},
}

var settingsByKey = func() map[string]*settingDef {
	m := make(map[string]*settingDef, len(settingDefs))
	for i := range settingDefs {
		m[strings.ToLower(settingDefs[i].name)] = &settingDefs[i]
	}
	return m
}()

// defaultSettings returns the value of every known parameter in a new
// session of user, before startup options apply.
func defaultSettings(cfg *Config, user string) map[string]string {
	return map[string]string{
		"server_version":                      cfg.ServerVersion,
		"server_version_num":                  serverVersionNum(cfg.ServerVersion),
		"server_encoding":                     "UTF8",
		"client_encoding":                     "UTF8",
		"DateStyle":                           "ISO, MDY",
		"TimeZone":                            "UTC",
		"integer_datetimes":                   "on",
		"standard_conforming_strings":         "on",
		"IntervalStyle":                       "postgres",
		"is_superuser":                        "off",
		"session_authorization":               user,
		"application_name":                    "",
		"armorlake.pushdown":                  "on",
		"armorlake.query_memory":              "1GB",
		"armorlake.partial_results":           "off",
		"max_identifier_length":               "63",
		"search_path":                         `"$user", public`,
		"extra_float_digits":                  "1",
		"statement_timeout":                   "0",
		"lock_timeout":                        "0",
		"idle_in_transaction_session_timeout": "0",
		"client_min_messages":                 "notice",
		"transaction_isolation":               "read committed",
		"default_transaction_isolation":       "read committed",
		"transaction_read_only":               "off",
		"default_transaction_read_only":       "off",
	}
}

// session is the per-connection state that SQL can see and change:
// parameters and the transaction block. armorlake transactions are
// read-only, so a transaction block only scopes parameter changes (a
// ROLLBACK undoes the SETs made in it) and decides the status byte.
type session struct {
	user, database string

	settings   map[string]string // by canonical name (lower case for unknown names)
	resetVals  map[string]string // what RESET restores: defaults overridden by startup options
	reported   map[string]string // values last sent as ParameterStatus
	saved      map[string]string // settings at BEGIN, restored by ROLLBACK
	savepoints []savepoint       // SAVEPOINTs of the block, oldest first
	loc        *time.Location    // TimeZone, resolved
	noPushdown bool              // armorlake.pushdown = off
	partial    bool              // armorlake.partial_results = on
	// statementTimeout is statement_timeout; 0 for none.
	statementTimeout time.Duration
	// queryMemory is armorlake.query_memory in bytes.
	queryMemory int64

	txn byte
}

func newSession(cfg *Config, user, database string) session {
	s := session{
		user:     user,
		database: database,
		settings: defaultSettings(cfg, user),
		reported: make(map[string]string),
		loc:      time.UTC,
		txn:      txnIdle,
	}
	return s
}

// markStarted makes the current settings the ones RESET restores.
func (s *session) markStarted() {
	s.resetVals = make(map[string]string, len(s.settings))
	for k, v := range s.settings {
		s.resetVals[k] = v
	}
}

// canonical returns the canonical spelling of a parameter name and its
// definition, nil for names armorlake does not know.
func canonical(name string) (string, *settingDef) {
	key := strings.ToLower(name)
	if d := settingsByKey[key]; d != nil {
		return d.name, d
	}
	return key, nil
}

// set assigns a parameter; an empty value resets it.
func (s *session) set(name, value string) error {
	cname, def := canonical(name)
	if value == "" {
		if v, ok := s.resetVals[cname]; ok {
			s.settings[cname] = v
		} else {
			delete(s.settings, cname)
		}
		s.resolve()
		return nil
	}
	if def != nil && def.readOnly {
		return sqlerr.New(sqlerr.CantChangeRuntimeParam, "parameter %q cannot be changed", cname)
	}
	if def != nil && def.check != nil {
		v, err := def.check(value)
		if err != nil {
			return err
		}
		value = v
	}
	s.settings[cname] = value
	s.resolve()
	return nil
}

// resetAll is RESET ALL: every parameter back to its session default.
func (s *session) resetAll() {
	s.settings = make(map[string]string, len(s.resetVals))
	for k, v := range s.resetVals {
		s.settings[k] = v
	}
	s.resolve()
}

// resolve updates what is derived from the settings.
func (s *session) resolve() {
	s.noPushdown = s.settings["armorlake.pushdown"] == "off"
	s.partial = s.settings["armorlake.partial_results"] == "on"
	s.statementTimeout, _ = parseTimeout(s.settings["statement_timeout"])
	s.queryMemory, _ = parseMemory(s.settings["armorlake.query_memory"])
	s.loc = time.UTC
	if loc, _, err := coldata.LoadTimeZone(s.settings["TimeZone"]); err == nil {
		s.loc = loc
	}
}

// show returns a parameter's canonical name and value.
func (s *session) show(name string) (string, string, error) {
	cname, _ := canonical(name)
	v, ok := s.settings[cname]
	if !ok {
		return "", "", sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	return cname, v, nil
}

// showAll returns every parameter, sorted by name, as SHOW ALL lists them.
func (s *session) showAll() (names, values []string) {
	for k := range s.settings {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, k := range names {
		values = append(values, s.settings[k])
	}
	return names, values
}

// begin, commit and rollback move the transaction block. A SET inside a
// block that rolls back is undone, as in PostgreSQL.
func (s *session) begin() {
	s.txn = txnBlock
	s.saved = make(map[string]string, len(s.settings))
	for k, v := range s.settings {
		s.saved[k] = v
	}
}

func (s *session) commit() {
	s.txn, s.saved, s.savepoints = txnIdle, nil, nil
}

func (s *session) rollback() {
	if s.saved != nil {
		s.settings = s.saved
		s.resolve()
	}
	s.txn, s.saved, s.savepoints = txnIdle, nil, nil
}

// savepoint is a SAVEPOINT: the settings to restore on ROLLBACK TO.
type savepoint struct {
	name     string
	settings map[string]string
}

func (s *session) savepoint(name string) {
	s.savepoints = append(s.savepoints, savepoint{name: name, settings: maps.Clone(s.settings)})
}

// findSavepoint returns the newest savepoint called name.
func (s *session) findSavepoint(name string) (int, error) {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, sqlerr.New(sqlerr.InvalidSavepointSpecification, "savepoint \"%s\" does not exist", name)
}

// rollbackTo undoes what followed savepoint i, which stays, and leaves a
// failed block usable again.
func (s *session) rollbackTo(i int) {
	s.settings = maps.Clone(s.savepoints[i].settings)
	s.resolve()
	s.savepoints = s.savepoints[:i+1]
	s.txn = txnBlock
}

// fail marks an error: inside a transaction block, the block fails.
func (s *session) fail() {
	if s.txn == txnBlock {
		s.txn = txnFailed
	}
}

// appendReports appends a ParameterStatus for every reported parameter
// whose value changed since it was last sent. PostgreSQL sends them just
// before ReadyForQuery, so a SET undone by ROLLBACK is never reported.
func (s *session) appendReports(msgs []pgproto3.BackendMessage) []pgproto3.BackendMessage {
	for i := range settingDefs {
		d := &settingDefs[i]
		if !d.report {
			continue
		}
		v := s.settings[d.name]
		if old, ok := s.reported[d.name]; ok && old == v {
			continue
		}
		s.reported[d.name] = v
		msgs = append(msgs, &pgproto3.ParameterStatus{Name: d.name, Value: v})
	}
	return msgs
}

func invalidValue(name, value string) *sqlerr.Error {
	return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, value)
}

// isUTF8Name reports whether an encoding name means UTF-8 to PostgreSQL.
// SQL_ASCII, which libpq picks in the C locale, promises nothing about
// bytes above 127, so UTF-8 satisfies it.
func isUTF8Name(v string) bool {
	switch strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(v, "-", ""), "_", "")) {
	case "UTF8", "UNICODE", "SQLASCII":
		return true
	}
	return false
}

func checkClientEncoding(v string) (string, error) {
	if isUTF8Name(v) {
		return "UTF8", nil
	}
	return "", invalidValue("client_encoding", v).WithDetail("armorlake speaks UTF8 only.")
}

// checkDateStyle accepts the ISO output style with any field order, which
// is all armorlake prints, and spells it as PostgreSQL does: "ISO, MDY".
func checkDateStyle(v string) (string, error) {
	style, order := "ISO", "MDY"
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		switch strings.ToUpper(f) {
		case "ISO":
		case "MDY", "US", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "SQL", "POSTGRES", "GERMAN":
			return "", invalidValue("DateStyle", v).WithDetail("armorlake prints dates in the ISO style only.")
		default:
			return "", invalidValue("DateStyle", v)
		}
	}
	return style + ", " + order, nil
}

func checkIntervalStyle(v string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(v), "postgres") {
		return "postgres", nil
	}
	return "", invalidValue("IntervalStyle", v).WithDetail("armorlake supports the postgres style only.")
}

// parseTimeout reads a time setting as PostgreSQL does: a number of
// milliseconds, or a number with a unit (us, ms, s, min, h, d).
func parseTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || n < 0 {
		return 0, errors.New("bad number")
	}
	unit := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := unit[strings.TrimSpace(v[i:])]
	if !ok {
		return 0, errors.New("bad unit")
	}
	d := time.Duration(n * float64(u))
	if d > 0 && d < time.Millisecond {
		d = time.Millisecond
	}
	return d, nil
}

func checkTimeout(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		if _, err := parseTimeout(v); err != nil {
			return "", invalidValue(name, v).WithHint(`Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`)
		}
		return strings.TrimSpace(v), nil
	}
}

// parseMemory reads a memory setting as PostgreSQL does: kilobytes, or a
// number with a unit (B, kB, MB, GB, TB).
func parseMemory(v string) (int64, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("bad number")
	}
	unit := map[string]int64{"": 1 << 10, "B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
	u, ok := unit[strings.TrimSpace(v[i:])]
	if !ok || n > (1<<62)/u {
		return 0, errors.New("bad unit")
	}
	return n * u, nil
}

func checkMemory(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := parseMemory(v)
		if err != nil || n < 1<<20 {
			return "", invalidValue(name, v).WithHint(`A size of at least 1MB, with a unit: "B", "kB", "MB", "GB" or "TB".`)
		}
		return strings.TrimSpace(v), nil
	}
}

func checkOnOff(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		b, ok := parseBool(v)
		switch {
		case !ok:
			return "", invalidValue(name, v)
		case b:
			return "on", nil
		}
		return "off", nil
	}
}

func checkOnlyOn(v string) (string, error) {
	if b, ok := parseBool(v); ok && b {
		return "on", nil
	}
	return "", invalidValue("standard_conforming_strings", v).WithDetail("armorlake supports on only.")
}

func checkApplicationName(v string) (string, error) {
	// PostgreSQL 16 escapes bytes outside printable ASCII so that the
	// name is safe in logs of any encoding.
	var b []byte
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 32 || c > 126 {
			b = fmt.Appendf(b, `\x%02x`, c)
		} else {
			b = append(b, c)
		}
	}
	return string(b), nil
}

func checkExtraFloatDigits(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < -15 || n > 3 {
		return "", invalidValue("extra_float_digits", v)
	}
	return strconv.Itoa(n), nil
}

func checkTimeZone(v string) (string, error) {
	_, name, err := coldata.LoadTimeZone(v)
	return name, err
}

// zoneCache holds loaded time zones: time.LoadLocation reads and parses a
// file each time.

// planSession is what the planner needs to know of the session now.
func (s *session) planSession() planner.Session {
	return planner.Session{TimeZone: s.loc, NoPushdown: s.noPushdown, MemoryBudget: s.queryMemory, PartialResults: s.partial,
		User: s.user, Database: s.database, Setting: s.setting, Settings: s.pgSettings}
}

// planSession is what the planner needs to know of the session and of
// the server (pg_stat_activity, pg_cancel_backend).
func (c *conn) planSession() planner.Session {
	p := c.sess.planSession()
	p.PID = int32(c.pid)
	p.Activity = c.srv.activities
	p.SignalBackend = c.srv.signalBackend
	return p
}

// setting returns a parameter's value as current_setting() shows it.
func (s *session) setting(name string) (string, bool) {
	_, v, err := s.show(name)
	return v, err == nil
}

// pgSettings lists the parameters for pg_settings.
func (s *session) pgSettings() []pgcatalog.Setting {
	names, values := s.showAll()
	out := make([]pgcatalog.Setting, len(names))
	for i := range names {
		out[i] = pgcatalog.Setting{Name: names[i], Value: values[i], Category: "Client Connection Defaults"}
	}
	return out
}
