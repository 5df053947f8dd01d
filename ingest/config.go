package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Endpoint is one KubeArmor LogService to pull from: a per-node daemon or
// a relay.
type Endpoint struct {
	// Addr is host:port of the LogService (KubeArmor's default port is
	// 32767). It is also the ingest_endpoint of every row from it.
	Addr string
	// AlertFilter is sent to WatchAlerts: "all" or "policy". Default
	// "all". KubeArmor ends the stream at once on any other value.
	AlertFilter string
	// LogFilter is sent to WatchLogs: "all" or "system". Default "all".
	LogFilter string
	// Messages also pulls the daemon's own messages (WatchMessages).
	Messages bool
	// TLS secures the connection (tls.go). Default: plaintext.
	TLS TLSConfig
}

// Config configures an Ingester. Zero fields take the defaults below
// (EnsureDefaults); New validates.
type Config struct {
	// OperatorID names this operator in the ingest_operator column.
	// Required.
	OperatorID string
	// Endpoints are the KubeArmor services to pull from. At least one;
	// addresses must be distinct.
	Endpoints []Endpoint
	// FlushRows is the number of rows a stream (one endpoint's alerts,
	// logs or messages) accumulates before they are flushed to the sink
	// as one batch. Default 16384.
	FlushRows int
	// FlushInterval bounds how long a received row waits before the flush
	// that stores it begins: what a crash can lose is the rows received in
	// this window (plus the flush in progress). Default 1s.
	FlushInterval time.Duration
	// BufferEvents bounds the events received and not yet stored: past
	// half of it every stream is flushed at once, and at the bound new
	// events are dropped and counted. A reader never waits for storage,
	// since KubeArmor drops events for slow subscribers anyway. Default
	// 131072: half a second of a busy node (250k events/s), enough to ride
	// out a slow synced write or a Pebble compaction without a drop; each
	// buffered event costs about 1 KiB of memory while storage lags.
	BufferEvents int
	// BackoffMin and BackoffMax bound the wait before a stream is
	// reopened after an error; the wait doubles on each consecutive
	// failure, with ±20% jitter. Defaults 250ms and 30s.
	BackoffMin time.Duration
	BackoffMax time.Duration
	// StreamWindow is the HTTP/2 flow-control window of each stream, in
	// bytes (the connection's is four times larger): how much KubeArmor
	// may send ahead of what the ingester has read. Readers never wait for
	// storage, so the window is normally near empty; it only fills while
	// a reader is descheduled. Small windows cap the rate: at 1 MiB ingest
	// ran at 140k events/s, at 16 MiB at 190k (docs/benchmarks.md).
	// Default 16 MiB, at least 64 KiB.
	StreamWindow int32
	// KeepaliveTime is how long a connection may stay silent before the
	// client pings it, and KeepaliveTimeout how long the ping may go
	// unanswered before the connection counts as dead and its streams
	// reconnect. KubeArmor pings its clients every second, so a healthy
	// connection is never silent and the client never pings (KubeArmor
	// closes connections whose client pings more often than every 5
	// minutes); a silent one is a cut link. Defaults 30s and 10s; gRPC
	// raises a KeepaliveTime below 10s to 10s.
	KeepaliveTime    time.Duration
	KeepaliveTimeout time.Duration
	// Logger receives connection state changes. Default: discard.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultFlushRows     = 16384
	DefaultFlushInterval = time.Second
	DefaultBufferEvents  = 131072
	DefaultBackoffMin    = 250 * time.Millisecond
	DefaultBackoffMax    = 30 * time.Second
	DefaultStreamWindow  = 16 << 20
	DefaultKeepalive     = 30 * time.Second
	DefaultKeepaliveWait = 10 * time.Second
	DefaultAlertFilter   = "all"
	DefaultLogFilter     = "all"
)

// EnsureDefaults fills the zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.FlushRows == 0 {
		c.FlushRows = DefaultFlushRows
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.BufferEvents == 0 {
		c.BufferEvents = DefaultBufferEvents
	}
	if c.BackoffMin == 0 {
		c.BackoffMin = DefaultBackoffMin
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = DefaultBackoffMax
	}
	if c.StreamWindow == 0 {
		c.StreamWindow = DefaultStreamWindow
	}
	if c.KeepaliveTime == 0 {
		c.KeepaliveTime = DefaultKeepalive
	}
	if c.KeepaliveTimeout == 0 {
		c.KeepaliveTimeout = DefaultKeepaliveWait
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	for i := range c.Endpoints {
		ep := &c.Endpoints[i]
		if ep.AlertFilter == "" {
			ep.AlertFilter = DefaultAlertFilter
		}
		if ep.LogFilter == "" {
			ep.LogFilter = DefaultLogFilter
		}
	}
}

// Validate reports the first invalid field. Filters are not checked: the
// server decides, and a rejected filter is reported when its stream ends.
// TLS files are read by New, not here.
func (c *Config) Validate() error {
	switch {
	case c.OperatorID == "":
		return errors.New("ingest config: empty OperatorID")
	case len(c.Endpoints) == 0:
		return errors.New("ingest config: no Endpoints")
	case c.FlushRows <= 0:
		return fmt.Errorf("ingest config: FlushRows %d not positive", c.FlushRows)
	case c.FlushInterval <= 0:
		return fmt.Errorf("ingest config: FlushInterval %s not positive", c.FlushInterval)
	case c.BufferEvents <= 0:
		return fmt.Errorf("ingest config: BufferEvents %d not positive", c.BufferEvents)
	case c.BackoffMin <= 0:
		return fmt.Errorf("ingest config: BackoffMin %s not positive", c.BackoffMin)
	case c.StreamWindow < 64<<10 || c.StreamWindow > 1<<28:
		return fmt.Errorf("ingest config: StreamWindow %d outside [64 KiB, 256 MiB]", c.StreamWindow)
	case c.KeepaliveTime < 0 || c.KeepaliveTimeout < 0:
		return fmt.Errorf("ingest config: negative keepalive %s / %s", c.KeepaliveTime, c.KeepaliveTimeout)
	case c.BackoffMax < c.BackoffMin:
		return fmt.Errorf("ingest config: BackoffMax %s below BackoffMin %s", c.BackoffMax, c.BackoffMin)
	}
	seen := make(map[string]bool, len(c.Endpoints))
	for i, ep := range c.Endpoints {
		if ep.Addr == "" {
			return fmt.Errorf("ingest config: endpoint %d: empty Addr", i)
		}
		if seen[ep.Addr] {
			return fmt.Errorf("ingest config: endpoint %q listed twice", ep.Addr)
		}
		seen[ep.Addr] = true
		if err := ep.TLS.validate(); err != nil {
			return fmt.Errorf("ingest config: endpoint %q: %w", ep.Addr, err)
		}
	}
	return nil
}
