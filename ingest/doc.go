// Package ingest is the operator's KubeArmor client: it pulls alerts,
// logs and messages from KubeArmor LogService endpoints over gRPC and
// turns them into columnar batches for storage (design §3).
//
//	endpoint ──WatchAlerts──▶ reader: decode ─▶ alerts batch  ─┐ sealed at FlushRows,
//	         ──WatchLogs────▶ reader: decode ─▶ logs batch    ─┼─▶ flusher ─▶ Sink.AppendAll
//	         ──WatchMessages▶ reader: decode ─▶ messages batch ─┘ all taken at FlushInterval
//	endpoint ──…                       past BufferEvents in flight: count, drop
//
// KubeArmor never replays and drops events for a subscriber that falls
// behind, so the readers never wait for storage: each drains its stream,
// and once BufferEvents rows are received but not yet stored, it counts
// new events as dropped instead of growing memory. Each stream is opened
// after a HealthCheck with a random nonce and reopened with exponential
// backoff and jitter whenever it ends or fails, independently of the
// others. A stream that ends at once without an event is KubeArmor
// rejecting the filter: it is reported and retried slowly, never in a
// tight loop. A link that goes silent is noticed by the keepalive after
// KeepaliveTime plus KeepaliveTimeout.
//
// Each reader receives its stream's messages undecoded (kawire.Frame),
// decodes them into a reused message whose strings alias the frame, and
// appends the row straight to its stream's batch (rows.go maps every field
// to schema.Alerts, schema.Logs and schema.Messages). A message that is
// not valid protobuf is counted (Invalid) and dropped; the stream goes on.
// Text is repaired to valid UTF-8 once per batch, before it is stored.
//
// The flusher stores a batch as soon as it holds FlushRows rows, and every
// batch, partial ones included, when the oldest unflushed row is
// FlushInterval old, in one synced write. A crash therefore loses the rows
// received in the last FlushInterval plus those of a flush in progress; on
// a clean stop Run flushes everything. Stored batches are reused.
//
// Endpoints speak plaintext by default, or TLS and mutual TLS
// (Endpoint.TLS, like karmor --secure); certificate files are read once,
// in New, so a mistake fails at start. TLS 1.3 servers refuse a client
// certificate only after the client's handshake has finished, which the
// client sees as a bare broken pipe: the reader records what the server
// asked for during the handshake and explains the failure in
// EndpointStats.LastError.
//
// Per endpoint, Stats reports events received, stored, dropped and
// invalid, reconnects, streams that ended at once (EmptyStreams), strings
// repaired, the last event's receipt time and its lag (receipt minus
// event time, to 5 ms).
package ingest
