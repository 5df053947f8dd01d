package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
	"github.com/armorlake/armorlake/storage"
)

// Metrics are read from each component's own counters when Prometheus
// scrapes, so that no hot path pays for them.

// newRegistry returns a registry with the Go runtime and process
// collectors.
func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

var (
	ingestLabels         = []string{"operator", "endpoint"}
	descIngestReceived   = prometheus.NewDesc("armorlake_ingest_events_received_total", "KubeArmor events read from the endpoint's streams.", ingestLabels, nil)
	descIngestStored     = prometheus.NewDesc("armorlake_ingest_events_stored_total", "Events the store accepted.", ingestLabels, nil)
	descIngestDropped    = prometheus.NewDesc("armorlake_ingest_events_dropped_total", "Events lost to a full ingest buffer or a failed flush.", ingestLabels, nil)
	descIngestReconnects = prometheus.NewDesc("armorlake_ingest_reconnects_total", "Streams reopened after they ended or failed.", ingestLabels, nil)
	descIngestInvalid    = prometheus.NewDesc("armorlake_ingest_events_invalid_total", "Messages that were not valid protobuf (also counted as dropped).", ingestLabels, nil)
	descIngestRepaired   = prometheus.NewDesc("armorlake_ingest_strings_repaired_total", "Strings whose invalid UTF-8 was replaced.", ingestLabels, nil)
	descIngestLast       = prometheus.NewDesc("armorlake_ingest_last_event_timestamp_seconds", "When the last event was received (Unix seconds, 0 if none).", ingestLabels, nil)
	descIngestConnected  = prometheus.NewDesc("armorlake_ingest_connected", "1 while every stream of the endpoint is open.", ingestLabels, nil)
	descIngestLag        = prometheus.NewDesc("armorlake_ingest_lag_seconds", "Receive time minus event time of the last event received from the endpoint (0 if none).", ingestLabels, nil)
	descIngestEmpty      = prometheus.NewDesc("armorlake_ingest_empty_streams_total", "Streams that ended at once without an event: KubeArmor rejecting the filter.", ingestLabels, nil)
)

var (
	descSimSent        = prometheus.NewDesc("armorlake_sim_events_generated_total", "Events the simulator generated and offered to its subscribers.", nil, nil)
	descSimDropped     = prometheus.NewDesc("armorlake_sim_deliveries_dropped_total", "Deliveries of an event to a subscriber lost to that subscriber's full queue.", nil, nil)
	descSimSubscribers = prometheus.NewDesc("armorlake_sim_subscribers", "Open Watch streams, by stream.", []string{"stream"}, nil)
)

// simMetrics exports a simulator's counters.
type simMetrics struct{ srv *sim.Server }

func (m simMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- descSimSent
	ch <- descSimDropped
	ch <- descSimSubscribers
}

func (m simMetrics) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descSimSent, prometheus.CounterValue, float64(m.srv.Sent()))
	ch <- prometheus.MustNewConstMetric(descSimDropped, prometheus.CounterValue, float64(m.srv.Dropped()))
	alerts, logs, msgs := m.srv.Subscribers()
	ch <- prometheus.MustNewConstMetric(descSimSubscribers, prometheus.GaugeValue, float64(alerts), "WatchAlerts")
	ch <- prometheus.MustNewConstMetric(descSimSubscribers, prometheus.GaugeValue, float64(logs), "WatchLogs")
	ch <- prometheus.MustNewConstMetric(descSimSubscribers, prometheus.GaugeValue, float64(msgs), "WatchMessages")
}

// operatorMetrics exports the ingest counters and storage statistics of
// the operators running in this process (three in dev, one otherwise).
type operatorMetrics struct {
	mu   sync.Mutex
	ops  map[string]*operatorNode
	keys []string
}

func newOperatorMetrics(reg *prometheus.Registry) *operatorMetrics {
	m := &operatorMetrics{ops: map[string]*operatorNode{}}
	reg.MustRegister(m)
	return m
}

func (m *operatorMetrics) add(id string, n *operatorNode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ops[id]; !ok {
		m.keys = append(m.keys, id)
	}
	m.ops[id] = n
}

func (m *operatorMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descIngestReceived, descIngestStored, descIngestDropped, descIngestReconnects,
		descIngestInvalid, descIngestRepaired, descIngestLast, descIngestConnected, descIngestLag, descIngestEmpty, descStorageRows, descStorageBytes, descStorageBlocks,
		descCacheBytes, descCacheHits, descCacheMisses, descDecodedBytes, descDecodedHits, descDecodedMisses, descFragmentsRunning, descFragmentsFinished, descFragmentsCanceled} {
		ch <- d
	}
}

func (m *operatorMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range m.keys {
		n := m.ops[id]
		if n.ing != nil {
			collectIngest(ch, id, n.ing)
		}
		if n.store != nil {
			collectStorage(ch, id, n.store)
		}
		if n.frags != nil {
			running, finished, canceled := n.frags.FragmentCounts()
			ch <- prometheus.MustNewConstMetric(descFragmentsRunning, prometheus.GaugeValue, float64(running), id)
			ch <- prometheus.MustNewConstMetric(descFragmentsFinished, prometheus.CounterValue, float64(finished), id)
			ch <- prometheus.MustNewConstMetric(descFragmentsCanceled, prometheus.CounterValue, float64(canceled), id)
		}
	}
}

func collectIngest(ch chan<- prometheus.Metric, operator string, in *ingest.Ingester) {
	for _, s := range in.Stats() {
		counter := func(d *prometheus.Desc, v int64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), operator, s.Endpoint)
		}
		counter(descIngestReceived, s.Received)
		counter(descIngestStored, s.Stored)
		counter(descIngestDropped, s.Dropped)
		counter(descIngestReconnects, s.Reconnects)
		counter(descIngestInvalid, s.Invalid)
		counter(descIngestRepaired, s.Repaired)
		counter(descIngestEmpty, s.EmptyStreams)
		ch <- prometheus.MustNewConstMetric(descIngestLag, prometheus.GaugeValue, s.Lag.Seconds(), operator, s.Endpoint)
		last := 0.0
		if !s.LastEvent.IsZero() {
			last = float64(s.LastEvent.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(descIngestLast, prometheus.GaugeValue, last, operator, s.Endpoint)
		connected := 0.0
		if s.Connected {
			connected = 1
		}
		ch <- prometheus.MustNewConstMetric(descIngestConnected, prometheus.GaugeValue, connected, operator, s.Endpoint)
	}
}

var (
	storageLabels     = []string{"operator", "table"}
	descStorageRows   = prometheus.NewDesc("armorlake_storage_rows", "Rows stored.", storageLabels, nil)
	descStorageBytes  = prometheus.NewDesc("armorlake_storage_bytes", "Encoded bytes stored.", storageLabels, nil)
	descStorageBlocks = prometheus.NewDesc("armorlake_storage_blocks", "Blocks stored.", storageLabels, nil)
	descCacheBytes    = prometheus.NewDesc("armorlake_storage_cache_bytes", "Bytes held by the block cache.", []string{"operator"}, nil)
	descCacheHits     = prometheus.NewDesc("armorlake_storage_cache_hits_total", "Block reads answered by the block cache.", []string{"operator"}, nil)
	descCacheMisses   = prometheus.NewDesc("armorlake_storage_cache_misses_total", "Block reads that missed the block cache.", []string{"operator"}, nil)
	descDecodedBytes  = prometheus.NewDesc("armorlake_storage_decoded_cache_bytes", "Bytes of decompressed column chunks kept for later scans.", []string{"operator"}, nil)
	descDecodedHits   = prometheus.NewDesc("armorlake_storage_decoded_cache_hits_total", "Compressed chunk payloads found already decompressed.", []string{"operator"}, nil)
	descDecodedMisses = prometheus.NewDesc("armorlake_storage_decoded_cache_misses_total", "Compressed chunk payloads decompressed.", []string{"operator"}, nil)
)

var (
	descFragmentsRunning  = prometheus.NewDesc("armorlake_fragments_running", "Query fragments running on the operator now.", []string{"operator"}, nil)
	descFragmentsFinished = prometheus.NewDesc("armorlake_fragments_finished_total", "Query fragments the operator has finished, however they ended.", []string{"operator"}, nil)
	descFragmentsCanceled = prometheus.NewDesc("armorlake_fragments_canceled_total", "Query fragments that ended because the query node canceled them.", []string{"operator"}, nil)
)

func collectStorage(ch chan<- prometheus.Metric, operator string, store *storage.Store) {
	for _, t := range schema.KubeArmor() {
		st := store.Stats(t.Name)
		ch <- prometheus.MustNewConstMetric(descStorageRows, prometheus.GaugeValue, float64(st.Rows), operator, t.Name)
		ch <- prometheus.MustNewConstMetric(descStorageBytes, prometheus.GaugeValue, float64(st.Bytes), operator, t.Name)
		ch <- prometheus.MustNewConstMetric(descStorageBlocks, prometheus.GaugeValue, float64(st.Blocks), operator, t.Name)
	}
	size, hits, misses := store.CacheStats()
	ch <- prometheus.MustNewConstMetric(descCacheBytes, prometheus.GaugeValue, float64(size), operator)
	ch <- prometheus.MustNewConstMetric(descCacheHits, prometheus.CounterValue, float64(hits), operator)
	ch <- prometheus.MustNewConstMetric(descCacheMisses, prometheus.CounterValue, float64(misses), operator)
	size, hits, misses = store.DecodedCacheStats()
	ch <- prometheus.MustNewConstMetric(descDecodedBytes, prometheus.GaugeValue, float64(size), operator)
	ch <- prometheus.MustNewConstMetric(descDecodedHits, prometheus.CounterValue, float64(hits), operator)
	ch <- prometheus.MustNewConstMetric(descDecodedMisses, prometheus.CounterValue, float64(misses), operator)
}

// httpServer serves /metrics and /healthz on a node's HTTP port.
type httpServer struct {
	srv  *http.Server
	addr string
}

// startHTTP listens on addr ("" disables it) and serves the registry.
func startHTTP(addr string, reg *prometheus.Registry, logger *slog.Logger) (*httpServer, error) {
	if addr == "" {
		return &httpServer{}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for HTTP: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	// Go's profiler, for `go tool pprof http://ADDR/debug/pprof/profile`.
	// The port is loopback-only by default.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	h := &httpServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, addr: ln.Addr().String()}
	go func() {
		if err := h.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("http server stopped", "err", err)
		}
	}()
	return h, nil
}

func (h *httpServer) Addr() string { return h.addr }

func (h *httpServer) Close() error {
	if h.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return h.srv.Shutdown(ctx)
}
