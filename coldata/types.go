// Package coldata holds the typed, columnar batches that flow between
// armorlake's storage, executor, operator RPC and wire layer.
//
// A Batch is a set of equally long Vecs. A Vec keeps its values in one flat
// typed slice chosen by its Type (int64s for integers and timestamps,
// float64s, bools, or a flat byte arena with offsets for strings), plus an
// optional null bitmap. Hot loops switch on the type once per Vec and then
// run over the slice; no value is ever boxed in an interface.
//
// The package is a leaf: it imports nothing of armorlake's.
package coldata

import "fmt"

// Type is the SQL type of a column. The values are part of the batch wire
// encoding (encode.go) and of the operator RPC: never renumber them.
type Type uint8

// The SQL types armorlake stores and computes with.
const (
	Unknown     Type = 0
	Bool        Type = 1  // boolean
	Int32       Type = 2  // integer (int4), kept in Vec.Int64
	Int64       Type = 3  // bigint (int8)
	Float64     Type = 4  // double precision (float8)
	Text        Type = 5  // text
	Timestamptz Type = 6  // timestamp with time zone: µs since 1970-01-01 UTC, in Vec.Int64
	Numeric     Type = 7  // numeric: canonical decimal text ("-12.50"), in Vec.Bytes
	Jsonb       Type = 8  // jsonb: JSON text, in Vec.Bytes
	TextArray   Type = 9  // text[]: elements in Vec.Bytes, row bounds in Vec.Arr
	Int16       Type = 10 // smallint (int2), kept in Vec.Int64
	Float32     Type = 11 // real (float4), kept in Vec.Float64
	Date        Type = 12 // date: days since 1970-01-01, in Vec.Int64
	Timestamp   Type = 13 // timestamp without time zone: wall-clock µs since 1970-01-01, in Vec.Int64
	Interval    Type = 14 // interval: months, days and µs, 16 bytes per value in Vec.Bytes (interval.go)
	typeCount        = 15
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return t > Unknown && t < typeCount }

// String returns the PostgreSQL name of the type as format_type prints it.
func (t Type) String() string {
	switch t {
	case Bool:
		return "boolean"
	case Int16:
		return "smallint"
	case Int32:
		return "integer"
	case Int64:
		return "bigint"
	case Float32:
		return "real"
	case Float64:
		return "double precision"
	case Text:
		return "text"
	case Timestamptz:
		return "timestamp with time zone"
	case Numeric:
		return "numeric"
	case Jsonb:
		return "jsonb"
	case TextArray:
		return "text[]"
	case Date:
		return "date"
	case Timestamp:
		return "timestamp without time zone"
	case Interval:
		return "interval"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// OID returns the PostgreSQL type OID, as sent in RowDescription.
func (t Type) OID() uint32 {
	switch t {
	case Bool:
		return 16
	case Int16:
		return 21
	case Int32:
		return 23
	case Int64:
		return 20
	case Float32:
		return 700
	case Float64:
		return 701
	case Text:
		return 25
	case Timestamptz:
		return 1184
	case Numeric:
		return 1700
	case Jsonb:
		return 3802
	case TextArray:
		return 1009
	case Date:
		return 1082
	case Timestamp:
		return 1114
	case Interval:
		return 1186
	}
	return 705 // unknown
}

// TypeFromOID maps a PostgreSQL type OID to a Type, Unknown when armorlake
// has no such type. varchar, bpchar and name map to Text.
func TypeFromOID(oid uint32) Type {
	switch oid {
	case 16:
		return Bool
	case 21:
		return Int16
	case 23:
		return Int32
	case 20:
		return Int64
	case 700:
		return Float32
	case 701:
		return Float64
	case 25, 1043, 1042, 19:
		return Text
	case 1184:
		return Timestamptz
	case 1700:
		return Numeric
	case 3802:
		return Jsonb
	case 1009:
		return TextArray
	case 1082:
		return Date
	case 1114:
		return Timestamp
	case 1186:
		return Interval
	}
	return Unknown
}

// Size returns the typlen PostgreSQL reports for the type: the fixed
// width in bytes, or -1 for variable-length types.
func (t Type) Size() int16 {
	switch t {
	case Bool:
		return 1
	case Int16:
		return 2
	case Int32, Float32, Date:
		return 4
	case Int64, Float64, Timestamptz, Timestamp:
		return 8
	case Interval:
		return 16
	}
	return -1
}

// IsInteger reports whether values live in Vec.Int64 as integers.
func (t Type) IsInteger() bool { return t == Int16 || t == Int32 || t == Int64 }

// IsFloat reports whether values live in Vec.Float64.
func (t Type) IsFloat() bool { return t == Float32 || t == Float64 }

// IsNumber reports whether the type is numeric in the SQL sense.
func (t Type) IsNumber() bool { return t.IsInteger() || t.IsFloat() || t == Numeric }

// IsBytes reports whether values live in Vec.Bytes, one per row.
func (t Type) IsBytes() bool { return t == Text || t == Numeric || t == Jsonb || t == Interval }

// InInt64 reports whether values live in Vec.Int64: integers, and the
// date and time types.
func (t Type) InInt64() bool { return t.IsInteger() || t == Timestamptz || t == Date || t == Timestamp }

// IsTextual reports whether values are text-like bytes, compared and
// matched byte-wise: text and jsonb (not numeric or interval, whose bytes
// encode a value).
func (t Type) IsTextual() bool { return t == Text || t == Jsonb }
