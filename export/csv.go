package export

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
)

// csvWriter maps events to rows of the three KubeArmor tables in the
// caller's goroutine and hands each full batch to a formatter goroutine,
// which writes it to the table's CSV file and hands the emptied batch
// back. Mapping and formatting each take a third or so of an export's
// time (the generator the rest), so on two cores they overlap; on one the
// hand-over costs two channel operations per batch. Each table owns two
// batches, one being filled while the other is formatted, which bounds
// the memory.
type csvWriter struct {
	tables [3]csvTable // alerts, logs, messages
	rows   int         // rows per batch

	full   chan fullBatch // to the formatter
	done   chan error     // the formatter's result, once full is closed
	failed atomic.Bool    // the formatter failed: stop generating
	closed bool           // full is closed and err received
	err    error
}

var _ writer = (*csvWriter)(nil)

// csvTable is one table's file and batches.
type csvTable struct {
	out   *file
	batch *coldata.Batch      // being filled
	free  chan *coldata.Batch // the other batch, once formatted
}

type fullBatch struct {
	t *csvTable
	b *coldata.Batch
}

func newCSVWriter(dir string, rows int, loc *time.Location) (*csvWriter, error) {
	w := &csvWriter{rows: rows, closed: true}
	for i, t := range schema.KubeArmor() {
		out, err := createFile(filepath.Join(dir, t.Name+".csv"))
		if err != nil {
			w.abort()
			return nil, err
		}
		tt := &w.tables[i]
		tt.out = out
		if _, err := out.Write(appendCSVHeader(nil, t)); err != nil {
			w.abort()
			return nil, fmt.Errorf("write %s: %w", out.name, err)
		}
		tt.batch = coldata.NewBatch(t.Types(), rows)
		tt.free = make(chan *coldata.Batch, 1)
		tt.free <- coldata.NewBatch(t.Types(), rows)
	}
	w.full = make(chan fullBatch, len(w.tables))
	w.done = make(chan error, 1)
	w.closed = false
	go w.format(loc)
	return w, nil
}

func (w *csvWriter) write(e sim.Event) error {
	var t *csvTable
	switch {
	case e.Alert != nil:
		t = &w.tables[0]
		ingest.AppendAlert(t.batch, e.Alert, Operator, "")
	case e.Log != nil:
		t = &w.tables[1]
		ingest.AppendLog(t.batch, e.Log, Operator, "")
	case e.Message != nil:
		t = &w.tables[2]
		ingest.AppendMessage(t.batch, e.Message, Operator, "")
	default:
		return nil
	}
	if t.batch.Len >= w.rows {
		return w.hand(t)
	}
	return nil
}

// hand passes t's batch to the formatter and takes t's other batch.
func (w *csvWriter) hand(t *csvTable) error {
	if w.failed.Load() {
		return w.finish()
	}
	w.full <- fullBatch{t, t.batch}
	t.batch = <-t.free
	return nil
}

// format is the formatter goroutine. After an error it keeps handing
// batches back, unwritten, so that the mapping side never blocks.
func (w *csvWriter) format(loc *time.Location) {
	var enc csvEncoder
	var buf []byte
	var err error
	for fb := range w.full {
		if err == nil {
			buf = enc.appendRows(buf[:0], fb.b, loc)
			if _, werr := fb.t.out.Write(buf); werr != nil {
				err = fmt.Errorf("write %s: %w", fb.t.out.name, werr)
				w.failed.Store(true)
			}
		}
		fb.b.Reset()
		fb.t.free <- fb.b
	}
	w.done <- err
}

// finish stops the formatter, once, and returns its error.
func (w *csvWriter) finish() error {
	if !w.closed {
		close(w.full)
		w.err = <-w.done
		w.closed = true
	}
	return w.err
}

func (w *csvWriter) close() error {
	for i := range w.tables {
		if t := &w.tables[i]; t.batch.Len > 0 {
			if err := w.hand(t); err != nil {
				return err
			}
		}
	}
	if err := w.finish(); err != nil {
		return err
	}
	for i := range w.tables {
		if err := w.tables[i].out.commit(); err != nil {
			return err
		}
	}
	return nil
}

func (w *csvWriter) abort() {
	w.finish()
	for i := range w.tables {
		if f := w.tables[i].out; f != nil {
			f.abort()
		}
	}
}

// appendCSVHeader appends the header line: the table's column names.
func appendCSVHeader(dst []byte, t *schema.Table) []byte {
	for i, c := range t.Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, []byte(c.Name))
	}
	return append(dst, '\n')
}

// csvEncoder formats batches as CSV lines, values in PostgreSQL's text
// output format, NULL as an empty unquoted field. It works column by
// column, then row by row: each column's text is formatted once per batch
// (text, numeric and jsonb are their own text form, so their arenas are
// viewed, not copied) and scanned once for the bytes that force quotes;
// then each line is assembled from the columns' texts. An encoder is
// reused batch after batch, so that steady-state encoding allocates
// nothing.
type csvEncoder struct {
	cols []csvColumn
}

// csvColumn is one column's text for the batch: row i's is
// data[offs[i]:offs[i+1]].
type csvColumn struct {
	data    []byte
	offs    []int32
	nulls   coldata.Nulls
	quoting csvQuoting

	// Owned storage behind data and offs, unless they view the batch.
	buf     []byte
	bufOffs []int32
}

// csvQuoting is what a column's values need checked before they are
// written unquoted.
type csvQuoting uint8

const (
	// quoteNever: booleans, numbers and timestamps hold no comma, quote
	// or line break and are never empty.
	quoteNever csvQuoting = iota
	// quoteShort: no value of the batch holds a comma, a quote or a line
	// break, so only the empty value and \. need quotes.
	quoteShort
	// quoteCheck: some value needs quotes; check each.
	quoteCheck
)

// appendRows appends the rows of b, with timestamptz values in loc.
func (e *csvEncoder) appendRows(dst []byte, b *coldata.Batch, loc *time.Location) []byte {
	if cap(e.cols) < len(b.Vecs) {
		e.cols = make([]csvColumn, len(b.Vecs))
	}
	e.cols = e.cols[:len(b.Vecs)]
	n := b.Len
	for c, v := range b.Vecs {
		col := &e.cols[c]
		col.nulls = v.Nulls
		if v.Type.IsBytes() {
			col.data, col.offs = v.Bytes.Data, v.Bytes.Offs[:n+1]
		} else {
			col.buf, col.bufOffs = coldata.AppendTextColumn(col.buf[:0], append(col.bufOffs[:0], 0), v, n, loc)
			col.data, col.offs = col.buf, col.bufOffs
		}
		switch {
		case v.Type != coldata.Text && v.Type != coldata.Jsonb && v.Type != coldata.TextArray:
			col.quoting = quoteNever
		case csvSpecial(col.data[col.offs[0]:col.offs[n]]):
			col.quoting = quoteCheck
		default:
			col.quoting = quoteShort
		}
	}
	for r := range n {
		for c := range e.cols {
			col := &e.cols[c]
			if c > 0 {
				dst = append(dst, ',')
			}
			if col.nulls.Get(r) {
				continue
			}
			val := col.data[col.offs[r]:col.offs[r+1]]
			switch {
			case col.quoting == quoteNever || (col.quoting == quoteShort && len(val) > 2):
				dst = append(dst, val...)
			case len(val) == 0: // frequent: KubeArmor leaves many fields empty
				dst = append(dst, '"', '"')
			default:
				dst = appendCSVField(dst, val)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// csvSpecial reports whether text holds a comma, a quote, a CR or an LF.
// It scans a whole column at once, where IndexByte's vector loop pays.
func csvSpecial(text []byte) bool {
	return bytes.IndexByte(text, '"') >= 0 || bytes.IndexByte(text, ',') >= 0 ||
		bytes.IndexByte(text, '\n') >= 0 || bytes.IndexByte(text, '\r') >= 0
}

// appendCSVField appends val as a CSV field, enclosed in double quotes and
// its quotes doubled when CSV needs it: when it is empty (an unquoted
// empty field is NULL), holds a comma, a quote, a CR or an LF, or is \.,
// which PostgreSQL reads as the end of the data.
func appendCSVField(dst, val []byte) []byte {
	need := len(val) == 0 || (len(val) == 2 && val[0] == '\\' && val[1] == '.')
	for _, c := range val {
		need = need || csvSpecialByte[c]
	}
	if !need {
		return append(dst, val...)
	}
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(val, '"')
		if i < 0 {
			break
		}
		dst = append(dst, val[:i+1]...)
		dst = append(dst, '"')
		val = val[i+1:]
	}
	dst = append(dst, val...)
	return append(dst, '"')
}

var csvSpecialByte = [256]bool{',': true, '"': true, '\n': true, '\r': true}
