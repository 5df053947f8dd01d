package server

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
)

const (
	// flushThreshold is the buffered size past which a message is written
	// out at once rather than at the next ReadyForQuery or Flush: large
	// enough for few syscalls, small enough to start streaming early.
	flushThreshold = 64 << 10
	// keepBuffer is the largest write buffer kept across flushes; a
	// larger one (left by a huge row) is dropped so idle sessions stay
	// small.
	keepBuffer = 1 << 20
)

// writer buffers backend messages and writes them to the connection in
// large chunks: at ReadyForQuery, at Flush, and whenever the buffer grows
// past flushThreshold. It remembers the first write error and drops every
// later message, so callers check err only where they can stop work.
//
// Messages are appended whole, never half, so a recovered panic can never
// leave a torn message in the buffer.
type writer struct {
	w   io.Writer
	buf []byte
	err error
}

// send buffers one message.
func (w *writer) send(m pgproto3.BackendMessage) {
	if w.err != nil {
		return
	}
	n := len(w.buf)
	b, err := m.Encode(w.buf)
	if err != nil {
		w.buf = w.buf[:n]
		w.err = fmt.Errorf("encode %T: %w", m, err)
		return
	}
	w.buf = b
	w.maybeFlush()
}

// dataRow buffers row of e as a DataRow message.
func (w *writer) dataRow(e *rowEncoder, row int) {
	if w.err != nil {
		return
	}
	start := len(w.buf)
	w.buf = append(w.buf, 'D', 0, 0, 0, 0, byte(len(e.cols)>>8), byte(len(e.cols)))
	for i := range e.cols {
		c := &e.cols[i]
		if c.nulls.Get(row) {
			w.buf = append(w.buf, 0xff, 0xff, 0xff, 0xff)
			continue
		}
		v := c.data[c.offs[row]:c.offs[row+1]]
		w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(v)))
		w.buf = append(w.buf, v...)
	}
	binary.BigEndian.PutUint32(w.buf[start+1:], uint32(len(w.buf)-start-1))
	w.maybeFlush()
}

// copyData buffers a CopyData message whose payload fill appends.
func (w *writer) copyData(fill func([]byte) []byte) {
	if w.err != nil {
		return
	}
	start := len(w.buf)
	w.buf = append(w.buf, 'd', 0, 0, 0, 0)
	w.buf = fill(w.buf)
	binary.BigEndian.PutUint32(w.buf[start+1:], uint32(len(w.buf)-start-1))
	w.maybeFlush()
}

func (w *writer) maybeFlush() {
	if len(w.buf) >= flushThreshold {
		w.flush()
	}
}

// flush writes out everything buffered and reports the first write error
// of the session.
func (w *writer) flush() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	_, err := w.w.Write(w.buf)
	if err != nil {
		w.err = err
	}
	if cap(w.buf) > keepBuffer {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}
