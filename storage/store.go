package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

var errClosed = errors.New("storage closed")

// Store is one operator's columnar event store on Pebble. Append, Scan,
// Stats and the Iterators it returns are safe for concurrent use; Close
// must come last.
type Store struct {
	db     *pebble.DB
	opts   Options
	width  int64 // partition width in µs
	logger *slog.Logger

	// seq is the last block sequence number handed out.
	seq atomic.Uint64

	// mu orders Close after every Append and Iterator step that uses db:
	// they hold it shared, Close exclusively.
	mu     sync.RWMutex
	closed bool

	itersMu sync.Mutex
	iters   map[*Iterator]struct{} // open iterators, closed by Close

	statsMu sync.Mutex
	stats   map[string]map[int64]TableStats  // table → partition start → stats
	rollups map[string]map[int64]*partRollup // likewise, the blocks' summaries combined

	writers sync.Pool // *blockWriter

	// decoded keeps decompressed chunk payloads for scans (nil: none).
	decoded *decodedCache
}

// TableStats summarizes what a store holds of one table.
type TableStats struct {
	Rows int64
	// MinTs and MaxTs are the smallest and largest time column values
	// stored, both inclusive, in µs since the epoch; zero when Rows is 0.
	MinTs, MaxTs int64
	// Bytes is the size of the table's keys and values as encoded, before
	// Pebble's own compression.
	Bytes  int64
	Blocks int64
}

func (s *TableStats) add(d TableStats) {
	if d.Rows == 0 {
		return
	}
	if s.Rows == 0 {
		s.MinTs, s.MaxTs = d.MinTs, d.MaxTs
	} else {
		s.MinTs, s.MaxTs = min(s.MinTs, d.MinTs), max(s.MaxTs, d.MaxTs)
	}
	s.Rows += d.Rows
	s.Bytes += d.Bytes
	s.Blocks += d.Blocks
}

// Open opens the store in opts.Dir, creating it when missing, and rebuilds
// the table statistics from the block metadata.
func Open(opts Options) (*Store, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	// A quarter of CacheSize keeps decompressed chunk payloads, the rest
	// is Pebble's block cache. Pebble charges its memtables to its cache:
	// without room for them on top, its share would hold nothing at all.
	decodedSize := opts.CacheSize / 4
	cache := pebble.NewCache(opts.CacheSize - decodedSize + 2*opts.MemTableSize)
	defer cache.Unref()
	db, err := pebble.Open(opts.Dir, &pebble.Options{
		Cache:              cache,
		MemTableSize:       uint64(opts.MemTableSize),
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             pebbleLogger{opts.Logger},
	})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	s := &Store{
		db:      db,
		opts:    opts,
		width:   opts.PartitionWidth.Microseconds(),
		logger:  opts.Logger,
		iters:   make(map[*Iterator]struct{}),
		stats:   make(map[string]map[int64]TableStats),
		rollups: make(map[string]map[int64]*partRollup),
		decoded: newDecodedCache(decodedSize),
	}
	if err := checkFormat(db, s.width, opts.Logger); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	if err := s.loadStats(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	return s, nil
}

// loadStats rebuilds the table statistics and the block sequence from the
// metadata of every block. A block whose metadata cannot be read is logged
// and left out; scans that reach it report the error.
func (s *Store) loadStats() error {
	iter, err := s.db.NewIter(&pebble.IterOptions{
		LowerBound: []byte{keySpaceBlock},
		UpperBound: []byte{keySpaceBlock + 1},
	})
	if err != nil {
		return err
	}
	var (
		m      blockMeta
		end    []byte
		maxSeq uint64
	)
	for valid := iter.First(); valid; valid = iter.SeekGE(end) {
		key := iter.Key()
		table, plen, err := parseTable(key)
		if err == nil && key[0] != keySpaceBlock {
			err = errBadKey
		}
		var id blockID
		var kind byte
		if err == nil {
			id, kind, _, err = parseBlockKey(key, plen)
		}
		if err != nil {
			s.logger.Warn("skipping malformed block key", "key", fmt.Sprintf("%x", key))
			end = append(end[:0], key...)
			end = append(end, 0)
			continue
		}
		maxSeq = max(maxSeq, id.seq)
		if kind != kindMeta {
			// Past the partition's metadata: its chunks and filters
			// belong to blocks already counted.
			end = partitionEndKey(end[:0], key[:plen], id.partition)
			continue
		}
		end = append(end[:0], key...)
		end = append(end, 0)
		value, err := iter.ValueAndErr()
		if err != nil {
			_ = iter.Close()
			return fmt.Errorf("read %s: %w", blockName(table, id), err)
		}
		if err := decodeMeta(&m, value); err != nil {
			s.logger.Warn("unreadable block metadata", "block", blockName(table, id), "err", err)
			continue
		}
		size := blockSize(plen, len(key), len(value), &m)
		s.addStats(table, id.partition, TableStats{Rows: int64(m.rows), MinTs: m.minTs, MaxTs: m.maxTs, Bytes: size, Blocks: 1})
		s.rollup(table, id.partition).add(&m)
	}
	err = iter.Error()
	if cerr := iter.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("load block metadata: %w", err)
	}
	s.seq.Store(maxSeq)
	return nil
}

// Close closes every open Iterator, then the store. Calls after Close
// return an error.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.closed = true
	var errs []error
	s.itersMu.Lock()
	for it := range s.iters {
		errs = append(errs, it.closeIters())
		delete(s.iters, it)
	}
	s.itersMu.Unlock()
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", s.opts.Dir, err)
	}
	return nil
}

// Stats returns what the store holds of table, from counters kept in
// memory: it reads nothing from disk.
func (s *Store) Stats(table string) TableStats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	var st TableStats
	for _, p := range s.stats[table] {
		st.add(p)
	}
	return st
}

// PartitionStats summarizes one time partition of a table: rows with
// Start <= ts < End.
type PartitionStats struct {
	Start, End int64
	TableStats
}

// Partitions returns the partitions the store holds of table, oldest
// first, from the counters kept in memory.
func (s *Store) Partitions(table string) []PartitionStats {
	s.statsMu.Lock()
	out := make([]PartitionStats, 0, len(s.stats[table]))
	for start, st := range s.stats[table] {
		out = append(out, PartitionStats{Start: start, End: partitionEnd(start, s.width), TableStats: st})
	}
	s.statsMu.Unlock()
	slices.SortFunc(out, func(a, b PartitionStats) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// partitionEnd is the first time after the partition starting at start,
// capped at math.MaxInt64.
func partitionEnd(start, width int64) int64 {
	if start > math.MaxInt64-width {
		return math.MaxInt64
	}
	if start == math.MinInt64 {
		// The first partition starts at MinInt64 rather than at a
		// multiple of the width (partitionStart): it ends at the first
		// multiple above (Go's division truncates toward zero).
		if e := math.MinInt64 / width * width; e != math.MinInt64 {
			return e
		}
	}
	return start + width
}

// rollup returns a partition's rollup, creating it empty. The caller
// holds statsMu or is Open.
func (s *Store) rollup(table string, partition int64) *partRollup {
	parts := s.rollups[table]
	if parts == nil {
		parts = make(map[int64]*partRollup)
		s.rollups[table] = parts
	}
	r := parts[partition]
	if r == nil {
		r = new(partRollup)
		parts[partition] = r
	}
	return r
}

// partitionExcludes reports whether a partition's rollup shows that no
// row of it passes match and ranges.
func (s *Store) partitionExcludes(table string, partition int64, match []Match, ranges []IntRange) bool {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	r := s.rollups[table][partition]
	return r != nil && r.excludes(match, ranges)
}

// CountRows returns how many rows of table have times in [lo, hi) (hi
// math.MaxInt64: no upper bound) from the partition counters, without
// reading a block, when every partition holding rows lies wholly inside
// or wholly outside the range; ok is false when one is cut by it. The
// counters change once an Append or a retention drop has applied, so
// the count is the table's at one moment, as a scan's snapshot is.
func (s *Store) CountRows(table string, lo, hi int64) (n int64, ok bool) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for _, st := range s.stats[table] {
		if st.Rows == 0 {
			continue
		}
		below := hi == math.MaxInt64 || st.MaxTs < hi
		switch {
		case st.MinTs >= lo && below:
			n += st.Rows
		case st.MaxTs < lo || (hi != math.MaxInt64 && st.MinTs >= hi):
		default:
			return 0, false
		}
	}
	return n, true
}

// addStats adds d to a partition's counters. The caller holds statsMu or
// is Open.
func (s *Store) addStats(table string, partition int64, d TableStats) {
	parts := s.stats[table]
	if parts == nil {
		parts = make(map[int64]TableStats)
		s.stats[table] = parts
	}
	st := parts[partition]
	st.add(d)
	parts[partition] = st
}

// DropBefore deletes the partitions of table that end at or before cutoff
// (µs since the epoch): every row older than cutoff except those sharing
// a partition with younger rows. Younger partitions are not rewritten: one
// range deletion, written with sync, removes the old ones, and Pebble
// reclaims their space in the background. Iterators opened before keep
// their view. It returns what was dropped.
func (s *Store) DropBefore(table string, cutoff int64) (TableStats, error) {
	keep := partitionStart(cutoff, s.width) // the first partition kept
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return TableStats{}, fmt.Errorf("drop from %s: %w", table, errClosed)
	}
	var dropped TableStats
	var parts []int64
	s.statsMu.Lock()
	for start, st := range s.stats[table] {
		if start < keep {
			dropped.add(st)
			parts = append(parts, start)
		}
	}
	s.statsMu.Unlock()
	if len(parts) == 0 {
		return dropped, nil
	}
	prefix := tablePrefix(nil, table)
	end := appendPartition(slices.Clone(prefix), keep)
	if err := s.db.DeleteRange(prefix, end, pebble.Sync); err != nil {
		return TableStats{}, fmt.Errorf("drop from %s before %s: %w", table, partitionName(keep), err)
	}
	s.statsMu.Lock()
	for _, start := range parts {
		delete(s.stats[table], start)
		delete(s.rollups[table], start)
	}
	s.statsMu.Unlock()
	return dropped, nil
}

// Append stores the b.Len rows of b for table t atomically, in one Pebble
// batch written with sync: once Append returns nil, a crash loses none of
// them. b.Vecs follow t.Columns in order and type. The rows are split into
// one block per time partition (and per MaxBlockRows rows). Append does
// not keep b. A NULL in the time column fails the whole Append.
func (s *Store) Append(t *schema.Table, b *coldata.Batch) error {
	return s.AppendAll([]*schema.Table{t}, []*coldata.Batch{b})
}

// AppendAll stores bs[i], rows of ts[i], for every i, atomically: one
// Pebble batch and one sync for all of them, so that a flush of several
// tables costs one disk sync and a crash keeps all or none of it.
func (s *Store) AppendAll(ts []*schema.Table, bs []*coldata.Batch) error {
	if len(ts) != len(bs) {
		return fmt.Errorf("append: %d tables, %d batches", len(ts), len(bs))
	}
	rows := 0
	for i, t := range ts {
		if t == nil {
			return errors.New("append: no table")
		}
		b := bs[i]
		if err := checkBatch(t, b); err != nil {
			return fmt.Errorf("append to %s: %w", t.Name, err)
		}
		tc := t.TimeColumn
		if countNulls(b.Vecs[tc].Nulls, 0, b.Len) > 0 {
			return sqlerr.New(sqlerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint",
				t.Columns[tc].Name, t.Name)
		}
		rows += b.Len
	}
	if rows == 0 {
		return nil
	}
	w, _ := s.writers.Get().(*blockWriter)
	if w == nil {
		w = new(blockWriter)
	}
	defer s.writers.Put(w)

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return fmt.Errorf("append to %s: %w", ts[0].Name, errClosed)
	}
	batch := s.db.NewBatch()
	defer func() { _ = batch.Close() }()
	var deltas []partitionDelta
	for i, t := range ts {
		b, tc := bs[i], t.TimeColumn
		if b.Len == 0 {
			continue
		}
		w.prefix = tablePrefix(w.prefix[:0], t.Name)
		sel, parts := w.arrange(t, b, s.width)
		for _, part := range parts {
			for lo := part.lo; lo < part.hi; lo += s.opts.MaxBlockRows {
				hi := min(lo+s.opts.MaxBlockRows, part.hi)
				id := blockID{partition: part.start, stream: w.rows[lo].stream, seq: s.seq.Add(1)}
				rs := rowSet{lo: lo, hi: hi, sel: sel}
				if sel != nil {
					w.asc = append(w.asc[:0], sel[lo:hi]...)
					slices.Sort(w.asc)
					rs.asc = w.asc
				}
				deltas = append(deltas, partitionDelta{table: t.Name, partition: part.start})
				if err := w.write(batch, id, tc, b, rs, &deltas[len(deltas)-1].stats); err != nil {
					return fmt.Errorf("append to %s: %w", t.Name, err)
				}
				// Before the batch applies: a scan must never see a block
				// its partition's rollup does not cover.
				s.statsMu.Lock()
				s.rollup(t.Name, part.start).add(&w.meta)
				s.statsMu.Unlock()
			}
		}
	}
	if err := s.db.Apply(batch, pebble.Sync); err != nil {
		return fmt.Errorf("append to %s: %w", ts[0].Name, err)
	}
	s.statsMu.Lock()
	for _, d := range deltas {
		s.addStats(d.table, d.partition, d.stats)
	}
	s.statsMu.Unlock()
	return nil
}

// partitionDelta is what one block adds to its partition's stats.
type partitionDelta struct {
	table     string
	partition int64
	stats     TableStats
}

// checkBatch checks that b fits t, so that encoding cannot index past the
// end of a Vec.
func checkBatch(t *schema.Table, b *coldata.Batch) error {
	if err := checkTable(t); err != nil {
		return err
	}
	if b == nil || b.Len < 0 || b.Len > math.MaxInt32-1 {
		return errors.New("bad batch")
	}
	if len(b.Vecs) != len(t.Columns) {
		return fmt.Errorf("batch has %d columns, table %d", len(b.Vecs), len(t.Columns))
	}
	for i, v := range b.Vecs {
		c := &t.Columns[i]
		switch {
		case v == nil:
			return fmt.Errorf("column %s missing", c.Name)
		case v.Type != c.Type:
			return fmt.Errorf("column %s is %s, table says %s", c.Name, v.Type, c.Type)
		case v.Len() < b.Len:
			return fmt.Errorf("column %s has %d rows, batch %d", c.Name, v.Len(), b.Len)
		case v.Type == coldata.TextArray && b.Len > 0 && int(v.Arr[b.Len]) > v.Bytes.Len():
			return fmt.Errorf("column %s has %d elements, arrays need %d", c.Name, v.Bytes.Len(), v.Arr[b.Len])
		}
	}
	return nil
}

// checkTable checks what storage relies on in a table descriptor.
func checkTable(t *schema.Table) error {
	switch {
	case t == nil:
		return errors.New("no table")
	case len(t.Columns) == 0 || len(t.Columns) > maxColumns:
		return fmt.Errorf("table %s has %d columns", t.Name, len(t.Columns))
	case t.TimeColumn < 0 || t.TimeColumn >= len(t.Columns):
		return fmt.Errorf("table %s has no time column %d", t.Name, t.TimeColumn)
	case t.Columns[t.TimeColumn].Type != coldata.Timestamptz:
		return fmt.Errorf("time column %s of %s is %s", t.Columns[t.TimeColumn].Name, t.Name,
			t.Columns[t.TimeColumn].Type)
	}
	return nil
}

// partitionRange is the rows [lo, hi) of an arranged batch that fall in
// the time partition starting at start.
type partitionRange struct {
	start  int64
	lo, hi int
}

// rowKey orders a row for storage: time partition, stream, time, then
// arrival.
type rowKey struct {
	partition int64
	stream    uint64
	ts        int64
	row       int
}

func compareRowKeys(a, b rowKey) int {
	if c := cmp.Compare(a.partition, b.partition); c != 0 {
		return c
	}
	if c := cmp.Compare(a.stream, b.stream); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ts, b.ts); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// arrange orders b's rows by time partition, then by stream (a hash of
// the table's StreamColumns), then by time. It returns the order, as the
// rows of b to store one after the other (nil when b is already in
// order), and the partitions as ranges of that order. Afterwards
// w.rows[k] is the key of the k-th row in order. The rows are not copied:
// the chunk encoders read them through the order.
//
// Grouping a source's rows makes its host, namespace, pod and container
// columns, and most that follow from them, runs of one value within a
// block: smaller dictionaries, cheaper encoding and, per the key's stream
// field, blocks of one source next to each other.
func (w *blockWriter) arrange(t *schema.Table, b *coldata.Batch, width int64) ([]int, []partitionRange) {
	n := b.Len
	ts := b.Vecs[t.TimeColumn].Int64[:n]
	w.streamCols = w.streamCols[:0]
	for _, name := range t.StreamColumns {
		if c := t.ColumnIndex(name); c >= 0 && b.Vecs[c].Type.IsBytes() {
			w.streamCols = append(w.streamCols, b.Vecs[c])
		}
	}
	w.rows = resize(w.rows, n)
	var prev uint64
	for i := range n {
		h := prev
		if i == 0 || !sameStream(w.streamCols, i, i-1) {
			h = streamHash(w.streamCols, i)
		}
		prev = h
		w.rows[i] = rowKey{partition: partitionStart(ts[i], width), stream: h, ts: ts[i], row: i}
	}
	var sel []int
	if !slices.IsSortedFunc(w.rows, compareRowKeys) {
		slices.SortFunc(w.rows, compareRowKeys)
		w.sel = resize(w.sel, n)
		for i, k := range w.rows {
			w.sel[i] = k.row
		}
		sel = w.sel
	}
	w.parts = w.parts[:0]
	for lo := 0; lo < n; {
		p := w.rows[lo].partition
		hi := lo + 1
		for hi < n && w.rows[hi].partition == p {
			hi++
		}
		w.parts = append(w.parts, partitionRange{start: p, lo: lo, hi: hi})
		lo = hi
	}
	return sel, w.parts
}

// sameStream reports whether rows i and j have equal stream columns.
func sameStream(cols []*coldata.Vec, i, j int) bool {
	for _, v := range cols {
		if v.Nulls.Get(i) != v.Nulls.Get(j) || !bytes.Equal(v.Bytes.Get(i), v.Bytes.Get(j)) {
			return false
		}
	}
	return true
}

// streamHash is the stream of row i: an xxhash of its stream columns, each
// length-prefixed so that ("ab", "c") and ("a", "bc") differ; NULL hashes
// like "" with a distinct length. 0 for a table without stream columns.
func streamHash(cols []*coldata.Vec, i int) uint64 {
	if len(cols) == 0 {
		return 0
	}
	var d xxhash.Digest
	d.Reset()
	var n [4]byte
	for _, v := range cols {
		val := v.Bytes.Get(i)
		l := uint32(len(val))
		if v.Nulls.Get(i) {
			l, val = math.MaxUint32, nil
		}
		binary.LittleEndian.PutUint32(n[:], l)
		d.Write(n[:])
		d.Write(val)
	}
	return d.Sum64()
}

// blockWriter encodes blocks into a Pebble batch, reusing its buffers from
// one Append to the next.
type blockWriter struct {
	enc    chunkEncoder
	meta   blockMeta
	prefix []byte
	key    []byte
	val    []byte

	// arrange's scratch: row keys, the row order and partitions.
	rows       []rowKey
	sel        []int
	asc        []int    // a block's rows of sel, ascending
	exts       [][]byte // per column, the text summary for the metadata
	parts      []partitionRange
	streamCols []*coldata.Vec
}

// kvSetter receives a blockWriter's keys and values: a Pebble batch, which
// copies them.
type kvSetter interface {
	Set(key, value []byte, opts *pebble.WriteOptions) error
}

var _ kvSetter = (*pebble.Batch)(nil)

// write adds the block of rows rs of b to batch: one value per column
// chunk, then the metadata.
func (w *blockWriter) write(batch kvSetter, id blockID, tc int, b *coldata.Batch, rs rowSet, st *TableStats) error {
	m := &w.meta
	m.rows = rs.n()
	m.cols = resize(m.cols, len(b.Vecs))
	size := 0
	for c, v := range b.Vecs {
		var info chunkInfo
		w.val, info = w.enc.appendRows(w.val[:0], v, rs)
		w.key = chunkKey(w.key[:0], w.prefix, id, c)
		if err := batch.Set(w.key, w.val, nil); err != nil {
			return err
		}
		size += len(w.key) + len(w.val)
		m.cols[c] = colMeta{typ: v.Type, enc: info.enc, nulls: info.nulls, size: info.size,
			crc: info.crc, min: info.min, max: info.max}
		if info.summary != nil {
			// The encoder reuses its summary buffer for the next chunk.
			w.exts = resize(w.exts, len(b.Vecs))
			w.exts[c] = append(w.exts[c][:0], info.summary...)
			if err := parseSummary(&m.cols[c].summary, w.exts[c], m.rows); err != nil {
				return err // the encoder wrote what it cannot read back
			}
			m.cols[c].summary.ext = w.exts[c]
		}
		if info.bloom != nil {
			w.key = bloomKey(w.key[:0], w.prefix, id, c)
			if err := batch.Set(w.key, info.bloom, nil); err != nil {
				return err
			}
			size += len(w.key) + len(info.bloom)
		}
	}
	m.minTs, m.maxTs = m.cols[tc].min, m.cols[tc].max
	w.val = appendMeta(w.val[:0], m)
	w.key = metaKey(w.key[:0], w.prefix, id)
	if err := batch.Set(w.key, w.val, nil); err != nil {
		return err
	}
	size += len(w.key) + len(w.val)
	st.add(TableStats{Rows: int64(m.rows), MinTs: m.minTs, MaxTs: m.maxTs, Bytes: int64(size), Blocks: 1})
	return nil
}

// pebbleLogger sends Pebble's messages to the store's logger, informational
// ones at debug level so that the store is quiet by default.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l.Enabled(context.Background(), slog.LevelDebug) {
		p.l.Debug("pebble", "msg", fmt.Sprintf(format, args...))
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble", "msg", fmt.Sprintf(format, args...))
}

// Fatalf is how Pebble reports a state it cannot continue from. It expects
// the call not to return: panic after logging, as its default logger exits.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error("pebble fatal", "msg", msg)
	panic("pebble: " + msg)
}

// Flush writes the memtable out to sorted files, so that DiskUsage counts
// the data in its final form rather than in the write-ahead log.
func (s *Store) Flush() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return s.db.Flush()
}

// DiskUsage is the bytes the store takes on disk: live, the sorted files
// holding its data (after Pebble's own block compression); total, every
// file, write-ahead logs kept for reuse and files awaiting deletion
// included.
func (s *Store) DiskUsage() (live, total uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, 0
	}
	m := s.db.Metrics()
	return m.Table.Local.LiveSize, m.DiskSpaceUsage()
}

// DecodedCacheStats reports the cache of decompressed chunk payloads:
// the bytes it holds, and the payloads found in it and decompressed
// instead since Open.
func (s *Store) DecodedCacheStats() (size, hits, misses int64) {
	c := s.decoded
	if c == nil {
		return 0, 0, 0
	}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		size += sh.size
		sh.mu.Unlock()
	}
	return size, c.hits.Load(), c.misses.Load()
}

// CacheStats reports the block cache: the bytes it holds, and the block
// reads it answered and missed since Open.
func (s *Store) CacheStats() (size, hits, misses int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, 0, 0
	}
	m := s.db.Metrics().BlockCache
	return m.Size, m.Hits, m.Misses
}
