package planner

import (
	"math"
	"strconv"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Interval constants. An interval constant ('1 hour', interval '15
// minutes') starts in the binder, which folds it into what uses it where
// it can: ts ± interval becomes a timestamp addition in the session's
// time zone (months and days by the calendar, as PostgreSQL adds them;
// hours and below as elapsed time), date_bin takes its stride in µs, and
// interval arithmetic between constants is folded. One that reaches a
// result, a comparison or arithmetic with interval values is realized as
// a value of type interval (datetime.go).

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

// parseInterval reads PostgreSQL's interval input (coldata.ParseInterval).
func parseInterval(text string) (interval, error) {
	m, d, us, err := coldata.ParseInterval(text)
	return interval{m, d, us}, err
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
		if op == "-" && l.typ == coldata.Timestamptz && r.unknownLit {
			if err := b.settle(r, coldata.Timestamptz); err != nil {
				return nil, true, errAt(sqlerr.As(err), loc)
			}
		}
		return b.datetimeArith(op, l, r, loc)
	}
	// What cannot be folded runs over interval values.
	notSupported := func() (*scalar, bool, error) { return b.datetimeArith(op, l, r, loc) }
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
	if arg.typ == typeInterval || arg.typ == coldata.Interval && !arg.unknownLit {
		return arg, nil
	}
	if !arg.unknownLit && arg.typ != coldata.Text || arg.kind != kindConst {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "casts of %s to interval are not supported yet", arg.typ), loc)
	}
	if arg.datum.Null {
		return constScalar(nullDatum(coldata.Interval)), nil
	}
	iv, err := parseInterval(arg.datum.GetS())
	if err != nil {
		return nil, errAt(sqlerr.As(err), loc)
	}
	return intervalScalar(iv), nil
}
