package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"

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
	stats   map[string]TableStats

	writers sync.Pool // *blockWriter
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
	cache := pebble.NewCache(opts.CacheSize)
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
		db:     db,
		opts:   opts,
		width:  opts.PartitionWidth.Microseconds(),
		logger: opts.Logger,
		iters:  make(map[*Iterator]struct{}),
		stats:  make(map[string]TableStats),
	}
	if err := checkFormat(db, s.width); err != nil {
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
		end = blockEnd(end[:0], key[:plen], id)
		if kind != kindMeta {
			s.logger.Warn("block without metadata", "block", blockName(table, id))
			continue
		}
		value, err := iter.ValueAndErr()
		if err != nil {
			_ = iter.Close()
			return fmt.Errorf("read %s: %w", blockName(table, id), err)
		}
		if err := decodeMeta(&m, value); err != nil {
			s.logger.Warn("unreadable block metadata", "block", blockName(table, id), "err", err)
			continue
		}
		size := int64(len(key) + len(value))
		for _, c := range m.cols {
			size += int64(plen + blockIDLen + 3 + c.size)
		}
		st := s.stats[table]
		st.add(TableStats{Rows: int64(m.rows), MinTs: m.minTs, MaxTs: m.maxTs, Bytes: size, Blocks: 1})
		s.stats[table] = st
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
		if it.iter != nil {
			errs = append(errs, it.iter.Close())
			it.iter = nil
		}
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
	return s.stats[table]
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
	deltas := make([]TableStats, len(ts))
	for i, t := range ts {
		b, tc := bs[i], t.TimeColumn
		if b.Len == 0 {
			continue
		}
		w.prefix = tablePrefix(w.prefix[:0], t.Name)
		for _, part := range s.splitPartitions(tc, b) {
			for lo := 0; lo < part.b.Len; lo += s.opts.MaxBlockRows {
				hi := min(lo+s.opts.MaxBlockRows, part.b.Len)
				id := blockID{partition: part.start, seq: s.seq.Add(1)}
				if err := w.write(batch, id, tc, part.b, lo, hi, &deltas[i]); err != nil {
					return fmt.Errorf("append to %s: %w", t.Name, err)
				}
			}
		}
	}
	if err := s.db.Apply(batch, pebble.Sync); err != nil {
		return fmt.Errorf("append to %s: %w", ts[0].Name, err)
	}
	s.statsMu.Lock()
	for i, t := range ts {
		st := s.stats[t.Name]
		st.add(deltas[i])
		s.stats[t.Name] = st
	}
	s.statsMu.Unlock()
	return nil
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

// partitionRows are the rows of an Append that fall in one partition.
type partitionRows struct {
	start int64
	b     *coldata.Batch
}

// splitPartitions splits b by time partition. The usual batch lies in one
// partition and is returned as is; only a batch that crosses a partition
// boundary is copied.
func (s *Store) splitPartitions(tc int, b *coldata.Batch) []partitionRows {
	ts := b.Vecs[tc].Int64[:b.Len]
	mn, mx := ts[0], ts[0]
	for _, x := range ts {
		mn, mx = min(mn, x), max(mx, x)
	}
	if first := partitionStart(mn, s.width); first == partitionStart(mx, s.width) {
		return []partitionRows{{first, b}}
	}
	rows := make(map[int64][]int)
	for i, x := range ts {
		p := partitionStart(x, s.width)
		rows[p] = append(rows[p], i)
	}
	parts := make([]partitionRows, 0, len(rows))
	for p, sel := range rows {
		parts = append(parts, partitionRows{p, b.Gather(sel)})
	}
	slices.SortFunc(parts, func(a, b partitionRows) int { return cmp.Compare(a.start, b.start) })
	return parts
}

// blockWriter encodes blocks into a Pebble batch, reusing its buffers from
// one Append to the next.
type blockWriter struct {
	enc    chunkEncoder
	meta   blockMeta
	prefix []byte
	key    []byte
	val    []byte
}

// kvSetter receives a blockWriter's keys and values: a Pebble batch, which
// copies them.
type kvSetter interface {
	Set(key, value []byte, opts *pebble.WriteOptions) error
}

var _ kvSetter = (*pebble.Batch)(nil)

// write adds the block of rows [lo, hi) of b to batch: one value per
// column chunk, then the metadata.
func (w *blockWriter) write(batch kvSetter, id blockID, tc int, b *coldata.Batch, lo, hi int, st *TableStats) error {
	m := &w.meta
	m.rows = hi - lo
	m.cols = resize(m.cols, len(b.Vecs))
	size := 0
	for c, v := range b.Vecs {
		var info chunkInfo
		w.val, info = w.enc.appendChunk(w.val[:0], v, lo, hi)
		w.key = chunkKey(w.key[:0], w.prefix, id, c)
		if err := batch.Set(w.key, w.val, nil); err != nil {
			return err
		}
		size += len(w.key) + len(w.val)
		m.cols[c] = colMeta{typ: v.Type, enc: info.enc, nulls: info.nulls, size: info.size,
			crc: info.crc, min: info.min, max: info.max}
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
