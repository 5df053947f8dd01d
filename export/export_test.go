package export

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
)

var testStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestRunCSV(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var log bytes.Buffer
	cfg := Config{
		Sim:    sim.Config{Seed: 1, Start: testStart, Span: time.Hour, Count: 5000},
		Format: CSV, Path: dir, BatchRows: 100, ProgressEvery: 2000,
		Logger: testLogger(&log),
	}
	st, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events() != 5000 || st.Alerts == 0 || st.Logs == 0 {
		t.Errorf("stats %+v", st)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "alerts.csv logs.csv messages.csv" {
		t.Errorf("directory holds %v", names)
	}
	for _, tc := range []struct {
		t    *schema.Table
		rows int64
	}{{schema.Alerts, st.Alerts}, {schema.Logs, st.Logs}, {schema.Messages, st.Messages}} {
		data, err := os.ReadFile(filepath.Join(dir, tc.t.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := bytes.Cut(data, []byte("\n"))
		if want := strings.TrimSuffix(string(appendCSVHeader(nil, tc.t)), "\n"); string(header) != want {
			t.Errorf("%s header %q, want %q", tc.t.Name, header, want)
		}
		// Generated values hold no line breaks, so lines are rows.
		if lines := int64(bytes.Count(data, []byte("\n"))); lines != tc.rows+1 {
			t.Errorf("%s: %d lines, want %d rows and a header", tc.t.Name, lines, tc.rows)
		}
	}
	out := log.String()
	if strings.Count(out, "export progress") != 2 || !strings.Contains(out, "export done") ||
		!strings.Contains(out, "events_per_s=") {
		t.Errorf("log:\n%s", out)
	}
}

func TestRunNeedsCount(t *testing.T) {
	_, err := Run(context.Background(), Config{Format: CSV, Path: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "Count") {
		t.Errorf("continuous mode: %v", err)
	}
}

func TestRunCanceledLeavesNoFiles(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := Config{Sim: sim.Config{Start: testStart, Count: 50000}, Format: CSV, Path: dir, BatchRows: 1000}
	if _, err := Run(ctx, cfg); err == nil || !strings.Contains(err.Error(), "stopped after 0 of 50000") {
		t.Fatalf("got %v", err)
	}
	cfg.Format, cfg.Path = JSONL, filepath.Join(dir, "events.jsonl")
	if _, err := Run(ctx, cfg); err == nil {
		t.Fatal("JSONL: no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("canceled exports left %v", entries)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"no count", func(c *Config) { c.Sim.Count = 0 }},
		{"no format", func(c *Config) { c.Format = 0 }},
		{"no path", func(c *Config) { c.Path = "" }},
		{"negative batch", func(c *Config) { c.BatchRows = -1 }},
		{"negative progress", func(c *Config) { c.ProgressEvery = -1 }},
		{"bad sim", func(c *Config) { c.Sim.Span = -time.Hour }},
	} {
		c := Config{Sim: sim.Config{Count: 10}, Format: JSONL, Path: "x"}
		c.EnsureDefaults()
		if err := c.Validate(); err != nil {
			t.Fatalf("valid config: %v", err)
		}
		tc.edit(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, s := range []string{"csv", "jsonl"} {
		if f, err := ParseFormat(s); err != nil || f.String() != s {
			t.Errorf("%s: %v, %v", s, f, err)
		}
	}
	if _, err := ParseFormat("parquet"); err == nil {
		t.Error("parquet: no error")
	}
}

// BenchmarkRun measures a whole export, generation included, per event.
func BenchmarkRun(b *testing.B) {
	for _, f := range []Format{CSV, JSONL} {
		b.Run(f.String(), func(b *testing.B) {
			const events = 200_000
			path := filepath.Join(b.TempDir(), "out")
			b.ReportAllocs()
			for b.Loop() {
				cfg := Config{Sim: sim.Config{Seed: 1, Start: testStart, Count: events}, Format: f, Path: path}
				if _, err := Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*events/b.Elapsed().Seconds(), "events/s")
		})
	}
}
