package sim

import (
	"testing"

	"google.golang.org/protobuf/proto"
)

// BenchmarkGeneratorNext (generator_test.go) measures Next; these
// measure NextShared alone and as the simulator's ingest benchmark uses
// it, each event encoded at once.

func BenchmarkGeneratorNextShared(b *testing.B) {
	g := NewGenerator(Config{Seed: 1, Start: testStart, Count: 1 << 30})
	b.ReportAllocs()
	for b.Loop() {
		g.NextShared()
	}
}

func BenchmarkGeneratorNextSharedMarshal(b *testing.B) {
	g := NewGenerator(Config{Seed: 1, Start: testStart, Count: 1 << 30})
	var buf []byte
	var err error
	b.ReportAllocs()
	for b.Loop() {
		switch e := g.NextShared(); {
		case e.Alert != nil:
			buf, err = proto.MarshalOptions{}.MarshalAppend(buf[:0], e.Alert)
		case e.Log != nil:
			buf, err = proto.MarshalOptions{}.MarshalAppend(buf[:0], e.Log)
		default:
			buf, err = proto.MarshalOptions{}.MarshalAppend(buf[:0], e.Message)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
