package planner

import (
	"math"
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Intervals. armorlake has no interval column type yet; an interval
// constant ('1 hour', interval '15 minutes') lives only in the binder,
// which folds it into what uses it: ts ± interval becomes a timestamp
// addition in the session's time zone (months and days by the calendar,
// as PostgreSQL adds them; hours and below as elapsed time), date_bin
// takes its stride in µs, and interval arithmetic between constants is
// folded. An interval that would have to reach a result or a column is
// refused with 0A000.

// typeInterval marks a bound interval constant. It is not a coldata type
// and never leaves the binder.
const typeInterval = coldata.Type(200)

// interval is months, days and microseconds, as PostgreSQL keeps it.
type interval struct {
	months, days, us int64
}

func intervalScalar(iv interval) *scalar {
	// The datum only makes the scalar's key tell intervals apart.
	return &scalar{kind: kindConst, typ: typeInterval, iv: &iv,
		datum: &rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{
			S: "interval " + strconv.FormatInt(iv.months, 10) + " " + strconv.FormatInt(iv.days, 10) + " " + strconv.FormatInt(iv.us, 10)}}}
}

// intervalUnits maps PostgreSQL's interval unit words to months, days or
// microseconds per unit.
var intervalUnits = map[string]interval{
	"microsecond": {us: 1}, "microseconds": {us: 1}, "us": {us: 1}, "usec": {us: 1}, "usecs": {us: 1},
	"millisecond": {us: 1000}, "milliseconds": {us: 1000}, "ms": {us: 1000}, "msec": {us: 1000}, "msecs": {us: 1000},
	"second": {us: 1e6}, "seconds": {us: 1e6}, "s": {us: 1e6}, "sec": {us: 1e6}, "secs": {us: 1e6},
	"minute": {us: 60e6}, "minutes": {us: 60e6}, "m": {us: 60e6}, "min": {us: 60e6}, "mins": {us: 60e6},
	"hour": {us: 3600e6}, "hours": {us: 3600e6}, "h": {us: 3600e6}, "hr": {us: 3600e6}, "hrs": {us: 3600e6},
	"day": {days: 1}, "days": {days: 1}, "d": {days: 1},
	"week": {days: 7}, "weeks": {days: 7}, "w": {days: 7},
	"month": {months: 1}, "months": {months: 1}, "mon": {months: 1}, "mons": {months: 1},
	"year": {months: 12}, "years": {months: 12}, "y": {months: 12}, "yr": {months: 12}, "yrs": {months: 12},
	"decade": {months: 120}, "decades": {months: 120},
	"century": {months: 1200}, "centuries": {months: 1200},
}

// parseInterval reads PostgreSQL's interval input: "1 hour", "2 days 3
// hours", "-15 minutes", "1.5 hours", "01:30:00", "1 day 02:00:00", "@ 1
// hour ago".
func parseInterval(text string) (interval, error) {
	invalid := sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: %q", text)
	fields := strings.Fields(strings.ToLower(strings.TrimSpace(text)))
	var iv interval
	ago := false
	if len(fields) > 0 && fields[0] == "@" {
		fields = fields[1:]
	}
	if len(fields) > 0 && fields[len(fields)-1] == "ago" {
		ago, fields = true, fields[:len(fields)-1]
	}
	if len(fields) == 0 {
		return iv, invalid
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Contains(f, ":") {
			us, err := parseClock(f)
			if err != nil {
				return iv, invalid
			}
			iv.us += us
			continue
		}
		// A number, its unit glued to it ("10min") or the next word.
		k := len(f)
		for k > 0 && !(f[k-1] >= '0' && f[k-1] <= '9' || f[k-1] == '.') {
			k--
		}
		num, unit := f[:k], f[k:]
		if unit == "" {
			if i+1 >= len(fields) {
				// A bare number is seconds.
				unit = "seconds"
			} else {
				i++
				unit = fields[i]
			}
		}
		per, ok := intervalUnits[unit]
		if !ok {
			return iv, invalid
		}
		x, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return iv, invalid
		}
		whole, frac := math.Modf(x)
		iv.months += int64(whole) * per.months
		iv.days += int64(whole) * per.days
		iv.us += int64(whole) * per.us
		if frac != 0 {
			// Fractions spill down: months to days of 30, days to
			// hours of 24, as PostgreSQL does.
			switch {
			case per.months != 0:
				d := frac * float64(per.months) * 30
				iv.days += int64(d)
				iv.us += int64(math.Round((d - math.Trunc(d)) * 86400e6))
			case per.days != 0:
				iv.us += int64(math.Round(frac * float64(per.days) * 86400e6))
			default:
				iv.us += int64(math.Round(frac * float64(per.us)))
			}
		}
	}
	if ago {
		iv = interval{-iv.months, -iv.days, -iv.us}
	}
	return iv, nil
}

// parseClock reads [-]HH:MM[:SS[.ffffff]].
func parseClock(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, strconv.ErrSyntax
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || m > 59 {
		return 0, strconv.ErrSyntax
	}
	us := (h*60 + m) * 60e6
	if len(parts) == 3 {
		sec, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || sec >= 60 {
			return 0, strconv.ErrSyntax
		}
		us += int64(math.Round(sec * 1e6))
	}
	if neg {
		us = -us
	}
	return us, nil
}

func (iv interval) neg() interval { return interval{-iv.months, -iv.days, -iv.us} }

// intervalArith folds + and - of intervals and timestamps; ok is false
// when neither side is an interval.
func (b *binder) intervalArith(op string, l, r *scalar, loc int32) (*scalar, bool, error) {
	li, ri := l.typ == typeInterval, r.typ == typeInterval
	// An untyped literal added to a timestamp reads as an interval:
	// now() + '1 hour'. (Subtracted, PostgreSQL reads it as a
	// timestamp, for timestamp - timestamp.)
	if !li && !ri && op == "+" {
		switch {
		case l.typ == coldata.Timestamptz && r.unknownLit && !r.datum.Null:
			if iv, err := parseInterval(r.datum.GetS()); err == nil {
				r, ri = intervalScalar(iv), true
			}
		case r.typ == coldata.Timestamptz && l.unknownLit && !l.datum.Null:
			if iv, err := parseInterval(l.datum.GetS()); err == nil {
				l, li = intervalScalar(iv), true
			}
		}
	}
	if !li && !ri {
		if op == "-" && l.typ == coldata.Timestamptz && (r.typ == coldata.Timestamptz || r.unknownLit) {
			if r.unknownLit {
				if err := b.settle(r, coldata.Timestamptz); err != nil {
					return nil, true, errAt(sqlerr.As(err), loc)
				}
			}
			return nil, true, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "timestamp subtraction is not supported yet: its interval result has no column type here"), loc)
		}
		return nil, false, nil
	}
	notSupported := func() (*scalar, bool, error) {
		return nil, true, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "interval values are not supported yet beyond timestamp arithmetic and date_bin"), loc)
	}
	switch {
	case li && ri && (op == "+" || op == "-"):
		x, y := *l.iv, *r.iv
		if op == "-" {
			y = y.neg()
		}
		return intervalScalar(interval{x.months + y.months, x.days + y.days, x.us + y.us}), true, nil
	case li && !ri && op == "*" || ri && !li && op == "*":
		iv, n := l, r
		if ri {
			iv, n = r, l
		}
		if n.unknownLit {
			if err := b.settle(n, coldata.Int64); err != nil {
				return nil, true, err
			}
		}
		if n.kind != kindConst || !n.typ.IsInteger() || n.datum.Null {
			return notSupported()
		}
		k := n.datum.GetI()
		return intervalScalar(interval{iv.iv.months * k, iv.iv.days * k, iv.iv.us * k}), true, nil
	case ri && !li && (op == "+" || op == "-"):
		if l.unknownLit {
			if err := b.settle(l, coldata.Timestamptz); err != nil {
				return nil, true, errAt(sqlerr.As(err), loc)
			}
		}
		if l.typ != coldata.Timestamptz {
			return notSupported()
		}
		iv := *r.iv
		if op == "-" {
			iv = iv.neg()
		}
		return b.addInterval(l, iv), true, nil
	case li && !ri && op == "+":
		if r.unknownLit {
			if err := b.settle(r, coldata.Timestamptz); err != nil {
				return nil, true, errAt(sqlerr.As(err), loc)
			}
		}
		if r.typ != coldata.Timestamptz {
			return notSupported()
		}
		return b.addInterval(r, *l.iv), true, nil
	}
	return notSupported()
}

// addInterval adds iv to a timestamp: folded when both are constants and
// the interval has no calendar part, a call of exec's ts_add otherwise.
func (b *binder) addInterval(ts *scalar, iv interval) *scalar {
	if ts.kind == kindConst && !ts.datum.Null && iv.months == 0 && iv.days == 0 {
		v := ts.datum.GetI()
		if v != math.MaxInt64 && v != math.MinInt64 {
			return constScalar(&rpcpb.Datum{Type: uint32(coldata.Timestamptz), Value: &rpcpb.Datum_I{I: v + iv.us}})
		}
	}
	i64 := func(x int64) *scalar {
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Int64), Value: &rpcpb.Datum_I{I: x}})
	}
	return callScalar("ts_add", coldata.Timestamptz, ts, i64(iv.months), i64(iv.days), i64(iv.us), b.zoneConst())
}

// bindDateBin binds date_bin(stride, source, origin): the stride an
// interval of fixed length, in µs.
func (b *binder) bindDateBin(args []*scalar, loc int32) (*scalar, error) {
	if len(args) != 3 {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function date_bin with %d arguments does not exist", len(args)), loc)
	}
	stride := args[0]
	if stride.unknownLit && !stride.datum.Null {
		iv, err := parseInterval(stride.datum.GetS())
		if err != nil {
			return nil, errAt(sqlerr.As(err), loc)
		}
		stride = intervalScalar(iv)
	}
	if stride.typ != typeInterval {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "date_bin needs a constant interval stride"), loc)
	}
	if stride.iv.months != 0 {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years"), loc)
	}
	us := stride.iv.days*86400e6 + stride.iv.us
	if us <= 0 {
		return nil, errAt(sqlerr.New(sqlerr.DatetimeFieldOverflow, "stride must be greater than zero"), loc)
	}
	rest := []*scalar{constScalar(&rpcpb.Datum{Type: uint32(coldata.Int64), Value: &rpcpb.Datum_I{I: us}}), args[1], args[2]}
	return b.call("date_bin", rest, loc)
}

// bindIntervalCast reads a literal cast to interval.
func (b *binder) bindIntervalCast(arg *scalar, loc int32) (*scalar, error) {
	if !arg.unknownLit && arg.typ != coldata.Text || arg.kind != kindConst {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "only constant intervals are supported yet"), loc)
	}
	if arg.datum.Null {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "NULL intervals are not supported yet"), loc)
	}
	iv, err := parseInterval(arg.datum.GetS())
	if err != nil {
		return nil, errAt(sqlerr.As(err), loc)
	}
	return intervalScalar(iv), nil
}

// checkNoInterval refuses an interval that would reach a result, a
// comparison or a function.
func checkNoInterval(s *scalar, loc int32) error {
	bad := false
	s.walk(func(x *scalar) { bad = bad || x.typ == typeInterval })
	if bad {
		return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "interval values are not supported yet beyond timestamp arithmetic and date_bin"), loc)
	}
	return nil
}
