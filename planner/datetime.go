package planner

import (
	"math"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Dates, timestamps without time zone and interval values. The binder
// folds interval constants where it can (interval.go); an interval that
// reaches a result, a comparison, a function or a column's arithmetic is
// realized as a value of type interval. Conversions between timestamptz,
// timestamp and date go through the session's time zone, as PostgreSQL's
// casts do.

// realize turns a planner-only interval constant into an interval value;
// other scalars are returned as they are.
func realize(s *scalar, loc int32) (*scalar, error) {
	if s.typ != typeInterval {
		return s, nil
	}
	iv := *s.iv
	if iv.months != int64(int32(iv.months)) || iv.days != int64(int32(iv.days)) {
		return nil, errAt(sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range"), loc)
	}
	v := coldata.IntervalValue{Months: int32(iv.months), Days: int32(iv.days), Micros: iv.us}
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.Interval), Value: &rpcpb.Datum_S{S: coldata.IntervalDatum(v)}}), nil
}

// realizeAll realizes every interval constant under s.
func realizeAll(s *scalar, loc int32) (*scalar, error) {
	if s.typ == typeInterval {
		return realize(s, loc)
	}
	for i, a := range s.args {
		r, err := realizeAll(a, loc)
		if err != nil {
			return nil, err
		}
		s.args[i] = r
	}
	return s, nil
}

// isDatetime reports whether t is one of the date and time types.
func isDatetime(t coldata.Type) bool {
	return t == coldata.Timestamptz || t == coldata.Timestamp || t == coldata.Date
}

// convertDatetime converts s between timestamptz, timestamp and date in
// the session's zone; ok is false for other types.
func (b *binder) convertDatetime(s *scalar, to coldata.Type) (*scalar, bool) {
	from := s.typ
	if from == to {
		return s, true
	}
	if !isDatetime(from) || !isDatetime(to) {
		return nil, false
	}
	// Through timestamp, the wall clock.
	local := s
	switch from {
	case coldata.Timestamptz:
		local = callScalar("to_local", coldata.Timestamp, s, b.zoneConst())
	case coldata.Date:
		local = callScalar("date_local", coldata.Timestamp, s)
	}
	switch to {
	case coldata.Timestamp:
		return local, true
	case coldata.Date:
		return callScalar("local_date", coldata.Date, local), true
	}
	return callScalar("from_local", coldata.Timestamptz, local, b.zoneConst()), true
}

// unifyDatetime brings two date/time operands of a comparison to one
// type, as PostgreSQL's implicit casts do: date < timestamp <
// timestamptz.
func (b *binder) unifyDatetime(l, r *scalar) (*scalar, *scalar, bool) {
	if !isDatetime(l.typ) || !isDatetime(r.typ) || l.typ == r.typ {
		return l, r, false
	}
	rank := map[coldata.Type]int{coldata.Date: 0, coldata.Timestamp: 1, coldata.Timestamptz: 2}
	to := l.typ
	if rank[r.typ] > rank[to] {
		to = r.typ
	}
	l, _ = b.convertDatetime(l, to)
	r, _ = b.convertDatetime(r, to)
	return l, r, true
}

// datetimeArith binds + and - (and * and / of intervals) over date, time
// and interval operands; ok is false when none is involved.
func (b *binder) datetimeArith(op string, l, r *scalar, loc int32) (*scalar, bool, error) {
	var err error
	if l, err = realize(l, loc); err != nil {
		return nil, true, err
	}
	if r, err = realize(r, loc); err != nil {
		return nil, true, err
	}
	lt, rt := l.typ, r.typ
	involved := isDatetime(lt) || isDatetime(rt) || lt == coldata.Interval || rt == coldata.Interval
	if !involved {
		return nil, false, nil
	}
	// An untyped literal takes the other side's type, or is an interval
	// beside a timestamp (ts + '1 hour'); subtracted from a timestamp it
	// is a timestamp, as in PostgreSQL.
	settleAs := func(s *scalar, other coldata.Type) error {
		if !s.unknownLit {
			return nil
		}
		t := other
		if isDatetime(other) && (op == "+" || (op == "-" && s == r && other == coldata.Date)) {
			t = coldata.Interval
			if other == coldata.Date && op == "-" {
				t = coldata.Date
			}
		}
		if err := b.settle(s, t); err != nil {
			return errAt(sqlerr.As(err), loc)
		}
		return nil
	}
	if err := settleAs(l, rt); err != nil {
		return nil, true, err
	}
	if err := settleAs(r, lt); err != nil {
		return nil, true, err
	}
	lt, rt = l.typ, r.typ
	call := func(name string, t coldata.Type, args ...*scalar) (*scalar, bool, error) {
		return callScalar(name, t, args...), true, nil
	}
	neg := func(s *scalar) *scalar { return callScalar("iv_neg", coldata.Interval, s) }
	f64 := func(s *scalar) *scalar {
		if s.typ == coldata.Float64 {
			return s
		}
		return callScalar("cast", coldata.Float64, s)
	}
	i64 := func(s *scalar) *scalar {
		if s.typ == coldata.Int64 {
			return s
		}
		return callScalar("cast", coldata.Int64, s)
	}
	switch {
	case op == "-" && isDatetime(lt) && isDatetime(rt):
		if lt == coldata.Date && rt == coldata.Date {
			return call("date_diff", coldata.Int32, l, r)
		}
		l, r, _ = b.unifyDatetime(l, r)
		return call("ts_diff", coldata.Interval, l, r)
	case lt == coldata.Date && rt.IsInteger() && (op == "+" || op == "-"):
		if op == "-" {
			return call("date_add_days", coldata.Date, l, callScalar("neg", coldata.Int64, i64(r)))
		}
		return call("date_add_days", coldata.Date, l, i64(r))
	case lt.IsInteger() && rt == coldata.Date && op == "+":
		return call("date_add_days", coldata.Date, r, i64(l))
	case isDatetime(lt) && rt == coldata.Interval && (op == "+" || op == "-"),
		lt == coldata.Interval && isDatetime(rt) && op == "+":
		ts, iv := l, r
		if lt == coldata.Interval {
			ts, iv = r, l
		}
		if op == "-" {
			iv = neg(iv)
		}
		if ts.typ == coldata.Timestamptz {
			return call("ts_add_iv", coldata.Timestamptz, ts, iv, b.zoneConst())
		}
		ts, _ = b.convertDatetime(ts, coldata.Timestamp)
		return call("local_add_iv", coldata.Timestamp, ts, iv)
	case lt == coldata.Interval && rt == coldata.Interval && (op == "+" || op == "-"):
		if op == "+" {
			return call("iv_add", coldata.Interval, l, r)
		}
		return call("iv_sub", coldata.Interval, l, r)
	case lt == coldata.Interval && rt.IsNumber() && (op == "*" || op == "/"):
		if op == "*" {
			return call("iv_mul", coldata.Interval, l, f64(r))
		}
		return call("iv_div", coldata.Interval, l, f64(r))
	case lt.IsNumber() && rt == coldata.Interval && op == "*":
		return call("iv_mul", coldata.Interval, r, f64(l))
	}
	return nil, true, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), loc)
}

// parseDatetimeLiteral reads a date, timestamp or interval literal into
// a datum.
func parseDatetimeLiteral(text string, t coldata.Type) (*rpcpb.Datum, error) {
	d := &rpcpb.Datum{Type: uint32(t)}
	switch t {
	case coldata.Date, coldata.Timestamp:
		// Wall-clock fields, read as if in UTC; an era suffix moves the
		// year ("0044-03-15 BC" is astronomical year -43).
		body, bc := strings.CutSuffix(strings.TrimSpace(text), " BC")
		if !bc {
			body, bc = strings.CutSuffix(body, " bc")
		}
		us, err := coldata.ParseTimestamptz(body, nil)
		if err == nil && bc && us != math.MaxInt64 && us != math.MinInt64 {
			t := time.UnixMicro(us).UTC()
			us = time.Date(1-t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC).UnixMicro()
		}
		if err != nil {
			if e := sqlerr.As(err); e != nil && e.Code == sqlerr.InvalidDatetimeFormat {
				return nil, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type %s: %q", t, text)
			}
			return nil, err
		}
		if t == coldata.Date && us != math.MaxInt64 && us != math.MinInt64 {
			us = coldata.FloorDiv(us, 86400e6)
		}
		d.Value = &rpcpb.Datum_I{I: us}
	case coldata.Interval:
		iv, err := parseInterval(text)
		if err != nil {
			return nil, err
		}
		if iv.months != int64(int32(iv.months)) || iv.days != int64(int32(iv.days)) {
			return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval field value out of range: %q", text)
		}
		d.Value = &rpcpb.Datum_S{S: coldata.IntervalDatum(coldata.IntervalValue{Months: int32(iv.months), Days: int32(iv.days), Micros: iv.us})}
	}
	return d, nil
}

// bindAtTimeZone binds x AT TIME ZONE zone, which arrives as
// timezone(zone, x): a timestamptz's wall clock in the zone (a
// timestamp), or a timestamp's instant read in the zone (a timestamptz).
func (b *binder) bindAtTimeZone(args []*scalar, loc int32) (*scalar, error) {
	if len(args) != 2 {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function timezone with %d arguments does not exist", len(args)), loc)
	}
	zone, x := args[0], args[1]
	if err := b.settle(zone, coldata.Text); err != nil {
		return nil, errAt(sqlerr.As(err), loc)
	}
	if zone.typ != coldata.Text {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "AT TIME ZONE takes a zone name, not %s", zone.typ), loc)
	}
	if zone.kind == kindConst && !zone.datum.Null {
		if _, _, err := coldata.LoadTimeZone(zone.datum.GetS()); err != nil {
			return nil, errAt(sqlerr.As(err), loc)
		}
	}
	if err := b.settle(x, coldata.Timestamptz); err != nil {
		return nil, errAt(sqlerr.As(err), loc)
	}
	switch x.typ {
	case coldata.Date:
		x, _ = b.convertDatetime(x, coldata.Timestamptz)
		fallthrough
	case coldata.Timestamptz:
		return callScalar("to_local", coldata.Timestamp, x, zone), nil
	case coldata.Timestamp:
		return callScalar("from_local", coldata.Timestamptz, x, zone), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function timezone(text, %s) does not exist", x.typ), loc)
}
