package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// Blocks are small when a flush had few rows: an operator that stores
// every second what one KubeArmor endpoint sent in that second writes
// blocks of tens of rows, whose fixed costs (a key and a checksum per
// chunk, a dictionary per string column) dwarf their data. MergeSmall
// rewrites them as full blocks.

// MergeStats says what one MergeSmall call did.
type MergeStats struct {
	// BlocksIn small blocks were replaced by BlocksOut blocks holding the
	// same Rows; Bytes is their encoded size before and after.
	BlocksIn, BlocksOut  int64
	Rows                 int64
	BytesIn, BytesOut    int64
	PartitionsConsidered int
}

// mergeGroupRows bounds the rows read into memory at once.
const mergeGroupRows = 4

// smallBlock reports whether a block of rows rows is worth merging.
func (s *Store) smallBlock(rows int) bool { return rows < s.opts.MaxBlockRows/2 }

// MergeSmall merges the small blocks of each partition of t (those under
// half of MaxBlockRows) into full ones, a group at a time: it reads the
// group's rows, orders them by stream like Append, and in one synced
// Pebble batch writes the new blocks and deletes the old ones. A scan sees
// either the old blocks or the new ones, never both or neither, since an
// Iterator reads a snapshot and the batch is atomic. Appends go on
// meanwhile; retention (DropBefore) waits for a group to finish.
func (s *Store) MergeSmall(ctx context.Context, t *schema.Table) (MergeStats, error) {
	var ms MergeStats
	if err := checkTable(t); err != nil {
		return ms, fmt.Errorf("merge: %w", err)
	}
	// Only blocks that exist now: the last block a group writes may be
	// small, and is left for the next call rather than merged again.
	lastSeq := s.seq.Load()
	for _, p := range s.Partitions(t.Name) {
		if p.Blocks < 2 {
			continue
		}
		ms.PartitionsConsidered++
		if err := s.mergePartition(ctx, t, p.Start, lastSeq, &ms); err != nil {
			return ms, err
		}
	}
	return ms, nil
}

// blockInfo is a block found by listBlocks.
type blockInfo struct {
	id     blockID
	rows   int
	cols   int   // chunks: the columns the block was written with
	blooms []int // the columns with a bloom filter
	size   int64 // encoded bytes, keys included
}

func (s *Store) mergePartition(ctx context.Context, t *schema.Table, partition int64, lastSeq uint64, ms *MergeStats) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		done, err := s.mergeGroup(t, partition, lastSeq, ms)
		if err != nil || done {
			return err
		}
	}
}

// mergeGroup merges the first group of small blocks of a partition, among
// those up to lastSeq, and reports whether there was none left to merge.
func (s *Store) mergeGroup(t *schema.Table, partition int64, lastSeq uint64, ms *MergeStats) (done bool, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return true, fmt.Errorf("merge %s: %w", t.Name, errClosed)
	}
	prefix := tablePrefix(nil, t.Name)
	lower := appendPartition(slices.Clone(prefix), partition)
	upper := partitionEndKey(nil, prefix, partition)
	snap := s.db.NewSnapshot()
	defer snap.Close()
	iter, err := snap.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return true, err
	}
	defer iter.Close()

	// The first run of small blocks, up to mergeGroupRows full blocks.
	var group []blockInfo
	rows := 0
	var m blockMeta
	for valid := iter.First(); valid; valid = iter.Next() {
		id, kind, _, err := parseBlockKey(iter.Key(), len(prefix))
		if err != nil {
			return true, corrupt(err, "merge: read key", t.Name, id)
		}
		if kind != kindMeta {
			break // the partition's metadata ends where its chunks begin
		}
		if id.seq > lastSeq {
			continue
		}
		value, err := iter.ValueAndErr()
		if err != nil {
			return true, err
		}
		if err := decodeMeta(&m, value); err != nil {
			// Leave a damaged block as it is: scans report it.
			continue
		}
		if !s.smallBlock(m.rows) {
			continue
		}
		bi := blockInfo{id: id, rows: m.rows, cols: len(m.cols),
			size: blockSize(len(prefix), len(iter.Key()), len(value), &m)}
		for c := range m.cols {
			if m.cols[c].summary.bloomSize > 0 {
				bi.blooms = append(bi.blooms, c)
			}
		}
		group = append(group, bi)
		rows += m.rows
		if rows >= mergeGroupRows*s.opts.MaxBlockRows {
			break
		}
	}
	if len(group) < 2 {
		return true, nil
	}

	merged, err := s.readBlocks(iter, t, prefix, group)
	if err != nil {
		return true, err
	}
	w, _ := s.writers.Get().(*blockWriter)
	if w == nil {
		w = new(blockWriter)
	}
	defer s.writers.Put(w)
	batch := s.db.NewBatch()
	defer func() { _ = batch.Close() }()
	var in TableStats
	for _, b := range group {
		if err := deleteBlock(batch, prefix, b); err != nil {
			return true, err
		}
		in.Rows += int64(b.rows)
		in.Bytes += b.size
		in.Blocks++
	}
	w.prefix = append(w.prefix[:0], prefix...)
	var out TableStats
	sel, parts := w.arrange(t, merged, s.width)
	for _, part := range parts {
		if part.start != partition {
			return true, fmt.Errorf("merge %s: a row of partition %s lies in %s", t.Name, partitionName(partition), partitionName(part.start))
		}
		for lo := part.lo; lo < part.hi; lo += s.opts.MaxBlockRows {
			hi := min(lo+s.opts.MaxBlockRows, part.hi)
			id := blockID{partition: partition, stream: w.rows[lo].stream, seq: s.seq.Add(1)}
			rs := rowSet{lo: lo, hi: hi, sel: sel}
			if sel != nil {
				w.asc = append(w.asc[:0], sel[lo:hi]...)
				slices.Sort(w.asc)
				rs.asc = w.asc
			}
			if err := w.write(batch, id, t.TimeColumn, merged, rs, &out); err != nil {
				return true, fmt.Errorf("merge %s: %w", t.Name, err)
			}
		}
	}
	if out.Rows != in.Rows {
		return true, fmt.Errorf("merge %s: read %d rows of %d", t.Name, out.Rows, in.Rows)
	}
	if err := s.db.Apply(batch, pebble.Sync); err != nil {
		return true, fmt.Errorf("merge %s: %w", t.Name, err)
	}
	s.statsMu.Lock()
	if st, ok := s.stats[t.Name][partition]; ok {
		st.Bytes += out.Bytes - in.Bytes
		st.Blocks += out.Blocks - in.Blocks
		s.stats[t.Name][partition] = st
	}
	s.statsMu.Unlock()
	ms.BlocksIn += in.Blocks
	ms.BlocksOut += out.Blocks
	ms.Rows += in.Rows
	ms.BytesIn += in.Bytes
	ms.BytesOut += out.Bytes
	return false, nil
}

// deleteBlock adds the deletion of every key of a block to batch.
func deleteBlock(batch *pebble.Batch, prefix []byte, b blockInfo) error {
	key := metaKey(nil, prefix, b.id)
	if err := batch.Delete(key, nil); err != nil {
		return err
	}
	for c := range b.cols {
		if err := batch.Delete(chunkKey(key[:0], prefix, b.id, c), nil); err != nil {
			return err
		}
	}
	for _, c := range b.blooms {
		if err := batch.Delete(bloomKey(key[:0], prefix, b.id, c), nil); err != nil {
			return err
		}
	}
	return nil
}

// readBlocks reads every column of the given blocks into one batch.
func (s *Store) readBlocks(iter *pebble.Iterator, t *schema.Table, prefix []byte, group []blockInfo) (*coldata.Batch, error) {
	it := &Iterator{s: s, table: t, iter: iter, prefix: prefix,
		batch: &coldata.Batch{Vecs: make([]*coldata.Vec, len(t.Columns))}}
	for c, col := range t.Columns {
		v := coldata.NewVec(col.Type, 0)
		it.batch.Vecs[c] = v
		it.reads = append(it.reads, colRead{col: c, vec: v, name: col.Name})
	}
	defer it.closeChunks()
	out := coldata.NewBatch(t.Types(), 0)
	var key []byte
	for _, b := range group {
		key = metaKey(key[:0], prefix, b.id)
		if !iter.SeekGE(key) || !bytes.Equal(iter.Key(), key) {
			return nil, corrupt(errors.New("metadata missing"), "merge: read", t.Name, b.id)
		}
		value, err := iter.ValueAndErr()
		if err != nil {
			return nil, err
		}
		if err := decodeMeta(&it.meta, value); err != nil {
			return nil, corrupt(err, "merge: decode metadata", t.Name, b.id)
		}
		for i := range it.reads {
			if err := it.readChunk(b.id, &it.reads[i]); err != nil {
				return nil, err
			}
		}
		for c, v := range it.batch.Vecs {
			for i := range it.meta.rows {
				out.Vecs[c].AppendFrom(v, i)
			}
		}
		out.Len += it.meta.rows
	}
	return out, nil
}

// blockSize is a block's encoded size, keys included: its metadata key
// and value, and for each column a chunk key and value.
func blockSize(prefixLen, metaKeyLen, metaValueLen int, m *blockMeta) int64 {
	size := int64(metaKeyLen + metaValueLen)
	for _, c := range m.cols {
		size += int64(prefixLen + blockIDLen + 3 + c.size)
		if c.summary.bloomSize > 0 {
			size += int64(prefixLen + blockIDLen + 3 + c.summary.bloomSize)
		}
	}
	return size
}
