package server

import (
	"net"
	"slices"
	"time"

	"github.com/armorlake/armorlake/pgcatalog"
)

// Activity: what every session is doing, for pg_stat_activity, and
// pg_cancel_backend / pg_terminate_backend from another session. A
// session publishes its state under its mutex at each statement's start
// and end; readers take a copy.

// activity is a session's published state.
type activity struct {
	app        string
	queryStart time.Time
	query      string
	state      string // "active", "idle", "idle in transaction", "idle in transaction (aborted)"
}

// setActivity publishes the statement the session runs now, or that it
// is idle ("" query keeps the last one, as PostgreSQL shows it).
func (c *conn) setActivity(state, query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.act.state = state
	if query != "" {
		c.act.query, c.act.queryStart = query, time.Now()
	}
	c.act.app = c.sess.settings["application_name"]
}

// idleState is the state of a session between statements.
func (c *conn) idleState() string {
	switch c.sess.txn {
	case txnBlock:
		return "idle in transaction"
	case txnFailed:
		return "idle in transaction (aborted)"
	}
	return "idle"
}

// activities lists every session's activity, by process ID.
func (s *Server) activities() []pgcatalog.Activity {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.sessions))
	for _, c := range s.sessions {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	out := make([]pgcatalog.Activity, 0, len(conns))
	for _, c := range conns {
		c.mu.Lock()
		a := pgcatalog.Activity{PID: int64(c.pid), User: c.user, Database: c.database, Application: c.act.app,
			BackendStart: c.started, QueryStart: c.act.queryStart, State: c.act.state, Query: c.act.query}
		if addr, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
			a.ClientAddr, a.ClientPort = addr.IP.String(), int64(addr.Port)
		}
		c.mu.Unlock()
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b pgcatalog.Activity) int { return int(a.PID - b.PID) })
	return out
}

// signalBackend cancels the statement of session pid, or ends the session
// (terminate). It reports whether there was such a session.
func (s *Server) signalBackend(pid int32, terminate bool) bool {
	s.mu.Lock()
	c := s.sessions[uint32(pid)]
	s.mu.Unlock()
	if c == nil {
		return false
	}
	if terminate {
		c.cancel(errAdminShutdown)
		c.nc.Close()
	} else {
		c.cancelRunning()
	}
	return true
}
