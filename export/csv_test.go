package export

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
)

func TestAppendCSVField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", "abc"},
		{"", `""`},
		{"a b", "a b"},
		{" lead and trail ", " lead and trail "},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{`"`, `""""`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
		{`\.`, `"\."`},
		{`\.x`, `\.x`},
		{`back\slash`, `back\slash`},
		{"日本", "日本"},
	} {
		got := string(appendCSVField([]byte("prefix|"), []byte(tc.in)))
		if got != "prefix|"+tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, "prefix|"+tc.want)
		}
	}
}

// TestAppendCSVRows checks whole rows, including what must be quoted and
// what must stay unquoted, and that encoding/csv reads back every value.
func TestCSVEncoder(t *testing.T) {
	b := coldata.NewBatch([]coldata.Type{coldata.Timestamptz, coldata.Int32, coldata.Text, coldata.Jsonb, coldata.TextArray}, 4)
	v := b.Vecs
	ts := time.Date(2026, 11, 1, 6, 0, 0, 123456000, time.UTC).UnixMicro()

	v[0].Int64 = append(v[0].Int64, ts)
	v[1].Int64 = append(v[1].Int64, 7)
	v[2].Bytes.AppendString("plain")
	v[3].Bytes.AppendString(`{"Syscall": "SYS_SOCKET"}`)
	v[4].AppendStrings([]string{"NIST", "MITRE T1059"})

	v[0].Int64 = append(v[0].Int64, ts+500_000)
	v[1].AppendNull()
	v[2].Bytes.AppendString("")
	v[3].Bytes.AppendString("{}")
	v[4].AppendStrings(nil)

	v[0].Int64 = append(v[0].Int64, ts)
	v[1].Int64 = append(v[1].Int64, -1)
	v[2].Bytes.AppendString("a,\"b\"\nc")
	v[3].Bytes.AppendString(`{"k": "a,b"}`)
	v[4].AppendStrings([]string{""})
	b.Len = 3

	var enc csvEncoder
	got := string(enc.appendRows(nil, b, time.UTC))
	want := `2026-11-01 06:00:00.123456+00,7,plain,"{""Syscall"": ""SYS_SOCKET""}","{NIST,""MITRE T1059""}"
2026-11-01 06:00:00.623456+00,,"",{},{}
2026-11-01 06:00:00.123456+00,-1,"a,""b""
c","{""k"": ""a,b""}","{""""}"
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for r, rec := range recs {
		for c, field := range rec {
			wantField := ""
			if !v[c].Nulls.Get(r) {
				wantField = string(coldata.AppendText(nil, v[c], r, time.UTC))
			}
			if field != wantField {
				t.Errorf("row %d column %d reads back as %q, want %q", r, c, field, wantField)
			}
		}
	}
}

// TestCSVEncoderShortValues checks the values that need quotes in a
// column where no value holds a special byte.
func TestCSVEncoderShortValues(t *testing.T) {
	b := coldata.NewBatch([]coldata.Type{coldata.Text, coldata.Bool}, 4)
	for _, s := range []string{"", `\.`, "ab", "x", `\x`} {
		b.Vecs[0].Bytes.AppendString(s)
		b.Vecs[1].Bool = append(b.Vecs[1].Bool, len(s) == 2)
	}
	b.Vecs[0].AppendNull()
	b.Vecs[1].AppendNull()
	b.Len = 6
	var enc csvEncoder
	got := string(enc.appendRows(nil, b, time.UTC))
	want := "\"\",f\n\"\\.\",t\nab,t\nx,f\n\\x,t\n,\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendCSVHeader(t *testing.T) {
	got := string(appendCSVHeader(nil, schema.Messages))
	want := "ts,timestamp,cluster_name,host_name,host_ip,type,level,message,ingest_operator,ingest_endpoint\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// generatedBatches maps n events of seed 1 to the three tables' batches.
func generatedBatches(n int) [3]*coldata.Batch {
	var bs [3]*coldata.Batch
	for i, t := range schema.KubeArmor() {
		bs[i] = coldata.NewBatch(t.Types(), n)
	}
	g := sim.NewGenerator(sim.Config{Seed: 1, Start: testStart, Count: n})
	for range n {
		switch e := g.Next(); {
		case e.Alert != nil:
			ingest.AppendAlert(bs[0], e.Alert, Operator, "")
		case e.Log != nil:
			ingest.AppendLog(bs[1], e.Log, Operator, "")
		default:
			ingest.AppendMessage(bs[2], e.Message, Operator, "")
		}
	}
	return bs
}

func TestCSVEncoderAllocs(t *testing.T) {
	bs := generatedBatches(2000)
	buf := make([]byte, 0, 4<<20)
	var enc csvEncoder
	n := testing.AllocsPerRun(20, func() {
		buf = buf[:0]
		for _, b := range bs {
			buf = enc.appendRows(buf, b, time.UTC)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations formatting 2000 events, want 0", n)
	}
}

// BenchmarkCSVEncoder measures formatting alone: events already mapped to
// rows, per event.
func BenchmarkCSVEncoder(b *testing.B) {
	const events = 8192
	bs := generatedBatches(events)
	buf := make([]byte, 0, 16<<20)
	var enc csvEncoder
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, bt := range bs {
			buf = enc.appendRows(buf, bt, time.UTC)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/events, "ns/event")
	b.ReportMetric(float64(len(buf))/events, "B/event")
}
