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
	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Sink stores flushed batches. storage.Store implements it.
//
// Append is called from one goroutine at a time. b holds rows of t in t's
// column order; the ingester never touches b again once Append is called,
// so the sink may keep it. An error loses the batch: the ingester counts
// its rows as dropped and carries on.
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
type Ingester struct {
	cfg     Config
	sink    Sink
	log     *slog.Logger
	eps     []*endpointState
	buf     chan item
	running atomic.Bool
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

// item is one received event on its way to the batcher.
type item struct {
	ep    *endpointState
	alert *pb.Alert
	log   *pb.Log
	msg   *pb.Message
}

// eventTime is the ts of the event in µs.
func (it item) eventTime() int64 {
	switch {
	case it.alert != nil:
		return eventTime(it.alert.UpdatedTime, it.alert.Timestamp)
	case it.log != nil:
		return eventTime(it.log.UpdatedTime, it.log.Timestamp)
	}
	return eventTime(it.msg.UpdatedTime, it.msg.Timestamp)
}

// EndpointStats is a snapshot of one endpoint's counters.
type EndpointStats struct {
	Endpoint string
	// Received counts events read from the streams; Stored, rows the sink
	// accepted; Dropped, events lost to a full buffer or a failed flush.
	// Once Run has returned, Received = Stored + Dropped.
	Received, Stored, Dropped int64
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
		cfg:  cfg,
		sink: sink,
		log:  cfg.Logger,
		buf:  make(chan item, cfg.BufferEvents),
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

	batched := make(chan struct{})
	go func() {
		defer close(batched)
		in.batch()
	}()
	var readers sync.WaitGroup
	for i, st := range in.eps {
		client := pb.NewLogServiceClient(conns[i])
		kinds := []streamKind{alertStream, logStream}
		if st.ep.Messages {
			kinds = append(kinds, messageStream)
		}
		for _, k := range kinds {
			readers.Go(func() { in.watch(ctx, st, client, k) })
		}
	}
	readers.Wait()
	// No reader is left to send: closing tells the batcher to drain,
	// flush and stop.
	close(in.buf)
	<-batched
	return nil
}

// pending is a table's batch being filled.
type pending struct {
	t     *schema.Table
	types []coldata.Type
	b     *coldata.Batch
	// rows per endpoint in b, to credit Stored (or Dropped) on flush.
	rows map[*endpointState]int64
}

// batchCapacity is the initial row capacity of a batch; it grows by
// append up to FlushRows.
const batchCapacity = 1024

// batch is the single consumer of in.buf: it appends events to one
// pending batch per table and flushes a table when it reaches FlushRows,
// and every table when the oldest unflushed row is FlushInterval old.
func (in *Ingester) batch() {
	tables := [...]*pending{
		{t: schema.Alerts, types: schema.Alerts.Types()},
		{t: schema.Logs, types: schema.Logs.Types()},
		{t: schema.Messages, types: schema.Messages.Types()},
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	flushAll := func() { in.flushAll(tables[:]) }
	op := in.cfg.OperatorID
	for {
		select {
		case it, ok := <-in.buf:
			if !ok {
				timer.Stop()
				flushAll()
				return
			}
			var p *pending
			var repaired int
			switch {
			case it.alert != nil:
				p = tables[0]
				repaired = AppendAlert(p.batch(), it.alert, op, it.ep.ep.Addr)
			case it.log != nil:
				p = tables[1]
				repaired = AppendLog(p.batch(), it.log, op, it.ep.ep.Addr)
			default:
				p = tables[2]
				repaired = AppendMessage(p.batch(), it.msg, op, it.ep.ep.Addr)
			}
			p.rows[it.ep]++
			if repaired > 0 {
				it.ep.repaired.Add(int64(repaired))
			}
			if p.b.Len >= in.cfg.FlushRows {
				in.flush(p)
			} else if !armed {
				// The row just added is the oldest unflushed one.
				timer.Reset(in.cfg.FlushInterval)
				armed = true
			}
		case <-timer.C:
			armed = false
			flushAll()
		}
	}
}

func (p *pending) batch() *coldata.Batch {
	if p.b == nil {
		p.b = coldata.NewBatch(p.types, batchCapacity)
		p.rows = make(map[*endpointState]int64, 1)
	}
	return p.b
}

// flushAll flushes every non-empty pending table: in one write when the
// sink can take several tables at once, else one table at a time.
func (in *Ingester) flushAll(tables []*pending) {
	multi, ok := in.sink.(MultiSink)
	if !ok {
		for _, p := range tables {
			in.flush(p)
		}
		return
	}
	var ts []*schema.Table
	var bs []*coldata.Batch
	var flushed []*pending
	for _, p := range tables {
		if p.b != nil && p.b.Len > 0 {
			ts, bs, flushed = append(ts, p.t), append(bs, p.b), append(flushed, p)
		}
	}
	if len(flushed) == 0 {
		return
	}
	err := multi.AppendAll(ts, bs)
	for _, p := range flushed {
		in.settle(p, err)
	}
}

// settle credits a flushed table's rows as stored, or dropped when err is
// set, and resets it.
func (in *Ingester) settle(p *pending, err error) {
	rows, n := p.rows, p.b.Len
	p.b, p.rows = nil, nil
	if err != nil {
		in.log.Error("kubearmor rows lost: sink append failed", "table", p.t.Name, "rows", n, "err", err)
		for st, k := range rows {
			st.dropped.Add(k)
		}
		return
	}
	for st, k := range rows {
		st.stored.Add(k)
	}
}

func (in *Ingester) flush(p *pending) {
	if p.b == nil || p.b.Len == 0 {
		return
	}
	in.settle(p, in.sink.Append(p.t, p.b))
}
