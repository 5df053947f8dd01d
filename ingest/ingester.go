package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Sink stores flushed batches. storage.Store implements it.
//
// Append is called from one goroutine at a time. b holds rows of t in t's
// column order. The sink must not keep b, or anything it points to, after
// Append returns: the ingester reuses its memory for the next batch. An
// error loses the batch: the ingester counts its rows as dropped and
// carries on.
type Sink interface {
	Append(t *schema.Table, b *coldata.Batch) error
}

// MultiSink is a Sink that can also store batches of several tables in one
// atomic, synced write (storage.Store does). The ingester then flushes all
// its tables at the end of a FlushInterval with one disk sync, so the
// flush itself adds little to what a crash can lose.
type MultiSink interface {
	Sink
	AppendAll(ts []*schema.Table, bs []*coldata.Batch) error
}

// Ingester pulls events from KubeArmor endpoints and flushes them to a
// Sink as columnar batches. Create it with New and start it with Run.
//
// Each stream (an endpoint's WatchAlerts, WatchLogs or WatchMessages) has
// a reader goroutine that decodes every event straight into its stream's
// batch (rowBuf). A batch that reaches FlushRows is sealed and handed to
// the flusher goroutine, which stores it; every FlushInterval after a row
// arrives, the flusher also takes the partly filled batches. Readers never
// wait for storage: past BufferEvents rows in flight they drop and count.
type Ingester struct {
	cfg     Config
	sink    Sink
	log     *slog.Logger
	eps     []*endpointState
	running atomic.Bool

	// inflight counts rows received into a batch and not yet stored or
	// dropped: the bound on the ingester's memory.
	inflight atomic.Int64
	mu       sync.Mutex
	bufs     []*rowBuf // every stream's buffer, for the interval flush
	sealed   []sealed  // full batches waiting for the flusher
	freeMu   sync.Mutex
	free     map[*schema.Table][]*coldata.Batch // stored batches, for reuse
	// sealedCh says a batch was sealed (or memory is filling up); wake
	// says a buffer received its first row, so the interval timer must
	// run. Both hold one pending signal.
	sealedCh chan struct{}
	wake     chan struct{}
	// clock is the wall clock in Unix ns, advanced every clockTick while
	// Run runs: reading the system clock per event cost more than
	// decoding the event's timestamp.
	clock atomic.Int64
}

// clockTick is the resolution of the receive times in the endpoint stats
// (LastEvent, Lag).
const clockTick = 5 * time.Millisecond

// tick advances in.clock until done is closed.
func (in *Ingester) tick(done <-chan struct{}) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			in.clock.Store(now.UnixNano())
		}
	}
}

// rowBuf collects the rows of one stream of one endpoint until the flusher
// takes them. It outlives reconnects of its stream.
type rowBuf struct {
	ep    *endpointState
	table *schema.Table
	types []coldata.Type
	mu    sync.Mutex
	b     *coldata.Batch // nil when empty
}

// sealed is a batch taken from a rowBuf, on its way to the sink.
type sealed struct {
	buf *rowBuf
	b   *coldata.Batch
}

// endpointState is the live state of one endpoint. Counters are plain
// atomics so that metrics can export them.
type endpointState struct {
	ep           Endpoint
	creds        credentials.TransportCredentials
	tls          tlsWatch
	streams      int32 // streams pulled from the endpoint
	open         atomic.Int32
	received     atomic.Int64
	stored       atomic.Int64
	dropped      atomic.Int64
	invalid      atomic.Int64
	reconnects   atomic.Int64
	repaired     atomic.Int64
	emptyStreams atomic.Int64
	lastEvent    atomic.Int64 // unix ns of the last received event
	lag          atomic.Int64 // ns from the last received event's ts to its receipt
	mu           sync.Mutex
	lastErr      string
}

func (st *endpointState) setErr(msg string) {
	st.mu.Lock()
	st.lastErr = msg
	st.mu.Unlock()
}

// EndpointStats is a snapshot of one endpoint's counters.
type EndpointStats struct {
	Endpoint string
	// Received counts events read from the streams; Stored, rows the sink
	// accepted; Dropped, events lost to a full buffer, a failed flush or
	// a malformed message. Once Run has returned, Received = Stored +
	// Dropped.
	Received, Stored, Dropped int64
	// Invalid counts messages that were not valid protobuf (also counted
	// in Dropped).
	Invalid int64
	// Reconnects counts streams reopened after they ended or failed.
	Reconnects int64
	// Repaired counts strings whose invalid UTF-8 was replaced.
	Repaired int64
	// EmptyStreams counts streams that ended at once without an event:
	// KubeArmor rejecting the filter.
	EmptyStreams int64
	// LastEvent is when the last event was received (zero if none).
	LastEvent time.Time
	// Lag is LastEvent minus the event time (the ts column) of that
	// event: how far behind the source the endpoint was when it last
	// delivered. 0 if no event; negative if the source's clock is ahead.
	Lag time.Duration
	// Connected is true while every stream of the endpoint is open; a
	// stream counts once it has delivered an event or stayed open for 2s.
	Connected bool
	// LastError describes the last stream failure, "" if none.
	LastError string
}

// New returns an ingester for cfg (defaults applied to a copy) that
// flushes into sink.
func New(cfg Config, sink Sink) (*Ingester, error) {
	cfg.Endpoints = append([]Endpoint(nil), cfg.Endpoints...)
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, errors.New("ingest: nil sink")
	}
	in := &Ingester{
		cfg:      cfg,
		sink:     sink,
		log:      cfg.Logger,
		sealedCh: make(chan struct{}, 1),
		wake:     make(chan struct{}, 1),
	}
	for _, ep := range cfg.Endpoints {
		st := &endpointState{ep: ep, streams: 2}
		creds, err := st.ep.transportCredentials(&st.tls)
		if err != nil {
			return nil, fmt.Errorf("ingest endpoint %s: %w", ep.Addr, err)
		}
		st.creds = creds
		if ep.Messages {
			st.streams++
		}
		in.eps = append(in.eps, st)
	}
	return in, nil
}

// Stats returns a snapshot of every endpoint's counters, in Config order.
// It is safe to call concurrently with Run.
func (in *Ingester) Stats() []EndpointStats {
	out := make([]EndpointStats, len(in.eps))
	for i, st := range in.eps {
		s := EndpointStats{
			Endpoint:     st.ep.Addr,
			Received:     st.received.Load(),
			Stored:       st.stored.Load(),
			Dropped:      st.dropped.Load(),
			Invalid:      st.invalid.Load(),
			Reconnects:   st.reconnects.Load(),
			Repaired:     st.repaired.Load(),
			EmptyStreams: st.emptyStreams.Load(),
			Connected:    st.open.Load() == st.streams,
		}
		if ns := st.lastEvent.Load(); ns != 0 {
			s.LastEvent = time.Unix(0, ns)
			s.Lag = time.Duration(st.lag.Load())
		}
		st.mu.Lock()
		s.LastError = st.lastErr
		st.mu.Unlock()
		out[i] = s
	}
	return out
}

// Run pulls from every endpoint until ctx ends, then flushes what is
// buffered and returns nil. Each stream (WatchAlerts, WatchLogs and, if
// asked, WatchMessages) runs on its own: it is opened after a HealthCheck
// and reopened with exponential backoff whenever it ends or fails, so a
// rejected filter or a broken stream never stops the others. Run may be
// called once.
func (in *Ingester) Run(ctx context.Context) error {
	if !in.running.CompareAndSwap(false, true) {
		return errors.New("ingest: Run called twice")
	}
	conns := make([]*grpc.ClientConn, 0, len(in.eps))
	defer func() {
		for _, cc := range conns {
			cc.Close()
		}
	}()
	for _, st := range in.eps {
		cc, err := grpc.NewClient(st.ep.Addr, in.dialOptions(st.creds)...)
		if err != nil {
			return fmt.Errorf("ingest endpoint %s: %w", st.ep.Addr, err)
		}
		conns = append(conns, cc)
	}

	flushed := make(chan struct{})
	readersDone := make(chan struct{})
	in.clock.Store(time.Now().UnixNano())
	clockDone := make(chan struct{})
	defer close(clockDone)
	go in.tick(clockDone)
	go func() {
		defer close(flushed)
		in.flushLoop(readersDone)
	}()
	var readers sync.WaitGroup
	for i, st := range in.eps {
		kinds := []streamKind{alertStream, logStream}
		if st.ep.Messages {
			kinds = append(kinds, messageStream)
		}
		for _, k := range kinds {
			buf := in.newRowBuf(st, k)
			readers.Go(func() { in.watch(ctx, st, conns[i], buf, k) })
		}
	}
	readers.Wait()
	// No reader is left to add rows: the flusher stores the rest and stops.
	close(readersDone)
	<-flushed
	return nil
}

func (in *Ingester) newRowBuf(st *endpointState, k streamKind) *rowBuf {
	t := k.table()
	b := &rowBuf{ep: st, table: t, types: t.Types()}
	in.mu.Lock()
	in.bufs = append(in.bufs, b)
	in.mu.Unlock()
	return b
}

// batchCapacity is the initial row capacity of a batch; it grows by
// append up to FlushRows.
const batchCapacity = 1024

// newBatch returns an empty batch for buf's table, reusing the memory of a
// stored one when there is one.
func (in *Ingester) newBatch(buf *rowBuf) *coldata.Batch {
	in.freeMu.Lock()
	free := in.free[buf.table]
	if n := len(free); n > 0 {
		b := free[n-1]
		in.free[buf.table] = free[:n-1]
		in.freeMu.Unlock()
		return b
	}
	in.freeMu.Unlock()
	return coldata.NewBatch(buf.types, batchCapacity)
}

// recycle keeps a stored batch's memory for newBatch. The sink does not
// keep batches (Sink), so nothing else refers to b.
func (in *Ingester) recycle(s sealed) {
	s.b.Reset()
	in.freeMu.Lock()
	if in.free == nil {
		in.free = make(map[*schema.Table][]*coldata.Batch)
	}
	in.free[s.buf.table] = append(in.free[s.buf.table], s.b)
	in.freeMu.Unlock()
}

// add appends one decoded event to buf. fill appends the row to a batch
// and returns how many strings it repaired.
func (in *Ingester) add(buf *rowBuf, fill func(*coldata.Batch) int) {
	in.inflight.Add(1)
	buf.mu.Lock()
	first := buf.b == nil
	if first {
		buf.b = in.newBatch(buf)
	}
	b := buf.b
	repaired := fill(b)
	now := in.clock.Load()
	ts := b.Vecs[buf.table.TimeColumn].Int64[b.Len-1]
	full := b.Len >= in.cfg.FlushRows
	if full {
		buf.b = nil
	}
	buf.mu.Unlock()

	st := buf.ep
	st.lastEvent.Store(now)
	st.lag.Store(now - ts*1000)
	if repaired > 0 {
		st.repaired.Add(int64(repaired))
	}
	switch {
	case full:
		in.mu.Lock()
		in.sealed = append(in.sealed, sealed{buf, b})
		in.mu.Unlock()
		signal(in.sealedCh)
	case first:
		signal(in.wake)
	}
	if in.inflight.Load() >= int64(in.cfg.BufferEvents/2) {
		// Half the memory bound is buffered: flush now rather than wait
		// for the interval, before readers have to drop.
		signal(in.sealedCh)
	}
}

// admit reports whether another row may be buffered; if not, it counts
// the event as dropped.
func (in *Ingester) admit(st *endpointState) bool {
	if in.inflight.Load() < int64(in.cfg.BufferEvents) {
		return true
	}
	st.dropped.Add(1)
	return false
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// flushLoop stores sealed batches as they come, and every batch when the
// oldest unflushed row is FlushInterval old, until readersDone is closed;
// then it stores what is left and returns.
func (in *Ingester) flushLoop(readersDone <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		select {
		case <-in.sealedCh:
			partial := in.inflight.Load() >= int64(in.cfg.BufferEvents/2)
			in.store(in.take(partial))
		case <-in.wake:
			if !armed {
				timer.Reset(in.cfg.FlushInterval)
				armed = true
			}
		case <-timer.C:
			armed = false
			in.store(in.take(true))
		case <-readersDone:
			timer.Stop()
			in.store(in.take(true))
			return
		}
	}
}

// take returns the sealed batches and, with partial, the partly filled
// ones too, each stream's in the order it received them. in.mu is held
// throughout: a reader appends a batch it sealed to in.sealed (under
// in.mu) before it starts the next one, so a partial batch taken here
// never overtakes a sealed batch of its stream still on its way. Lock
// order: in.mu, then a buffer's mu; readers never hold both.
func (in *Ingester) take(partial bool) []sealed {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.sealed
	in.sealed = nil
	if !partial {
		return out
	}
	for _, buf := range in.bufs {
		buf.mu.Lock()
		b := buf.b
		buf.b = nil
		buf.mu.Unlock()
		if b != nil {
			out = append(out, sealed{buf, b})
		}
	}
	return out
}

// store writes batches to the sink (in one synced write when it can take
// several tables at once) and settles their rows as stored or dropped.
func (in *Ingester) store(batches []sealed) {
	if len(batches) == 0 {
		return
	}
	// Rows were appended with their text as received: repair it here,
	// once per batch (rows.go).
	for _, s := range batches {
		if n := RepairText(s.b, 0); n > 0 {
			s.buf.ep.repaired.Add(int64(n))
		}
	}
	if multi, ok := in.sink.(MultiSink); ok {
		ts := make([]*schema.Table, len(batches))
		bs := make([]*coldata.Batch, len(batches))
		for i, s := range batches {
			ts[i], bs[i] = s.buf.table, s.b
		}
		err := multi.AppendAll(ts, bs)
		for _, s := range batches {
			in.settle(s, err)
		}
		return
	}
	for _, s := range batches {
		in.settle(s, in.sink.Append(s.buf.table, s.b))
	}
}

// settle credits a stored batch's rows as stored, or dropped when err is
// set.
func (in *Ingester) settle(s sealed, err error) {
	n := int64(s.b.Len)
	in.recycle(s)
	in.inflight.Add(-n)
	if err != nil {
		in.log.Error("kubearmor rows lost: sink append failed", "table", s.buf.table.Name, "rows", n, "err", err)
		s.buf.ep.dropped.Add(n)
		return
	}
	s.buf.ep.stored.Add(n)
}
