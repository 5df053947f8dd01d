// Package ingest is the operator's KubeArmor client: it pulls alerts,
// logs and messages from KubeArmor LogService endpoints over gRPC and
// turns them into columnar batches for storage (design §3).
//
//	endpoint ──WatchAlerts──▶ reader ─┐
//	         ──WatchLogs────▶ reader ─┼─▶ buffer (BufferEvents) ─▶ batcher ─▶ Sink.Append
//	         ──WatchMessages▶ reader ─┘    full: count, drop        one batch per table,
//	endpoint ──…                                                    flushed at FlushRows
//	                                                                or FlushInterval
//
// KubeArmor never replays and drops events for a subscriber that falls
// behind, so the readers never block: they drain their streams into a
// bounded buffer and count what does not fit. Each stream is opened after
// a HealthCheck with a random nonce and reopened with exponential backoff
// and jitter whenever it ends or fails, independently of the others. A
// stream that ends at once without an event is KubeArmor rejecting the
// filter: it is reported and retried slowly, never in a tight loop.
//
// One batcher goroutine maps events to rows (rows.go: AppendAlert,
// AppendLog, AppendMessage fill schema.Alerts, schema.Logs and
// schema.Messages column by column) and flushes a table's batch when it
// holds FlushRows rows, and all tables when the oldest unflushed row is
// FlushInterval old. A crash therefore loses at most FlushInterval of
// rows plus the buffer; on a clean stop Run flushes everything.
//
// Endpoints speak plaintext by default, or TLS and mutual TLS
// (Endpoint.TLS, like karmor --secure); certificate files are read once,
// in New, so a mistake fails at start. TLS 1.3 servers refuse a client
// certificate only after the client's handshake has finished, which the
// client sees as a bare broken pipe: the reader records what the server
// asked for during the handshake and explains the failure in
// EndpointStats.LastError.
//
// Per endpoint, Stats reports events received, stored and dropped,
// reconnects, streams that ended at once (EmptyStreams), strings repaired,
// the last event's receipt time and its lag (receipt minus event time).
package ingest
