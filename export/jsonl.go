package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	pb "github.com/kubearmor/KubeArmor/protobuf"

	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
)

// jsonlWriter writes one karmor-style JSON object per event, with the
// "table" key added first.
type jsonlWriter struct {
	out *file
	w   *bufio.Writer
	enc jsonlEncoder
}

var _ writer = (*jsonlWriter)(nil)

func newJSONLWriter(path string) (*jsonlWriter, error) {
	out, err := createFile(path)
	if err != nil {
		return nil, err
	}
	return &jsonlWriter{out: out, w: bufio.NewWriterSize(out, 1<<20)}, nil
}

func (w *jsonlWriter) write(e sim.Event) error {
	line, err := w.enc.encode(e)
	if err != nil {
		return err
	}
	if _, err := w.w.Write(line); err != nil {
		return fmt.Errorf("write %s: %w", w.out.name, err)
	}
	return nil
}

// jsonlEncoder encodes events as lines of the JSONL format, reusing its
// buffer.
type jsonlEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encode returns e's line, newline included. It is valid until the next
// call.
func (j *jsonlEncoder) encode(e sim.Event) ([]byte, error) {
	if j.enc == nil {
		j.enc = json.NewEncoder(&j.buf)
	}
	var v any
	var table string
	switch {
	case e.Alert != nil:
		v, table = e.Alert, schema.AlertsTable
	case e.Log != nil:
		v, table = e.Log, schema.LogsTable
	case e.Message != nil:
		v, table = e.Message, schema.MessagesTable
	default:
		return nil, errors.New("encode event: no alert, log or message set")
	}
	// json.Encoder writes {…}\n after the table key; splice the two
	// objects into one. Encoder, like karmor's json.Marshal, escapes <, >
	// and & in strings.
	j.buf.Reset()
	j.buf.WriteString(`{"table":"`)
	j.buf.WriteString(table)
	j.buf.WriteString(`",`)
	prefix := j.buf.Len()
	if err := j.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s event: %w", table, err)
	}
	b := j.buf.Bytes()
	if b[prefix+1] == '}' { // an empty object: drop its braces and the comma
		return append(b[:prefix-1], "}\n"...), nil
	}
	return append(b[:prefix], b[prefix+1:]...), nil
}

func (w *jsonlWriter) close() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", w.out.name, err)
	}
	return w.out.commit()
}

func (w *jsonlWriter) abort() { w.out.abort() }

// ReadJSONL reads events in the JSONL format from r and calls fn with
// each, in order, stopping at the first error fn returns. Lines of
// karmor's own output (without the "table" key) are not accepted: their
// kind is ambiguous.
func ReadJSONL(r io.Reader, fn func(sim.Event) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if err == io.EOF && len(data) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read JSONL line %d: %w", line, err)
		}
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		var e sim.Event
		var head struct {
			Table string `json:"table"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return fmt.Errorf("parse JSONL line %d: %w", line, err)
		}
		var v any
		switch head.Table {
		case schema.AlertsTable:
			e.Alert = new(pb.Alert)
			v = e.Alert
		case schema.LogsTable:
			e.Log = new(pb.Log)
			v = e.Log
		case schema.MessagesTable:
			e.Message = new(pb.Message)
			v = e.Message
		default:
			return fmt.Errorf("parse JSONL line %d: table %q is not alerts, logs or messages", line, head.Table)
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("parse JSONL line %d: %w", line, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}
