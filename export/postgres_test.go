package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
	"github.com/armorlake/armorlake/test/pgtest"
)

// TestPostgresLoadsCSV exports events to CSV, loads the files into a real
// PostgreSQL with COPY … WITH (FORMAT csv, HEADER true), and checks
// aggregates against values computed from the generator's events, then
// every value of every row against coldata.AppendText of the same row as
// an operator maps it.
func TestPostgresLoadsCSV(t *testing.T) {
	const n = 20000
	if !pgtest.Installed() {
		t.Skip("PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/initdb): 'make test' installs it")
	}
	pg := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	simCfg := sim.Config{Seed: 1, Start: testStart, Count: n}
	dir := filepath.Join(t.TempDir(), "csv")
	st, err := Run(ctx, Config{Sim: simCfg, Format: CSV, Path: dir})
	if err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tbl := range schema.KubeArmor() {
		var cols []string
		for _, c := range tbl.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, c.Type))
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", tbl.Name, strings.Join(cols, ", "))); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, tbl.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		tag, err := conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s FROM STDIN WITH (FORMAT csv, HEADER true)", tbl.Name))
		f.Close()
		if err != nil {
			t.Fatalf("COPY %s: %v", tbl.Name, err)
		}
		t.Logf("COPY %s: %d rows", tbl.Name, tag.RowsAffected())
	}

	want := generatorAggregates(simCfg)
	if want["alerts"] != st.Alerts || want["logs"] != st.Logs || want["messages"] != st.Messages {
		t.Errorf("Run counted %+v, the generator %v", st, want)
	}
	for _, q := range aggregateQueries {
		var got int64
		if err := conn.QueryRow(ctx, q.sql).Scan(&got); err != nil {
			t.Errorf("%s: %v", q.sql, err)
			continue
		}
		if got != want[q.name] {
			t.Errorf("%s: PostgreSQL says %d, the generator %d", q.sql, got, want[q.name])
		}
	}

	// Every row, as PostgreSQL prints its values, is a row as AppendText
	// wrote it. Rows are compared as sorted lists: the physical order of
	// a copied table is not the file's.
	batches := generatedBatches(n)
	for i, tbl := range schema.KubeArmor() {
		res := conn.PgConn().ExecParams(ctx, "SELECT * FROM "+tbl.Name, nil, nil, nil, nil).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		b := batches[i]
		theirs, ours := make([]string, len(res.Rows)), make([]string, b.Len)
		for r, row := range res.Rows {
			var line []byte
			for _, val := range row {
				line = appendRowValue(line, val, val == nil)
			}
			theirs[r] = string(line)
		}
		for r := range b.Len {
			var line []byte
			for _, v := range b.Vecs {
				line = appendRowValue(line, coldata.AppendText(nil, v, r, time.UTC), v.Nulls.Get(r))
			}
			ours[r] = string(line)
		}
		sort.Strings(theirs)
		sort.Strings(ours)
		if len(theirs) != len(ours) {
			t.Errorf("%s: PostgreSQL holds %d rows, want %d", tbl.Name, len(theirs), len(ours))
			continue
		}
		bad := 0
		for r := range ours {
			if theirs[r] != ours[r] {
				if bad++; bad <= 3 {
					t.Errorf("%s: PostgreSQL has row\n%q\nwant\n%q", tbl.Name, theirs[r], ours[r])
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d rows differ", tbl.Name, bad, len(ours))
		}
	}
}

// appendRowValue appends one value of a row being spelled for comparison:
// values end in a NUL byte, and NULL is \x01.
func appendRowValue(line, val []byte, null bool) []byte {
	if null {
		return append(line, 1, 0)
	}
	return append(append(line, val...), 0)
}

// aggregateQueries are answered by PostgreSQL over the loaded CSV and by
// generatorAggregates from the events themselves.
var aggregateQueries = []struct{ name, sql string }{
	{"alerts", "SELECT count(*) FROM alerts"},
	{"logs", "SELECT count(*) FROM logs"},
	{"messages", "SELECT count(*) FROM messages"},
	{"alerts without severity", "SELECT count(*) FROM alerts WHERE severity IS NULL"},
	{"severity sum", "SELECT sum(severity) FROM alerts"},
	{"blocked", "SELECT count(*) FROM alerts WHERE action = 'Block'"},
	{"alert tags", "SELECT sum(cardinality(atags)) FROM alerts"},
	{"alerts with event data", "SELECT count(*) FROM alerts WHERE event_data <> '{}'"},
	{"host pid sum", "SELECT sum(host_pid) FROM logs"},
	{"process logs", "SELECT count(*) FROM logs WHERE operation = 'Process'"},
	{"logs without cwd", "SELECT count(*) FROM logs WHERE cwd = ''"},
	{"null cwd", "SELECT count(*) FROM logs WHERE cwd IS NULL"},
	{"logs with data key", "SELECT count(*) FROM logs WHERE event_data ? 'Syscall'"},
	{"log commas", "SELECT count(*) FROM logs WHERE strpos(resource, ',') > 0 OR strpos(data, ',') > 0"},
	{"min ts", "SELECT (extract(epoch FROM min(ts)) * 1e6)::bigint FROM logs"},
	{"max ts", "SELECT (extract(epoch FROM max(ts)) * 1e6)::bigint FROM logs"},
	{"hosts", "SELECT count(DISTINCT host_name) FROM logs"},
	{"message levels", "SELECT count(DISTINCT level) FROM messages"},
	{"exported by", "SELECT count(*) FROM logs WHERE ingest_operator = 'export' AND ingest_endpoint = ''"},
}

// generatorAggregates computes aggregateQueries' answers from a fresh
// generator's events, without the row mapping.
func generatorAggregates(cfg sim.Config) map[string]int64 {
	m := map[string]int64{}
	hosts, levels := map[string]bool{}, map[string]bool{}
	minTs, maxTs := int64(1<<62), int64(-1<<62)
	g := sim.NewGenerator(cfg)
	for range cfg.Count {
		switch e := g.Next(); {
		case e.Alert != nil:
			a := e.Alert
			m["alerts"]++
			if sev, err := strconv.Atoi(a.Severity); err == nil {
				m["severity sum"] += int64(sev)
			} else {
				m["alerts without severity"]++
			}
			if a.Action == "Block" {
				m["blocked"]++
			}
			m["alert tags"] += int64(len(a.ATags))
			if len(a.EventData) > 0 {
				m["alerts with event data"]++
			}
		case e.Log != nil:
			l := e.Log
			m["logs"]++
			m["exported by"]++
			m["host pid sum"] += int64(l.HostPID)
			if l.Operation == "Process" {
				m["process logs"]++
			}
			if l.Cwd == "" {
				m["logs without cwd"]++
			}
			if _, ok := l.EventData["Syscall"]; ok {
				m["logs with data key"]++
			}
			if strings.Contains(l.Resource, ",") || strings.Contains(l.Data, ",") {
				m["log commas"]++
			}
			ts, err := time.Parse(time.RFC3339Nano, l.UpdatedTime)
			if err != nil {
				panic(err)
			}
			minTs, maxTs = min(minTs, ts.UnixMicro()), max(maxTs, ts.UnixMicro())
			hosts[l.HostName] = true
		default:
			m["messages"]++
			levels[e.Message.Level] = true
		}
	}
	m["min ts"], m["max ts"] = minTs, maxTs
	m["hosts"], m["message levels"] = int64(len(hosts)), int64(len(levels))
	return m
}
