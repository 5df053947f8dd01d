package kawire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fill sets a random subset of m's fields to random values, through
// reflection so that every field of the descriptor is covered.
func fill(r *rand.Rand, m protoreflect.Message) {
	fs := m.Descriptor().Fields()
	for i := 0; i < fs.Len(); i++ {
		fd := fs.Get(i)
		if r.IntN(4) == 0 {
			continue // absent
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for j := r.IntN(5); j > 0; j-- {
				mp.Set(protoreflect.ValueOfString(randString(r)).MapKey(), protoreflect.ValueOfString(randString(r)))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for j := r.IntN(5); j > 0; j-- {
				l.Append(protoreflect.ValueOfString(randString(r)))
			}
		case fd.Kind() == protoreflect.MessageKind:
			fill(r, m.Mutable(fd).Message())
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(randString(r)))
		case fd.Kind() == protoreflect.Int32Kind:
			m.Set(fd, protoreflect.ValueOfInt32(int32(randInt(r))))
		case fd.Kind() == protoreflect.Int64Kind:
			m.Set(fd, protoreflect.ValueOfInt64(randInt(r)))
		default:
			panic("unexpected kind " + fd.Kind().String())
		}
	}
}

func randString(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return ""
	case 1:
		return "ünïcödé ✓ " + string(rune('a'+r.IntN(26)))
	case 2:
		return string(bytes.Repeat([]byte{'x'}, 100+r.IntN(300))) // multi-byte length varint
	}
	b := make([]byte, 1+r.IntN(20))
	for i := range b {
		b[i] = byte(' ' + r.IntN(95))
	}
	return string(b)
}

func randInt(r *rand.Rand) int64 {
	switch r.IntN(5) {
	case 0:
		return -1 - r.Int64N(1<<31)
	case 1:
		return r.Int64N(128)
	case 2:
		return 1<<31 - 1
	}
	return r.Int64()
}

func newMessages() []proto.Message {
	return []proto.Message{new(pb.Alert), new(pb.Log), new(pb.Message)}
}

func encode(t *testing.T, m proto.Message) []byte {
	t.Helper()
	buf, ok := Encode(m)
	if !ok {
		t.Fatalf("Encode(%T) not supported", m)
	}
	defer buf.Free()
	return append([]byte(nil), buf.ReadOnlyData()...)
}

func decode(d *Decoder, b []byte, like proto.Message) (proto.Message, error) {
	switch like.(type) {
	case *pb.Alert:
		return d.Alert(b)
	case *pb.Log:
		return d.Log(b)
	}
	return d.Message(b)
}

// TestMatchesProtobuf: the encoder writes exactly what protobuf-go's
// deterministic marshal writes, and the decoder reads back what
// proto.Unmarshal reads, for random messages with every field.
func TestMatchesProtobuf(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var d Decoder
	for i := 0; i < 3000; i++ {
		for _, m := range newMessages() {
			if i > 0 { // #0 is the empty message
				fill(r, m.ProtoReflect())
			}
			want, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got := encode(t, m)
			if !bytes.Equal(got, want) {
				t.Fatalf("%T #%d: encoding differs from protobuf-go\n got %x\nwant %x", m, i, got, want)
			}
			dm, err := decode(&d, got, m)
			if err != nil {
				t.Fatalf("%T #%d: decode: %v", m, i, err)
			}
			if !proto.Equal(dm, m) {
				t.Fatalf("%T #%d: decoded\n%v\nwant\n%v", m, i, dm, m)
			}
			proto.Reset(m)
		}
	}
}

// TestDecoderReuse: fields of a previous message never leak into the
// next one, and absent sub-messages, tags and maps stay nil.
func TestDecoderReuse(t *testing.T) {
	full := &pb.Alert{HostName: "h", Owner: &pb.Podowner{Name: "o"}, ExecEvent: &pb.ExecEvent{ExecID: "1"},
		ATags: []string{"a", "b"}, EventData: map[string]string{"k": "v"}, PID: 7}
	var d Decoder
	a, err := d.Alert(encode(t, full))
	if err != nil || !proto.Equal(a, full) {
		t.Fatalf("first decode: %v %v", a, err)
	}
	empty := &pb.Alert{ClusterName: "c"}
	a, err = d.Alert(encode(t, empty))
	if err != nil {
		t.Fatal(err)
	}
	if a.Owner != nil || a.ExecEvent != nil || a.ATags != nil || a.EventData != nil || a.HostName != "" || a.PID != 0 {
		t.Fatalf("second decode kept fields of the first: %v", a)
	}
	if !proto.Equal(a, empty) {
		t.Fatalf("second decode: %v", a)
	}
}

// TestSkipsUnknownAndMistyped: unknown fields of every wire type, and
// known fields sent with the wrong wire type, are skipped as
// proto.Unmarshal skips them (it keeps them as unknown fields).
func TestSkipsUnknownAndMistyped(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, 4, protowire.BytesType) // HostName
	b = protowire.AppendString(b, "node-1")
	b = protowire.AppendTag(b, 99, protowire.VarintType)
	b = protowire.AppendVarint(b, 12345)
	b = protowire.AppendTag(b, 100, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 1)
	b = protowire.AppendTag(b, 101, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, 2)
	b = protowire.AppendTag(b, 102, protowire.StartGroupType)
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 3)
	b = protowire.AppendTag(b, 102, protowire.EndGroupType)
	b = protowire.AppendTag(b, 3, protowire.VarintType) // ClusterName as a varint
	b = protowire.AppendVarint(b, 9)
	b = protowire.AppendTag(b, 9, protowire.BytesType) // HostPID as bytes
	b = protowire.AppendString(b, "x")
	b = protowire.AppendTag(b, 11, protowire.VarintType) // PID
	b = protowire.AppendVarint(b, 42)

	want := new(pb.Alert)
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, want); err != nil {
		t.Fatal(err)
	}
	var d Decoder
	got, err := d.Alert(b)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want) || got.HostName != "node-1" || got.PID != 42 {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestLastValueWinsAndMerges: a repeated scalar field keeps its last
// value; a repeated sub-message merges, as protobuf specifies.
func TestLastValueWinsAndMerges(t *testing.T) {
	b := encode(t, &pb.Log{HostName: "first", Owner: &pb.Podowner{Ref: "Deployment"}})
	b = append(b, encode(t, &pb.Log{HostName: "second", Owner: &pb.Podowner{Name: "api"}})...)
	want := new(pb.Log)
	if err := proto.Unmarshal(b, want); err != nil {
		t.Fatal(err)
	}
	var d Decoder
	got, err := d.Log(b)
	if err != nil || !proto.Equal(got, want) || got.Owner.Ref != "Deployment" || got.Owner.Name != "api" || got.HostName != "second" {
		t.Fatalf("got %v (%v), want %v", got, err, want)
	}
}

// TestInvalidUTF8Passes: invalid UTF-8, which protobuf-go rejects, is
// decoded as sent; ingest repairs and counts it.
func TestInvalidUTF8Passes(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, []byte{'a', 0xff, 'b'})
	if err := proto.Unmarshal(b, new(pb.Log)); err == nil {
		t.Fatal("protobuf-go accepted invalid UTF-8; this test's premise is gone")
	}
	var d Decoder
	l, err := d.Log(b)
	if err != nil || l.HostName != "a\xffb" {
		t.Fatalf("got %q, %v", l.HostName, err)
	}
}

// TestTruncated: every proper prefix of an encoding either decodes (it
// ends on a field boundary) or fails with ErrMalformed, exactly when
// proto.Unmarshal fails; nothing panics.
func TestTruncated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var d Decoder
	for i := 0; i < 50; i++ {
		for _, m := range newMessages() {
			fill(r, m.ProtoReflect())
			b := encode(t, m)
			for n := 0; n < len(b); n++ {
				_, err := decode(&d, b[:n], m)
				werr := proto.Unmarshal(b[:n], m.ProtoReflect().New().Interface())
				if (err == nil) != (werr == nil) {
					t.Fatalf("%T prefix %d of %d: decoder error %v, protobuf-go error %v", m, n, len(b), err, werr)
				}
				if err != nil && !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v does not wrap ErrMalformed", err)
				}
			}
			proto.Reset(m)
		}
	}
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 8; i++ {
		for _, m := range newMessages() {
			fill(r, m.ProtoReflect())
			b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
			f.Add(byte(i%3), b)
		}
	}
	f.Fuzz(func(t *testing.T, kind byte, b []byte) {
		like := newMessages()[int(kind)%3]
		var d Decoder
		got, err := decode(&d, b, like)
		want := like.ProtoReflect().New().Interface()
		werr := proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, want)
		switch {
		case werr == nil && err != nil:
			t.Fatalf("protobuf-go decodes, we fail: %v", err)
		case werr == nil && !proto.Equal(got, want):
			t.Fatalf("decoded\n%v\nprotobuf-go\n%v", got, want)
		case err != nil && !errors.Is(err, ErrMalformed):
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}

func sampleLog() *pb.Log {
	return &pb.Log{Timestamp: 1793491201, UpdatedTime: "2026-11-01T00:00:01.123456Z", ClusterName: "default",
		HostName: "worker-node-01", NamespaceName: "payments", PodName: "payments-api-7d9f8c6b5d-x2k4p",
		Labels: "app=payments-api,tier=backend", ContainerID: "3f2a9c1e8b7d6f5a4e3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e",
		ContainerName: "api", ContainerImage: "registry.example.com/payments/api:v2.14.3", HostPPID: 1234, HostPID: 5678,
		PPID: 1, PID: 42, ParentProcessName: "/bin/bash", ProcessName: "/usr/bin/curl", Source: "/bin/bash",
		Resource: "/usr/bin/curl -s http://inventory.default.svc:8080/health", Operation: "Process",
		Data: "syscall=SYS_EXECVE", Result: "Passed", Type: "ContainerLog", Cwd: "/app",
		Owner:     &pb.Podowner{Ref: "Deployment", Name: "payments-api", Namespace: "payments"},
		ExecEvent: &pb.ExecEvent{ExecID: "1793491201123456789", ExecutableName: "curl"}}
}

func BenchmarkEncodeLog(b *testing.B) {
	m := sampleLog()
	b.ReportAllocs()
	for b.Loop() {
		buf, _ := Encode(m)
		buf.Free()
	}
}

func BenchmarkProtoMarshalLog(b *testing.B) {
	m := sampleLog()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = proto.Marshal(m)
	}
}

func BenchmarkDecodeLog(b *testing.B) {
	raw, _ := proto.Marshal(sampleLog())
	var d Decoder
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Log(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProtoUnmarshalLog(b *testing.B) {
	raw, _ := proto.Marshal(sampleLog())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if err := proto.Unmarshal(raw, new(pb.Log)); err != nil {
			b.Fatal(err)
		}
	}
}
