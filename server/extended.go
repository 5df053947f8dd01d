package server

import (
	"slices"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// This file holds the extended query protocol: Parse, Bind, Describe,
// Execute, Close and Sync. Each handler returns an error for the client;
// conn.extended sends it and skips to the next Sync.

// maxSessionObjects bounds a session's named prepared statements and
// portals, so that one client cannot grow a query node's memory without
// end; each statement's execution is bounded by armorlake.query_memory.
const maxSessionObjects = 10000

func (c *conn) parse(m *pgproto3.Parse) error {
	if m.Name == "" {
		// The unnamed statement is replaced even when the new one fails.
		delete(c.stmts, "")
	} else if _, ok := c.stmts[m.Name]; ok {
		return sqlerr.New(sqlerr.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
	} else if len(c.stmts) >= maxSessionObjects {
		return sqlerr.New(sqlerr.ProgramLimitExceeded, "a session may hold at most %d prepared statements", maxSessionObjects).
			WithHint("Close the ones no longer used (Close, DEALLOCATE).")
	}
	declared := make([]coldata.Type, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		t, ok := paramType(oid)
		if !ok {
			return sqlerr.New(sqlerr.FeatureNotSupported, "parameter $%d has type OID %d, which armorlake does not support", i+1, oid)
		}
		declared[i] = t
	}
	stmts, err := c.prepare(m.Query, declared)
	if err != nil {
		return err
	}
	var st *planner.Statement
	switch len(stmts) {
	case 0:
		st = &planner.Statement{Kind: planner.KindEmpty, SQL: m.Query}
	case 1:
		st = stmts[0]
	default:
		return sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	if err := c.checkAborted(st); err != nil {
		return err
	}
	// The client may declare more parameters than the statement uses, as
	// PostgreSQL allows; it must then bind them all.
	types := st.ParamTypes
	if len(declared) > len(types) {
		types = append(slices.Clip(types), declared[len(types):]...)
		for i := len(st.ParamTypes); i < len(types); i++ {
			if types[i] == coldata.Unknown {
				types[i] = coldata.Text
			}
		}
	}
	oids := make([]uint32, len(types))
	for i, t := range types {
		oids[i] = t.OID()
		if i < len(m.ParameterOIDs) && m.ParameterOIDs[i] != 0 && m.ParameterOIDs[i] != oidUnknown {
			oids[i] = m.ParameterOIDs[i]
		}
	}
	c.stmts[m.Name] = &prepared{stmt: st, types: types, oids: oids}
	c.w.send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	ps := c.stmts[m.PreparedStatement]
	if ps == nil {
		return undefinedStatement(m.PreparedStatement)
	}
	if m.DestinationPortal == "" {
		if p := c.portals[""]; p != nil {
			c.dropPortal(p)
		}
	} else if len(c.portals) >= maxSessionObjects {
		return sqlerr.New(sqlerr.ProgramLimitExceeded, "a session may hold at most %d open portals", maxSessionObjects).
			WithHint("Close the ones no longer used.")
	} else if c.portals[m.DestinationPortal] != nil {
		return sqlerr.New(sqlerr.DuplicateCursor, "portal %q already exists", m.DestinationPortal)
	}
	if err := c.checkAborted(ps.stmt); err != nil {
		return err
	}
	n := len(ps.oids)
	if len(m.Parameters) != n {
		return protocolError("bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, n)
	}
	switch len(m.ParameterFormatCodes) {
	case 0, 1, n:
	default:
		return protocolError("bind message has %d parameter formats but %d parameters", len(m.ParameterFormatCodes), n)
	}
	var params *coldata.Batch
	if n > 0 {
		params = coldata.NewBatch(ps.types, 1)
		params.Len = 1
		for i, data := range m.Parameters {
			format := textFormat
			switch len(m.ParameterFormatCodes) {
			case 1:
				format = m.ParameterFormatCodes[0]
			case n:
				format = m.ParameterFormatCodes[i]
			}
			if format != textFormat && format != binaryFormat {
				return sqlerr.New(sqlerr.InvalidParameterValue, "unsupported format code: %d", format)
			}
			if err := decodeParam(params.Vecs[i], i+1, ps.oids[i], format, data, c.sess.loc); err != nil {
				return err
			}
		}
	}
	p, err := c.newPortal(m.DestinationPortal, ps.stmt, params, m.ResultFormatCodes)
	if err != nil {
		return err
	}
	c.portals[p.name] = p
	c.w.send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps := c.stmts[m.Name]
		if ps == nil {
			return undefinedStatement(m.Name)
		}
		c.w.send(&pgproto3.ParameterDescription{ParameterOIDs: ps.oids})
		c.sendRowDescription(c.resultColumns(ps.stmt), nil)
	case 'P':
		p := c.portals[m.Name]
		if p == nil {
			return undefinedPortal(m.Name)
		}
		c.sendRowDescription(p.cols, p.formats)
	default:
		return protocolError("invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

// sendRowDescription sends RowDescription, or NoData for no columns.
func (c *conn) sendRowDescription(cols []planner.Column, formats []int16) {
	if len(cols) == 0 {
		c.w.send(&pgproto3.NoData{})
		return
	}
	c.w.send(rowDescription(cols, formats))
}

func (c *conn) execute(m *pgproto3.Execute) error {
	p := c.portals[m.Portal]
	if p == nil {
		return undefinedPortal(m.Portal)
	}
	if err := c.checkAborted(p.stmt); err != nil {
		return err
	}
	return c.run(p, int(m.MaxRows))
}

func (c *conn) closeMsg(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		// Portals made from the statement live on, as in PostgreSQL.
		delete(c.stmts, m.Name)
	case 'P':
		if p := c.portals[m.Name]; p != nil {
			c.dropPortal(p)
		}
	default:
		return protocolError("invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.w.send(&pgproto3.CloseComplete{})
	return nil
}

// sync ends the implicit transaction of an extended-protocol batch: error
// skipping stops, portals of the implicit transaction close, and the client
// gets ReadyForQuery.
func (c *conn) sync() {
	c.ignoreTillSync = false
	if c.sess.txn == txnIdle {
		c.closePortals(nil)
	}
	c.readyForQuery()
}

func undefinedStatement(name string) error {
	if name == "" {
		return sqlerr.New(sqlerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
	}
	return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
}

func undefinedPortal(name string) error {
	if name == "" {
		return sqlerr.New(sqlerr.InvalidCursorName, "unnamed portal does not exist")
	}
	return sqlerr.New(sqlerr.InvalidCursorName, "portal %q does not exist", name)
}
