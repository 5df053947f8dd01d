package kawire

import (
	"fmt"
	"sync"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// Frame receives one message of a stream undecoded: Codec copies the
// message's bytes into B, reusing its capacity. Decode them with a
// Decoder.
type Frame struct{ B []byte }

// Encoded is a message already in wire form: Codec sends its bytes as
// they are and frees Buf once gRPC has written them, so give every send
// its own reference (mem.Buffer.Ref).
type Encoded struct{ Buf mem.Buffer }

// Codec is a gRPC codec for KubeArmor's LogService that is wire-identical
// to gRPC's "proto" codec: Alert, Log and Message are encoded by this
// package into pooled buffers, a *Frame receives raw bytes, Encoded is
// sent as is, and every other message goes to the proto codec. Use it per
// call (grpc.ForceCodecV2) or per server (grpc.ForceServerCodecV2); it is
// not registered globally.
type Codec struct{}

var _ encoding.CodecV2 = Codec{}

func protoCodec() encoding.CodecV2 { return encoding.GetCodecV2(proto.Name) }

// Name is "proto": peers see the ordinary content type.
func (Codec) Name() string { return proto.Name }

// Marshal encodes v.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case Encoded:
		return mem.BufferSlice{m.Buf}, nil
	case *Frame:
		return nil, fmt.Errorf("kawire: a Frame only receives")
	}
	if buf, ok := Encode(v); ok {
		return mem.BufferSlice{buf}, nil
	}
	return protoCodec().Marshal(v)
}

// Unmarshal copies data into a *Frame, or decodes it with the proto codec.
func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	if f, ok := v.(*Frame); ok {
		n := data.Len()
		if cap(f.B) < n {
			f.B = make([]byte, n, max(n, 2*cap(f.B)))
		}
		f.B = f.B[:n]
		data.CopyTo(f.B)
		return nil
	}
	return protoCodec().Unmarshal(data, v)
}

// Encode encodes a *pb.Alert, *pb.Log or *pb.Message into a pooled,
// reference-counted buffer, for Encoded; ok is false for any other v.
func Encode(v any) (buf mem.Buffer, ok bool) {
	var bp *[]byte
	switch m := v.(type) {
	case *pb.Alert:
		bp = pool.Get(sizeAlert(m))
		*bp = appendAlert((*bp)[:0], m)
	case *pb.Log:
		bp = pool.Get(sizeLog(m))
		*bp = appendLog((*bp)[:0], m)
	case *pb.Message:
		bp = pool.Get(sizeMessage(m))
		*bp = appendMessage((*bp)[:0], m)
	default:
		return nil, false
	}
	return mem.NewBuffer(bp, pool), true
}

// eventPool recycles encoding buffers. gRPC's default pool rounds an event
// up to 4 KiB and clears the whole buffer on every Get; events are a few
// hundred bytes and are overwritten at once. Buffers are at least
// poolMinCap so that mem.NewBuffer counts references instead of copying.
type eventPool struct{ p sync.Pool }

const (
	poolMinCap = 2048     // above gRPC's pooling threshold (1 KiB)
	poolMaxCap = 64 << 10 // larger buffers are left to the garbage collector
)

var pool = &eventPool{}

func (e *eventPool) Get(length int) *[]byte {
	if length <= poolMinCap {
		if bp, ok := e.p.Get().(*[]byte); ok {
			*bp = (*bp)[:length]
			return bp
		}
	}
	b := make([]byte, length, max(length, poolMinCap))
	return &b
}

func (e *eventPool) Put(bp *[]byte) {
	if c := cap(*bp); c >= poolMinCap && c <= poolMaxCap {
		e.p.Put(bp)
	}
}
