// Package kawire encodes and decodes KubeArmor's Alert, Log and Message
// in the protobuf wire format, faster than the generic protobuf runtime:
// the encoder writes into a caller's buffer without a sizing pass over
// reflection, and the decoder fills reused messages whose strings alias
// the input instead of allocating 30 to 45 strings per event.
//
// The field tables are generated from the descriptors of the real
// github.com/kubearmor/KubeArmor/protobuf package (make generate), and the
// tests check both directions against protobuf-go byte for byte.
//
// One difference from proto.Unmarshal is deliberate: strings are not
// checked for valid UTF-8. protobuf-go rejects a whole message with one
// invalid byte; armorlake's ingest repairs and counts such strings
// instead (ingest.AppendAlert), so that a bad event is stored, not lost.
package kawire

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/protobuf/encoding/protowire"
)

//go:generate go run ./internal/gen -o messages.go

// AppendAlert appends the wire encoding of a to b.
func AppendAlert(b []byte, a *pb.Alert) []byte { return appendAlert(b, a) }

// AppendLog appends the wire encoding of l to b.
func AppendLog(b []byte, l *pb.Log) []byte { return appendLog(b, l) }

// AppendMessage appends the wire encoding of m to b.
func AppendMessage(b []byte, m *pb.Message) []byte { return appendMessage(b, m) }

// SizeAlert is the length of AppendAlert's encoding of a.
func SizeAlert(a *pb.Alert) int { return sizeAlert(a) }

// SizeLog is the length of AppendLog's encoding of l.
func SizeLog(l *pb.Log) int { return sizeLog(l) }

// SizeMessage is the length of AppendMessage's encoding of m.
func SizeMessage(m *pb.Message) int { return sizeMessage(m) }

// A Decoder decodes events into messages it owns and reuses: a decoded
// message, its sub-messages, tag slice and map, and every string in them
// are valid only until the next call to the Decoder and only while the
// input bytes are unchanged. The zero Decoder is ready to use; it is not
// safe for concurrent use.
type Decoder struct {
	alert  pb.Alert
	log    pb.Log
	msg    pb.Message
	owner  pb.Podowner
	exec   pb.ExecEvent
	tags   []string
	fields map[string]string
}

// Alert decodes b.
func (d *Decoder) Alert(b []byte) (*pb.Alert, error) {
	d.reset()
	d.alert = pb.Alert{}
	err := d.decodeAlert(b, &d.alert)
	d.keep(d.alert.ATags)
	return &d.alert, err
}

// Log decodes b.
func (d *Decoder) Log(b []byte) (*pb.Log, error) {
	d.reset()
	d.log = pb.Log{}
	err := d.decodeLog(b, &d.log)
	return &d.log, err
}

// Message decodes b.
func (d *Decoder) Message(b []byte) (*pb.Message, error) {
	d.reset()
	d.msg = pb.Message{}
	err := d.decodeMessage(b, &d.msg)
	return &d.msg, err
}

// keep holds on to a grown tag slice for the next message.
func (d *Decoder) keep(tags []string) {
	if cap(tags) > cap(d.tags) {
		d.tags = tags[:0]
	}
}

func (d *Decoder) reset() {
	clear(d.tags[:cap(d.tags)])
	clear(d.fields)
}

// The decoders take sub-messages, the tag slice and the map from the
// Decoder only when a field is present, so that absent ones stay nil as
// proto.Unmarshal leaves them.

func (d *Decoder) newPodowner() *pb.Podowner {
	d.owner = pb.Podowner{}
	return &d.owner
}

func (d *Decoder) newExecEvent() *pb.ExecEvent {
	d.exec = pb.ExecEvent{}
	return &d.exec
}

func (d *Decoder) strings() []string { return d.tags[:0] }

func (d *Decoder) stringMap() map[string]string {
	if d.fields == nil {
		d.fields = make(map[string]string, 8)
	}
	return d.fields
}

// alias returns b as a string without copying. The Decoder's contract
// (strings valid while the input is unchanged) makes this safe.
func alias(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// consumeTag, consumeBytes and consumeVarint are protowire's functions
// with an inlined path for the one- and two-byte varints that make up
// nearly every tag and length; anything else, errors included, goes to
// protowire.
func consumeTag(b []byte) (protowire.Number, protowire.Type, int) {
	if len(b) > 0 && b[0] < 0x80 && b[0] >= 8 {
		return protowire.Number(b[0] >> 3), protowire.Type(b[0] & 7), 1
	}
	if len(b) > 1 && b[0] >= 0x80 && b[1] < 0x80 && b[1] > 0 {
		v := uint64(b[0]&0x7f) | uint64(b[1])<<7
		return protowire.Number(v >> 3), protowire.Type(v & 7), 2
	}
	return protowire.ConsumeTag(b)
}

func consumeBytes(b []byte) ([]byte, int) {
	if len(b) > 0 && b[0] < 0x80 && int(b[0]) < len(b) {
		n := int(b[0])
		return b[1 : 1+n], 1 + n
	}
	return protowire.ConsumeBytes(b)
}

func consumeVarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return protowire.ConsumeVarint(b)
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("malformed protobuf")

func wireError(msg string, field protowire.Number, n int) error {
	if field == 0 {
		return fmt.Errorf("%w: %s: bad field tag: %v", ErrMalformed, msg, protowire.ParseError(n))
	}
	return fmt.Errorf("%w: %s field %d: %v", ErrMalformed, msg, field, protowire.ParseError(n))
}

// decodeMapEntry adds one map<string, string> entry to m: field 1 is the
// key, field 2 the value, either may be missing ("").
func decodeMapEntry(b []byte, m map[string]string) error {
	var k, v string
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return wireError("map entry", 0, n)
		}
		b = b[n:]
		if (num == 1 || num == 2) && typ == protowire.BytesType {
			s, n := consumeBytes(b)
			if n < 0 {
				return wireError("map entry", num, n)
			}
			if num == 1 {
				k = alias(s)
			} else {
				v = alias(s)
			}
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return wireError("map entry", num, n)
		}
		b = b[n:]
	}
	m[k] = v
	return nil
}

// appendLen appends a length as a varint; lengths are mostly below 128,
// one byte, which this inlined path writes directly.
func appendLen(b []byte, n int) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	return protowire.AppendVarint(b, uint64(n))
}

// appendString appends s with its length prefix.
func appendString(b []byte, s string) []byte {
	return append(appendLen(b, len(s)), s...)
}

// sizeStringMap is the encoded size of a map<string, string> field whose
// tag takes tagSize bytes. protobuf-go writes key and value in every
// entry, even when empty.
func sizeStringMap(m map[string]string, tagSize int) int {
	n := 0
	for k, v := range m {
		e := 1 + protowire.SizeBytes(len(k)) + 1 + protowire.SizeBytes(len(v))
		n += tagSize + protowire.SizeBytes(e)
	}
	return n
}

// appendStringMap appends a map<string, string> field, entries sorted by
// key.
func appendStringMap(b []byte, m map[string]string, num protowire.Number) []byte {
	if len(m) == 0 {
		return b
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = appendLen(b, 1+protowire.SizeBytes(len(k))+1+protowire.SizeBytes(len(v)))
		b = append(b, 0x0a) // field 1, bytes
		b = appendString(b, k)
		b = append(b, 0x12) // field 2, bytes
		b = appendString(b, v)
	}
	return b
}
