// Package sqlerr carries PostgreSQL SQLSTATE codes on Go errors.
//
// An error gets its SQLSTATE where it is born (the binder knows a column is
// unknown, the storage layer knows a block is corrupt); every layer above
// wraps it with fmt.Errorf("...: %w", err) and the wire layer only renders
// it. Code walks the chain with errors.As, so wrapping never loses the code.
package sqlerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes armorlake reports. Names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion            = "00000"
	FeatureNotSupported             = "0A000"
	NotNullViolation                = "23502"
	InvalidParameterValue           = "22023"
	InvalidTextRepresentation       = "22P02"
	InvalidDatetimeFormat           = "22007"
	DatetimeFieldOverflow           = "22008"
	NumericValueOutOfRange          = "22003"
	DivisionByZero                  = "22012"
	SubstringError                  = "22011"
	InvalidRegularExpression        = "2201B"
	InvalidEscapeSequence           = "22025"
	ProgramLimitExceeded            = "54000"
	DataCorrupted                   = "XX001"
	ProtocolViolation               = "08P01"
	InvalidTransactionState         = "25000"
	ReadOnlySQLTransaction          = "25006"
	CardinalityViolation            = "21000"
	NullValueNotAllowed             = "22004"
	InvalidSQLStatementName         = "26000"
	InvalidSavepointSpecification   = "3B001"
	InsufficientPrivilege           = "42501"
	InvalidCursorName               = "34000"
	CharacterNotInRepertoire        = "22021"
	InvalidBinaryRepresentation     = "22P03"
	ActiveSQLTransaction            = "25001"
	NoActiveSQLTransaction          = "25P01"
	InFailedSQLTransaction          = "25P02"
	IdleInTransactionSessionTimeout = "25P03"
	DuplicateCursor                 = "42P03"
	DuplicatePreparedStatement      = "42P05"
	CantChangeRuntimeParam          = "55P02"
	IdleSessionTimeout              = "57P05"
	SyntaxError                     = "42601"
	UndefinedColumn                 = "42703"
	UndefinedTable                  = "42P01"
	UndefinedFunction               = "42883"
	UndefinedObject                 = "42704"
	UndefinedSchema                 = "3F000"
	AmbiguousColumn                 = "42702"
	DatatypeMismatch                = "42804"
	GroupingError                   = "42803"
	WindowingError                  = "42P20"
	InvalidColumnReference          = "42P10"
	WrongObjectType                 = "42809"
	CannotCoerce                    = "42846"
	UndefinedParameter              = "42P02"
	QueryCanceled                   = "57014"
	AdminShutdown                   = "57P01"
	TooManyConnections              = "53300"
	OutOfMemory                     = "53200"
	ConfigurationLimitExceeded      = "53400"
	InvalidAuthorization            = "28000"
	InvalidPassword                 = "28P01"
	// SystemError is "an error external to PostgreSQL itself": armorlake
	// uses it when a remote operator cannot be reached. Class 08 is
	// avoided on purpose: drivers such as pgjdbc treat 08xxx as a broken
	// client connection and discard it.
	SystemError   = "58000"
	InternalError = "XX000"
)

// Error is an error with a SQLSTATE code and the optional fields of a
// PostgreSQL ErrorResponse.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character offset into the query, 0 when unknown
	cause    error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error this one was made from, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the given SQLSTATE and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a SQLSTATE to err, keeping err as the cause. The message is
// msg followed by err's text.
func Wrap(err error, code, msg string) *Error {
	return &Error{Code: code, Message: msg + ": " + err.Error(), cause: err}
}

// WithHint returns e with Hint set.
func (e *Error) WithHint(h string) *Error { e.Hint = h; return e }

// WithDetail returns e with Detail set.
func (e *Error) WithDetail(d string) *Error { e.Detail = d; return e }

// WithPosition returns e with Position set.
func (e *Error) WithPosition(p int32) *Error { e.Position = p; return e }

// Code returns the SQLSTATE of the outermost *Error in err's chain, or
// InternalError when there is none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return InternalError
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
