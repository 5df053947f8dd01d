// Package server is armorlake's PostgreSQL front end: it speaks protocol
// 3.0 on TCP, so that psql, Grafana, pgx, JDBC and the other PostgreSQL
// clients can query armorlake as if it were one PostgreSQL 16 database.
//
// # Shape
//
// A Server accepts connections and serves each on its own goroutine (a
// conn). A conn reads one message, acts on it and answers, strictly in
// order; the only thing another goroutine does to it is cancel the
// statement it is running (CancelRequest, Server.Close).
//
//	startup.go   SSLRequest (TLS, or 'N'), GSSENCRequest ('N'), CancelRequest,
//	             StartupMessage, ParameterStatus burst, BackendKeyData
//	tls.go       certificates: loaded, or self-signed on first start and kept
//	auth.go      pg_hba-like rules; trust, reject, SCRAM-SHA-256, cleartext over TLS
//	conn.go      message loop, error and panic handling, cancellation
//	simple.go    Query: multi-statement strings; SET, SHOW, transactions and
//	             savepoints, DISCARD, DEALLOCATE; the per-session statement cache
//	extended.go  Parse, Bind, Describe, Execute, Close, Sync, Flush
//	portal.go    running a statement: operator → batches → DataRows
//	copy.go      COPY … TO STDOUT framing: text, CSV, binary
//	activity.go  pg_stat_activity, pg_cancel_backend, pg_terminate_backend
//	session.go   parameters, ParameterStatus, the transaction status byte
//	encode.go    values to PostgreSQL text and binary formats, column by column
//	decode.go    Bind parameters to single-row coldata vectors
//	datetime.go  timestamptz input
//	writer.go    buffered writes
//
// The server plans nothing itself: it hands SQL to an Engine (the
// planner) and runs the statements it returns. Statements that only touch
// the session (SET, SHOW, transaction control) come back tagged by kind and
// are answered here from session state.
//
// # Results
//
// A statement runs as a portal: its operator's batches are encoded column
// by column (one type switch per column and batch, then a typed loop) into
// reusable arenas, then interleaved into DataRow messages in a write buffer
// that is flushed at ReadyForQuery, at Flush, and whenever it passes 64 KiB.
// Execute with a row limit stops mid-batch and answers PortalSuspended; the
// next Execute resumes from the same row. Values are printed exactly as
// PostgreSQL prints them (DateStyle ISO, shortest round-trip floats, array
// quoting...), in text or binary per column as Bind asked.
//
// # Errors
//
// An error carries its SQLSTATE from where it was born (package sqlerr);
// this package only renders it as an ErrorResponse. An error never ends
// the session: a simple query skips its remaining statements, an
// extended-protocol batch skips to Sync, a transaction block fails
// (status 'E') until ROLLBACK. Only protocol violations (bad framing, an
// oversized message), a failed startup and timeouts end it, with a FATAL
// ErrorResponse. A panic while serving a statement is recovered at the
// statement's root, logged with its stack, and reported as XX000.
//
// # Cancellation
//
// Every statement runs under a context derived from its session's, which
// derives from the server's. CancelRequest (matched by process ID and
// secret from BackendKeyData) cancels the running statement, which then
// fails with 57014; Server.Close cancels them all (57P01) and closes every
// connection.
package server
