package ingest

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
	pb "github.com/kubearmor/KubeArmor/protobuf"
)

const (
	testOperator = "op-1"
	testEndpoint = "10.0.0.1:32767"
)

// readJSONL decodes testdata/name (copied from shared/kubearmor: events
// as `karmor logs --json` prints them) into values of type T.
func readJSONL[T any](t *testing.T, name string) []*T {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		v := new(T)
		if err := json.Unmarshal(sc.Bytes(), v); err != nil {
			t.Fatalf("%s line %d: %v", name, len(out)+1, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rowValues renders row i of b as column name → Go value: int64,
// string, []string, or nil for NULL.
func rowValues(t *testing.T, tbl *schema.Table, b *coldata.Batch, i int) map[string]any {
	t.Helper()
	if len(b.Vecs) != len(tbl.Columns) {
		t.Fatalf("%s batch has %d vecs, table %d columns", tbl.Name, len(b.Vecs), len(tbl.Columns))
	}
	m := make(map[string]any, len(tbl.Columns))
	for c, col := range tbl.Columns {
		v := b.Vecs[c]
		if v.Len() != b.Len {
			t.Fatalf("%s.%s has %d rows, batch %d", tbl.Name, col.Name, v.Len(), b.Len)
		}
		switch {
		case v.IsNull(i):
			m[col.Name] = nil
		case col.Type == coldata.TextArray:
			elems := []string{}
			for j := range v.ArrayLen(i) {
				elems = append(elems, string(v.ArrayElem(i, j)))
			}
			m[col.Name] = elems
		case col.Type.IsBytes():
			m[col.Name] = v.Bytes.GetString(i)
		default:
			m[col.Name] = v.Int64[i]
		}
	}
	return m
}

func micros(s string) int64 {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return tm.UnixMicro()
}

// blankRow is the row of an event with every field at its zero value.
func blankRow(tbl *schema.Table) map[string]any {
	m := make(map[string]any)
	for _, c := range tbl.Columns {
		switch c.Type {
		case coldata.Text:
			m[c.Name] = ""
		case coldata.TextArray:
			m[c.Name] = []string{}
		case coldata.Jsonb:
			m[c.Name] = "{}"
		default:
			m[c.Name] = int64(0)
		}
	}
	if tbl.ColumnIndex("severity") >= 0 {
		m["severity"] = nil
	}
	m[schema.IngestOperatorColumn] = testOperator
	m[schema.IngestEndpointColumn] = testEndpoint
	return m
}

func with(base map[string]any, kv map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range kv {
		if _, ok := out[k]; !ok {
			panic("no column " + k)
		}
		out[k] = v
	}
	return out
}

func diffRow(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %#v, want %#v", what, k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d columns, want %d", what, len(got), len(want))
	}
}

func TestAppendSampleLogs(t *testing.T) {
	logs := readJSONL[pb.Log](t, "sample-logs.jsonl")
	b := coldata.NewBatch(schema.Logs.Types(), 4)
	for _, l := range logs {
		if n := AppendLog(b, l, testOperator, testEndpoint); n != 0 {
			t.Fatalf("repaired %d strings of a valid event", n)
		}
	}
	want := with(blankRow(schema.Logs), map[string]any{
		"ts":                  micros("2025-12-08T18:28:47.125539Z"),
		"timestamp":           int64(1765218527),
		"cluster_name":        "default",
		"host_name":           "archlinux",
		"namespace_name":      "default",
		"owner_ref":           "Deployment",
		"owner_name":          "nginx",
		"owner_namespace":     "default",
		"pod_name":            "nginx-779797d5bd-wlrsn",
		"labels":              "app=nginx",
		"container_name":      "nginx",
		"host_ppid":           int64(247074),
		"host_pid":            int64(251151),
		"ppid":                int64(41),
		"pid":                 int64(51),
		"parent_process_name": "/usr/bin/bash",
		"process_name":        "/usr/bin/curl",
		"cwd":                 "/",
		"tty":                 "pts0",
		"exec_id":             "1078688820741427",
		"exec_name":           "curl",
		"type":                "ContainerLog",
		"source":              "/usr/bin/curl google.com",
		"operation":           "Network",
		"resource":            "sa_family=AF_INET sin_port=53",
		"data":                "kfunc=UDP_SENDMSG,domain=google.com.default.svc.cluster.local,daddr=10.43.0.10,qtype=AAAA",
		"event_data":          `{"Kfunc": "UDP_SENDMSG,domain=google.com.default.svc.cluster.local,daddr=10.43.0.10,qtype=AAAA", "Sin_port": "53", "Sa_family": "AF_INET"}`,
		"result":              "Passed",
	})
	diffRow(t, "log 1", rowValues(t, schema.Logs, b, 1), want)

	// No UpdatedTime nor Timestamp (karmor stripped them): ts is 0.
	got := rowValues(t, schema.Logs, b, 0)
	if got["ts"] != int64(0) || got["timestamp"] != int64(0) || got["container_id"] != logs[0].ContainerID {
		t.Errorf("log 0: %v", got)
	}
	got = rowValues(t, schema.Logs, b, 2)
	if got["ts"] != micros("2023-01-28T07:04:45.436854Z") || got["type"] != "HostLog" || got["namespace_name"] != "" || got["event_data"] != "{}" {
		t.Errorf("log 2: %v", got)
	}
}

func TestAppendSampleAlerts(t *testing.T) {
	alerts := readJSONL[pb.Alert](t, "sample-alerts.jsonl")
	b := coldata.NewBatch(schema.Alerts.Types(), 8)
	for _, a := range alerts {
		AppendAlert(b, a, testOperator, testEndpoint)
	}
	if b.Len != len(alerts) {
		t.Fatalf("batch has %d rows, want %d", b.Len, len(alerts))
	}
	blank := blankRow(schema.Alerts)
	diffRow(t, "alert 3", rowValues(t, schema.Alerts, b, 3), with(blank, map[string]any{
		"ts":                  micros("2025-12-16T05:37:19.127331Z"),
		"timestamp":           int64(1765863439),
		"cluster_name":        "default",
		"host_name":           "aryan",
		"namespace_name":      "multiubuntu",
		"owner_ref":           "Deployment",
		"owner_name":          "ubuntu-1-deployment",
		"owner_namespace":     "multiubuntu",
		"pod_name":            "ubuntu-1-deployment-8dc5d8d48-5s8pf",
		"labels":              "group=group-1,container=ubuntu-1",
		"container_id":        "4771ac3e9074f1bf8b01038d0cf776960aa44b18edccc0f2b017e8465dedefcd",
		"container_name":      "ubuntu-1-container",
		"container_image":     "docker.io/kubearmor/ubuntu-w-utils:latest@sha256:8c94d921d36698a63e02337302989e8311169b750cc0dd4713e688f3631ab4ba",
		"host_ppid":           int64(190507),
		"host_pid":            int64(191949),
		"ppid":                int64(190507),
		"pid":                 int64(113),
		"parent_process_name": "/bin/bash",
		"process_name":        "/usr/bin/python3.6",
		"cwd":                 "/",
		"tty":                 "pts0",
		"exec_id":             "824416229130095",
		"exec_name":           "bash",
		"policy_name":         "ksp-ubuntu-1-allow-proc-args",
		"severity":            int64(5),
		"message":             "block all arguments except allowedArgs",
		"type":                "MatchedPolicy",
		"source":              "/bin/bash",
		"operation":           "Process",
		"resource":            "/usr/bin/python3.6 -m pydoc",
		"data":                "lsm=SECURITY_BPRM_CHECK",
		"event_data":          `{"Lsm": "SECURITY_BPRM_CHECK"}`,
		"enforcer":            "BPFLSM",
		"action":              "Block",
		"result":              "Permission denied",
		"kubearmor_version":   "v1.6.5-8-g3d55b346-dirty",
	}))
	diffRow(t, "alert 5", rowValues(t, schema.Alerts, b, 5), with(blank, map[string]any{
		"ts":           micros("2026-02-23T04:31:35.104233Z"),
		"timestamp":    int64(1771821095),
		"cluster_name": "default",
		"host_name":    "ubuntu",
		"node_id":      "f39801455594d78b98b7816e37eed6e526c2342d945ba334f6ab6086b49426ee",
		"user_name":    "root",
		"policy_name":  "nsp-ingress-audit-ssh",
		"severity":     int64(5),
		"message":      "New SSH connection!",
		"type":         "MatchedNetworkPolicy",
		"operation":    "NetworkFirewall",
		"resource":     "INGRESS",
		"data":         "SourceIP=192.168.29.42 SourcePort=53262 DestinationIP=192.168.29.76 DestinationPort=22 Protocol=TCP",
		"event_data":   `{"Protocol": "TCP", "SourceIP": "192.168.29.42", "SourcePort": "53262", "DestinationIP": "192.168.29.76", "DestinationPort": "22"}`,
		"enforcer":     "NetworkPolicyEnforcer",
		"action":       "Audit",
		"result":       "Passed",
	}))
	got := rowValues(t, schema.Alerts, b, 0)
	if !reflect.DeepEqual(got["atags"], []string{"NIST", "NIST_800-53_CM-7(4)", "SI-4", "process", "NIST_800-53_SI-4"}) ||
		got["tags"] != "NIST,NIST_800-53_CM-7(4),SI-4,process,NIST_800-53_SI-4" || got["severity"] != int64(5) {
		t.Errorf("alert 0 tags: %v %v %v", got["tags"], got["atags"], got["severity"])
	}
	// DefaultPosture: no severity, no tags.
	got = rowValues(t, schema.Alerts, b, 7)
	if got["policy_name"] != "DefaultPosture" || got["severity"] != nil || !reflect.DeepEqual(got["atags"], []string{}) ||
		got["uid"] != int64(204) || got["result"] != "Operation not permitted" {
		t.Errorf("alert 7: %v", got)
	}
	// Every row carries its source's strings unchanged.
	for i, a := range alerts {
		got := rowValues(t, schema.Alerts, b, i)
		for col, v := range map[string]string{"host_name": a.HostName, "pod_name": a.PodName, "resource": a.Resource,
			"source": a.Source, "data": a.Data, "action": a.Action, "enforcer": a.Enforcer, "policy_name": a.PolicyName} {
			if got[col] != v {
				t.Errorf("alert %d: %s = %q, want %q", i, col, got[col], v)
			}
		}
	}
}

func TestAppendMessage(t *testing.T) {
	b := coldata.NewBatch(schema.Messages.Types(), 2)
	AppendMessage(b, &pb.Message{Timestamp: 1779770817, UpdatedTime: "2026-05-26T04:46:57.355927Z", ClusterName: "default",
		HostName: "aryan", HostIP: "10.0.0.4", Type: "Message", Level: "INFO", Message: "Started to monitor system events"}, testOperator, testEndpoint)
	AppendMessage(b, &pb.Message{}, testOperator, testEndpoint)
	diffRow(t, "message 0", rowValues(t, schema.Messages, b, 0), with(blankRow(schema.Messages), map[string]any{
		"ts": micros("2026-05-26T04:46:57.355927Z"), "timestamp": int64(1779770817), "cluster_name": "default",
		"host_name": "aryan", "host_ip": "10.0.0.4", "type": "Message", "level": "INFO", "message": "Started to monitor system events",
	}))
	diffRow(t, "message 1", rowValues(t, schema.Messages, b, 1), blankRow(schema.Messages))
}

// Each Append function fills exactly the columns of its table: one value
// per Vec, of the Vec's type.
func TestAppendFillsEveryColumnOnce(t *testing.T) {
	full := &pb.Alert{Owner: &pb.Podowner{}, ExecEvent: &pb.ExecEvent{}, ATags: []string{"a", "b"}, EventData: map[string]string{"k": "v"}, Severity: "3"}
	for _, tc := range []struct {
		tbl    *schema.Table
		append func(b *coldata.Batch)
	}{
		{schema.Alerts, func(b *coldata.Batch) { AppendAlert(b, full, "o", "e") }},
		{schema.Alerts, func(b *coldata.Batch) { AppendAlert(b, &pb.Alert{}, "o", "e") }},
		{schema.Logs, func(b *coldata.Batch) { AppendLog(b, &pb.Log{}, "o", "e") }},
		{schema.Messages, func(b *coldata.Batch) { AppendMessage(b, &pb.Message{}, "o", "e") }},
	} {
		b := coldata.NewBatch(tc.tbl.Types(), 1)
		tc.append(b)
		tc.append(b)
		for c, v := range b.Vecs {
			if v.Len() != 2 || b.Len != 2 {
				t.Errorf("%s.%s: %d values after two rows (batch %d)", tc.tbl.Name, tc.tbl.Columns[c].Name, v.Len(), b.Len)
			}
		}
	}
}

func TestAppendEdgeCases(t *testing.T) {
	blank := blankRow(schema.Alerts)
	for _, tc := range []struct {
		name     string
		alert    *pb.Alert
		want     map[string]any
		repaired int
	}{
		{"empty", &pb.Alert{}, nil, 0},
		{"empty nested", &pb.Alert{Owner: &pb.Podowner{}, ExecEvent: &pb.ExecEvent{}, ATags: []string{}, EventData: map[string]string{}}, nil, 0},
		{"malformed UpdatedTime", &pb.Alert{UpdatedTime: "yesterday", Timestamp: 1700000000},
			map[string]any{"ts": int64(1700000000_000000), "timestamp": int64(1700000000)}, 0},
		{"impossible date", &pb.Alert{UpdatedTime: "2026-02-30T10:00:00.000000Z", Timestamp: 5},
			map[string]any{"ts": int64(5_000_000), "timestamp": int64(5)}, 0},
		{"leap second", &pb.Alert{UpdatedTime: "2016-12-31T23:59:60.000000Z", Timestamp: 7},
			map[string]any{"ts": int64(7_000_000), "timestamp": int64(7)}, 0},
		{"other RFC 3339", &pb.Alert{UpdatedTime: "2026-01-02T03:04:05.123456789+02:00"},
			map[string]any{"ts": micros("2026-01-02T01:04:05.123456Z")}, 0},
		{"whole seconds", &pb.Alert{UpdatedTime: "2026-01-02T03:04:05Z"},
			map[string]any{"ts": micros("2026-01-02T03:04:05Z")}, 0},
		{"pre-epoch", &pb.Alert{UpdatedTime: "1969-12-31T23:59:59.999999Z"}, map[string]any{"ts": int64(-1)}, 0},
		{"severity abc", &pb.Alert{Severity: "abc"}, nil, 0},
		{"severity 10", &pb.Alert{Severity: "10"}, map[string]any{"severity": int64(10)}, 0},
		{"severity overflow", &pb.Alert{Severity: "99999999999"}, nil, 0},
		{"severity sign only", &pb.Alert{Severity: "-"}, nil, 0},
		{"severity spaces", &pb.Alert{Severity: " 5"}, nil, 0},
		{"negative ints", &pb.Alert{PID: -1, UID: -2, MaxAlertsPerSec: 10, DroppingAlertsInterval: 30},
			map[string]any{"pid": int64(-1), "uid": int64(-2), "max_alerts_per_sec": int64(10), "dropping_alerts_interval": int64(30)}, 0},
		{"invalid UTF-8", &pb.Alert{ContainerName: "\xff\xfeab", Resource: "/tmp/\xc3(", Labels: "ok=é"},
			map[string]any{"container_name": "\uFFFD\uFFFDab", "resource": "/tmp/\uFFFD(", "labels": "ok=é"}, 2},
		{"invalid UTF-8 in tags and event data", &pb.Alert{ATags: []string{"a\x80", "b"}, EventData: map[string]string{"k\xff": "v\xfe"}},
			map[string]any{"atags": []string{"a\uFFFD", "b"}, "event_data": `{"k` + "\uFFFD" + `": "v` + "\uFFFD" + `"}`}, 3},
		{"json escapes", &pb.Alert{EventData: map[string]string{"Q": "a\"b\\c\nd\x01\té/<>&\x7f", "Lsm": "x"}},
			map[string]any{"event_data": `{"Q": "a\"b\\c\nd\u0001\té/<>&` + "\x7f" + `", "Lsm": "x"}`}, 0},
		{"jsonb key order", &pb.Alert{EventData: map[string]string{"bb": "1", "a": "2", "ab": "3", "ccc": "4", "B": "5"}},
			map[string]any{"event_data": `{"B": "5", "a": "2", "ab": "3", "bb": "1", "ccc": "4"}`}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := coldata.NewBatch(schema.Alerts.Types(), 1)
			if n := AppendAlert(b, tc.alert, testOperator, testEndpoint); n != tc.repaired {
				t.Errorf("repaired %d strings, want %d", n, tc.repaired)
			}
			diffRow(t, tc.name, rowValues(t, schema.Alerts, b, 0), with(blank, tc.want))
		})
	}
}

// The fast path of parseUpdatedTime agrees with the time package.
func TestParseUpdatedTimeMatchesTimePackage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		tm := time.UnixMicro(r.Int64N(253402300799_000000+62135596800_000000) - 62135596800_000000).UTC()
		s := tm.Format("2006-01-02T15:04:05.000000Z")
		got, ok := parseUpdatedTime(s)
		if !ok || got != tm.UnixMicro() {
			t.Fatalf("parseUpdatedTime(%s) = %d, %v; want %d", s, got, ok, tm.UnixMicro())
		}
	}
	for _, s := range []string{"", "2026-13-01T00:00:00.000000Z", "2026-00-01T00:00:00.000000Z", "2026-01-32T00:00:00.000000Z",
		"2026-01-01T24:00:00.000000Z", "2026-01-01T00:60:00.000000Z", "2025-02-29T00:00:00.000000Z", "2026-01-01T00:00:00.00000aZ",
		"2026-01-01 00:00:00.000000Z", "+026-01-01T00:00:00.000000Z"} {
		if us, ok := parseUpdatedTime(s); ok {
			_, err := time.Parse(time.RFC3339Nano, s)
			t.Errorf("parseUpdatedTime(%q) = %d, ok (time.Parse: %v)", s, us, err)
		}
	}
	if us, ok := parseUpdatedTime("2024-02-29T12:00:00.000001Z"); !ok || us != micros("2024-02-29T12:00:00.000001Z") {
		t.Errorf("leap day: %d %v", us, ok)
	}
}

func TestJSONBKeyOrderIsPostgres(t *testing.T) {
	keys := []string{"Sin_port", "Kfunc", "Sa_family", "a", "B", "ab", ""}
	sortJSONBKeys(keys)
	want := []string{"", "B", "a", "ab", "Kfunc", "Sin_port", "Sa_family"}
	if !slices.Equal(keys, want) {
		t.Errorf("got %q, want %q", keys, want)
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	logs := readJSONL[pb.Log](t, "sample-logs.jsonl")
	b := coldata.NewBatch(schema.Logs.Types(), 1000)
	allocs := testing.AllocsPerRun(300, func() {
		AppendLog(b, logs[1], testOperator, testEndpoint)
	})
	if allocs > 0.1 {
		t.Errorf("AppendLog allocates %.2f times per row", allocs)
	}
}

func BenchmarkAppend(b *testing.B) {
	g := sim.NewGenerator(sim.Config{Seed: 1, Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Count: 1 << 30})
	events := make([]sim.Event, 4096)
	for i := range events {
		events[i] = g.Next()
	}
	batches := [3]*coldata.Batch{
		coldata.NewBatch(schema.Alerts.Types(), 4096),
		coldata.NewBatch(schema.Logs.Types(), 4096),
		coldata.NewBatch(schema.Messages.Types(), 4096),
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(events) {
			i = 0
			for _, bt := range batches {
				bt.Reset()
			}
		}
		switch e := events[i]; {
		case e.Alert != nil:
			AppendAlert(batches[0], e.Alert, testOperator, testEndpoint)
		case e.Log != nil:
			AppendLog(batches[1], e.Log, testOperator, testEndpoint)
		default:
			AppendMessage(batches[2], e.Message, testOperator, testEndpoint)
		}
		i++
	}
}

// TestRepairTextBatch repairs a batch at once, as the ingester does before
// storing it, including values that are invalid on their own but valid
// once concatenated (a character split across two values).
func TestRepairTextBatch(t *testing.T) {
	b := coldata.NewBatch(schema.Logs.Types(), 4)
	rows := []*pb.Log{
		{HostName: "node-1", Resource: "a\xe2"},          // "€" is e2 82 ac: cut after its first byte
		{HostName: "node-2", Resource: "\x82\xacb"},      // ... and its rest
		{HostName: "ünï", Resource: "/etc/passwd"},       // valid, not ASCII
		{HostName: "node-3\xff", Resource: "/tmp/\xc3("}, // two invalid values
	}
	for _, l := range rows {
		appendLog(b, l, testOperator, testEndpoint)
	}
	if n := RepairText(b, 0); n != 4 {
		t.Errorf("repaired %d values, want 4", n)
	}
	col := func(name string) *coldata.Vec { return b.Vecs[schema.Logs.ColumnIndex(name)] }
	want := map[string][]string{
		"host_name": {"node-1", "node-2", "ünï", "node-3\uFFFD"},
		"resource":  {"a\uFFFD", "\uFFFD\uFFFDb", "/etc/passwd", "/tmp/\uFFFD("},
	}
	for name, vals := range want {
		for i, w := range vals {
			if got := string(col(name).Bytes.Get(i)); got != w {
				t.Errorf("%s row %d = %q, want %q", name, i, got, w)
			}
		}
	}
	if n := RepairText(b, 0); n != 0 {
		t.Errorf("second repair changed %d values", n)
	}
}
