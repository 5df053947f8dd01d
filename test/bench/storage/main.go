// Command storage measures armorlake's columnar store on simulator events:
// bytes per event, beside the same events as raw JSON lines and in
// PostgreSQL (table plus an index on ts, loaded with COPY), and the scan
// throughput of one core for three typical queries, read straight from
// the store.
//
//	go run ./test/bench/storage --events 10000000
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/export"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
	"github.com/armorlake/armorlake/storage"
	"github.com/armorlake/armorlake/test/pgtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "storage bench:", err)
		os.Exit(1)
	}
}

func run() error {
	events := flag.Int("events", 10_000_000, "simulator events (seed 1, one day)")
	withPG := flag.Bool("postgres", true, "also load the events into PostgreSQL and measure its size")
	runs := flag.Int("runs", 5, "timed runs of each scan (the median is reported)")
	withJSON := flag.Bool("json", true, "also export the events as JSON lines and measure their size")
	cacheSize := flag.Int64("cache", storage.DefaultCacheSize, "the store's block cache, bytes")
	keep := flag.String("dir", "", "keep the store in this directory (default: a temporary one, removed)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the scans to this file")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "armorlake-bench-storage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := sim.Config{Seed: 1, Count: *events, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Span: 24 * time.Hour}

	// armorlake: the events mapped to rows as the ingester maps them,
	// appended in batches of 65,536 rows per table.
	storeDir := filepath.Join(dir, "store")
	if *keep != "" {
		storeDir = *keep
	}
	store, err := storage.Open(storage.Options{Dir: storeDir, CacheSize: *cacheSize})
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	counts, err := load(store, cfg)
	if err != nil {
		return err
	}
	if err := store.Flush(); err != nil {
		return err
	}
	loadTime := time.Since(start)
	fmt.Printf("machine: %d cores, %s; %s\n", runtime.NumCPU(), cpuModel(), time.Now().UTC().Format("2006-01-02"))
	fmt.Printf("armorlake: %d events stored in %s (%.0f events/s, one goroutine, no gRPC)\n", *events,
		loadTime.Round(time.Millisecond), float64(*events)/loadTime.Seconds())

	jsonBytes := map[string]int64{}
	if *withJSON {
		if jsonBytes, err = jsonSizes(ctx, cfg, dir); err != nil {
			return err
		}
	}
	var pgBytes map[string]int64
	if *withPG {
		if pgBytes, err = postgresSizes(ctx, cfg, dir); err != nil {
			return err
		}
	}

	fmt.Printf("\n| table | events | armorlake encoded | JSON lines |%s\n", pgHeader(*withPG))
	fmt.Printf("|---|---:|---:|---:|%s\n", pgRule(*withPG))
	var encTotal int64
	for _, t := range schema.KubeArmor() {
		st := store.Stats(t.Name)
		encTotal += st.Bytes
		n := float64(counts[t.Name])
		line := fmt.Sprintf("| %s | %d | %.1f B | %.1f B |", t.Name, counts[t.Name], float64(st.Bytes)/n, float64(jsonBytes[t.Name])/n)
		if *withPG {
			line += fmt.Sprintf(" %.1f B | %.0f× |", float64(pgBytes[t.Name])/n, float64(pgBytes[t.Name])/float64(st.Bytes))
		}
		fmt.Println(line)
	}
	live, total := store.DiskUsage()
	fmt.Printf("\narmorlake: encoded %.1f bytes/event; on disk %.1f bytes/event in Pebble's sorted files (after its own compression), %.1f counting every file (write-ahead logs kept for reuse included)\n",
		float64(encTotal)/float64(*events), float64(live)/float64(*events), float64(total)/float64(*events))

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return scans(ctx, store, *runs)
}

func pgHeader(pg bool) string {
	if pg {
		return " PostgreSQL (table + ts index) | PostgreSQL / armorlake |"
	}
	return ""
}

func pgRule(pg bool) string {
	if pg {
		return "---:|---:|"
	}
	return ""
}

// load appends every event and returns the rows per table.
func load(store *storage.Store, cfg sim.Config) (map[string]int64, error) {
	const batchRows = 65536
	g := sim.NewGenerator(cfg)
	batches := map[string]*coldata.Batch{}
	for _, t := range schema.KubeArmor() {
		batches[t.Name] = coldata.NewBatch(t.Types(), batchRows)
	}
	counts := map[string]int64{}
	flush := func(t *schema.Table) error {
		b := batches[t.Name]
		if b.Len == 0 {
			return nil
		}
		counts[t.Name] += int64(b.Len)
		err := store.Append(t, b)
		b.Reset()
		return err
	}
	for i := range cfg.Count {
		e := g.NextShared()
		var t *schema.Table
		switch {
		case e.Alert != nil:
			t = schema.Alerts
			ingest.AppendAlert(batches[t.Name], e.Alert, "operator-1", "127.0.0.1:32767")
		case e.Log != nil:
			t = schema.Logs
			ingest.AppendLog(batches[t.Name], e.Log, "operator-1", "127.0.0.1:32767")
		default:
			t = schema.Messages
			ingest.AppendMessage(batches[t.Name], e.Message, "operator-1", "127.0.0.1:32767")
		}
		if batches[t.Name].Len >= batchRows {
			if err := flush(t); err != nil {
				return nil, err
			}
		}
		if (i+1)%2_000_000 == 0 {
			fmt.Fprintf(os.Stderr, "  %d events stored\n", i+1)
		}
	}
	for _, t := range schema.KubeArmor() {
		if err := flush(t); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// jsonSizes writes the events as karmor-style JSON lines and returns the
// bytes per table.
func jsonSizes(ctx context.Context, cfg sim.Config, dir string) (map[string]int64, error) {
	path := filepath.Join(dir, "events.jsonl")
	if _, err := export.Run(ctx, export.Config{Sim: cfg, Format: export.JSONL, Path: path}); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sizes := map[string]int64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Bytes()
		for _, t := range schema.KubeArmor() {
			if bytes.Contains(line, []byte(`"table":"`+t.Name+`"`)) {
				sizes[t.Name] += int64(len(line)) + 1
				break
			}
		}
	}
	return sizes, sc.Err()
}

// postgresSizes loads the events into PostgreSQL 15 with COPY, indexes ts,
// and returns each table's total size (heap, TOAST and index).
func postgresSizes(ctx context.Context, cfg sim.Config, dir string) (map[string]int64, error) {
	csvDir := filepath.Join(dir, "csv")
	if _, err := export.Run(ctx, export.Config{Sim: cfg, Format: export.CSV, Path: csvDir}); err != nil {
		return nil, err
	}
	defer os.RemoveAll(csvDir)
	// fsync is off: it changes how fast PostgreSQL loads, not how much
	// space the table and its index take.
	pg, stop, err := pgtest.Launch(false)
	if err != nil {
		return nil, err
	}
	defer stop()
	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	sizes := map[string]int64{}
	for _, t := range schema.KubeArmor() {
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, c.Type))
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(cols, ", "))); err != nil {
			return nil, err
		}
		f, err := os.Open(filepath.Join(csvDir, t.Name+".csv"))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		_, err = conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s FROM STDIN WITH (FORMAT csv, HEADER true)", t.Name))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("COPY %s: %w", t.Name, err)
		}
		fmt.Fprintf(os.Stderr, "  PostgreSQL: %s copied in %s\n", t.Name, time.Since(start).Round(time.Millisecond))
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE INDEX ON %s (ts)", t.Name)); err != nil {
			return nil, err
		}
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t.Name); err != nil {
			return nil, err
		}
		var n int64
		if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size($1)", t.Name).Scan(&n); err != nil {
			return nil, err
		}
		sizes[t.Name] = n
	}
	return sizes, nil
}

// scans times three queries over logs on one goroutine, straight from the
// store: the rows each scan covers per second of one core.
func scans(ctx context.Context, store *storage.Store, runs int) error {
	t := schema.Logs
	ns, pid, op := t.ColumnIndex("namespace_name"), t.ColumnIndex("pid"), t.ColumnIndex("operation")
	rows := store.Stats(t.Name).Rows
	// The namespace to count: the most common one, found by a first scan.
	byNS, err := groupCount(ctx, store, t, ns, nil)
	if err != nil {
		return err
	}
	var target string
	for k, v := range byNS {
		if target == "" || v > byNS[target] || (v == byNS[target] && k < target) {
			target = k
		}
	}
	res := t.ColumnIndex("resource")
	// A resource that is stored, and one that is not but sorts among them.
	var present string
	if err := each(ctx, store, storage.ScanRequest{Table: t, Columns: []int{res}, MinTs: math.MinInt64, MaxTs: math.MaxInt64},
		func(b *coldata.Batch) {
			if present == "" && b.Len > 777 && !b.Vecs[0].Nulls.Get(777) {
				present = string(b.Vecs[0].Bytes.Get(777))
			}
		}); err != nil {
		return err
	}
	absent := present + ".absent"
	countWhere := func(col int, value string) func() (string, error) {
		return func() (string, error) {
			var n int
			err := each(ctx, store, storage.ScanRequest{Table: t, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
				Match: []storage.Match{{Col: col, Values: [][]byte{[]byte(value)}}}, MatchExact: true},
				func(b *coldata.Batch) { n += b.Len })
			return fmt.Sprint(n), err
		}
	}
	queries := []struct {
		name, how string
		run       func() (string, error)
	}{
		{fmt.Sprintf("count(*) WHERE namespace_name = '%s'", target), "counts of the value in block summaries", func() (string, error) {
			a, err := countWhere(ns, target)()
			if err == nil && a != fmt.Sprint(byNS[target]) {
				return "", fmt.Errorf("counted %s rows of namespace %s, a full scan %d", a, target, byNS[target])
			}
			return a, err
		}},
		{"sum(pid)", "every value decoded (patched deltas, bulk unpacking), added", func() (string, error) {
			var sum int64
			err := each(ctx, store, storage.ScanRequest{Table: t, Columns: []int{pid}, MinTs: math.MinInt64, MaxTs: math.MaxInt64},
				func(b *coldata.Batch) {
					// A local accumulator: sum itself is captured, and
					// adding to it in the loop would store on every row.
					v, acc := b.Vecs[0], int64(0)
					if !v.Nulls.Any() {
						for _, x := range v.Int64[:b.Len] {
							acc += x
						}
					} else {
						for i, x := range v.Int64[:b.Len] {
							if !v.Nulls.Get(i) {
								acc += x
							}
						}
					}
					sum += acc
				})
			return fmt.Sprint(sum), err
		}},
		{"count(*) GROUP BY operation", "counts per value in block summaries", func() (string, error) {
			m, _, err := store.CountBy(ctx, storage.ScanRequest{Table: t, MinTs: math.MinInt64, MaxTs: math.MaxInt64}, op)
			return fmt.Sprint(len(m), " groups"), err
		}},
		{fmt.Sprintf("count(*) WHERE namespace_name = '%s' GROUP BY operation", target),
			"dictionary codes of both columns, unpacked in bulk", func() (string, error) {
				m, _, err := store.CountBy(ctx, storage.ScanRequest{Table: t, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
					Match: []storage.Match{{Col: ns, Values: [][]byte{[]byte(target)}}}, MatchExact: true}, op)
				return fmt.Sprint(len(m), " groups"), err
			}},
		{"min(ts), max(ts)", "block metadata", func() (string, error) {
			lo, hi, _, err := store.MinMax(ctx, storage.ScanRequest{Table: t, MinTs: math.MinInt64, MaxTs: math.MaxInt64}, t.TimeColumn)
			return fmt.Sprintf("%s … %s", time.UnixMicro(lo).UTC().Format("15:04:05"), time.UnixMicro(hi).UTC().Format("15:04:05")), err
		}},
		{"count(*) WHERE resource = (a stored path)", "bloom filters, then the chunks they let through", countWhere(res, present)},
		{"count(*) WHERE resource = (a path not stored)", "bloom filters", countWhere(res, absent)},
	}
	_, hits0, misses0 := store.CacheStats()
	defer func() {
		size, hits, misses := store.CacheStats()
		hits, misses = hits-hits0, misses-misses0
		fmt.Printf("\nblock cache: %d MiB held; the scans read %d blocks from it and %d from files (%.1f%% hits)\n",
			size>>20, hits, misses, 100*float64(hits)/float64(max(hits+misses, 1)))
	}()
	fmt.Printf("\nScans of logs (%d rows), one goroutine, median of %d warm runs:\n\n", rows, runs)
	fmt.Println("| query | how | answer | median | rows/s per core |")
	fmt.Println("|---|---|---:|---:|---:|")
	for _, q := range queries {
		var times []time.Duration
		var answer string
		for r := 0; r <= runs; r++ { // run 0 warms up
			start := time.Now()
			a, err := q.run()
			if err != nil {
				return err
			}
			if r > 0 {
				times = append(times, time.Since(start))
			}
			answer = a
		}
		slices.Sort(times)
		med := times[len(times)/2]
		fmt.Printf("| `%s` | %s | %s | %s | %.0fM |\n", q.name, q.how, answer, med.Round(time.Microsecond), float64(rows)/med.Seconds()/1e6)
	}
	return nil
}

func each(ctx context.Context, store *storage.Store, req storage.ScanRequest, f func(*coldata.Batch)) error {
	it, err := store.Scan(ctx, req)
	if err != nil {
		return err
	}
	defer it.Close()
	for {
		b, err := it.Next(ctx)
		if err != nil || b == nil {
			return err
		}
		f(b)
	}
}

func groupCount(ctx context.Context, store *storage.Store, t *schema.Table, col int, match []storage.Match) (map[string]int64, error) {
	counts := map[string]int64{}
	err := each(ctx, store, storage.ScanRequest{Table: t, Columns: []int{col}, MinTs: math.MinInt64, MaxTs: math.MaxInt64, Match: match},
		func(b *coldata.Batch) {
			v := b.Vecs[0]
			for i := range b.Len {
				if !v.Nulls.Get(i) {
					counts[string(v.Bytes.Get(i))]++
				}
			}
		})
	return counts, err
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "model name") {
			return strings.TrimSpace(line[strings.IndexByte(line, ':')+1:])
		}
	}
	return "unknown"
}
