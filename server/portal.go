package server

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// prepared is a prepared statement: what Parse made, what Bind uses.
type prepared struct {
	stmt *planner.Statement
	// types are the parameter types Bind decodes into: the statement's,
	// plus any the client declared beyond those the statement uses.
	types []coldata.Type
	// oids are the parameter types ParameterDescription reports and Bind
	// decodes by: the client's declared type when it gave one, else the
	// planned type.
	oids []uint32
}

// portal is a statement bound to its parameters and result formats, ready
// to run, possibly in several Executes of a few rows each.
//
// A portal's operator runs under the portal's own context, which lives
// from the first Execute until the portal is closed: an operator may keep
// remote streams open between Executes. CancelRequest reaches it through
// conn.running while an Execute is in progress.
type portal struct {
	name    string
	stmt    *planner.Statement
	cols    []planner.Column
	formats []int16 // one per column
	params  *coldata.Batch

	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer // statement_timeout, when set
	// notices collects what the statement raises while it runs (partial
	// results), sent before its CommandComplete.
	notices *exec.Notices
	op      exec.Operator
	enc     *rowEncoder // the current batch, encoded
	row     int         // next row of enc to send
	done    bool        // the operator has returned its last batch
}

var errPortalClosed = errors.New("portal closed")

// newPortal makes a portal of st. formatCodes are the result format codes
// of Bind: none (all text), one for all columns, or one per column.
func (c *conn) newPortal(name string, st *planner.Statement, params *coldata.Batch, formatCodes []int16) (*portal, error) {
	cols := c.resultColumns(st)
	if st.Kind == planner.KindCopy {
		// COPY's rows describe no result; their format is COPY's.
		cols, formatCodes = st.Columns, []int16{textFormat}
		if st.Copy.Format == "binary" {
			formatCodes[0] = binaryFormat
		}
	}
	formats := make([]int16, len(cols))
	switch len(formatCodes) {
	case 0:
	case 1:
		for i := range formats {
			formats[i] = formatCodes[0]
		}
	case len(cols):
		copy(formats, formatCodes)
	default:
		return nil, protocolError("bind message has %d result formats but query has %d columns", len(formatCodes), len(cols))
	}
	for _, f := range formats {
		if f != textFormat && f != binaryFormat {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	if st.Kind == planner.KindShow && !isShowAll(st.ShowName) {
		// An unknown name fails before any RowDescription is sent.
		if _, _, err := c.sess.show(st.ShowName); err != nil {
			return nil, err
		}
	}
	return &portal{name: name, stmt: st, cols: cols, formats: formats, params: params}, nil
}

// resultColumns returns the columns st returns rows of, nil for none.
func (c *conn) resultColumns(st *planner.Statement) []planner.Column {
	switch st.Kind {
	case planner.KindQuery:
		return st.Columns
	case planner.KindShow:
		if isShowAll(st.ShowName) {
			return []planner.Column{{Name: "name", Type: coldata.Text}, {Name: "setting", Type: coldata.Text}, {Name: "description", Type: coldata.Text}}
		}
		name, _ := canonical(st.ShowName)
		return []planner.Column{{Name: name, Type: coldata.Text}}
	}
	return nil
}

// rowDescription describes cols sent in formats (nil: all text).
func rowDescription(cols []planner.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  col.Type.OID(),
			DataTypeSize: col.Type.Size(),
			TypeModifier: -1,
		}
		if formats != nil {
			fields[i].Format = formats[i]
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// run executes p for at most limit rows (0: no limit) and sends what
// Execute answers: DataRows then CommandComplete or PortalSuspended, or
// EmptyQueryResponse. RowDescription is the caller's to send. A failed
// portal is closed.
func (c *conn) run(p *portal, limit int) error {
	switch p.stmt.Kind {
	case planner.KindEmpty:
		c.w.send(&pgproto3.EmptyQueryResponse{})
		return nil
	case planner.KindSet:
		return c.execSet(p.stmt)
	case planner.KindTransaction:
		return c.execTransaction(p)
	case planner.KindUtility:
		return c.execUtility(p)
	case planner.KindCopy:
		// COPY sends all its rows whatever Execute's limit.
		limit = 0
	case planner.KindShow:
		if p.op == nil && !p.done {
			b, err := c.showBatch(p.stmt.ShowName)
			if err != nil {
				c.dropPortal(p)
				return err
			}
			p.op = &batchOperator{b: b}
		}
	}
	return c.stream(p, limit)
}

// stream sends p's rows, batch by batch, until the operator ends or limit
// rows have gone.
func (c *conn) stream(p *portal, limit int) error {
	if p.done {
		c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(p.stmt.Tag, 0))})
		return nil
	}
	if p.ctx == nil {
		p.ctx, p.cancel = context.WithCancelCause(c.ctx)
		p.notices = &exec.Notices{}
		p.ctx = exec.WithNotices(p.ctx, p.notices)
		if d := c.sess.statementTimeout; d > 0 {
			// The cancel reaches every operator through the fragments'
			// streams, as a user's cancel does.
			cancel := p.cancel
			p.timer = time.AfterFunc(d, func() { cancel(errStatementTimeout) })
		}
	}
	c.active = p
	c.setRunning(p.cancel)
	defer func() {
		c.setRunning(nil)
		c.active = nil
	}()
	if p.op == nil {
		c.plan = c.planSession()
		op, err := p.stmt.Run(p.ctx, p.params)
		if err != nil {
			err = statementError(p.ctx, err)
			c.dropPortal(p)
			return err
		}
		p.op = op
		if p.stmt.Kind == planner.KindCopy {
			c.copyStart(p)
		}
	}
	if p.enc == nil {
		p.enc, c.spare = c.spare, nil
		if p.enc == nil {
			p.enc = &rowEncoder{}
		}
	}
	sent := 0
	for {
		if p.row >= p.enc.rows {
			if err := p.ctx.Err(); err != nil {
				c.dropPortal(p)
				return statementError(p.ctx, err)
			}
			b, err := p.op.Next(p.ctx)
			if err != nil {
				err = statementError(p.ctx, err)
				c.dropPortal(p)
				return err
			}
			if b == nil {
				p.done = true
				c.closeOperator(p.op)
				p.op = nil
				for _, n := range p.notices.Take() {
					c.w.send(noticeResponse(severityNotice, n.Code, n.Message))
				}
				if p.stmt.Kind == planner.KindCopy {
					c.copyEnd(p, sent)
					return nil
				}
				c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(p.stmt.Tag, sent))})
				return nil
			}
			p.enc.rows, p.row = 0, 0
			if b.Len == 0 {
				continue
			}
			if err := p.enc.encode(b, p.cols, p.formats, c.sess.loc); err != nil {
				c.dropPortal(p)
				return err
			}
		}
		for p.row < p.enc.rows && (limit <= 0 || sent < limit) {
			if p.stmt.Kind == planner.KindCopy {
				c.copyRow(p, p.enc, p.row)
			} else {
				c.w.dataRow(p.enc, p.row)
			}
			p.row++
			sent++
		}
		if c.w.err != nil {
			c.dropPortal(p)
			return c.w.err
		}
		if limit > 0 && sent >= limit {
			c.w.send(&pgproto3.PortalSuspended{})
			return nil
		}
	}
}

// commandTag completes a command tag with the row count where PostgreSQL
// reports one.
func commandTag(tag string, rows int) string {
	switch tag {
	case "SELECT", "FETCH", "MOVE", "COPY", "UPDATE", "DELETE", "MERGE":
		return tag + " " + strconv.Itoa(rows)
	case "INSERT":
		return "INSERT 0 " + strconv.Itoa(rows)
	}
	return tag
}

// closePortal releases p's operator and context.
func (c *conn) closePortal(p *portal) {
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.cancel != nil {
		p.cancel(errPortalClosed)
	}
	if p.op != nil {
		c.closeOperator(p.op)
		p.op = nil
	}
	if p.enc != nil {
		p.enc.rows = 0
		c.spare, p.enc = p.enc, nil
	}
	p.done = true
}

// dropPortal closes p and forgets it.
func (c *conn) dropPortal(p *portal) {
	c.closePortal(p)
	if c.portals[p.name] == p {
		delete(c.portals, p.name)
	}
}

// closePortals drops every portal but keep, as the end of a transaction
// does.
func (c *conn) closePortals(keep *portal) {
	for _, p := range c.portals {
		if p != keep {
			c.dropPortal(p)
		}
	}
}

// batchOperator returns one batch: the rows the server makes itself (SHOW).
type batchOperator struct {
	b    *coldata.Batch
	sent bool
}

var _ exec.Operator = (*batchOperator)(nil)

func (o *batchOperator) Next(context.Context) (*coldata.Batch, error) {
	if o.sent {
		return nil, nil
	}
	o.sent = true
	return o.b, nil
}

func (o *batchOperator) Close() error { return nil }
