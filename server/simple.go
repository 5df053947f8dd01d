package server

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// simpleQuery answers a Query message: every statement of sql in turn,
// each with its RowDescription, DataRows and CommandComplete (or
// EmptyQueryResponse), all results in text. The first error ends the
// query; ReadyForQuery always follows.
func (c *conn) simpleQuery(sql string) {
	c.setActivity("active", sql)
	// A Query destroys the unnamed statement and portal, as in PostgreSQL.
	delete(c.stmts, "")
	if p := c.portals[""]; p != nil {
		c.dropPortal(p)
	}
	if err := c.guard(func() error { return c.runSimple(sql) }); err != nil {
		c.sendError(err)
	}
	if c.sess.txn == txnIdle {
		c.closePortals(nil)
	}
	c.readyForQuery()
}

func (c *conn) runSimple(sql string) error {
	// On an error in a later statement, the ones before it still run
	// first, as in PostgreSQL; then the error ends the query.
	stmts, prepErr := c.prepare(sql, nil)
	if len(stmts) == 0 && prepErr != nil {
		return prepErr
	}
	if err := c.runStatements(stmts); err != nil {
		return err
	}
	return prepErr
}

func (c *conn) runStatements(stmts []*planner.Statement) error {
	if len(stmts) == 0 {
		c.w.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	for _, st := range stmts {
		if st.Kind == planner.KindEmpty {
			// Only a string with no statement at all answers
			// EmptyQueryResponse.
			if len(stmts) == 1 {
				c.w.send(&pgproto3.EmptyQueryResponse{})
			}
			continue
		}
		if err := c.checkAborted(st); err != nil {
			return err
		}
		if len(st.ParamTypes) > 0 {
			return sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $1")
		}
		p, err := c.newPortal("", st, nil, nil)
		if err != nil {
			return err
		}
		if len(p.cols) > 0 && st.Kind != planner.KindCopy {
			c.w.send(rowDescription(p.cols, nil))
		}
		err = c.run(p, 0)
		c.closePortal(p)
		if err != nil {
			return err
		}
		if c.w.err != nil {
			return c.w.err
		}
	}
	return nil
}

// prepare plans sql under a context that CancelRequest can cancel. On an
// error it returns the statements planned before the failing one.
//
// Statements prepared without error are kept by text and parameter types,
// so that a client repeating a query over the simple protocol (Grafana,
// pgbench, psql scripts) or re-parsing the unnamed statement skips the
// parser: a cached statement is a prepared statement, planned again from
// its parse tree each time it runs, as the extended protocol's are.
func (c *conn) prepare(sql string, paramTypes []coldata.Type) ([]*planner.Statement, error) {
	key := sql
	if len(paramTypes) > 0 {
		b := []byte(sql)
		for _, t := range paramTypes {
			b = append(b, 0, byte(t))
		}
		key = string(b)
	}
	if stmts, ok := c.stmtCache[key]; ok {
		return stmts, nil
	}
	stmts, err := c.prepareUncached(sql, paramTypes)
	if err == nil {
		if len(c.stmtCache) >= stmtCacheSize {
			clear(c.stmtCache)
		}
		if c.stmtCache == nil {
			c.stmtCache = make(map[string][]*planner.Statement)
		}
		c.stmtCache[key] = stmts
	}
	return stmts, err
}

// stmtCacheSize bounds a session's cache of prepared query strings.
const stmtCacheSize = 256

func (c *conn) prepareUncached(sql string, paramTypes []coldata.Type) ([]*planner.Statement, error) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.setRunning(cancel)
	defer func() {
		c.setRunning(nil)
		cancel(nil)
	}()
	c.plan = c.planSession()
	stmts, err := c.srv.engine.Prepare(ctx, &c.plan, sql, paramTypes)
	if err != nil {
		return stmts, statementError(ctx, err)
	}
	return stmts, nil
}

// checkAborted refuses every statement but COMMIT and ROLLBACK in a failed
// transaction block.
func (c *conn) checkAborted(st *planner.Statement) error {
	if c.sess.txn != txnFailed {
		return nil
	}
	if st.Kind == planner.KindTransaction && (st.Tag == "COMMIT" || st.Tag == "ROLLBACK") {
		return nil
	}
	return sqlerr.New(sqlerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
}

// execUtility runs DISCARD, DEALLOCATE and UNLISTEN.
func (c *conn) execUtility(p *portal) error {
	switch tag := p.stmt.Tag; tag {
	case "DISCARD ALL":
		if c.sess.txn != txnIdle {
			return sqlerr.New(sqlerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		// Every prepared statement and portal goes, and every setting
		// returns to its value at connection start.
		c.closePortals(p)
		clear(c.stmts)
		clear(c.stmtCache)
		c.sess.resetAll()
	case "DISCARD PLANS":
		clear(c.stmtCache)
	case "DEALLOCATE":
		if _, ok := c.stmts[p.stmt.Target]; !ok || p.stmt.Target == "" {
			return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", p.stmt.Target)
		}
		delete(c.stmts, p.stmt.Target)
	case "DEALLOCATE ALL":
		for name := range c.stmts {
			if name != "" {
				delete(c.stmts, name)
			}
		}
	}
	c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(p.stmt.Tag)})
	return nil
}

// execSet runs SET and RESET. The client learns of a reported parameter's
// new value from the ParameterStatus before the next ReadyForQuery.
func (c *conn) execSet(st *planner.Statement) error {
	if strings.EqualFold(st.SetName, "all") && st.SetValue == "" {
		c.sess.resetAll()
	} else if err := c.sess.set(st.SetName, st.SetValue); err != nil {
		return err
	}
	tag := st.Tag
	if tag == "" {
		tag = "SET"
	}
	c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

func isShowAll(name string) bool { return strings.EqualFold(name, "all") }

// showBatch returns SHOW's result: one text value, or SHOW ALL's rows.
func (c *conn) showBatch(name string) (*coldata.Batch, error) {
	if isShowAll(name) {
		names, values := c.sess.showAll()
		b := coldata.NewBatch([]coldata.Type{coldata.Text, coldata.Text, coldata.Text}, len(names))
		for i := range names {
			b.Vecs[0].Bytes.AppendString(names[i])
			b.Vecs[1].Bytes.AppendString(values[i])
			b.Vecs[2].Bytes.AppendString("")
		}
		b.Len = len(names)
		return b, nil
	}
	_, v, err := c.sess.show(name)
	if err != nil {
		return nil, err
	}
	b := coldata.NewBatch([]coldata.Type{coldata.Text}, 1)
	b.Vecs[0].Bytes.AppendString(v)
	b.Len = 1
	return b, nil
}

// execTransaction runs BEGIN, COMMIT, ROLLBACK and their kin on the
// session's transaction block. p is the portal running the statement; the
// end of a block closes every other portal.
func (c *conn) execTransaction(p *portal) error {
	s := &c.sess
	tag := p.stmt.Tag
	switch tag {
	case "BEGIN", "START TRANSACTION":
		if s.txn == txnIdle {
			s.begin()
		} else {
			c.w.send(noticeResponse(severityWarning, sqlerr.ActiveSQLTransaction, "there is already a transaction in progress"))
		}
	case "COMMIT", "ROLLBACK":
		if p.stmt.Savepoint != "" {
			// ROLLBACK TO SAVEPOINT: the block goes on.
			if s.txn == txnIdle {
				return sqlerr.New(sqlerr.NoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
			}
			i, err := s.findSavepoint(p.stmt.Savepoint)
			if err != nil {
				return err
			}
			s.rollbackTo(i)
			break
		}
		switch {
		case s.txn == txnIdle:
			c.w.send(noticeResponse(severityWarning, sqlerr.NoActiveSQLTransaction, "there is no transaction in progress"))
		case s.txn == txnFailed || tag == "ROLLBACK":
			// COMMIT of a failed block rolls it back and says so.
			s.rollback()
			tag = "ROLLBACK"
		default:
			s.commit()
		}
		c.closePortals(p)
	case "SAVEPOINT", "RELEASE":
		if s.txn == txnIdle {
			what := tag
			if tag == "RELEASE" {
				what = "RELEASE SAVEPOINT"
			}
			return sqlerr.New(sqlerr.NoActiveSQLTransaction, "%s can only be used in transaction blocks", what)
		}
		if tag == "SAVEPOINT" {
			s.savepoint(p.stmt.Savepoint)
			break
		}
		i, err := s.findSavepoint(p.stmt.Savepoint)
		if err != nil {
			return err
		}
		s.savepoints = s.savepoints[:i]
	}
	c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}
