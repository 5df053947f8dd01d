package export

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/sim"
)

func testLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// TestJSONLRoundTrip exports events as JSONL, parses them back and
// compares them with a fresh generator's.
func TestJSONLRoundTrip(t *testing.T) {
	const n = 20000
	simCfg := sim.Config{Seed: 1, Start: testStart, Count: n}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	st, err := Run(context.Background(), Config{Sim: simCfg, Format: JSONL, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := sim.NewGenerator(simCfg)
	var got Stats
	i := 0
	err = ReadJSONL(f, func(e sim.Event) error {
		want := g.Next()
		switch {
		case e.Alert != nil:
			got.Alerts++
			if !proto.Equal(e.Alert, want.Alert) {
				t.Fatalf("event %d: alert %v, want %v", i, e.Alert, want)
			}
		case e.Log != nil:
			got.Logs++
			if !proto.Equal(e.Log, want.Log) {
				t.Fatalf("event %d: log %v, want %v", i, e.Log, want)
			}
		default:
			got.Messages++
			if !proto.Equal(e.Message, want.Message) {
				t.Fatalf("event %d: message %v, want %v", i, e.Message, want)
			}
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got.Elapsed = st.Elapsed
	if got != st || i != n || got.Messages == 0 {
		t.Errorf("read back %+v (%d events), exported %+v", got, i, st)
	}
}

// TestJSONLLineIsKarmorJSON checks that a line is karmor's json.Marshal
// output with the table key first, and nothing else.
func TestJSONLLineIsKarmorJSON(t *testing.T) {
	for _, tc := range []struct {
		e    sim.Event
		want string
	}{
		{sim.Event{Message: &pb.Message{}}, `{"table":"messages"}`},
		{sim.Event{Log: &pb.Log{PID: 7, Resource: "<a&b>"}}, `{"table":"logs","PPID":0,"PID":7,"UID":0,"Resource":"\u003ca\u0026b\u003e"}`},
	} {
		var enc jsonlEncoder
		line, err := enc.encode(tc.e)
		if err != nil {
			t.Fatal(err)
		}
		if string(line) != tc.want+"\n" {
			t.Errorf("got %s, want %s", line, tc.want)
		}
	}
	g := sim.NewGenerator(sim.Config{Seed: 3, Start: testStart, Count: 3000})
	var enc jsonlEncoder
	for range 3000 {
		e := g.Next()
		var v any = e.Log
		prefix := `{"table":"logs",`
		switch {
		case e.Alert != nil:
			v, prefix = e.Alert, `{"table":"alerts",`
		case e.Message != nil:
			v, prefix = e.Message, `{"table":"messages",`
		}
		karmor, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		line, err := enc.encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if want := prefix + string(karmor[1:]) + "\n"; string(line) != want {
			t.Fatalf("got  %s\nwant %s", line, want)
		}
	}
	if _, err := enc.encode(sim.Event{}); err == nil {
		t.Error("empty event: no error")
	}
}

func TestReadJSONLErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"table":"alerts"}` + "\n" + `{"Timestamp":1}`, `line 2: table "" is not`},
		{`{"table":"logs","PID":"x"}`, "line 1"},
		{`not json`, "line 1"},
	} {
		err := ReadJSONL(strings.NewReader(tc.in), func(sim.Event) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
	var n int
	err := ReadJSONL(strings.NewReader("\n"+`{"table":"messages","Level":"Info"}`+"\n\n"), func(e sim.Event) error {
		n++
		if e.Message.GetLevel() != "Info" {
			t.Errorf("message %v", e.Message)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Errorf("blank lines: %d events, %v", n, err)
	}
}
