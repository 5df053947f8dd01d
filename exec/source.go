package exec

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/armorlake/armorlake/rpcpb"
)

// ScanSpec says what a fragment reads: the named columns of one table,
// limited to rows with MinTs <= time column < MaxTs (µs since the epoch).
type ScanSpec struct {
	Table   string
	Columns []string
	MinTs   int64
	MaxTs   int64
	// Match lets the source skip stored blocks: the caller only wants
	// rows whose column equals one of the values, for every Match. A
	// source may ignore it or return rows that do not match: the caller
	// filters again. Unless MatchExact is set: then the source returns
	// exactly the matching rows, and the caller does not filter.
	Match      []TextMatch
	MatchExact bool
	// Ranges, like Match without MatchExact, let the source skip stored
	// rows: the caller only wants rows whose integer or timestamp column
	// lies in each range, and filters again.
	Ranges []IntRange
	// Exclude, with Match under MatchExact, drops the rows whose text
	// column is NULL or one of Values: col <> 'v'. ExactRanges applies
	// Ranges to every row likewise. Only sources that say so
	// (ExactFilterer) are given either.
	Exclude     []TextMatch
	ExactRanges bool
	// OrderColumn and OrderDesc ask, when OrderColumn is the table's
	// time column, for the rows roughly in that order (a source may
	// ignore it): a top-N on it then reads the rows it keeps first, and
	// Bound tells the source when the rest cannot get in.
	OrderColumn string
	OrderDesc   bool
	Bound       *TopBound
	// Codes, parallel to Columns, asks for text columns dictionary-coded
	// (coldata.Vec.Codes) where the source stores them so; a source may
	// return values instead. Only an aggregation that reads the column
	// as a group key or a DISTINCT argument asks (codedColumns).
	Codes []bool
	// Unread, parallel to Columns, marks columns the fragment does not
	// read once the source has applied its conditions exactly: a source
	// may return NULLs for them instead of reading them.
	Unread []bool
	// Shard and Shards ask for one of Shards scans that together return
	// every row once (only of sources that say they can:
	// ShardedScanner); Shards 0 or 1 is the whole scan.
	Shard, Shards int
}

// ExactFilterer is a ScanSource that applies a table's Match, Exclude
// and Ranges to every row exactly (operators' storage does, deciding on
// dictionary codes and decoding only the rows that pass), so that the
// fragment's filter need not check those conditions again.
type ExactFilterer interface {
	ExactFilters(table string) bool
}

// TopBound is a top-N's cutoff on its first sort key, shared with the
// scan under it: once the top-N holds its N rows, the key of the last of
// them. A row whose key sorts after it cannot get in, so a scan in that
// key's order can stop.
//
// Top-Ns over parts of the same rows may share one: each offers its own
// cutoff and the bound keeps the tightest (the newest for a descending
// key), since a row past another part's N-th cannot be in the top N of
// all. A part may then keep fewer than N rows; the merge needs no more.
// (BuildFragment runs such a top-N as one pipeline, not one per core:
// read newest first, its first block or two hold the answer.)
type TopBound struct {
	Desc bool // the key is descending: a greater cutoff is tighter
	mu   sync.Mutex
	v    atomic.Int64
	ok   atomic.Bool
}

// Get returns the cutoff, once there is one.
func (b *TopBound) Get() (int64, bool) {
	if b == nil || !b.ok.Load() {
		return 0, false
	}
	return b.v.Load(), true
}

// offer tightens the cutoff to v, if v is tighter.
func (b *TopBound) offer(v int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ok.Load() {
		if cur := b.v.Load(); (b.Desc && v <= cur) || (!b.Desc && v >= cur) {
			return
		}
	}
	b.v.Store(v)
	b.ok.Store(true)
}

// IntRange asks for rows whose integer or timestamp column Column lies in
// [Min, Max]. Min > Max asks for none.
type IntRange struct {
	Column   string
	Min, Max int64
}

// MinMaxer is a ScanSource that can find the least and greatest values of
// an integer or timestamp column without reading every row (operators'
// storage does, from block metadata). nonNull is how many rows hold a
// value; ok is false when it cannot for this scan.
type MinMaxer interface {
	MinMax(ctx context.Context, spec ScanSpec, column string) (min, max, nonNull int64, ok bool, err error)
}

// RowCounter is a ScanSource that can count a table's rows in a time
// range without reading them (operators' storage does, from its
// partition counters). ok is false when it cannot for this range; the
// caller then scans as usual.
type RowCounter interface {
	CountRows(ctx context.Context, spec ScanSpec) (n int64, ok bool, err error)
}

// GroupCounter is a ScanSource that can count rows by the value of a text
// column itself (operators' storage does, from dictionary codes). ok is
// false when it cannot for this scan; the caller then scans as usual.
type GroupCounter interface {
	CountBy(ctx context.Context, spec ScanSpec, column string) (counts map[string]int64, nulls int64, ok bool, err error)
}

// TextMatch asks for rows whose text column Column equals one of Values.
type TextMatch struct {
	Column string
	Values []string
}

// ScanSource yields stored rows. An operator node's storage implements it
// (wired in cmd). The returned Operator's batches hold Columns in order;
// with no columns they carry only a row count.
type ScanSource interface {
	Scan(ctx context.Context, spec ScanSpec) (Operator, error)
}

// Target is an operator node a fragment is sent to.
type Target struct {
	NodeID string
	Addr   string
	// Alternates are other members of the target's replica group, in
	// order of preference: a fragment that cannot reach the target
	// before it has sent anything runs on the next one instead.
	Alternates []Target
}

// Remote runs fragments on operator nodes: the operator service's client
// implements it. Execute returns the stream of result batches; errors name
// the target.
type Remote interface {
	Execute(ctx context.Context, target Target, frag *rpcpb.Fragment) (Operator, error)
}

// TimeBounds returns the fragment's time range as [min, max) with
// unbounded sides at the int64 limits.
func TimeBounds(tr *rpcpb.TimeRange) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if tr != nil {
		if tr.MinUs != nil {
			lo = *tr.MinUs
		}
		if tr.MaxUs != nil {
			hi = *tr.MaxUs
		}
	}
	return lo, hi
}
