package server

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/armorlake/armorlake/sqlerr"
)

// Causes of a canceled statement context. The statement's error becomes the
// cause, so that a canceled query reports why it was canceled.
var (
	errQueryCanceled = sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	// errStatementTimeout ends a statement that ran past statement_timeout.
	errStatementTimeout = sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout")
	errAdminShutdown    = sqlerr.New(sqlerr.AdminShutdown, "terminating connection due to administrator command")
	errConnClosed       = errors.New("connection closed")
)

// errTerminate ends a session normally (Terminate message).
var errTerminate = errors.New("client terminated the session")

// fatalError ends the session after its ErrorResponse has been sent with
// severity FATAL: protocol violations, failed startup, resource limits.
type fatalError struct{ err error }

func (f *fatalError) Error() string { return f.err.Error() }
func (f *fatalError) Unwrap() error { return f.err }

func fatal(code, format string, args ...any) error {
	return &fatalError{err: sqlerr.New(code, format, args...)}
}

// Severities of ErrorResponse and NoticeResponse.
const (
	severityError   = "ERROR"
	severityFatal   = "FATAL"
	severityWarning = "WARNING"
	severityNotice  = "NOTICE"
)

// errorResponse renders err as PostgreSQL would: the SQLSTATE and fields of
// the first sqlerr.Error in its chain, or XX000 with the error's text.
func errorResponse(err error, severity string) *pgproto3.ErrorResponse {
	r := &pgproto3.ErrorResponse{Severity: severity, SeverityUnlocalized: severity}
	if e := sqlerr.As(err); e != nil {
		r.Code = e.Code
		r.Message = noNUL(e.Message)
		r.Detail = noNUL(e.Detail)
		r.Hint = noNUL(e.Hint)
		r.Position = e.Position
	} else {
		r.Code = sqlerr.InternalError
		r.Message = noNUL(err.Error())
	}
	if r.Message == "" {
		// A field-less ErrorResponse confuses clients; PostgreSQL always
		// sends a message.
		r.Message = "unknown error"
	}
	return r
}

// noticeResponse is a NoticeResponse with the given severity and SQLSTATE.
func noticeResponse(severity, code, msg string) *pgproto3.NoticeResponse {
	return &pgproto3.NoticeResponse{Severity: severity, SeverityUnlocalized: severity, Code: code, Message: msg}
}

// noNUL keeps a message field from ending early on the wire, where fields
// are NUL-terminated.
func noNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", `\0`)
}

// panicError is a recovered panic, reported to the client as XX000.
func panicError(v any) error {
	return sqlerr.New(sqlerr.InternalError, "internal error: %v", v)
}

// protocolError is a non-fatal protocol violation: the message was framed
// correctly but makes no sense, so the session goes on after an error.
func protocolError(format string, args ...any) error {
	return sqlerr.New(sqlerr.ProtocolViolation, format, args...)
}
