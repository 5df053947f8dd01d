package storage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

var unbounded = ScanRequest{MinTs: math.MinInt64, MaxTs: math.MaxInt64}

// scanRows runs req and returns every row, its columns formatted and
// joined by " | ", in the order the iterator returns them.
// countRows drains it and returns how many rows it gave.
func countRows(t testing.TB, it *Iterator) int {
	t.Helper()
	n := 0
	for {
		b, err := it.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return n
		}
		n += b.Len
	}
}

func scanRows(t testing.TB, s *Store, req ScanRequest) []string {
	t.Helper()
	rows, err := scanRowsErr(s, req)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func scanRowsErr(s *Store, req ScanRequest) ([]string, error) {
	ctx := context.Background()
	it, err := s.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = it.Close() }()
	rows := []string{}
	for {
		b, err := it.Next(ctx)
		if err != nil {
			return rows, err
		}
		if b == nil {
			return rows, it.Close()
		}
		if b.Len == 0 || len(b.Vecs) != len(req.Columns) {
			return nil, fmt.Errorf("batch of %d rows, %d columns", b.Len, len(b.Vecs))
		}
		for k, v := range b.Vecs {
			if v.Type != req.Table.Columns[req.Columns[k]].Type {
				return nil, fmt.Errorf("column %d is %s", k, v.Type)
			}
			if err := checkVec(v, b.Len); err != nil {
				return nil, fmt.Errorf("column %d: %w", k, err)
			}
		}
		for i := range b.Len {
			rows = append(rows, formatRow(b.Vecs, i))
		}
	}
}

func formatRow(vecs []*coldata.Vec, i int) string {
	fs := make([]string, len(vecs))
	for k, v := range vecs {
		fs[k] = formatValue(v, i)
	}
	return strings.Join(fs, " | ")
}

// expectRows returns the rows of batches in [lo, hi) (hi exclusive unless
// it is math.MaxInt64), projected on cols, formatted like scanRows.
func expectRows(batches []*coldata.Batch, tc int, cols []int, lo, hi int64) []string {
	rows := []string{}
	for _, b := range batches {
		vecs := make([]*coldata.Vec, len(cols))
		for k, c := range cols {
			vecs[k] = b.Vecs[c]
		}
		for i := range b.Len {
			ts := b.Vecs[tc].Int64[i]
			if ts >= lo && (ts < hi || hi == math.MaxInt64) {
				rows = append(rows, formatRow(vecs, i))
			}
		}
	}
	return rows
}

func allColumns(t *schema.Table) []int {
	cols := make([]int, len(t.Columns))
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// specialBatch holds the values most likely to break an encoding: NULLs,
// empty and 1 MiB strings, invalid UTF-8, arrays of 0, 1 and many
// elements, extreme integers and floats.
func specialBatch(t *testing.T, t0 int64) *coldata.Batch {
	b := coldata.NewBatch(allTypesTable.Types(), 0)
	big := `"` + strings.Repeat("x", 1<<20) + `"`
	rows := [][]string{
		{"1", "true", "1", "1", "1.5", "-2.25", `"host-a"`, `"12.50"`, strconv.Quote(`{"a":1}`), `["NIST" "SI-4" "process"]`, "NULL"},
		{"2", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
		{"3", "false", "-32768", "-2147483648", "-0", "NaN", `""`, `"0"`, `""`, `[]`, "NULL"},
		{"4", "true", "32767", "2147483647", "Inf", "-Inf", `"\xff\xfe\x00"`, `"-1e-10"`, `"{}"`, `[""]`, "NULL"},
		{"5", "NULL", "0", "0", "0", "0", big, "NULL", big, `["` + strings.Repeat("y", 1000) + `"]`, "NULL"},
		{"6", "false", "7", "7", "7", "7", `"ünïcödé"`, `"7"`, `"[1,2]"`, `["a" "b" "c" "d" "e" "f" "g" "h"]`, "NULL"},
	}
	for i, r := range rows {
		ts := time.UnixMicro(t0 + int64(i)*17).UTC().Format(time.RFC3339Nano)
		for c, s := range append([]string{ts}, r...) {
			if err := appendValue(b.Vecs[c], s); err != nil {
				t.Fatalf("row %d column %d: %v", i, c, err)
			}
		}
		b.Len++
	}
	return b
}

func TestAppendScanAllTypes(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	t0 := time.Date(2026, 5, 19, 10, 59, 59, 0, time.UTC).UnixMicro()
	special := specialBatch(t, t0)
	// One row alone, then rows across several partitions in random order,
	// split into blocks of at most MaxBlockRows.
	one := specialBatch(t, t0+1e6)
	one.Len = 1
	random := randomAllTypes(rand.New(rand.NewPCG(1, 1)), 20000, 100, t0, 3*3600e6)
	batches := []*coldata.Batch{special, one, random}
	for _, b := range batches {
		if err := s.Append(allTypesTable, b); err != nil {
			t.Fatal(err)
		}
	}
	req := unbounded
	req.Table = allTypesTable
	req.Columns = allColumns(allTypesTable)
	got := scanRows(t, s, req)
	want := expectRows(batches, 0, req.Columns, math.MinInt64, math.MaxInt64)
	// Blocks come back in key order: by partition, then by block.
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("scan returned %d rows, want %d; first difference:\n%s", len(got), len(want), firstDiff(got, want))
	}
	st := s.Stats(allTypesTable.Name)
	if st.Rows != int64(len(want)) || st.Blocks < 5 {
		t.Fatalf("stats %+v", st)
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("got  %s\nwant %s", got[i], want[i])
		}
	}
	return "one is a prefix of the other"
}

// TestScanRanges checks projections and time ranges against a filter over
// the appended batches: bounds inclusive and exclusive, partition edges,
// rows out of order, blocks that straddle a bound, extreme timestamps.
func TestScanRanges(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 37})
	defer s.Close()
	rng := rand.New(rand.NewPCG(2, 2))
	const w = int64(10e6)
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for i := range 4 {
		batches = append(batches, randomAllTypes(rng, 300, int64(i)*1000, t0+int64(i)*5e6, 60e6))
	}
	edges := randomAllTypes(rng, 9, 9000, 0, 1)
	copy(edges.Vecs[0].Int64, []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, t0, t0 + w - 1, t0 + w, math.MaxInt64 - 1, math.MaxInt64})
	batches = append(batches, edges)
	for _, b := range batches {
		if err := s.Append(allTypesTable, b); err != nil {
			t.Fatal(err)
		}
	}
	type span struct{ lo, hi int64 }
	spans := []span{
		{math.MinInt64, math.MaxInt64},
		{math.MinInt64, 0},
		{0, math.MaxInt64},
		{t0, t0 + w},         // exactly one partition
		{t0 + w - 1, t0 + w}, // one µs at the end of a partition
		{t0 + w, t0 + w + 1}, // one µs at the start of the next
		{t0 + 3e6, t0 + 27e6},
		{t0, t0},     // empty
		{t0 + 5, t0}, // inverted
		{math.MaxInt64 - 1, math.MaxInt64},
		{math.MinInt64, math.MinInt64 + 1},
	}
	all := edges.Vecs[0].Int64
	for range 40 {
		a, b := t0+rng.Int64N(90e6), t0+rng.Int64N(90e6)
		spans = append(spans, span{min(a, b), max(a, b)})
	}
	for _, ts := range all[2:7] { // ranges starting and ending on stored rows
		spans = append(spans, span{ts, ts + 1}, span{ts, ts + w}, span{ts - w, ts})
	}
	projections := [][]int{{}, {1}, {0, 1}, {7, 1, 10}, {10, 10}, allColumns(allTypesTable), {11, 3}}
	for _, sp := range spans {
		for _, cols := range projections {
			want := expectRows(batches, 0, cols, sp.lo, sp.hi)
			slices.Sort(want)
			for _, prefetch := range []bool{false, true} {
				req := ScanRequest{Table: allTypesTable, Columns: cols, MinTs: sp.lo, MaxTs: sp.hi, Prefetch: prefetch}
				got := scanRows(t, s, req)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("[%d, %d) columns %v, prefetch %v: %d rows, want %d\n%s", sp.lo, sp.hi, cols, prefetch, len(got), len(want), firstDiff(got, want))
				}
			}
		}
	}
}

// TestScanCount checks that a count(*) scan of whole blocks reads no
// chunk: it succeeds even when every chunk is gone.
func TestScanCount(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 100})
	defer s.Close()
	b := alertsBatch(rand.New(rand.NewPCG(3, 3)), 1000, 1779184800e6)
	if err := s.Append(schema.Alerts, b); err != nil {
		t.Fatal(err)
	}
	deleteChunks(t, s)
	req := unbounded
	req.Table = schema.Alerts
	if n := len(scanRows(t, s, req)); n != 1000 {
		t.Fatalf("count %d", n)
	}
	req.Columns = []int{3}
	if _, err := scanRowsErr(s, req); sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), "chunk missing") {
		t.Fatalf("scan without chunks: %v", err)
	}
}

func deleteChunks(t *testing.T, s *Store) {
	iter, err := s.db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer iter.Close()
	for valid := iter.First(); valid; valid = iter.Next() {
		key := iter.Key()
		_, plen, err := parseTable(key)
		if err != nil {
			continue
		}
		if _, kind, _, _ := parseBlockKey(key, plen); kind == kindChunk {
			if err := s.db.Delete(key, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestStatsReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, MaxBlockRows: 500})
	rng := rand.New(rand.NewPCG(4, 4))
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for i := range 3 {
		b := alertsBatch(rng, 1200, t0+int64(i)*3000e6) // 3 blocks each, partitions 50 minutes apart
		batches = append(batches, b)
		if err := s.Append(schema.Alerts, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(schema.Logs, alertsBatchFor(rng, schema.Logs, 10, t0)); err != nil {
		t.Fatal(err)
	}
	want := s.Stats(schema.AlertsTable)
	last := batches[2].Vecs[0].Int64
	if want.Rows != 3600 || want.Blocks != 9 || want.MinTs != batches[0].Vecs[0].Int64[0] ||
		want.MaxTs != last[len(last)-1] || want.Bytes <= 0 {
		t.Fatalf("stats %+v", want)
	}
	if st := s.Stats("nope"); st != (TableStats{}) {
		t.Fatalf("stats of unknown table %+v", st)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); !errors.Is(err, errClosed) {
		t.Fatalf("second close: %v", err)
	}

	s = openTest(t, Options{Dir: dir, MaxBlockRows: 500})
	defer s.Close()
	if got := s.Stats(schema.AlertsTable); got != want {
		t.Fatalf("stats after reopen %+v, want %+v", got, want)
	}
	if got := s.Stats(schema.LogsTable); got.Rows != 10 || got.Blocks != 1 {
		t.Fatalf("logs stats after reopen %+v", got)
	}
	// New blocks must not reuse the sequence numbers of old ones.
	more := alertsBatch(rng, 700, t0)
	batches = append(batches, more)
	if err := s.Append(schema.Alerts, more); err != nil {
		t.Fatal(err)
	}
	req := unbounded
	req.Table = schema.Alerts
	req.Columns = []int{0, 25}
	got := scanRows(t, s, req)
	wantRows := expectRows(batches, 0, req.Columns, math.MinInt64, math.MaxInt64)
	slices.Sort(got)
	slices.Sort(wantRows)
	if !slices.Equal(got, wantRows) {
		t.Fatalf("after reopen: %d rows, want %d", len(got), len(wantRows))
	}
	if st := s.Stats(schema.AlertsTable); st.Rows != 4300 || st.Blocks != 11 {
		t.Fatalf("stats after append %+v", st)
	}
}

// alertsBatchFor fills another KubeArmor table the way alertsBatch fills
// alerts.
func alertsBatchFor(rng *rand.Rand, t *schema.Table, n int, t0 int64) *coldata.Batch {
	a := alertsBatch(rng, n, t0)
	b := &coldata.Batch{Len: n}
	for _, c := range t.Columns {
		b.Vecs = append(b.Vecs, a.Vecs[schema.Alerts.ColumnIndex(c.Name)])
	}
	return b
}

func TestReopenOtherWidth(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, PartitionWidth: 2 * time.Hour})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "partition width 1h0m0s differs from the store's 2h0m0s") {
		t.Fatalf("open with another width: %v", err)
	}
	s = openTest(t, Options{Dir: dir, PartitionWidth: 2 * time.Hour})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAppendErrors(t *testing.T) {
	s := openTest(t, Options{})
	good := alertsBatch(rand.New(rand.NewPCG(5, 5)), 10, 1779184800e6)
	nullTs := alertsBatch(rand.New(rand.NewPCG(5, 5)), 10, 1779184800e6)
	nullTs.Vecs[0].Nulls.Set(3)
	short := alertsBatch(rand.New(rand.NewPCG(5, 5)), 10, 1779184800e6)
	short.Len = 11
	for _, tc := range []struct {
		name  string
		table *schema.Table
		b     *coldata.Batch
		want  string
	}{
		{"columns", schema.Logs, good, "append to logs: batch has 49 columns, table 39"},
		{"types", &schema.Table{Name: "x", Columns: []schema.Column{{Name: "ts", Type: coldata.Timestamptz}, {Name: "c", Type: coldata.Text}}},
			&coldata.Batch{Vecs: []*coldata.Vec{good.Vecs[0], good.Vecs[1]}, Len: 10}, "column c is bigint, table says text"},
		{"time column", &schema.Table{Name: "x", Columns: []schema.Column{{Name: "c", Type: coldata.Int64}}},
			&coldata.Batch{Vecs: []*coldata.Vec{good.Vecs[1]}, Len: 10}, "time column c of x is bigint"},
		{"length", schema.Alerts, short, "has 10 rows, batch 11"},
		{"null time", schema.Alerts, nullTs, `null value in column "ts" of relation "alerts"`},
		{"nil table", nil, good, "no table"},
	} {
		err := s.Append(tc.table, tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if code := sqlerr.Code(s.Append(schema.Alerts, nullTs)); code != sqlerr.NotNullViolation {
		t.Errorf("null time: code %s", code)
	}
	if err := s.Append(schema.Alerts, &coldata.Batch{Vecs: good.Vecs, Len: 0}); err != nil {
		t.Errorf("empty append: %v", err)
	}
	it, err := s.Scan(context.Background(), ScanRequest{Table: schema.Alerts, MaxTs: math.MaxInt64})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(schema.Alerts, good); !errors.Is(err, errClosed) {
		t.Errorf("append after close: %v", err)
	}
	if _, err := it.Next(context.Background()); !errors.Is(err, errClosed) {
		t.Errorf("next after close: %v", err)
	}
	if err := it.Close(); err != nil {
		t.Errorf("iterator close after store close: %v", err)
	}
	if _, err := s.Scan(context.Background(), ScanRequest{Table: schema.Alerts, MaxTs: math.MaxInt64}); !errors.Is(err, errClosed) {
		t.Errorf("scan after close: %v", err)
	}
}

func TestScanErrors(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Scan(ctx, ScanRequest{Table: schema.Alerts, Columns: []int{49}}); err == nil ||
		!strings.Contains(err.Error(), "scan alerts: no column 49") {
		t.Errorf("bad column: %v", err)
	}
	if err := s.Append(schema.Alerts, alertsBatch(rand.New(rand.NewPCG(6, 6)), 100, 0)); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	it, err := s.Scan(cctx, ScanRequest{Table: schema.Alerts, MaxTs: math.MaxInt64})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	cancel()
	if _, err := it.Next(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("next after cancel: %v", err)
	}
	if _, err := it.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error not sticky: %v", err)
	}
}

// TestConcurrentAppendScan runs Appends and Scans at once: every scan must
// see whole Appends only, and never fewer rows than an earlier scan.
func TestConcurrentAppendScan(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 64})
	defer s.Close()
	const writers, appends, rows = 4, 25, 100
	var wg sync.WaitGroup
	errc := make(chan error, writers+2)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range appends {
				// Rows of each Append straddle a partition boundary.
				b := alertsBatch(rng, rows, int64(i)*3600e6-5000)
				if err := s.Append(schema.Alerts, b); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var scanners sync.WaitGroup
	for range 2 {
		scanners.Go(func() {
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := scanRowsErr(s, ScanRequest{Table: schema.Alerts, Columns: []int{0, 3}, MinTs: math.MinInt64, MaxTs: math.MaxInt64})
				if err != nil {
					errc <- err
					return
				}
				if len(got)%rows != 0 || len(got) < last {
					errc <- fmt.Errorf("scan saw %d rows after %d", len(got), last)
					return
				}
				last = len(got)
			}
		})
	}
	wg.Wait()
	close(done)
	scanners.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if st := s.Stats(schema.AlertsTable); st.Rows != writers*appends*rows {
		t.Fatalf("stats %+v", st)
	}
}

func TestOptions(t *testing.T) {
	var o Options
	o.EnsureDefaults()
	if o.PartitionWidth != time.Hour || o.MaxBlockRows != 8192 || o.CacheSize != 64<<20 ||
		o.MemTableSize != 32<<20 || o.Logger == nil {
		t.Fatalf("defaults %+v", o)
	}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "storage directory not set") {
		t.Fatalf("validate without dir: %v", err)
	}
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.PartitionWidth = 1500 * time.Millisecond }, "partition width 1.5s not a whole number of seconds"},
		{func(o *Options) { o.PartitionWidth = -time.Hour }, "partition width -1h0m0s"},
		{func(o *Options) { o.MaxBlockRows = 1 << 17 }, "max block rows 131072 outside [1, 65536]"},
		{func(o *Options) { o.CacheSize = -1 }, "cache size -1 negative"},
		{func(o *Options) { o.MemTableSize = 1 << 40 }, "memtable size"},
	} {
		o := Options{Dir: "x"}
		o.EnsureDefaults()
		tc.edit(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

// TestQuietLogging checks that a store logs nothing above debug level in
// ordinary use.
func TestQuietLogging(t *testing.T) {
	var buf bytes.Buffer
	s := openTest(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err := s.Append(schema.Alerts, alertsBatch(rand.New(rand.NewPCG(8, 8)), 100, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 0 {
		t.Fatalf("logged:\n%s", buf.String())
	}
}

// TestSchemaDrift reads blocks written before a column was added (the
// column reads as NULL) and refuses a column whose type changed.
func TestSchemaDrift(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	old := &schema.Table{Name: "drift", Columns: []schema.Column{{Name: "ts", Type: coldata.Timestamptz}, {Name: "v", Type: coldata.Int64}}}
	b := coldata.NewBatch(old.Types(), 3)
	b.Vecs[0].Int64 = append(b.Vecs[0].Int64, 10, 20, 30)
	b.Vecs[1].Int64 = append(b.Vecs[1].Int64, 1, 2, 3)
	b.Len = 3
	if err := s.Append(old, b); err != nil {
		t.Fatal(err)
	}
	added := &schema.Table{Name: "drift", Columns: append(slices.Clone(old.Columns), schema.Column{Name: "w", Type: coldata.TextArray})}
	got := scanRows(t, s, ScanRequest{Table: added, Columns: []int{2, 1}, MinTs: 20, MaxTs: math.MaxInt64})
	if want := []string{"NULL | 2", "NULL | 3"}; !slices.Equal(got, want) {
		t.Fatalf("added column: %q, want %q", got, want)
	}
	changed := &schema.Table{Name: "drift", Columns: []schema.Column{old.Columns[0], {Name: "v", Type: coldata.Text}}}
	_, err := scanRowsErr(s, ScanRequest{Table: changed, Columns: []int{1}, MinTs: math.MinInt64, MaxTs: math.MaxInt64})
	if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), "column v of block 1 of drift partition 1970-01-01T00:00:00Z: stored as bigint, table says text") {
		t.Fatalf("changed type: %v", err)
	}
}

// TestAppendAllIsOneWrite stores several tables in one call: all land,
// with their stats, and a bad batch anywhere stores none of them.
func TestAppendAllIsOneWrite(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir()})
	rng := rand.New(rand.NewPCG(7, 7))
	t0 := int64(1779184800e6)
	alerts := alertsBatch(rng, 300, t0)
	logs := alertsBatchFor(rng, schema.Logs, 700, t0)
	bad := alertsBatchFor(rng, schema.Logs, 5, t0)
	bad.Vecs = bad.Vecs[:3]
	err := s.AppendAll([]*schema.Table{schema.Alerts, schema.Logs, schema.Logs}, []*coldata.Batch{alerts, logs, bad})
	if err == nil {
		t.Fatal("a malformed batch was accepted")
	}
	if a, l := s.Stats(schema.AlertsTable).Rows, s.Stats(schema.LogsTable).Rows; a != 0 || l != 0 {
		t.Fatalf("after a failed AppendAll: alerts %d, logs %d rows stored", a, l)
	}
	if err := s.AppendAll([]*schema.Table{schema.Alerts, schema.Logs}, []*coldata.Batch{alerts, logs}); err != nil {
		t.Fatal(err)
	}
	if a, l := s.Stats(schema.AlertsTable).Rows, s.Stats(schema.LogsTable).Rows; a != 300 || l != 700 {
		t.Fatalf("alerts %d, logs %d rows, want 300 and 700", a, l)
	}
	for _, c := range []struct {
		t    *schema.Table
		want int
	}{{schema.Alerts, 300}, {schema.Logs, 700}} {
		it, err := s.Scan(context.Background(), ScanRequest{Table: c.t, MinTs: math.MinInt64, MaxTs: math.MaxInt64})
		if err != nil {
			t.Fatal(err)
		}
		n := countRows(t, it)
		it.Close()
		if n != c.want {
			t.Errorf("%s: scanned %d rows, want %d", c.t.Name, n, c.want)
		}
	}
}

// TestRowsGroupedByStream: rows of interleaved sources come back grouped
// by source within a partition, in time order within a source, none lost
// or repeated.
func TestRowsGroupedByStream(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir(), MaxBlockRows: 64})
	defer s.Close()
	tbl := schema.Messages
	b := coldata.NewBatch(tbl.Types(), 0)
	host := tbl.ColumnIndex("host_name")
	const n = 300
	hour := int64(3600e6)
	t0 := 1779184800000000 + hour - 50e6 // 50 s before an hour boundary
	for i := range n {
		for c, v := range b.Vecs {
			switch {
			case c == tbl.TimeColumn:
				// Three hosts interleaved, times rising 1 s per row
				// overall, so the batch crosses the hour.
				v.Int64 = append(v.Int64, t0+int64(i)*1e6/3)
			case c == host:
				v.Bytes.AppendString(fmt.Sprintf("node-%d", i%3))
			case v.Type.IsBytes():
				v.Bytes.AppendString(fmt.Sprint(i))
			default:
				v.Int64 = append(v.Int64, int64(i))
			}
		}
		b.Len++
	}
	if err := s.Append(tbl, b); err != nil {
		t.Fatal(err)
	}
	it, err := s.Scan(context.Background(), ScanRequest{Table: tbl, Columns: []int{tbl.TimeColumn, host}, MinTs: math.MinInt64, MaxTs: math.MaxInt64})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var hosts []string
	var lastTs = map[string]int64{}
	seen := 0
	changes := 0
	for {
		out, err := it.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if out == nil {
			break
		}
		for i := range out.Len {
			h, ts := string(out.Vecs[1].Bytes.Get(i)), out.Vecs[0].Int64[i]
			if len(hosts) == 0 || hosts[len(hosts)-1] != h {
				hosts = append(hosts, h)
				changes++
			}
			if ts < lastTs[h] {
				t.Fatalf("host %s: ts %d after %d", h, ts, lastTs[h])
			}
			lastTs[h] = ts
			seen++
		}
	}
	if seen != n {
		t.Fatalf("scanned %d rows, want %d", seen, n)
	}
	// Two partitions, three hosts each: six runs, not 300.
	if changes != 6 {
		t.Errorf("hosts in %d runs (%v), want 6: rows not grouped by stream", changes, hosts)
	}
}

// TestRetention drops whole partitions older than a cutoff with one range
// deletion: younger partitions keep every row, an iterator opened before
// the drop still sees the old rows, and the partition listing and table
// stats follow.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir})
	rng := rand.New(rand.NewPCG(4, 4))
	hour := int64(3600e6)
	t0 := int64(1779184800000000) // an hour boundary
	for h := range 4 {
		if err := s.Append(schema.Alerts, alertsBatch(rng, 100, t0+int64(h)*hour+1)); err != nil {
			t.Fatal(err)
		}
	}
	parts := s.Partitions(schema.AlertsTable)
	if len(parts) != 4 || parts[0].Start != t0 || parts[3].End != t0+4*hour || parts[1].Rows != 100 {
		t.Fatalf("partitions before: %+v", parts)
	}
	ctx := context.Background()
	all := ScanRequest{Table: schema.Alerts, Columns: []int{0}, MinTs: math.MinInt64, MaxTs: math.MaxInt64}
	before, err := s.Scan(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	// A cutoff inside the third hour keeps it: only the first two go.
	dropped, err := s.DropBefore(schema.AlertsTable, t0+2*hour+30*60e6)
	if err != nil {
		t.Fatal(err)
	}
	if dropped.Rows != 200 || dropped.Blocks != 2 {
		t.Errorf("dropped %+v, want 200 rows in 2 blocks", dropped)
	}
	if n := countRows(t, before); n != 400 {
		t.Errorf("iterator opened before the drop saw %d rows, want 400", n)
	}
	before.Close()
	check := func(s *Store, when string) {
		it, err := s.Scan(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		if n := countRows(t, it); n != 200 {
			t.Errorf("%s: %d rows, want 200", when, n)
		}
		st := s.Stats(schema.AlertsTable)
		if st.Rows != 200 || st.MinTs < t0+2*hour {
			t.Errorf("%s: stats %+v", when, st)
		}
		if parts := s.Partitions(schema.AlertsTable); len(parts) != 2 || parts[0].Start != t0+2*hour {
			t.Errorf("%s: partitions %+v", when, parts)
		}
	}
	check(s, "after the drop")
	if dropped, err := s.DropBefore(schema.AlertsTable, t0); err != nil || dropped.Rows != 0 {
		t.Errorf("second drop: %+v, %v", dropped, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, Options{Dir: dir})
	defer s.Close()
	check(s, "after reopening")
}

// TestScanMatchSkipsBlocks: a scan asking for host_name = 'node-2' skips
// the blocks whose dictionary or constant rules it out, and still returns
// every matching row.
func TestScanMatchSkipsBlocks(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir(), MaxBlockRows: 50})
	defer s.Close()
	tbl := schema.Messages
	host := tbl.ColumnIndex("host_name")
	b := coldata.NewBatch(tbl.Types(), 0)
	const n = 400
	for i := range n {
		for c, v := range b.Vecs {
			switch {
			case c == tbl.TimeColumn:
				v.Int64 = append(v.Int64, 1779184800000000+int64(i))
			case c == host:
				v.Bytes.AppendString(fmt.Sprintf("node-%d", i%4))
			case v.Type.IsBytes():
				v.Bytes.AppendString(fmt.Sprint(i % 7))
			default:
				v.Int64 = append(v.Int64, int64(i))
			}
		}
		b.Len++
	}
	if err := s.Append(tbl, b); err != nil {
		t.Fatal(err)
	}
	scan := func(match []Match) (rows, wanted, skipped int) {
		it, err := s.Scan(context.Background(), ScanRequest{Table: tbl, Columns: []int{host},
			MinTs: math.MinInt64, MaxTs: math.MaxInt64, Match: match})
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for {
			out, err := it.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if out == nil {
				return rows, wanted, it.skipped
			}
			rows += out.Len
			for i := range out.Len {
				if string(out.Vecs[0].Bytes.Get(i)) == "node-2" {
					wanted++
				}
			}
		}
	}
	if rows, _, skipped := scan(nil); rows != n || skipped != 0 {
		t.Fatalf("unmatched scan: %d rows, %d blocks skipped", rows, skipped)
	}
	rows, wanted, skipped := scan([]Match{{Col: host, Values: [][]byte{[]byte("node-2")}}})
	if wanted != n/4 {
		t.Errorf("matched scan returned %d of the %d node-2 rows", wanted, n/4)
	}
	// Rows are grouped by stream, so each 50-row block holds one host:
	// the other hosts' six blocks are skipped.
	if skipped != 6 || rows != n/4 {
		t.Errorf("matched scan: %d rows, %d blocks skipped; want %d rows, 6 skipped", rows, skipped, n/4)
	}
	rows, _, _ = scan([]Match{{Col: host, Values: [][]byte{[]byte("node-9")}}})
	if rows != 0 {
		t.Errorf("scan for an absent host returned %d rows", rows)
	}
	if _, err := s.Scan(context.Background(), ScanRequest{Table: tbl, Match: []Match{{Col: tbl.TimeColumn}}}); err == nil {
		t.Error("a match on a timestamptz column was accepted")
	}
}

// TestMergeSmall merges many small flushes into full blocks: the rows are
// the same before, during and after (scans running concurrently see each
// row exactly once), the stats agree with a reopened store, and the
// encoded size shrinks.
func TestMergeSmall(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, MaxBlockRows: 256})
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := int64(1779184800000000)
	const flushes, per = 60, 20
	for i := range flushes {
		if err := s.Append(schema.Alerts, alertsBatch(rng, per, t0+int64(i)*1000)); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Stats(schema.AlertsTable)
	if before.Blocks != flushes {
		t.Fatalf("%d blocks before merging, want %d", before.Blocks, flushes)
	}
	all := ScanRequest{Table: schema.Alerts, Columns: []int{0, 1, 3, 5}, MinTs: math.MinInt64, MaxTs: math.MaxInt64}
	sig := func(s *Store) []string {
		out := scanRows(t, s, all)
		slices.Sort(out)
		return out
	}
	want := sig(s)

	// Scans during the merge: each must see every row exactly once.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var scans atomic.Int64
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			it, err := s.Scan(context.Background(), ScanRequest{Table: schema.Alerts, Columns: []int{1}, MinTs: math.MinInt64, MaxTs: math.MaxInt64})
			if err != nil {
				t.Error(err)
				return
			}
			n := 0
			for {
				b, err := it.Next(context.Background())
				if err != nil {
					t.Error(err)
					break
				}
				if b == nil {
					break
				}
				n += b.Len
			}
			it.Close()
			if n != flushes*per {
				t.Errorf("a scan during the merge saw %d rows, want %d", n, flushes*per)
			}
			scans.Add(1)
		}
	})
	ms, err := s.MergeSmall(context.Background(), schema.Alerts)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	after := s.Stats(schema.AlertsTable)
	t.Logf("merged %d blocks into %d (%d rows, %d → %d bytes) with %d concurrent scans", ms.BlocksIn, ms.BlocksOut, ms.Rows, ms.BytesIn, ms.BytesOut, scans.Load())
	if ms.BlocksIn != flushes || ms.Rows != flushes*per || after.Rows != before.Rows || after.Blocks >= before.Blocks/5 {
		t.Errorf("merge %+v; stats before %+v after %+v", ms, before, after)
	}
	if after.Bytes >= before.Bytes {
		t.Errorf("merging did not shrink the table: %d → %d bytes", before.Bytes, after.Bytes)
	}
	if got := sig(s); !slices.Equal(got, want) {
		t.Fatalf("rows changed by the merge: %d rows, want %d", len(got), len(want))
	}
	// A group's last block may be small: later calls merge those, and
	// soon there is nothing left to merge.
	for i := 0; ; i++ {
		ms, err := s.MergeSmall(context.Background(), schema.Alerts)
		if err != nil {
			t.Fatal(err)
		}
		if ms.BlocksIn == 0 {
			break
		}
		if i == 3 {
			t.Fatalf("still merging after %d calls: %+v", i, ms)
		}
	}
	after = s.Stats(schema.AlertsTable)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, Options{Dir: dir, MaxBlockRows: 256})
	defer s.Close()
	if st := s.Stats(schema.AlertsTable); st != after {
		t.Errorf("reopened stats %+v, want %+v", st, after)
	}
	if got := sig(s); !slices.Equal(got, want) {
		t.Fatal("rows differ after reopening")
	}
}

// TestScanMatchExact: with MatchExact a scan returns exactly the rows
// every Match accepts, whatever encodes the matched columns (constant,
// dictionary with packed codes or runs, plain or zstd) and with NULLs and
// a time range, and a count-only scan agrees.
func TestScanMatchExact(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir(), MaxBlockRows: 300})
	defer s.Close()
	tbl := schema.Messages
	host, msg, level := tbl.ColumnIndex("host_name"), tbl.ColumnIndex("message"), tbl.ColumnIndex("level")
	rng := rand.New(rand.NewPCG(8, 8))
	b := coldata.NewBatch(tbl.Types(), 0)
	const n = 3000
	t0 := int64(1779184800000000)
	for i := range n {
		for c, v := range b.Vecs {
			switch {
			case c == tbl.TimeColumn:
				v.Int64 = append(v.Int64, t0+int64(i)*1000)
			case c == host && rng.IntN(30) == 0:
				v.AppendNull()
			case c == host:
				v.Bytes.AppendString(fmt.Sprintf("node-%d", rng.IntN(5)))
			case c == level:
				v.Bytes.AppendString([]string{"Info", "Debug"}[min(rng.IntN(50), 1)])
			case c == msg:
				v.Bytes.AppendString(fmt.Sprintf("event %d", rng.IntN(400)))
			case v.Type.IsBytes():
				v.Bytes.AppendString("x")
			default:
				v.Int64 = append(v.Int64, int64(i))
			}
		}
		b.Len++
	}
	if err := s.Append(tbl, b); err != nil {
		t.Fatal(err)
	}
	str := func(v *coldata.Vec, i int) (string, bool) {
		if v.Nulls.Get(i) {
			return "", false
		}
		return string(v.Bytes.Get(i)), true
	}
	for _, tc := range []struct {
		name   string
		match  []Match
		lo, hi int64
	}{
		{"dictionary", []Match{{Col: host, Values: [][]byte{[]byte("node-1"), []byte("node-3")}}}, math.MinInt64, math.MaxInt64},
		{"dictionary and time", []Match{{Col: host, Values: [][]byte{[]byte("node-2")}}}, t0 + 500_000, t0 + 2_000_000},
		{"high cardinality", []Match{{Col: msg, Values: [][]byte{[]byte("event 7"), []byte("event 99")}}}, math.MinInt64, math.MaxInt64},
		{"two columns", []Match{{Col: host, Values: [][]byte{[]byte("node-0")}}, {Col: level, Values: [][]byte{[]byte("Info")}}}, math.MinInt64, math.MaxInt64},
		{"nothing", []Match{{Col: host, Values: [][]byte{[]byte("node-9")}}}, math.MinInt64, math.MaxInt64},
	} {
		want := 0
		for i := range n {
			ts := b.Vecs[tbl.TimeColumn].Int64[i]
			if ts < tc.lo || (tc.hi != math.MaxInt64 && ts >= tc.hi) {
				continue
			}
			ok := true
			for _, m := range tc.match {
				v, notNull := str(b.Vecs[m.Col], i)
				ok = ok && notNull && slices.ContainsFunc(m.Values, func(x []byte) bool { return string(x) == v })
			}
			if ok {
				want++
			}
		}
		cols := []int{host, msg, level}
		it, err := s.Scan(context.Background(), ScanRequest{Table: tbl, Columns: cols, MinTs: tc.lo, MaxTs: tc.hi, Match: tc.match, MatchExact: true})
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for {
			out, err := it.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if out == nil {
				break
			}
			for i := range out.Len {
				for _, m := range tc.match {
					k := slices.Index(cols, m.Col)
					v, notNull := str(out.Vecs[k], i)
					if !notNull || !slices.ContainsFunc(m.Values, func(x []byte) bool { return string(x) == v }) {
						t.Fatalf("%s: returned a row with %q (null %v)", tc.name, v, !notNull)
					}
				}
			}
			got += out.Len
		}
		it.Close()
		if got != want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, want)
		}
		// Count only: no column read, the same number.
		it, err = s.Scan(context.Background(), ScanRequest{Table: tbl, MinTs: tc.lo, MaxTs: tc.hi, Match: tc.match, MatchExact: true})
		if err != nil {
			t.Fatal(err)
		}
		count := countRows(t, it)
		it.Close()
		if count != want {
			t.Errorf("%s: count-only scan %d rows, want %d", tc.name, count, want)
		}
	}
}

// TestCountBy: counts by a text column agree with counting a full scan,
// for whole blocks (counted on codes), blocks cut by the time range,
// exact matches, and NULLs.
func TestCountBy(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir(), MaxBlockRows: 200})
	defer s.Close()
	tbl := schema.Messages
	host, level := tbl.ColumnIndex("host_name"), tbl.ColumnIndex("level")
	rng := rand.New(rand.NewPCG(9, 9))
	b := coldata.NewBatch(tbl.Types(), 0)
	const n = 2500
	t0 := int64(1779184800000000)
	for i := range n {
		for c, v := range b.Vecs {
			switch {
			case c == tbl.TimeColumn:
				v.Int64 = append(v.Int64, t0+int64(i)*1000)
			case c == host && rng.IntN(25) == 0:
				v.AppendNull()
			case c == host:
				v.Bytes.AppendString(fmt.Sprintf("node-%d", rng.IntN(6)))
			case c == level:
				v.Bytes.AppendString([]string{"Info", "Debug", "Warn"}[rng.IntN(3)])
			case v.Type.IsBytes():
				v.Bytes.AppendString(fmt.Sprintf("m%d", rng.IntN(1000))) // high cardinality
			default:
				v.Int64 = append(v.Int64, int64(i))
			}
		}
		b.Len++
	}
	if err := s.Append(tbl, b); err != nil {
		t.Fatal(err)
	}
	msg := tbl.ColumnIndex("message")
	for _, tc := range []struct {
		name   string
		col    int
		lo, hi int64
		match  []Match
	}{
		{"whole table by host", host, math.MinInt64, math.MaxInt64, nil},
		{"time range by host", host, t0 + 333_000, t0 + 1_777_000, nil},
		{"high cardinality", msg, math.MinInt64, math.MaxInt64, nil},
		{"exact match", host, math.MinInt64, math.MaxInt64, []Match{{Col: level, Values: [][]byte{[]byte("Warn")}}}},
	} {
		want, wantNulls := map[string]int64{}, int64(0)
		for i := range n {
			ts := b.Vecs[tbl.TimeColumn].Int64[i]
			if ts < tc.lo || (tc.hi != math.MaxInt64 && ts >= tc.hi) {
				continue
			}
			if tc.match != nil && string(b.Vecs[level].Bytes.Get(i)) != "Warn" {
				continue
			}
			if v := b.Vecs[tc.col]; v.Nulls.Get(i) {
				wantNulls++
			} else {
				want[string(v.Bytes.Get(i))]++
			}
		}
		got, nulls, err := s.CountBy(context.Background(), ScanRequest{Table: tbl, MinTs: tc.lo, MaxTs: tc.hi,
			Match: tc.match, MatchExact: tc.match != nil}, tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) || nulls != wantNulls {
			t.Errorf("%s: %d groups, %d NULL; want %d groups, %d NULL", tc.name, len(got), nulls, len(want), wantNulls)
		}
	}
}

// TestBlockCacheHolds checks that a second scan of the same column reads
// its blocks from the cache: Pebble charges memtables to the cache, and a
// cache with no room left for them held nothing.
func TestBlockCacheHolds(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 500})
	defer s.Close()
	if err := s.Append(schema.Alerts, alertsBatch(rand.New(rand.NewPCG(61, 61)), 20000, 1779184800e6)); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	req := unbounded
	req.Table = schema.Alerts
	req.Columns = []int{schema.Alerts.ColumnIndex("pid")}
	scanRows(t, s, req)
	_, hits0, misses0 := s.CacheStats()
	scanRows(t, s, req)
	size, hits, misses := s.CacheStats()
	if size == 0 || hits == hits0 || misses != misses0 {
		t.Fatalf("second scan: cache of %d bytes, %d hits, %d misses", size, hits-hits0, misses-misses0)
	}
}

// An ordered scan returns the same rows as one in key order, block by
// block by time; with a bound it stops at the first block holding only
// rows the caller no longer wants, so a top-N on time reads the few
// newest (or oldest) blocks and keeps the same rows.
func TestScanOrdered(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 37})
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 3))
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for i := range 6 {
		// Overlapping spans, appended out of time order.
		b := randomAllTypes(rng, 250, int64(i)*1000, t0+int64((i*7)%6)*4e6, 30e6)
		batches = append(batches, b)
		if err := s.Append(allTypesTable, b); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	spans := [][2]int64{{math.MinInt64, math.MaxInt64}, {t0 + 5e6, t0 + 23e6}, {t0 + 11e6, t0 + 11e6 + 1}, {t0 + 90e6, t0 + 99e6}}
	for _, order := range []int{OrderNewest, OrderOldest} {
		for _, sp := range spans {
			cols := []int{0, 1, 7}
			// Every row, blocks by time.
			it, err := s.Scan(ctx, ScanRequest{Table: allTypesTable, Columns: cols, MinTs: sp[0], MaxTs: sp[1], Order: order, Prefetch: order == OrderNewest})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			last := int64(math.MaxInt64)
			if order == OrderOldest {
				last = math.MinInt64
			}
			for {
				b, err := it.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				for i := range b.Len {
					got = append(got, formatRow(b.Vecs, i))
				}
				ts := b.Vecs[0].Int64[:b.Len]
				if sp[0] == math.MinInt64 { // whole blocks: their extremes order them
					if order == OrderNewest {
						hi := slices.Max(ts)
						if hi > last {
							t.Fatalf("order %d: a block's newest row %d after one of %d", order, hi, last)
						}
						last = hi
					} else {
						lo := slices.Min(ts)
						if lo < last {
							t.Fatalf("order %d: a block's oldest row %d after one of %d", order, lo, last)
						}
						last = lo
					}
				}
			}
			it.Close()
			want := expectRows(batches, 0, cols, sp[0], sp[1])
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("order %d, [%d, %d): %d rows, want %d\n%s", order, sp[0], sp[1], len(got), len(want), firstDiff(got, want))
			}

			// A top-10 on time, its tenth row as the bound.
			const n = 10
			var top []int64
			better := func(a, b int64) bool { return (order == OrderNewest && a > b) || (order == OrderOldest && a < b) }
			bound := func() (int64, bool) {
				if len(top) < n {
					return 0, false
				}
				return top[n-1], true
			}
			it, err = s.Scan(ctx, ScanRequest{Table: allTypesTable, Columns: []int{0}, MinTs: sp[0], MaxTs: sp[1], Order: order, Bound: bound})
			if err != nil {
				t.Fatal(err)
			}
			for {
				cut, bounded := bound()
				b, err := it.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				for _, ts := range b.Vecs[0].Int64[:b.Len] {
					// Rows the bound rules out are not returned.
					if bounded && better(cut, ts) {
						t.Fatalf("order %d: row at %d returned past the bound %d", order, ts, cut)
					}
				}
				top = append(top, b.Vecs[0].Int64[:b.Len]...)
				slices.SortFunc(top, func(a, b int64) int {
					if better(a, b) {
						return -1
					}
					if better(b, a) {
						return 1
					}
					return 0
				})
				top = top[:min(len(top), n)]
			}
			read := it.Stats().Blocks
			it.Close()
			var all []int64
			for _, b := range batches {
				for _, ts := range b.Vecs[0].Int64[:b.Len] {
					if ts >= sp[0] && (ts < sp[1] || sp[1] == math.MaxInt64) {
						all = append(all, ts)
					}
				}
			}
			slices.Sort(all)
			if order == OrderNewest {
				slices.Reverse(all)
			}
			all = all[:min(len(all), n)]
			if !slices.Equal(top, all) {
				t.Fatalf("order %d, [%d, %d): top %d %v, want %v", order, sp[0], sp[1], n, top, all)
			}
			if total := len(batches) * 250 / 37; sp[0] == math.MinInt64 && read*4 > total {
				t.Errorf("order %d: the bounded scan read %d blocks of about %d", order, read, total)
			}
		}
	}
}

// A prefetching scan closed before its end stops its goroutine; one left
// open when the store closes fails instead of reading a closed store.
func TestScanPrefetchCloseEarly(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 37})
	rng := rand.New(rand.NewPCG(6, 6))
	if err := s.Append(allTypesTable, randomAllTypes(rng, 2000, 0, 1779184800e6, 60e6)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := runtime.NumGoroutine()
	for range 20 {
		it, err := s.Scan(ctx, ScanRequest{Table: allTypesTable, Columns: []int{0, 7}, MinTs: math.MinInt64, MaxTs: math.MaxInt64, Prefetch: true})
		if err != nil {
			t.Fatal(err)
		}
		if b, err := it.Next(ctx); err != nil || b == nil || b.Len == 0 {
			t.Fatalf("first batch: %v, %v", b, err)
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the scans", runtime.NumGoroutine(), before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	it, err := s.Scan(ctx, ScanRequest{Table: allTypesTable, Columns: []int{7}, MinTs: math.MinInt64, MaxTs: math.MaxInt64, Prefetch: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := it.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for {
		b, err := it.Next(ctx)
		if err != nil {
			break
		}
		if b == nil {
			t.Fatal("a scan of a closed store ended without an error")
		}
	}
}

// Exclusions and exact ranges drop exactly the rows col <> 'v' and
// lo <= col <= hi reject (NULLs included), alone and with matches, in
// dictionary, constant and plain chunks, with and without prefetching.
func TestScanExcludeAndExactRanges(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 61})
	defer s.Close()
	rng := rand.New(rand.NewPCG(7, 7))
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for i := range 4 {
		b := randomAllTypes(rng, 400, int64(i)*1000, t0, 40e6)
		batches = append(batches, b)
		if err := s.Append(allTypesTable, b); err != nil {
			t.Fatal(err)
		}
	}
	// A block whose text is one constant.
	c := randomAllTypes(rng, 50, 9000, t0, 1e6)
	c.Vecs[7] = coldata.NewVec(coldata.Text, 50)
	for range 50 {
		c.Vecs[7].Bytes.AppendString("bb")
	}
	batches = append(batches, c)
	if err := s.Append(allTypesTable, c); err != nil {
		t.Fatal(err)
	}
	const tcol, icol = 7, 4
	type want func(b *coldata.Batch, i int) bool
	not := func(vals ...string) want {
		return func(b *coldata.Batch, i int) bool {
			v := b.Vecs[tcol]
			return !v.IsNull(i) && !slices.Contains(vals, v.Bytes.GetString(i))
		}
	}
	in := func(lo, hi int64) want {
		return func(b *coldata.Batch, i int) bool {
			v := b.Vecs[icol]
			return !v.IsNull(i) && v.Int64[i] >= lo && v.Int64[i] <= hi
		}
	}
	for _, tc := range []struct {
		req  ScanRequest
		keep []want
	}{
		{ScanRequest{Exclude: []Match{{Col: tcol, Values: [][]byte{[]byte("bb")}}}}, []want{not("bb")}},
		{ScanRequest{Exclude: []Match{{Col: tcol, Values: [][]byte{[]byte("a"), []byte("")}}}}, []want{not("a", "")}},
		{ScanRequest{Ranges: []IntRange{{Col: icol, Min: -1 << 30, Max: 1 << 29}}, ExactRanges: true}, []want{in(-1<<30, 1<<29)}},
		{ScanRequest{Ranges: []IntRange{{Col: icol, Min: 0, Max: math.MaxInt64}}, ExactRanges: true,
			Exclude: []Match{{Col: tcol, Values: [][]byte{[]byte("wordpress")}}}}, []want{in(0, math.MaxInt64), not("wordpress")}},
	} {
		for _, prefetch := range []bool{false, true} {
			req := tc.req
			req.Table, req.Columns, req.MinTs, req.MaxTs, req.Prefetch = allTypesTable, []int{1, tcol, icol}, math.MinInt64, math.MaxInt64, prefetch
			got := scanRows(t, s, req)
			var exp []string
			for _, b := range batches {
				for i := range b.Len {
					ok := true
					for _, k := range tc.keep {
						ok = ok && k(b, i)
					}
					if ok {
						exp = append(exp, formatRow([]*coldata.Vec{b.Vecs[1], b.Vecs[tcol], b.Vecs[icol]}, i))
					}
				}
			}
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Fatalf("%+v: %d rows, want %d\n%s", tc.req, len(got), len(exp), firstDiff(got, exp))
			}
		}
	}
}

// A top-N over blocks that overlap in time (rows grouped by source, as
// KubeArmor's are): once the bound is set, blocks read after it return
// only rows it lets in, and the top-N is still exact.
func TestScanBoundNarrowsBlocks(t *testing.T) {
	// Small blocks, and blocks larger than a slice (nextSlice).
	for _, blockRows := range []int{37, 3000} {
		t.Run(fmt.Sprint(blockRows), func(t *testing.T) { testBoundNarrows(t, blockRows) })
	}
}

func testBoundNarrows(t *testing.T, blockRows int) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: blockRows})
	defer s.Close()
	streamed := *allTypesTable
	streamed.Name, streamed.StreamColumns = "streamed", []string{"t"}
	rng := rand.New(rand.NewPCG(8, 8))
	t0 := int64(1779184800e6)
	b := randomAllTypes(rng, 3000, 0, t0, 9e6) // one partition, 8 sources
	if err := s.Append(&streamed, b); err != nil {
		t.Fatal(err)
	}
	const n = 10
	var top []int64
	bound := func() (int64, bool) {
		if len(top) < n {
			return 0, false
		}
		return top[n-1], true
	}
	it, err := s.Scan(context.Background(), ScanRequest{Table: &streamed, Columns: []int{0, 7}, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
		Order: OrderNewest, Bound: bound})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	returned, narrowed := 0, 0
	for {
		cut, bounded := bound()
		b, err := it.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		if bounded && b.Len < min(blockRows, sliceRows) {
			narrowed++
		}
		for _, ts := range b.Vecs[0].Int64[:b.Len] {
			if bounded && ts < cut {
				t.Fatalf("row at %d returned past the bound %d", ts, cut)
			}
		}
		returned += b.Len
		top = append(top, b.Vecs[0].Int64[:b.Len]...)
		slices.SortFunc(top, func(a, b int64) int { return cmp.Compare(b, a) })
		top = top[:min(len(top), n)]
	}
	all := slices.Clone(b.Vecs[0].Int64[:b.Len])
	slices.SortFunc(all, func(a, b int64) int { return cmp.Compare(b, a) })
	if !slices.Equal(top, all[:n]) {
		t.Fatalf("top %d %v, want %v", n, top, all[:n])
	}
	switch {
	case blockRows > sliceRows && returned > sliceRows:
		// One block: its newest slice filled the top-N, the rest cut.
		t.Errorf("%d of 3000 rows returned from one block, slices of %d", returned, sliceRows)
	case blockRows <= sliceRows && (narrowed == 0 || returned > 3000/4):
		t.Errorf("%d of 3000 rows returned, %d blocks narrowed by the bound", returned, narrowed)
	}
}

// A column asked for but marked Unread comes back NULL, its chunks not
// read; the others, and the rows an exact match keeps, are as without it.
func TestScanUnread(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 37})
	defer s.Close()
	rng := rand.New(rand.NewPCG(9, 9))
	t0 := int64(1779184800e6)
	b := randomAllTypes(rng, 500, 0, t0, 30e6)
	if err := s.Append(allTypesTable, b); err != nil {
		t.Fatal(err)
	}
	match := []Match{{Col: 7, Values: [][]byte{[]byte("wordpress")}}}
	scan := func(unread []bool) (rows []string, chunks int) {
		it, err := s.Scan(context.Background(), ScanRequest{Table: allTypesTable, Columns: []int{1, 7}, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
			Match: match, MatchExact: true, Unread: unread})
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for {
			b, err := it.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				return rows, it.Stats().Chunks
			}
			for i := range b.Len {
				if unread != nil && !b.Vecs[1].IsNull(i) {
					t.Fatalf("unread column holds %q", b.Vecs[1].Bytes.Get(i))
				}
				rows = append(rows, fmt.Sprint(b.Vecs[0].Int64[i]))
			}
		}
	}
	all, allChunks := scan(nil)
	some, someChunks := scan([]bool{false, true})
	if len(all) == 0 || !slices.Equal(all, some) {
		t.Fatalf("rows with the column unread differ: %d vs %d", len(some), len(all))
	}
	if someChunks >= allChunks {
		t.Errorf("%d chunks read with the column unread, %d without", someChunks, allChunks)
	}
}

// Shards of a scan together return each row of the whole scan once, the
// blocks divided between them.
func TestScanShards(t *testing.T) {
	s := openTest(t, Options{PartitionWidth: 10 * time.Second, MaxBlockRows: 37})
	defer s.Close()
	rng := rand.New(rand.NewPCG(10, 10))
	b := randomAllTypes(rng, 2000, 0, 1779184800e6, 60e6)
	if err := s.Append(allTypesTable, b); err != nil {
		t.Fatal(err)
	}
	scan := func(shard, shards int) (ids []int64, blocks int) {
		it, err := s.Scan(context.Background(), ScanRequest{Table: allTypesTable, Columns: []int{1}, MinTs: 1779184800e6 + 7e6, MaxTs: math.MaxInt64,
			Shard: shard, Shards: shards})
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for {
			b, err := it.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				return ids, it.Stats().Blocks
			}
			ids = append(ids, b.Vecs[0].Int64[:b.Len]...)
		}
	}
	all, _ := scan(0, 1)
	for _, n := range []int{2, 3} {
		var got []int64
		for k := range n {
			ids, blocks := scan(k, n)
			if len(ids) == 0 || len(ids) == len(all) || blocks == 0 {
				t.Errorf("shard %d of %d: %d of %d rows, %d blocks", k, n, len(ids), len(all), blocks)
			}
			got = append(got, ids...)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(all))
		if !slices.Equal(got, want) {
			t.Fatalf("%d shards: %d rows, want %d", n, len(got), len(want))
		}
	}
	if _, err := s.Scan(context.Background(), ScanRequest{Table: allTypesTable, Shard: 2, Shards: 2}); err == nil {
		t.Error("shard 2 of 2 accepted")
	}
}

// CountRows answers from the partition counters what a scan counts, for
// ranges no partition straddles, through merges and retention drops; it
// declines ranges that cut a partition.
func TestCountRows(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 300})
	defer s.Close()
	t0 := time.Date(2026, 5, 19, 10, 0, 0, 0, time.UTC).UnixMicro()
	rng := rand.New(rand.NewPCG(9, 9))
	// Five hourly partitions, in small appends (small blocks to merge).
	for range 10 {
		b := alertsBatch(rng, 500, t0)
		for i := range b.Len {
			b.Vecs[0].Int64[i] = t0 + rng.Int64N(5*3600e6)
		}
		if err := s.Append(schema.Alerts, b); err != nil {
			t.Fatal(err)
		}
	}
	scanCount := func(lo, hi int64) int64 {
		req := unbounded
		req.Table, req.MinTs, req.MaxTs = schema.Alerts, lo, hi
		return int64(len(scanRows(t, s, req)))
	}
	check := func(when string) {
		t.Helper()
		hour := int64(3600e6)
		for _, r := range [][2]int64{
			{math.MinInt64, math.MaxInt64},
			{t0 + hour, t0 + 3*hour},     // two whole partitions
			{t0 - 7*hour, t0 + hour},     // one, and time before any
			{t0 + 2*hour, math.MaxInt64}, // the last three
			{t0 + 9*hour, t0 + 10*hour},  // none
		} {
			n, ok := s.CountRows(schema.Alerts.Name, r[0], r[1])
			if want := scanCount(r[0], r[1]); !ok || n != want {
				t.Errorf("%s: CountRows [%d, %d) = %d (%v), scan counts %d", when, r[0], r[1], n, ok, want)
			}
		}
		if _, ok := s.CountRows(schema.Alerts.Name, t0+4*hour+hour/2, math.MaxInt64); ok {
			t.Errorf("%s: a range cutting a partition was counted", when)
		}
	}
	check("after appends")
	if _, err := s.MergeSmall(context.Background(), schema.Alerts); err != nil {
		t.Fatal(err)
	}
	check("after merging")
	if _, err := s.DropBefore(schema.Alerts.Name, t0+2*3600e6); err != nil {
		t.Fatal(err)
	}
	check("after dropping two partitions")
	if n, ok := s.CountRows(schema.Messages.Name, math.MinInt64, math.MaxInt64); !ok || n != 0 {
		t.Errorf("empty table: %d (%v)", n, ok)
	}
}
