package server

import (
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/planner"
)

// COPY … TO STDOUT. The statement's rows are encoded as for DataRows (text
// or binary, column by column), then framed as COPY's formats frame them:
// one CopyData message per row, between a CopyOutResponse and a CopyDone,
// streamed batch by batch like any result.

// binaryCopyHeader starts COPY's binary format: the signature, no flags,
// no header extension.
var binaryCopyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyStart sends CopyOutResponse and, in binary, the file header.
func (c *conn) copyStart(p *portal) {
	o := p.stmt.Copy
	resp := &pgproto3.CopyOutResponse{ColumnFormatCodes: make([]uint16, len(p.cols))}
	if o.Format == "binary" {
		resp.OverallFormat = 1
		for i := range resp.ColumnFormatCodes {
			resp.ColumnFormatCodes[i] = 1
		}
	}
	c.w.send(resp)
	switch {
	case o.Format == "binary":
		c.w.copyData(func(b []byte) []byte { return append(b, binaryCopyHeader...) })
	case o.Header:
		c.w.copyData(func(b []byte) []byte {
			for i, col := range p.cols {
				if i > 0 {
					b = append(b, o.Delimiter)
				}
				b = appendCopyValue(b, []byte(col.Name), o, o.Format == "csv" && o.ForceQuoteAll)
			}
			return append(b, '\n')
		})
	}
}

// copyEnd sends the binary trailer, CopyDone and CommandComplete.
func (c *conn) copyEnd(p *portal, rows int) {
	if p.stmt.Copy.Format == "binary" {
		c.w.copyData(func(b []byte) []byte { return append(b, 0xff, 0xff) })
	}
	c.w.send(&pgproto3.CopyDone{})
	c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag("COPY", rows))})
}

// copyRow sends row of e as one CopyData message.
func (c *conn) copyRow(p *portal, e *rowEncoder, row int) {
	o := p.stmt.Copy
	c.w.copyData(func(b []byte) []byte {
		if o.Format == "binary" {
			b = binary.BigEndian.AppendUint16(b, uint16(len(e.cols)))
			for i := range e.cols {
				col := &e.cols[i]
				if col.nulls.Get(row) {
					b = append(b, 0xff, 0xff, 0xff, 0xff)
					continue
				}
				v := col.data[col.offs[row]:col.offs[row+1]]
				b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
				b = append(b, v...)
			}
			return b
		}
		for i := range e.cols {
			if i > 0 {
				b = append(b, o.Delimiter)
			}
			col := &e.cols[i]
			if col.nulls.Get(row) {
				b = append(b, o.Null...)
				continue
			}
			force := o.ForceQuoteAll || (len(o.ForceQuote) > 0 && forced(o, p.cols[i].Name))
			b = appendCopyValue(b, col.data[col.offs[row]:col.offs[row+1]], o, force)
		}
		return append(b, '\n')
	})
}

func forced(o *planner.CopyOptions, name string) bool {
	for _, n := range o.ForceQuote {
		if n == name {
			return true
		}
	}
	return false
}

// appendCopyValue appends a non-NULL value's text in the text or CSV
// format, escaped or quoted as PostgreSQL's COPY does.
func appendCopyValue(b, v []byte, o *planner.CopyOptions, forceQuote bool) []byte {
	if o.Format == "csv" {
		quote := forceQuote || string(v) == o.Null
		for _, ch := range v {
			if ch == o.Delimiter || ch == o.Quote || ch == '\n' || ch == '\r' {
				quote = true
				break
			}
		}
		if !quote {
			return append(b, v...)
		}
		b = append(b, o.Quote)
		for _, ch := range v {
			if ch == o.Quote || ch == o.Escape {
				b = append(b, o.Escape)
			}
			b = append(b, ch)
		}
		return append(b, o.Quote)
	}
	for _, ch := range v {
		switch ch {
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\v':
			b = append(b, '\\', 'v')
		default:
			if ch == o.Delimiter {
				b = append(b, '\\')
			}
			b = append(b, ch)
		}
	}
	return b
}
