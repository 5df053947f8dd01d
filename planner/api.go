package planner

import (
	"context"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/pgcatalog"
)

// Kind says what a statement does, so that the wire layer knows which
// statements it answers itself (session settings, transactions) and which
// run as queries.
type Kind int

// Statement kinds.
const (
	// KindQuery returns rows from Run.
	KindQuery Kind = iota
	// KindEmpty is an empty query string or one holding only comments.
	KindEmpty
	// KindSet sets a session setting: SetName = SetValue. SetValue is
	// empty for RESET and SET ... TO DEFAULT.
	KindSet
	// KindShow shows a session setting, ShowName, as one text column.
	KindShow
	// KindTransaction is BEGIN, COMMIT, ROLLBACK and their kin; Tag says
	// which, Savepoint names the savepoint of SAVEPOINT, RELEASE and
	// ROLLBACK TO. armorlake transactions are read-only and hold no
	// state but the session's settings.
	KindTransaction
	// KindCopy is COPY … TO STDOUT: rows as KindQuery's, framed as
	// Copy says.
	KindCopy
	// KindUtility is a statement about the session the wire layer
	// answers: DISCARD (Tag "DISCARD ALL"...), DEALLOCATE (Target the
	// statement, "" for ALL), UNLISTEN.
	KindUtility
)

// Column is one result column.
type Column struct {
	Name string
	Type coldata.Type
	// untyped: the column is a bare literal, text only by default.
	untyped bool
}

// Session is what a statement needs to know of the session planning it.
type Session struct {
	// TimeZone interprets timestamp literals without an offset, and
	// date_trunc and the like. nil means UTC.
	TimeZone *time.Location
	// NoPushdown makes fragments only read columns: every filter and
	// aggregation runs on the query node (armorlake.pushdown = off).
	// Results must not change; tests compare both ways.
	NoPushdown bool
	// MemoryBudget bounds the memory a statement holds on the query node
	// (armorlake.query_memory); 0 for DefaultMemoryBudget.
	MemoryBudget int64
	// PartialResults (armorlake.partial_results) answers from the
	// operators that can, with a notice naming those that could not,
	// instead of failing the query.
	PartialResults bool

	// User and Database are the session's, for current_user,
	// current_database() and the catalogs; PID its backend process ID.
	User, Database string
	PID            int32
	// Setting returns a parameter's value for current_setting(); nil
	// knows none.
	Setting func(name string) (string, bool)
	// Settings lists every parameter, for pg_settings.
	Settings func() []pgcatalog.Setting
	// Activity lists the server's sessions (pg_stat_activity);
	// SignalBackend cancels a session's statement or ends the session
	// (pg_cancel_backend, pg_terminate_backend), reporting whether it
	// exists. nil: none known.
	Activity      func() []pgcatalog.Activity
	SignalBackend func(pid int32, terminate bool) bool
}

// DefaultMemoryBudget is a statement's memory budget on the query node.
const DefaultMemoryBudget = 1 << 30

// Statement is one planned SQL statement. A statement is immutable once
// prepared and may be run many times (one portal each), concurrently.
type Statement struct {
	Kind Kind
	// SQL is this statement's own text.
	SQL string
	// Tag is the command tag without a row count: "SELECT", "SET",
	// "SHOW", "BEGIN", "COMMIT", "ROLLBACK".
	Tag string
	// Columns are the result columns; nil for statements that return no
	// rows.
	Columns []Column
	// ParamTypes holds the type of each $n parameter, $1 first: the type
	// the client declared, else the one inferred from the query, else
	// Text.
	ParamTypes []coldata.Type

	SetName, SetValue string       // KindSet
	ShowName          string       // KindShow
	Savepoint         string       // KindTransaction
	Target            string       // KindUtility
	Copy              *CopyOptions // KindCopy

	// budget returns the memory budget of a run, read from the session
	// when the statement runs.
	budget func() int64

	run func(ctx context.Context, params *coldata.Batch) (exec.Operator, error)
}

// Run starts the statement. params holds one single-row Vec per parameter,
// typed as ParamTypes says; it may be nil when there are none. The caller
// must Close the returned operator. Only KindQuery statements run.
func (s *Statement) Run(ctx context.Context, params *coldata.Batch) (exec.Operator, error) {
	limit := s.budget()
	return s.run(exec.WithBudget(ctx, &exec.Budget{Limit: limit, Name: "query memory budget (armorlake.query_memory)"}), params)
}
