package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// ScanRequest says which rows and columns of a table a Scan returns.
type ScanRequest struct {
	Table *schema.Table
	// Columns are indexes into Table.Columns, in output order; an index may
	// repeat. When empty, batches carry only Len, which is all count(*)
	// needs, and blocks wholly inside the time range are not read at all.
	Columns []int
	// MinTs and MaxTs select the rows with MinTs <= ts < MaxTs on
	// Table.TimeColumn, in µs since the epoch. math.MinInt64 and
	// math.MaxInt64 mean unbounded; MaxTs = math.MaxInt64 also returns
	// rows at math.MaxInt64 (PostgreSQL's 'infinity').
	MinTs, MaxTs int64
	// Match lets the scan skip blocks: every row returned has, for each
	// Match, its column equal to one of Values. Only text-like columns
	// (text, numeric, jsonb) can be matched. The scan decides per block,
	// from a constant or dictionary chunk without decoding the rows; it may
	// still return rows that do not match (from blocks it cannot rule
	// out), so the caller filters again, unless MatchExact is set.
	Match []Match
	// MatchExact makes the scan return exactly the rows every Match
	// accepts. It decides on dictionary codes without decoding strings, so
	// that count(*) WHERE namespace_name = '…' reads no string at all.
	MatchExact bool
	// Ranges let the scan skip partitions and blocks whose values of a
	// column all lie outside a range, from their minimum and maximum; like
	// Match without MatchExact, the caller filters again.
	Ranges []IntRange
	// Order, when not zero, returns the blocks by time: OrderNewest
	// visits them by their newest row, newest first; OrderOldest by
	// their oldest row, oldest first. Rows within a block keep their
	// order. A top-N on the time column reads what it needs first.
	Order int
	// Bound, with Order, is how far the caller still wants rows: once
	// it returns ok, rows older than ts (OrderNewest) or newer than ts
	// (OrderOldest) are not wanted: blocks read after that return none
	// of them (nor decode them), and the scan ends at the first block
	// holding only such rows. A top-N's current last row gives it. It
	// is called between blocks, from the scan's goroutine.
	Bound func() (ts int64, ok bool)
	// Exclude drops, exactly, the rows whose text column Col is NULL or
	// equals one of Values, for each Exclude: what col <> 'v' keeps. It
	// rules out no block by itself.
	Exclude []Match
	// ExactRanges makes the scan apply Ranges to every row, as
	// MatchExact does Match: every row returned has each Range's column
	// non-NULL and within it.
	ExactRanges bool
	// Codes, parallel to Columns, asks for text-like columns dictionary
	// coded (coldata.Vec.Codes) from the blocks whose chunk is a
	// dictionary or a constant: no string is copied per row. Other
	// blocks' chunks decode to values as usual.
	Codes []bool
	// Unread, parallel to Columns, marks columns the caller asks for
	// but does not read (a condition on them the scan applies exactly
	// was all that needed them): their vectors hold NULLs, and their
	// chunks are not read. The time column is read regardless.
	Unread []bool
	// Shard and Shards split a scan among Shards scans, one per Shard
	// in [0, Shards): each returns the blocks whose sequence number is
	// Shard modulo Shards, so that they can run in parallel and together
	// return every row once. Shards 0 or 1 is one scan.
	Shard, Shards int
	// Prefetch decodes the next block in a goroutine of its own while
	// the caller works on the current one, so that a scan keeps two
	// cores busy. Next then waits for that goroutine.
	Prefetch bool
}

// The orders of ScanRequest.Order.
const (
	OrderNewest = -1
	OrderOldest = 1
)

// listedBlock is a block of an ordered scan: its metadata key and time
// span.
type listedBlock struct {
	key          []byte
	minTs, maxTs int64
}

// IntRange asks for rows whose integer or timestamp column Col lies in
// [Min, Max]: what a comparison with a constant leaves. Min > Max asks for
// none.
type IntRange struct {
	Col      int
	Min, Max int64
}

// Match asks for rows whose column Col equals one of Values.
type Match struct {
	Col    int
	Values [][]byte
}

// Iterator returns the rows of a Scan batch by batch. It reads from a
// consistent snapshot taken by Scan: Appends that commit later are not
// seen. An Iterator is not safe for concurrent use; distinct Iterators are.
type Iterator struct {
	s     *Store
	table *schema.Table
	iter  *pebble.Iterator // the blocks' metadata; nil once closed
	valid bool             // iter is positioned on a key
	// chunks holds, per column, an iterator over the column's chunks,
	// cloned from iter on first use so that it reads the same snapshot.
	chunks []*pebble.Iterator
	blooms []*pebble.Iterator // likewise, per column, over its bloom filters
	prefix []byte             // the table's key prefix
	lo, hi int64              // time bounds, both inclusive
	// rowLo and rowHi bound the current block's rows: lo and hi, narrowed
	// by an ordered scan's Bound (rowBounds).
	rowLo, rowHi int64

	// reads lists the chunks to read from a block, in column order so
	// that the iterator only moves forward.
	reads []colRead
	tsVec *coldata.Vec // the decoded time column, for blocks not wholly in range

	batch  *coldata.Batch
	dec    chunkDecoder
	meta   blockMeta
	key    []byte // scratch for chunk keys
	end    []byte // scratch for the end of a partition
	match  []Match
	ranges []IntRange
	// exact: the rows returned are exactly those every Match, Exclude
	// and (with exactRanges) Range accepts.
	exact       bool
	exclude     []Match
	exactRanges bool
	rvec        *coldata.Vec // an exact Range's column, decoded
	part        int64        // the partition of the last block looked at
	parts       int          // partitions entered, for tests
	// partSkipped counts partitions ruled out by their rollup, for tests.
	partSkipped   int
	shard, shards int          // ScanRequest's
	keep          []bool       // MatchExact: the rows of the block every Match accepts
	mvec          *coldata.Vec // MatchExact: a matched column decoded, when its chunk is not a dictionary
	offs          []int32      // scratch for a dictionary's offsets

	// CountBy: the column counted, the counts so far, and scratch.
	countCol   int
	counts     map[string]int64
	nullCount  int64
	codeCounts []int64
	rowCodes   []int32 // the dictionary code of each row, -1 for NULL
	hit        []bool  // per dictionary code, whether a Match accepts it
	want       []uint8 // per code of a packed chunk, what matchPacked does with its rows
	countVec   *coldata.Vec
	// MinMax: the column folded (mm.col+1, 0 when not folding) and the
	// result so far.
	mm minMax
	// skipped counts blocks ruled out by Match, chunksRead the chunks
	// read, for tests.
	skipped    int
	chunksRead int
	// blocks counts the blocks whose metadata the scan looked at,
	// blocksOut those of them it ruled out (by time, ranges or Match).
	blocks, blocksOut int
	sel               []int32
	err               error
	done              bool
	// An ordered scan (order not 0) reads the blocks of one partition at
	// a time: list holds them in the order they are read, pos the next
	// one, listFrom where the search for the next partition starts (nil
	// before the first).
	list []listedBlock
	pos  int
	// A top-N's block is returned a slice of its rows at a time, in
	// time order (startSlices): slicing while it is, the block's id,
	// its candidate rows (those before candPos, the next one, taken in
	// slices each of whose keys precede the next slice's) with their sort
	// keys, every row's time, and the rows of a slice as a bitmap.
	slicing  bool
	sliceID  blockID
	cands    []int32
	candKeys []uint64
	candPos  int
	rowBits  []uint64
	tsAll    []int64
	order    int
	listFrom []byte
	bound    func() (int64, bool)
	// bufs and pf, for a prefetching scan: the two sets of vectors and
	// the goroutine filling them.
	bufs [2]struct {
		batch *coldata.Batch
		vecs  []*coldata.Vec // per read
	}
	pf *prefetcher
}

// prefetcher runs a scan's next() in a goroutine, one block ahead of the
// caller.
type prefetcher struct {
	started  bool
	finished bool // the caller has seen the end or an error
	err      error
	results  chan prefetched
	stop     chan struct{}
	done     chan struct{}
}

type prefetched struct {
	b   *coldata.Batch
	err error
}

// useBuffer points the reads and the batch at set k of vectors.
func (it *Iterator) useBuffer(k int) {
	buf := &it.bufs[k]
	it.tsVec = nil
	for i := range it.reads {
		r := &it.reads[i]
		r.vec = buf.vecs[i]
		if r.out >= 0 {
			buf.batch.Vecs[r.out] = r.vec
		}
		if r.col == it.table.TimeColumn && it.tsVec == nil {
			it.tsVec = r.vec
		}
	}
	it.batch = buf.batch
}

// prefetchNext returns the batch the goroutine decoded, starting it on
// first use. The goroutine fills the two sets of vectors in turn: it
// writes one again only after the caller has asked for the batch after
// it, that is, has finished with it.
func (it *Iterator) prefetchNext(ctx context.Context) (*coldata.Batch, error) {
	pf := it.pf
	if !pf.started {
		pf.started = true
		pf.results = make(chan prefetched)
		pf.stop = make(chan struct{})
		pf.done = make(chan struct{})
		go func() {
			defer close(pf.done)
			defer close(pf.results)
			for k := 0; ; k ^= 1 {
				it.useBuffer(k)
				var r prefetched
				it.s.mu.RLock()
				if it.done || it.err != nil {
					r.err = it.err
				} else if it.s.closed {
					r.err = fmt.Errorf("scan %s: %w", it.table.Name, errClosed)
				} else {
					r.b, r.err = it.next(ctx)
					it.err = r.err
				}
				it.s.mu.RUnlock()
				select {
				case pf.results <- r:
				case <-pf.stop:
					return
				}
				if r.b == nil || r.err != nil {
					return
				}
			}
		}()
	}
	r, ok := <-pf.results
	if !ok {
		return nil, nil
	}
	return r.b, r.err
}

// stopPrefetch ends the goroutine and waits for it.
func (it *Iterator) stopPrefetch() {
	if pf := it.pf; pf != nil && pf.started {
		select {
		case <-pf.stop:
		default:
			close(pf.stop)
		}
		<-pf.done
	}
}

// ScanStats says how much of the store a scan looked at: partitions
// entered and those ruled out whole by their rollups, blocks whose
// metadata it read and those it ruled out, and column chunks it read.
type ScanStats struct {
	Partitions, PartitionsSkipped int
	Blocks, BlocksSkipped         int
	Chunks                        int
}

// Stats returns what the scan has looked at so far.
func (it *Iterator) Stats() ScanStats {
	parts, skipped := it.parts, it.partSkipped
	if it.shard > 0 {
		parts, skipped = 0, 0 // shard 0 reports them
	}
	return ScanStats{Partitions: parts, PartitionsSkipped: skipped,
		Blocks: it.blocks, BlocksSkipped: it.blocksOut, Chunks: it.chunksRead}
}

// colRead is one column chunk an Iterator reads from each block.
type colRead struct {
	col  int
	vec  *coldata.Vec
	name string
	// timeOnly marks the time column read only to filter rows of blocks
	// that straddle a bound, because the request does not return it.
	timeOnly bool
	out      int  // the batch column it fills; -1 when timeOnly
	coded    bool // ScanRequest.Codes
	unread   bool // ScanRequest.Unread
}

// Scan returns an Iterator over the rows of req.Table in [req.MinTs,
// req.MaxTs). It seeks straight to the partitions the range overlaps and
// skips blocks whose metadata shows they miss it. The Iterator must be
// closed; Store.Close closes any still open.
func (s *Store) Scan(ctx context.Context, req ScanRequest) (*Iterator, error) {
	t := req.Table
	if err := checkTable(t); err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	it := &Iterator{
		s:      s,
		table:  t,
		prefix: tablePrefix(nil, t.Name),
		lo:     req.MinTs,
		hi:     req.MaxTs,
		batch:  &coldata.Batch{Vecs: make([]*coldata.Vec, len(req.Columns))},
	}
	it.dec.cache = s.decoded
	if it.hi != math.MaxInt64 {
		it.hi--
	}
	for _, m := range req.Match {
		if m.Col < 0 || m.Col >= len(t.Columns) || !t.Columns[m.Col].Type.IsBytes() {
			return nil, fmt.Errorf("scan %s: cannot match column %d", t.Name, m.Col)
		}
	}
	for _, r := range req.Ranges {
		if r.Col < 0 || r.Col >= len(t.Columns) || !isIntType(t.Columns[r.Col].Type) {
			return nil, fmt.Errorf("scan %s: cannot range over column %d", t.Name, r.Col)
		}
	}
	for _, m := range req.Exclude {
		if m.Col < 0 || m.Col >= len(t.Columns) || !t.Columns[m.Col].Type.IsBytes() {
			return nil, fmt.Errorf("scan %s: cannot exclude on column %d", t.Name, m.Col)
		}
	}
	if req.Shards > 1 && (req.Shard < 0 || req.Shard >= req.Shards) {
		return nil, fmt.Errorf("scan %s: shard %d of %d", t.Name, req.Shard, req.Shards)
	}
	it.shard, it.shards = req.Shard, req.Shards
	it.match = req.Match
	it.ranges = req.Ranges
	it.exclude = req.Exclude
	it.exactRanges = req.ExactRanges && len(req.Ranges) > 0
	it.exact = (req.MatchExact && len(req.Match) > 0) || len(req.Exclude) > 0 || it.exactRanges
	for k, c := range req.Columns {
		if c < 0 || c >= len(t.Columns) {
			return nil, fmt.Errorf("scan %s: no column %d", t.Name, c)
		}
		v := coldata.NewVec(t.Columns[c].Type, 0)
		it.batch.Vecs[k] = v
		coded := k < len(req.Codes) && req.Codes[k] && v.Type.IsBytes()
		unread := k < len(req.Unread) && req.Unread[k] && c != t.TimeColumn
		it.reads = append(it.reads, colRead{col: c, vec: v, name: t.Columns[c].Name, out: k, coded: coded, unread: unread})
	}
	tc := t.TimeColumn
	if !slices.Contains(req.Columns, tc) {
		it.reads = append(it.reads, colRead{col: tc, vec: coldata.NewVec(coldata.Timestamptz, 0),
			name: t.Columns[tc].Name, timeOnly: true, out: -1})
	}
	slices.SortStableFunc(it.reads, func(a, b colRead) int { return a.col - b.col })
	for _, r := range it.reads {
		if r.col == tc {
			it.tsVec = r.vec
			break
		}
	}
	if req.Prefetch {
		// A second set of vectors: one batch is the caller's while the
		// other is decoded.
		it.bufs[0].batch = it.batch
		it.bufs[1].batch = &coldata.Batch{Vecs: make([]*coldata.Vec, len(req.Columns))}
		for k := range it.bufs {
			for _, r := range it.reads {
				v := r.vec
				if k == 1 {
					v = coldata.NewVec(r.vec.Type, 0)
				}
				it.bufs[k].vecs = append(it.bufs[k].vecs, v)
			}
		}
		it.pf = &prefetcher{}
	}
	if req.MaxTs <= req.MinTs && req.MaxTs != math.MaxInt64 {
		it.done = true
		return it, nil
	}

	// Keys run from the partition holding lo to the end of the partition
	// holding hi, or to the end of the table when hi is unbounded. A
	// bounded hi is below math.MaxInt64, and so is its partition start:
	// last+1 cannot overflow.
	lower := appendPartition(slices.Clone(it.prefix), partitionStart(it.lo, s.width))
	upper := prefixEnd(it.prefix)
	if it.hi != math.MaxInt64 {
		last := orderedTs(partitionStart(it.hi, s.width))
		upper = binary.BigEndian.AppendUint64(slices.Clone(it.prefix), last+1)
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fmt.Errorf("scan %s: %w", t.Name, errClosed)
	}
	iter, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", t.Name, err)
	}
	it.iter = iter
	it.valid = iter.First()
	if req.Order != 0 && !it.done {
		if req.Order != OrderNewest && req.Order != OrderOldest {
			iter.Close()
			return nil, fmt.Errorf("scan %s: order %d", t.Name, req.Order)
		}
		it.order, it.bound = req.Order, req.Bound // blocks listed as next needs them
	}
	s.itersMu.Lock()
	s.iters[it] = struct{}{}
	s.itersMu.Unlock()
	return it, nil
}

// Next returns the next batch, or nil and a nil error at the end. The batch
// holds the rows of one block that lie in the time range, in the columns
// asked for; it and its Vecs belong to the Iterator and stay valid only
// until the next call to Next or Close. A block that cannot be read is an
// error with SQLSTATE XX001 naming it; after an error Next returns it again.
func (it *Iterator) Next(ctx context.Context) (*coldata.Batch, error) {
	if pf := it.pf; pf != nil {
		// The goroutine owns the scan's state; the caller keeps its own
		// record of the end.
		if pf.finished {
			return nil, pf.err
		}
		b, err := it.prefetchNext(ctx)
		if b == nil || err != nil {
			pf.finished, pf.err = true, err
		}
		return b, err
	}
	if it.err != nil || it.done {
		return nil, it.err
	}
	it.s.mu.RLock()
	defer it.s.mu.RUnlock()
	if it.s.closed {
		it.err = fmt.Errorf("scan %s: %w", it.table.Name, errClosed)
		return nil, it.err
	}
	b, err := it.next(ctx)
	if err != nil {
		it.err = err
	}
	return b, err
}

func (it *Iterator) next(ctx context.Context) (*coldata.Batch, error) {
	if it.slicing {
		b, err := it.nextSlice()
		if b != nil || err != nil {
			return b, err
		}
		it.step() // the block's rows are done
	}
	for n := 0; ; n++ {
		// Skipping blocks is cheap, so check for cancellation only now and
		// then.
		if n%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if it.order != 0 {
			// An ordered scan: on to the next listed block (listing the
			// next partition's when this one's are done), unless the
			// caller wants none of its rows, nor any later block's.
			if it.pos >= len(it.list) {
				if err := it.listBlocks(); err != nil {
					return nil, err
				}
			}
			if it.list == nil || it.pastBound(&it.list[it.pos]) {
				it.done = true
				return nil, nil
			}
			it.valid = it.iter.SeekGE(it.list[it.pos].key)
		}
		if !it.valid {
			if err := it.iter.Error(); err != nil {
				return nil, fmt.Errorf("scan %s: %w", it.table.Name, err)
			}
			it.done = true
			return nil, nil
		}
		key := it.iter.Key()
		id, kind, _, err := parseBlockKey(key, len(it.prefix))
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted,
				fmt.Sprintf("scan %s: key %x", it.table.Name, key))
		}
		if kind != kindMeta {
			// Past the metadata of the partition: on to the next one.
			it.end = partitionEndKey(it.end[:0], it.prefix, id.partition)
			it.valid = it.iter.SeekGE(it.end)
			continue
		}
		if it.parts == 0 || id.partition != it.part {
			it.part = id.partition
			it.parts++
			// (An ordered scan listed only blocks of partitions their
			// rollups let through.)
			if it.order == 0 && (len(it.match) > 0 || len(it.ranges) > 0) && !ignoreSummaries &&
				it.s.partitionExcludes(it.table.Name, id.partition, it.match, it.ranges) {
				it.partSkipped++
				it.end = partitionEndKey(it.end[:0], it.prefix, id.partition)
				it.valid = it.iter.SeekGE(it.end)
				continue
			}
		}
		if it.shards > 1 && int(id.seq%uint64(it.shards)) != it.shard {
			it.step() // another shard's block
			continue
		}
		value, err := it.iter.ValueAndErr()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", blockName(it.table.Name, id), err)
		}
		if it.countOnly() {
			// Rows counted, not read: the header's row count and time
			// span are all a block wholly in range needs.
			rows, lo, hi, err := metaHeader(value)
			if err != nil {
				return nil, corrupt(err, "decode metadata", it.table.Name, id)
			}
			if lo >= it.lo && hi <= it.hi {
				it.blocks++
				it.step()
				it.batch.Len = rows
				return it.batch, nil
			}
		}
		if err := decodeMeta(&it.meta, value); err != nil {
			return nil, corrupt(err, "decode metadata", it.table.Name, id)
		}
		m := &it.meta
		it.blocks++
		it.rowLo, it.rowHi = it.rowBounds()
		if m.maxTs < it.rowLo || m.minTs > it.rowHi || !it.inRanges() {
			it.blocksOut++
			it.step()
			continue
		}
		if len(it.match) > 0 {
			may, err := it.mayMatch(id)
			if err != nil {
				return nil, err
			}
			if !may {
				it.blocksOut++
				it.skipped++
				it.step()
				continue
			}
		}
		kept := m.rows
		whole := m.minTs >= it.rowLo && m.maxTs <= it.rowHi
		if it.exact && len(it.exclude) == 0 && !it.exactRanges && len(it.batch.Vecs) == 0 && whole && it.counts == nil {
			// count(*) WHERE col = …: the rows are counted, not returned,
			// and a summary with the column's values counts them.
			if n, ok := it.countMatches(); ok {
				it.step()
				if n == 0 {
					it.blocksOut++
					it.skipped++
					continue
				}
				it.batch.Len = n
				return it.batch, nil
			}
		}
		if it.exact {
			if kept, err = it.matchRows(id); err != nil {
				return nil, err
			}
			if kept == 0 {
				it.blocksOut++
				it.skipped++
				it.step()
				continue
			}
		}
		if it.mm.on && whole && !it.exact {
			// MinMax: the block's metadata has the column's extremes.
			it.mm.foldMeta(m)
			it.step()
			continue
		}
		if it.order != 0 && it.bound != nil && len(it.batch.Vecs) > 0 {
			// A top-N's block: its rows newest first (oldest first for
			// OrderOldest), a slice at a time.
			if err := it.startSlices(id, kept < m.rows); err != nil {
				return nil, err
			}
			b, err := it.nextSlice()
			if b != nil || err != nil {
				return b, err
			}
			it.step()
			continue
		}
		// The rows to return: those MatchExact kept and, in a block
		// not wholly in the time range, those in it, from the time
		// column read first. The other columns then decode only them.
		rows := m.rows
		if !whole || kept < m.rows {
			if !whole {
				if err := it.readChunk(id, it.tsRead()); err != nil {
					return nil, err
				}
			}
			rows = it.selectRows(m.rows, whole, kept < m.rows)
		}
		for i := range it.reads {
			r := &it.reads[i]
			switch {
			case rows == 0 || (r.timeOnly && whole):
			case !whole && r.vec == it.tsVec:
				if rows < m.rows && !r.timeOnly {
					compact(r.vec, it.sel)
				}
			case rows < m.rows:
				if err := it.readChunkSel(id, r, it.sel); err != nil {
					return nil, err
				}
			default:
				if err := it.readChunk(id, r); err != nil {
					return nil, err
				}
			}
		}
		if it.counts != nil && rows > 0 {
			if err := it.countBlock(id, rows == m.rows); err != nil {
				return nil, err
			}
		}
		it.step()
		if rows == 0 {
			continue
		}
		if it.mm.on {
			it.mm.foldVec(it.batch.Vecs[0], rows)
			continue
		}
		it.batch.Len = rows
		return it.batch, nil
	}
}

// countOnly reports whether the scan returns no column and nothing else
// of the blocks it counts: no matches, ranges, counts or extremes.
func (it *Iterator) countOnly() bool {
	return len(it.batch.Vecs) == 0 && len(it.match) == 0 && len(it.ranges) == 0 && len(it.exclude) == 0 && it.counts == nil && !it.mm.on
}

// step moves past the current block.
func (it *Iterator) step() {
	if it.order != 0 {
		it.pos++ // next seeks to it
		return
	}
	it.valid = it.iter.Next()
}

// sliceRows is how many of a top-N block's rows nextSlice decodes at a
// time: enough that the first slice usually fills the top-N (each slice
// decompresses the block's compressed chunks again), few enough that
// the rows its cutoff then rules out are not decoded.
const sliceRows = 1024

// startSlices prepares the current block of a top-N's ordered scan to
// be returned by nextSlice: the time column read, the rows in the time
// range (and that MatchExact kept, when matched) as candidates, which
// nextSlice takes in time order, newest first for OrderNewest.
func (it *Iterator) startSlices(id blockID, matched bool) error {
	m := &it.meta
	if err := it.readChunk(id, it.tsRead()); err != nil {
		return err
	}
	it.tsAll = append(it.tsAll[:0], it.tsVec.Int64[:m.rows]...)
	it.cands = it.cands[:0]
	for i, ts := range it.tsAll {
		if (!matched || it.keep[i]) && ts >= it.rowLo && ts <= it.rowHi {
			it.cands = append(it.cands, int32(i))
		}
	}
	newest := it.order == OrderNewest
	it.candKeys = it.candKeys[:0]
	if span := uint64(m.maxTs - m.minTs); m.maxTs >= m.minTs && span < 1<<47 {
		// Ordered as integers: the time from the block's oldest row (or
		// to its newest) above the row number. Only the next slice's
		// keys are put in order (nextSlice): a top-N's bound usually
		// ends the block after its first slice.
		keys := it.candKeys
		for _, i := range it.cands {
			d := uint64(it.tsAll[i] - m.minTs)
			if newest {
				d = uint64(m.maxTs - it.tsAll[i])
			}
			keys = append(keys, d<<16|uint64(i))
		}
		it.candKeys = keys
	} else {
		slices.SortFunc(it.cands, func(a, b int32) int {
			if newest {
				return cmp.Compare(it.tsAll[b], it.tsAll[a])
			}
			return cmp.Compare(it.tsAll[a], it.tsAll[b])
		})
	}
	it.slicing, it.sliceID, it.candPos = true, id, 0
	return nil
}

// nextSlice returns the next slice of the block startSlices prepared:
// up to sliceRows candidates, in row order, those the caller's bound
// now rules out left out; nil once none is left. Only its rows are
// decoded.
func (it *Iterator) nextSlice() (*coldata.Batch, error) {
	lo, hi := it.rowBounds()
	end := min(it.candPos+sliceRows, len(it.cands))
	if keys := it.candKeys; len(keys) > 0 {
		// The slice's keys: the smallest of those left, in no order
		// (the rows are decoded in row order, and the top-N sorts).
		next := keys[it.candPos:]
		selectSmallest(next, end-it.candPos)
		for k, key := range next[:end-it.candPos] {
			it.cands[it.candPos+k] = int32(key & (1<<16 - 1))
		}
	}
	// The slice's rows, in row order for decoding: marked in a bitmap
	// of the block's rows, then read off it.
	it.rowBits = resize(it.rowBits, (it.meta.rows+63)/64)
	clear(it.rowBits)
	n, past := 0, false
	for _, i := range it.cands[it.candPos:end] {
		if ts := it.tsAll[i]; ts < lo || ts > hi {
			past = true
			continue
		}
		it.rowBits[i>>6] |= 1 << (i & 63)
		n++
	}
	it.candPos = end
	if past {
		// The candidates after this slice are further out still.
		it.candPos = len(it.cands)
	}
	if n == 0 {
		it.slicing = false
		return nil, nil
	}
	sel := it.sel[:0]
	for w, word := range it.rowBits {
		for word != 0 {
			sel = append(sel, int32(w<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	it.sel = sel
	for i := range it.reads {
		r := &it.reads[i]
		switch {
		case r.timeOnly:
		case r.vec == it.tsVec:
			r.vec.Int64 = r.vec.Int64[:0]
			for _, i := range sel {
				r.vec.Int64 = append(r.vec.Int64, it.tsAll[i])
			}
			r.vec.Nulls = r.vec.Nulls[:0]
		default:
			if err := it.readChunkSel(it.sliceID, r, sel); err != nil {
				return nil, err
			}
		}
	}
	it.batch.Len = len(sel)
	return it.batch, nil
}

// rowBounds returns the time bounds of the rows a block may return: the
// scan's, narrowed for an ordered scan by its Bound, so that rows the
// caller no longer wants are neither decoded nor returned.
func (it *Iterator) rowBounds() (lo, hi int64) {
	lo, hi = it.lo, it.hi
	if it.order == 0 || it.bound == nil {
		return lo, hi
	}
	if ts, ok := it.bound(); ok {
		if it.order == OrderNewest {
			lo = max(lo, ts)
		} else {
			hi = min(hi, ts)
		}
	}
	return lo, hi
}

// pastBound reports whether the caller's bound rules out b and, the list
// being ordered, every block after it.
func (it *Iterator) pastBound(b *listedBlock) bool {
	if it.bound == nil {
		return false
	}
	ts, ok := it.bound()
	if !ok {
		return false
	}
	if it.order == OrderNewest {
		return b.maxTs < ts
	}
	return b.minTs > ts
}

// listBlocks lists the blocks of the next partition an ordered scan
// reads (the newest not yet listed for OrderNewest, the oldest for
// OrderOldest), from their metadata, sorted by newest row descending or
// oldest row ascending. Partitions hold disjoint spans of time, so
// partition by partition, each sorted, is the order of the whole. It
// sets it.list to nil when no partition is left, and skips partitions
// whose rollups rule out the scan's matches and ranges.
func (it *Iterator) listBlocks() error {
	it.list, it.pos = it.list[:0], 0
	for {
		var valid bool
		if it.order == OrderNewest {
			if it.listFrom == nil {
				valid = it.iter.Last()
			} else {
				valid = it.iter.SeekLT(it.listFrom)
			}
		} else if it.listFrom == nil {
			valid = it.iter.First()
		} else {
			valid = it.iter.SeekGE(it.listFrom)
		}
		if !valid {
			if err := it.iter.Error(); err != nil {
				return fmt.Errorf("scan %s: %w", it.table.Name, err)
			}
			it.list = nil
			return nil
		}
		key := it.iter.Key()
		id, _, _, err := parseBlockKey(key, len(it.prefix))
		if err != nil {
			return sqlerr.Wrap(err, sqlerr.DataCorrupted, fmt.Sprintf("scan %s: key %x", it.table.Name, key))
		}
		part := id.partition
		// Where the next partition's search starts: before this one's
		// first key, or after its last.
		if it.order == OrderNewest {
			it.listFrom = appendPartition(append(it.listFrom[:0], it.prefix...), part)
		} else {
			it.listFrom = partitionEndKey(it.listFrom[:0], it.prefix, part)
		}
		if (len(it.match) > 0 || len(it.ranges) > 0) && !ignoreSummaries &&
			it.s.partitionExcludes(it.table.Name, part, it.match, it.ranges) {
			it.partSkipped++
			continue
		}
		it.key = sectionStart(it.key[:0], it.prefix, part, kindMeta, 0)
		for valid = it.iter.SeekGE(it.key); valid; valid = it.iter.Next() {
			key := it.iter.Key()
			id, kind, _, err := parseBlockKey(key, len(it.prefix))
			if err != nil {
				return sqlerr.Wrap(err, sqlerr.DataCorrupted, fmt.Sprintf("scan %s: key %x", it.table.Name, key))
			}
			if kind != kindMeta || id.partition != part {
				break
			}
			value, err := it.iter.ValueAndErr()
			if err != nil {
				return fmt.Errorf("read %s: %w", blockName(it.table.Name, id), err)
			}
			lo, hi, err := metaTimes(value)
			if err != nil {
				return corrupt(err, "decode metadata", it.table.Name, id)
			}
			if hi >= it.lo && lo <= it.hi {
				it.list = append(it.list, listedBlock{key: slices.Clone(key), minTs: lo, maxTs: hi})
			}
		}
		if err := it.iter.Error(); err != nil {
			return fmt.Errorf("scan %s: %w", it.table.Name, err)
		}
		if len(it.list) == 0 {
			continue // no block of the partition in the time range
		}
		if it.order == OrderNewest {
			slices.SortStableFunc(it.list, func(a, b listedBlock) int { return cmp.Compare(b.maxTs, a.maxTs) })
		} else {
			slices.SortStableFunc(it.list, func(a, b listedBlock) int { return cmp.Compare(a.minTs, b.minTs) })
		}
		return nil
	}
}

// inRanges reports whether the current block may hold a row in every
// Range, from its columns' minimum and maximum: a column that is NULL in
// every row (or missing from the block) has none.
func (it *Iterator) inRanges() bool {
	m := &it.meta
	for _, r := range it.ranges {
		if r.Min > r.Max || r.Col >= len(m.cols) || m.cols[r.Col].nulls == m.rows {
			return false
		}
		if cm := &m.cols[r.Col]; cm.hasMinMax(m.rows) && (cm.max < r.Min || cm.min > r.Max) {
			return false
		}
	}
	return true
}

// mayMatch reports whether the current block can hold a row that every
// Match accepts, from what is known without decoding its rows: the
// column's summary in the metadata (its values, or its bounds), its bloom
// filter, or the values of a constant or dictionary chunk. An all-NULL
// column never matches.
func (it *Iterator) mayMatch(id blockID) (bool, error) {
	m := &it.meta
	for _, mt := range it.match {
		if mt.Col >= len(m.cols) || m.cols[mt.Col].nulls == m.rows {
			return false, nil // the column is NULL in every row
		}
		cm := &m.cols[mt.Col]
		sm := &cm.summary
		switch {
		case ignoreSummaries:
		case sm.hasValues:
			if !anyIn(mt.Values, sm.values) {
				return false, nil
			}
			continue // the values are exact: nothing more to learn
		case sm.hasBounds:
			inside := false
			for _, v := range mt.Values {
				if bytes.Compare(v, sm.low) >= 0 && bytes.Compare(v, sm.high) <= 0 {
					inside = true
					break
				}
			}
			if !inside {
				return false, nil
			}
		}
		name := "column " + it.table.Columns[mt.Col].Name
		if sm.bloomSize > 0 && !ignoreSummaries {
			may, err := it.bloomMayHold(id, mt.Col, name, mt.Values)
			if err != nil || !may {
				return false, err
			}
		}
		if cm.enc != encConst && cm.enc != encDict {
			continue
		}
		body, err := it.chunkBody(id, mt.Col, name)
		if err != nil {
			return false, err
		}
		found, err := it.holdsAny(body, mt.Values)
		if err != nil {
			return false, corrupt(err, name, it.table.Name, id)
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// ignoreSummaries makes scans decide from chunks alone, as for blocks
// written before version 3: tests compare both ways.
var ignoreSummaries = false

// anyIn reports whether one of values is among set.
func anyIn(values, set [][]byte) bool {
	for _, v := range values {
		for _, x := range set {
			if bytes.Equal(v, x) {
				return true
			}
		}
	}
	return false
}

// bloomMayHold reads the bloom filter of column col of the current block
// and reports whether it may hold one of values.
func (it *Iterator) bloomMayHold(id blockID, col int, name string, values [][]byte) (bool, error) {
	sm := &it.meta.cols[col].summary
	what := "bloom filter of " + name
	if col >= len(it.blooms) {
		it.blooms = append(it.blooms, make([]*pebble.Iterator, col+1-len(it.blooms))...)
	}
	if it.blooms[col] == nil {
		bi, err := it.iter.Clone(pebble.CloneOptions{})
		if err != nil {
			return false, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
		}
		it.blooms[col] = bi
	}
	bi := it.blooms[col]
	it.key = bloomKey(it.key[:0], it.prefix, id, col)
	if !bi.SeekGE(it.key) || !bytes.Equal(bi.Key(), it.key) {
		if err := bi.Error(); err != nil {
			return false, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
		}
		return false, corrupt(errors.New("bloom filter missing"), what, it.table.Name, id)
	}
	value, err := bi.ValueAndErr()
	if err != nil {
		return false, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
	}
	if len(value) != sm.bloomSize {
		return false, corrupt(fmt.Errorf("filter is %d bytes, metadata says %d", len(value), sm.bloomSize), what, it.table.Name, id)
	}
	body, crc, err := splitChecksum(value)
	if err == nil && crc != sm.bloomCRC {
		err = errors.New("filter checksum differs from block metadata")
	}
	if err != nil {
		return false, corrupt(err, what, it.table.Name, id)
	}
	for _, v := range values {
		may, err := bloomMayHold(body, bloomHash(v))
		if err != nil {
			return false, corrupt(err, what, it.table.Name, id)
		}
		if may {
			return true, nil
		}
	}
	return false, nil
}

// countMatches counts the rows of the current block that every Match
// accepts from the summaries in its metadata, when one Match on a column
// whose values are listed decides it. ok is false when the chunks must be
// read.
func (it *Iterator) countMatches() (n int, ok bool) {
	if len(it.match) != 1 {
		return 0, false
	}
	mt := it.match[0]
	m := &it.meta
	if mt.Col >= len(m.cols) {
		return 0, true // the block predates the column: all NULL
	}
	sm := &m.cols[mt.Col].summary
	if !sm.hasValues || ignoreSummaries {
		return 0, m.cols[mt.Col].nulls == m.rows
	}
	for i, v := range sm.values {
		for _, x := range mt.Values {
			if bytes.Equal(v, x) {
				n += int(sm.counts[i])
				break
			}
		}
	}
	return n, true
}

// matchRows sets it.keep to the rows of the current block that every
// Match accepts and returns how many there are. Dictionary chunks are
// decided on their codes; constant chunks on their one value (mayMatch
// has checked it) and their NULLs; others by decoding the column.
func (it *Iterator) matchRows(id blockID) (int, error) {
	m := &it.meta
	it.keep = resize(it.keep, m.rows)
	for i := range it.keep {
		it.keep[i] = true
	}
	for k := range len(it.match) + len(it.exclude) {
		mt, not := it.match, false
		if k >= len(it.match) {
			mt, not, k = it.exclude, true, k-len(it.match)
		}
		name := "column " + it.table.Columns[mt[k].Col].Name
		body, err := it.chunkBody(id, mt[k].Col, name)
		if err != nil {
			return 0, err
		}
		if err := it.matchChunk(body, mt[k].Values, not); err != nil {
			return 0, corrupt(err, name, it.table.Name, id)
		}
	}
	if it.exactRanges {
		for _, r := range it.ranges {
			if err := it.rangeRows(id, r); err != nil {
				return 0, err
			}
		}
	}
	n := 0
	for _, k := range it.keep {
		if k {
			n++
		}
	}
	return n, nil
}

// rangeRows clears it.keep for the rows of the current block whose value
// of r's column is NULL or outside r.
func (it *Iterator) rangeRows(id blockID, r IntRange) error {
	m := &it.meta
	if r.Col >= len(m.cols) {
		clear(it.keep) // the block predates the column: every row is NULL
		return nil
	}
	t := it.table.Columns[r.Col].Type
	if it.rvec == nil || it.rvec.Type != t {
		it.rvec = coldata.NewVec(t, 0)
	}
	if err := it.readChunk(id, &colRead{col: r.Col, vec: it.rvec, name: it.table.Columns[r.Col].Name, out: -1}); err != nil {
		return err
	}
	nulls := it.rvec.Nulls.Any()
	for i, x := range it.rvec.Int64[:m.rows] {
		if x < r.Min || x > r.Max || (nulls && it.rvec.Nulls.Get(i)) {
			it.keep[i] = false
		}
	}
	return nil
}

// matchChunk clears it.keep for the rows of a chunk whose value is NULL
// or none of values; with not, for those whose value is NULL or one of
// values.
func (it *Iterator) matchChunk(body []byte, values [][]byte, not bool) error {
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return err
	}
	if h.rows != len(it.keep) {
		return fmt.Errorf("chunk has %d rows, metadata says %d", h.rows, len(it.keep))
	}
	null := func(i int) bool {
		return h.nulls == h.rows || (h.bitmap != nil && bitSet(h.bitmap, i))
	}
	switch {
	case h.enc == encConst && !not:
		// (mayMatch let the block through: its value is one of them.)
		for i := range it.keep {
			if null(i) {
				it.keep[i] = false
			}
		}
		return nil
	case h.enc == encDict:
		data, width, layout, codes, err := it.dec.parseDict(p, h.rows-h.nulls, &it.offs)
		if err != nil {
			return err
		}
		ndict := len(it.offs) - 1
		it.hit = resize(it.hit, ndict)
		for c := range ndict {
			v := data[it.offs[c]:it.offs[c+1]]
			it.hit[c] = false
			for _, x := range values {
				if bytes.Equal(x, v) {
					it.hit[c] = true
					break
				}
			}
		}
		if layout == codesPacked && h.nulls == 0 && width <= 16 {
			// Every row has a code: each is looked up as it is
			// unpacked, none written out.
			if err := checkPacked(codes, width, h.rows); err != nil {
				return err
			}
			it.want = resize(it.want, 1<<width)
			for c := range it.want {
				switch {
				case c >= ndict:
					it.want[c] = wantBad
				case it.hit[c] != not:
					it.want[c] = wantKeep
				default:
					it.want[c] = wantDrop
				}
			}
			if !matchPacked(it.keep, codes, width, it.want) {
				return errors.New("dictionary code out of range")
			}
			return nil
		}
		it.rowCodes = codesFor(it.rowCodes, h.rows)
		if err := rowCodes(it.rowCodes, &h, codes, width, layout, ndict); err != nil {
			return err
		}
		for i, c := range it.rowCodes {
			if c < 0 || it.hit[c] == not {
				it.keep[i] = false
			}
		}
		return nil
	}
	if it.mvec == nil {
		it.mvec = coldata.NewVec(h.typ, 0)
	}
	if it.mvec.Type != h.typ {
		it.mvec = coldata.NewVec(h.typ, 0)
	}
	if err := it.dec.decode(it.mvec, body); err != nil {
		return err
	}
	for i := range it.keep {
		if !it.keep[i] {
			continue
		}
		if it.mvec.Nulls.Get(i) {
			it.keep[i] = false
			continue
		}
		v := it.mvec.Bytes.Get(i)
		found := false
		for _, x := range values {
			if bytes.Equal(x, v) {
				found = true
				break
			}
		}
		it.keep[i] = found != not
	}
	return nil
}

// What matchPacked does with a row of each code.
const (
	wantDrop = 0
	wantKeep = 1
	wantBad  = 2 // a code the dictionary does not have
)

// matchPacked clears keep[i] for each row i whose code, packed in p at
// width bits (at most 16) per row, is one want drops, unpacking eight
// codes per two loads. It reports false if a code is one want calls bad.
func matchPacked(keep []bool, p []byte, width int, want []uint8) bool {
	n := len(keep)
	mask := uint64(1)<<uint(width) - 1
	bad := uint8(0)
	i, bit := 0, 0
	if width <= 8 {
		// Eight codes per load, each looked up in a table indexed by a
		// byte (no bounds check), the eight rows' keep flags and-ed as
		// one word: no branch per row.
		var tab [256]uint8
		copy(tab[:], want)
		w := uint(width) & 63
		kb := boolBytes(keep)
		for ; i+8 <= n && bit>>3+8 <= len(p); i, bit = i+8, bit+8*width {
			x := binary.LittleEndian.Uint64(p[bit>>3:])
			t0 := tab[uint8(x&mask)]
			t1 := tab[uint8(x>>w&mask)]
			t2 := tab[uint8(x>>(2*w&63)&mask)]
			t3 := tab[uint8(x>>(3*w&63)&mask)]
			t4 := tab[uint8(x>>(4*w&63)&mask)]
			t5 := tab[uint8(x>>(5*w&63)&mask)]
			t6 := tab[uint8(x>>(6*w&63)&mask)]
			t7 := tab[uint8(x>>(7*w&63)&mask)]
			bad |= t0 | t1 | t2 | t3 | t4 | t5 | t6 | t7
			m := uint64(t0) | uint64(t1)<<8 | uint64(t2)<<16 | uint64(t3)<<24 |
				uint64(t4)<<32 | uint64(t5)<<40 | uint64(t6)<<48 | uint64(t7)<<56
			k := kb[i : i+8 : i+8]
			binary.LittleEndian.PutUint64(k, binary.LittleEndian.Uint64(k)&m&0x0101010101010101)
		}
	}
	for ; i+8 <= n && bit>>3+16 <= len(p); i, bit = i+8, bit+8*width {
		o := bit >> 3
		lo, hi := binary.LittleEndian.Uint64(p[o:]), binary.LittleEndian.Uint64(p[o+8:])
		k8 := keep[i : i+8 : i+8]
		for k := range k8 {
			w := want[field128(lo, hi, uint(k*width))&mask]
			k8[k] = k8[k] && w == wantKeep
			bad |= w
		}
	}
	for ; i < n; i++ {
		w := want[packedAt(p, width, i)]
		keep[i] = keep[i] && w == wantKeep
		bad |= w
	}
	return bad&wantBad == 0
}

// boolBytes views a []bool as the bytes it is: a Go bool is one byte,
// 0 or 1, so that flags can be combined a word at a time.
func boolBytes(b []bool) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

// holdsAny reports whether a constant or dictionary chunk holds one of
// values.
func (it *Iterator) holdsAny(body []byte, values [][]byte) (bool, error) {
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return false, err
	}
	has := func(v []byte) bool {
		for _, x := range values {
			if bytes.Equal(x, v) {
				return true
			}
		}
		return false
	}
	switch h.enc {
	case encConst:
		l, n := binary.Uvarint(p)
		if n <= 0 || l != uint64(len(p)-n) {
			return false, errLengths
		}
		return has(p[n:]), nil
	case encDict:
		vals, err := it.dec.dictValues(p, h.rows-h.nulls, &it.offs)
		if err != nil {
			return false, err
		}
		for i := range len(it.offs) - 1 {
			if has(vals[it.offs[i]:it.offs[i+1]]) {
				return true, nil
			}
		}
		return false, nil
	}
	return true, nil
}

// chunkBody reads and verifies a chunk of the current block and returns
// its body (the value without its checksum).
func (it *Iterator) chunkBody(id blockID, col int, what string) ([]byte, error) {
	cm := &it.meta.cols[col]
	it.chunksRead++
	ci, err := it.chunkIter(col)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
	}
	// The blocks come in key order, so each column's iterator only moves
	// forward, which Pebble turns into steps rather than seeks.
	it.key = chunkKey(it.key[:0], it.prefix, id, col)
	if !ci.SeekGE(it.key) || !bytes.Equal(ci.Key(), it.key) {
		if err := ci.Error(); err != nil {
			return nil, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
		}
		return nil, corrupt(errors.New("chunk missing"), what, it.table.Name, id)
	}
	value, err := ci.ValueAndErr()
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", what, blockName(it.table.Name, id), err)
	}
	if len(value) != cm.size {
		return nil, corrupt(fmt.Errorf("chunk is %d bytes, metadata says %d", len(value), cm.size), what, it.table.Name, id)
	}
	body, crc, err := splitChecksum(value)
	if err == nil && crc != cm.crc {
		err = errors.New("chunk checksum differs from block metadata")
	}
	if err != nil {
		return nil, corrupt(err, what, it.table.Name, id)
	}
	// What the decoder decompresses from this body it may cache under
	// the chunk's name.
	it.dec.ref, it.dec.refBody = chunkRef{seq: id.seq, col: uint16(col), crc: cm.crc}, body
	return body, nil
}

// chunkIter returns the iterator over column col's chunks, cloning it from
// the metadata iterator on first use.
func (it *Iterator) chunkIter(col int) (*pebble.Iterator, error) {
	if col >= len(it.chunks) {
		it.chunks = append(it.chunks, make([]*pebble.Iterator, col+1-len(it.chunks))...)
	}
	if it.chunks[col] == nil {
		ci, err := it.iter.Clone(pebble.CloneOptions{})
		if err != nil {
			return nil, err
		}
		it.chunks[col] = ci
	}
	return it.chunks[col], nil
}

// closeChunks closes the chunk and filter iterators of it.
func (it *Iterator) closeChunks() error {
	var errs []error
	for _, iters := range [][]*pebble.Iterator{it.chunks, it.blooms} {
		for i, ci := range iters {
			if ci != nil {
				errs = append(errs, ci.Close())
				iters[i] = nil
			}
		}
	}
	return errors.Join(errs...)
}

// closeIters closes the Pebble iterators of it.
func (it *Iterator) closeIters() error {
	errs := []error{it.closeChunks()}
	if it.iter != nil {
		errs = append(errs, it.iter.Close())
		it.iter = nil
	}
	return errors.Join(errs...)
}

// readChunk reads, verifies and decodes one column chunk of the current
// block into r.vec.
func (it *Iterator) readChunk(id blockID, r *colRead) error { return it.readChunkSel(id, r, nil) }

// readChunkSel reads rows sel (all of them when sel is nil) of a column
// chunk of the current block into r.vec.
func (it *Iterator) readChunkSel(id blockID, r *colRead, sel []int32) error {
	m := &it.meta
	want := m.rows
	if sel != nil {
		want = len(sel)
	}
	if r.col >= len(m.cols) || r.unread {
		// The block predates the column, or the caller does not read
		// it: every row is NULL.
		allNull(r.vec, want)
		return nil
	}
	cm := &m.cols[r.col]
	what := "column " + r.name
	if cm.typ != r.vec.Type {
		return corrupt(fmt.Errorf("stored as %s, table says %s", cm.typ, r.vec.Type), what, it.table.Name, id)
	}
	body, err := it.chunkBody(id, r.col, what)
	if err != nil {
		return err
	}
	switch {
	case r.coded:
		err = it.dec.decodeCoded(r.vec, body, m.rows, sel)
	case sel == nil:
		err = it.dec.decode(r.vec, body)
	default:
		err = it.dec.decodeSel(r.vec, body, m.rows, sel)
	}
	if err == nil && r.vec.Len() != want {
		err = fmt.Errorf("chunk has %d rows, metadata says %d", r.vec.Len(), want)
	}
	if err != nil {
		return corrupt(err, what, it.table.Name, id)
	}
	return nil
}

// selectRows sets it.sel to the rows of the current block that are in
// the time range (all when whole) and, when matched, that MatchExact
// kept, and returns how many there are.
func (it *Iterator) selectRows(rows int, whole, matched bool) int {
	if whole && matched {
		// Every row kept is selected: each row's number is written, and
		// the count advanced by its flag, without a branch.
		sel := resize(it.sel, rows)
		n := 0
		for i, k := range boolBytes(it.keep[:rows]) {
			sel[n] = int32(i)
			n += int(k)
		}
		it.sel = sel[:n]
		return n
	}
	sel := it.sel[:0]
	for i := range rows {
		if matched && !it.keep[i] {
			continue
		}
		if whole {
			sel = append(sel, int32(i))
		} else if x := it.tsVec.Int64[i]; x >= it.rowLo && x <= it.rowHi {
			sel = append(sel, int32(i))
		}
	}
	it.sel = sel
	return len(sel)
}

// tsRead is the read of the time column.
func (it *Iterator) tsRead() *colRead {
	for i := range it.reads {
		if it.reads[i].vec == it.tsVec {
			return &it.reads[i]
		}
	}
	panic("scan without its time column") // Scan always adds it
}

// Close releases the Iterator. It may be called more than once.
func (it *Iterator) Close() error {
	it.stopPrefetch()
	it.done = true
	s := it.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.itersMu.Lock()
	delete(s.iters, it)
	s.itersMu.Unlock()
	if it.iter == nil {
		return nil
	}
	if err := it.closeIters(); err != nil {
		return fmt.Errorf("close scan of %s: %w", it.table.Name, err)
	}
	return nil
}

// CountBy counts the rows of req by the value of text column col: what
// SELECT col, count(*) … GROUP BY col returns, NULLs counted apart. A
// block wholly inside the time range, without exact matching, whose
// column is a constant or a dictionary, is counted from its codes (a run
// at a time) without decoding a string; other blocks decode the column.
// req.Columns is ignored.
func (s *Store) CountBy(ctx context.Context, req ScanRequest, col int) (counts map[string]int64, nulls int64, err error) {
	t := req.Table
	if t == nil || col < 0 || col >= len(t.Columns) || !t.Columns[col].Type.IsBytes() {
		return nil, 0, fmt.Errorf("count by: column %d is not text", col)
	}
	// The iterator reads nothing by itself (no columns): each block's
	// column is read here, from its codes when it can be.
	req.Columns = nil
	it, err := s.Scan(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	it.countCol = col
	it.counts = map[string]int64{}
	for {
		b, err := it.Next(ctx)
		if err != nil {
			return nil, 0, err
		}
		if b == nil {
			return it.counts, it.nullCount, nil
		}
	}
}

// countBlock adds the current block's rows to it.counts. rows is the
// block's row count after the time range and MatchExact; sel lists them
// when some rows of the block are left out.
func (it *Iterator) countBlock(id blockID, all bool) error {
	name := "column " + it.table.Columns[it.countCol].Name
	m := &it.meta
	if it.countCol >= len(m.cols) {
		// The block predates the column: every row is NULL.
		if all {
			it.nullCount += int64(m.rows)
		} else {
			it.nullCount += int64(len(it.sel))
		}
		return nil
	}
	if sm := &m.cols[it.countCol].summary; all && sm.hasValues && !ignoreSummaries {
		// The metadata lists the values and their counts.
		it.nullCount += int64(m.cols[it.countCol].nulls)
		for i, v := range sm.values {
			it.counts[string(v)] += sm.counts[i]
		}
		return nil
	}
	body, err := it.chunkBody(id, it.countCol, name)
	if err != nil {
		return err
	}
	h, p, err := parseChunkHeader(body)
	if err != nil {
		return corrupt(err, name, it.table.Name, id)
	}
	if all && (h.enc == encConst || h.enc == encDict) {
		present := h.rows - h.nulls
		it.nullCount += int64(h.nulls)
		if present == 0 {
			return nil
		}
		if h.enc == encConst {
			l, n := binary.Uvarint(p)
			if n <= 0 || l != uint64(len(p)-n) {
				return corrupt(errLengths, name, it.table.Name, id)
			}
			it.counts[string(p[n:])] += int64(present)
			return nil
		}
		data, width, layout, codes, err := it.dec.parseDict(p, present, &it.offs)
		if err != nil {
			return corrupt(err, name, it.table.Name, id)
		}
		ndict := len(it.offs) - 1
		it.codeCounts = resize(it.codeCounts, ndict)
		clear(it.codeCounts)
		if err := forEachRun(codes, width, layout, present, uint64(ndict), func(c uint64, n int) {
			it.codeCounts[c] += int64(n)
		}); err != nil {
			return corrupt(err, name, it.table.Name, id)
		}
		for c, n := range it.codeCounts {
			if n > 0 {
				it.counts[string(data[it.offs[c]:it.offs[c+1]])] += n
			}
		}
		return nil
	}
	if h.enc == encDict {
		// Some rows only: the code of each row, then a count per code of
		// the rows kept.
		present := h.rows - h.nulls
		data, width, layout, codes, err := it.dec.parseDict(p, present, &it.offs)
		if err != nil {
			return corrupt(err, name, it.table.Name, id)
		}
		ndict := len(it.offs) - 1
		it.rowCodes = codesFor(it.rowCodes, h.rows)
		if err := rowCodes(it.rowCodes, &h, codes, width, layout, ndict); err != nil {
			return corrupt(err, name, it.table.Name, id)
		}
		it.codeCounts = resize(it.codeCounts, ndict)
		clear(it.codeCounts)
		for _, i := range it.sel {
			if c := it.rowCodes[i]; c < 0 {
				it.nullCount++
			} else {
				it.codeCounts[c]++
			}
		}
		for c, n := range it.codeCounts {
			if n > 0 {
				it.counts[string(data[it.offs[c]:it.offs[c+1]])] += n
			}
		}
		return nil
	}
	if it.countVec == nil {
		it.countVec = coldata.NewVec(h.typ, 0)
	}
	if err := it.dec.decode(it.countVec, body); err != nil {
		return corrupt(err, name, it.table.Name, id)
	}
	add := func(i int) {
		if it.countVec.Nulls.Get(i) {
			it.nullCount++
		} else {
			it.counts[string(it.countVec.Bytes.Get(i))]++
		}
	}
	if all {
		for i := range m.rows {
			add(i)
		}
	} else {
		for _, i := range it.sel {
			add(int(i))
		}
	}
	return nil
}

// minMax folds the extremes of one integer or timestamp column.
type minMax struct {
	on       bool
	col      int
	min, max int64
	count    int64 // non-NULL values seen
}

func (mm *minMax) add(lo, hi int64, n int64) {
	if n == 0 {
		return
	}
	if mm.count == 0 {
		mm.min, mm.max = lo, hi
	} else {
		mm.min, mm.max = min(mm.min, lo), max(mm.max, hi)
	}
	mm.count += n
}

func (mm *minMax) foldMeta(m *blockMeta) {
	if mm.col >= len(m.cols) {
		return // the block predates the column: all NULL
	}
	if cm := &m.cols[mm.col]; cm.hasMinMax(m.rows) {
		mm.add(cm.min, cm.max, int64(m.rows-cm.nulls))
	}
}

func (mm *minMax) foldVec(v *coldata.Vec, n int) {
	for i, x := range v.Int64[:n] {
		if !v.Nulls.Get(i) {
			mm.add(x, x, 1)
		}
	}
}

// MinMax returns the least and greatest non-NULL value of the integer or
// timestamp column col among the rows of req, and how many rows hold a
// non-NULL value (0: min and max mean nothing). Blocks wholly inside the
// time range are answered by their metadata; only blocks that straddle a
// bound decode the column. Match and MatchExact narrow the rows as in
// Scan (matched blocks decode the column); req.Columns is ignored.
func (s *Store) MinMax(ctx context.Context, req ScanRequest, col int) (lo, hi, count int64, err error) {
	t := req.Table
	if t == nil || col < 0 || col >= len(t.Columns) || !isIntType(t.Columns[col].Type) {
		return 0, 0, 0, fmt.Errorf("min/max: column %d is not an integer or timestamp", col)
	}
	if (len(req.Match) > 0 && !req.MatchExact) || len(req.Ranges) > 0 {
		return 0, 0, 0, errors.New("min/max: only exact matches can narrow the rows")
	}
	req.Columns = []int{col}
	it, err := s.Scan(ctx, req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer it.Close()
	it.mm = minMax{on: true, col: col}
	for {
		b, err := it.Next(ctx)
		if err != nil {
			return 0, 0, 0, err
		}
		if b == nil {
			return it.mm.min, it.mm.max, it.mm.count, nil
		}
	}
}
