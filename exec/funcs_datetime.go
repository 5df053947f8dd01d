package exec

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Date, timestamp without time zone and interval operations, in the
// binder's forms:
//
//	to_local(timestamptz, zone) timestamp     timestamptz AT TIME ZONE zone, ::timestamp
//	from_local(timestamp, zone) timestamptz   timestamp AT TIME ZONE zone, ::timestamptz
//	local_date(timestamp) date                ::date
//	date_local(date) timestamp                ::timestamp
//	ts_diff(a, b) interval                    timestamptz - timestamptz, timestamp - timestamp
//	date_diff(a, b) integer                   date - date
//	date_add_days(date, integer) date         date ± integer
//	ts_add_iv(timestamptz, interval, zone)    timestamptz ± interval (calendar in the zone)
//	local_add_iv(timestamp, interval)         timestamp ± interval
//	iv_add, iv_sub, iv_neg, iv_mul, iv_div    interval arithmetic
//	iv_part(unit, interval) float8 | numeric  date_part, extract of an interval
//
// A timestamp without time zone is wall-clock µs, which is a timestamptz
// read in UTC: date_trunc and extract of one run the timestamptz kernels
// in UTC.

var datetimeFuncs = []string{"to_local", "from_local", "local_date", "date_local", "ts_diff", "date_diff",
	"date_add_days", "ts_add_iv", "local_add_iv", "iv_add", "iv_sub", "iv_neg", "iv_mul", "iv_div", "iv_part", "iv_extract"}

func init() {
	for _, n := range datetimeFuncs {
		funcNames[n] = true
	}
}

func resolveDatetimeFunc(name string, args []coldata.Type) ([]coldata.Type, coldata.Type, bool) {
	n := len(args)
	is := func(ts ...coldata.Type) bool { return slices.Equal(args, ts) }
	switch name {
	case "to_local":
		return args, coldata.Timestamp, is(coldata.Timestamptz, coldata.Text)
	case "from_local":
		return args, coldata.Timestamptz, is(coldata.Timestamp, coldata.Text)
	case "local_date":
		return args, coldata.Date, is(coldata.Timestamp)
	case "date_local":
		return args, coldata.Timestamp, is(coldata.Date)
	case "ts_diff":
		return args, coldata.Interval, is(coldata.Timestamptz, coldata.Timestamptz) || is(coldata.Timestamp, coldata.Timestamp)
	case "date_diff":
		return args, coldata.Int32, is(coldata.Date, coldata.Date)
	case "date_add_days":
		return args, coldata.Date, is(coldata.Date, coldata.Int64)
	case "ts_add_iv":
		return args, coldata.Timestamptz, is(coldata.Timestamptz, coldata.Interval, coldata.Text)
	case "local_add_iv":
		return args, coldata.Timestamp, is(coldata.Timestamp, coldata.Interval)
	case "iv_add", "iv_sub":
		return args, coldata.Interval, is(coldata.Interval, coldata.Interval)
	case "iv_neg":
		return args, coldata.Interval, is(coldata.Interval)
	case "iv_mul", "iv_div":
		return args, coldata.Interval, is(coldata.Interval, coldata.Float64)
	case "iv_part", "iv_extract":
		result := coldata.Float64
		if name == "iv_extract" {
			result = coldata.Numeric
		}
		ok := n == 2 && (args[0] == coldata.Text || args[0] == coldata.Unknown) && args[1] == coldata.Interval
		return []coldata.Type{coldata.Text, coldata.Interval}, result, ok
	}
	return nil, coldata.Unknown, false
}

var errIntervalRange = sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")

func compileDatetimeFunc(e *funcExpr) error {
	ints := func(f func(in []*coldata.Vec, i int) (int64, error)) {
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
			for i := range n {
				e.out.Int64[i] = 0
				if e.null(i) {
					continue
				}
				x, err := f(in, i)
				if err != nil {
					return err
				}
				e.out.Int64[i] = x
			}
			return nil
		}
	}
	intervals := func(f func(in []*coldata.Vec, i int) (coldata.IntervalValue, error)) {
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			for i := range n {
				if e.null(i) {
					e.out.AppendInterval(coldata.IntervalValue{})
					continue
				}
				iv, err := f(in, i)
				if err != nil {
					return err
				}
				e.out.AppendInterval(iv)
			}
			return nil
		}
	}
	zones := zoneCache{}
	infinite := func(x int64) bool { return x == math.MaxInt64 || x == math.MinInt64 }
	switch e.name {
	case "to_local":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			us := in[0].Int64[i]
			if infinite(us) {
				return us, nil
			}
			loc, err := zones.get(in[1].Bytes.GetString(i))
			if err != nil {
				return 0, err
			}
			_, off := time.UnixMicro(us).In(loc).Zone()
			return us + int64(off)*1e6, nil
		})
	case "from_local":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			us := in[0].Int64[i]
			if infinite(us) {
				return us, nil
			}
			loc, err := zones.get(in[1].Bytes.GetString(i))
			if err != nil {
				return 0, err
			}
			sec := coldata.FloorDiv(us, 1e6)
			return coldata.LocalToUnix(sec, loc)*1e6 + (us - sec*1e6), nil
		})
	case "local_date":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			us := in[0].Int64[i]
			if infinite(us) {
				return us, nil
			}
			return coldata.FloorDiv(us, 86400e6), nil
		})
	case "date_local":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			d := in[0].Int64[i]
			if infinite(d) {
				return d, nil
			}
			return d * 86400e6, nil
		})
	case "date_diff":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			a, b := in[0].Int64[i], in[1].Int64[i]
			if infinite(a) || infinite(b) {
				return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "cannot subtract infinite dates")
			}
			return a - b, nil
		})
	case "date_add_days":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			d, k := in[0].Int64[i], in[1].Int64[i]
			if infinite(d) {
				return d, nil
			}
			r := d + k
			if (k > 0 && r < d) || (k < 0 && r > d) || r > 2147483647-2451545 || r < -2451545-2440588 {
				return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range")
			}
			return r, nil
		})
	case "ts_add_iv":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			us := in[0].Int64[i]
			if infinite(us) {
				return us, nil
			}
			loc, err := zones.get(in[2].Bytes.GetString(i))
			if err != nil {
				return 0, err
			}
			iv := in[1].IntervalAt(i)
			r, ok := addInterval(us, int64(iv.Months), int64(iv.Days), iv.Micros, loc)
			if !ok {
				return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
			}
			return r, nil
		})
	case "local_add_iv":
		ints(func(in []*coldata.Vec, i int) (int64, error) {
			us := in[0].Int64[i]
			if infinite(us) {
				return us, nil
			}
			iv := in[1].IntervalAt(i)
			r, ok := addInterval(us, int64(iv.Months), int64(iv.Days), iv.Micros, time.UTC)
			if !ok {
				return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
			}
			return r, nil
		})
	case "ts_diff":
		intervals(func(in []*coldata.Vec, i int) (coldata.IntervalValue, error) {
			a, b := in[0].Int64[i], in[1].Int64[i]
			if infinite(a) || infinite(b) {
				return coldata.IntervalValue{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "cannot subtract infinite timestamps")
			}
			d := a - b
			if (b < 0 && d < a) || (b > 0 && d > a) {
				return coldata.IntervalValue{}, errIntervalRange
			}
			// interval_justify_hours: whole days out of the time.
			return coldata.IntervalValue{Days: int32(d / 86400e6), Micros: d % 86400e6}, nil
		})
	case "iv_add", "iv_sub":
		sub := e.name == "iv_sub"
		intervals(func(in []*coldata.Vec, i int) (coldata.IntervalValue, error) {
			a, b := in[0].IntervalAt(i), in[1].IntervalAt(i)
			if sub {
				if b.Months == math.MinInt32 || b.Days == math.MinInt32 || b.Micros == math.MinInt64 {
					return coldata.IntervalValue{}, errIntervalRange
				}
				b = coldata.IntervalValue{Months: -b.Months, Days: -b.Days, Micros: -b.Micros}
			}
			return addIntervals(a, b)
		})
	case "iv_neg":
		intervals(func(in []*coldata.Vec, i int) (coldata.IntervalValue, error) {
			a := in[0].IntervalAt(i)
			if a.Months == math.MinInt32 || a.Days == math.MinInt32 || a.Micros == math.MinInt64 {
				return coldata.IntervalValue{}, errIntervalRange
			}
			return coldata.IntervalValue{Months: -a.Months, Days: -a.Days, Micros: -a.Micros}, nil
		})
	case "iv_mul", "iv_div":
		div := e.name == "iv_div"
		intervals(func(in []*coldata.Vec, i int) (coldata.IntervalValue, error) {
			f := in[1].Float64[i]
			if div {
				if f == 0 {
					return coldata.IntervalValue{}, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
				}
				return intervalDiv(in[0].IntervalAt(i), f)
			}
			return intervalMul(in[0].IntervalAt(i), f)
		})
	case "iv_part", "iv_extract":
		unitName, err := constText(e, 0, "unit")
		if err != nil {
			return err
		}
		unit, ok := timeUnits[unitName]
		if !ok {
			return sqlerr.New(sqlerr.InvalidParameterValue, "unit %q not recognized for type interval", unitName)
		}
		switch unit {
		case unitDow, unitIsodow, unitDoy, unitIsoyear, unitTimezone, unitTimezoneHour, unitTimezoneMinute, unitJulian, unitWeek:
			return sqlerr.New(sqlerr.FeatureNotSupported, "unit %q not supported for type interval", unitName)
		}
		numeric := e.name == "iv_extract"
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			if !numeric {
				e.out.Float64 = slices.Grow(e.out.Float64[:0], n)[:n]
			}
			for i := range n {
				if e.null(i) {
					if numeric {
						e.out.Bytes.Append(nil)
					} else {
						e.out.Float64[i] = 0
					}
					continue
				}
				// The field as an exact decimal: unscaled µs-based value
				// and its scale.
				u, scale := intervalField(in[1].IntervalAt(i), unit)
				if numeric {
					e.out.Bytes.AppendString(coldata.FormatScaledInt(u, scale))
				} else {
					f, _ := strconv.ParseFloat(coldata.FormatScaledInt(u, scale), 64)
					e.out.Float64[i] = f
				}
			}
			return nil
		}
	default:
		return sqlerr.New(sqlerr.UndefinedFunction, "function %s is not supported by this node", e.name)
	}
	return nil
}

// zoneCache loads time zones by name, once each.
type zoneCache map[string]*time.Location

func (z zoneCache) get(name string) (*time.Location, error) {
	if loc, ok := z[name]; ok {
		return loc, nil
	}
	loc, _, err := coldata.LoadTimeZone(name)
	if err != nil {
		return nil, err
	}
	if len(z) > 100 {
		clear(z)
	}
	z[name] = loc
	return loc, nil
}

func addIntervals(a, b coldata.IntervalValue) (coldata.IntervalValue, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) || (b.Micros > 0 && us < a.Micros) || (b.Micros < 0 && us > a.Micros) {
		return coldata.IntervalValue{}, errIntervalRange
	}
	return coldata.IntervalValue{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// tsRound rounds to PostgreSQL's TS_PREC_INV (µs) precision.
func tsRound(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }

// intervalMul is PostgreSQL's interval_mul: fractional months spill into
// days of 30, fractional days into seconds.
func intervalMul(span coldata.IntervalValue, factor float64) (coldata.IntervalValue, error) {
	months := float64(span.Months) * factor
	days := float64(span.Days) * factor
	if math.IsNaN(factor) || months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 {
		return coldata.IntervalValue{}, errIntervalRange
	}
	r := coldata.IntervalValue{Months: int32(months), Days: int32(days)}
	monthRemainderDays := tsRound((float64(span.Months)*factor - float64(r.Months)) * 30)
	secRemainder := tsRound((float64(span.Days)*factor - float64(r.Days) + monthRemainderDays - math.Trunc(monthRemainderDays)) * 86400)
	if math.Abs(secRemainder) >= 86400 {
		r.Days += int32(secRemainder / 86400)
		secRemainder -= math.Trunc(secRemainder/86400) * 86400
	}
	r.Days += int32(monthRemainderDays)
	us := math.RoundToEven(float64(span.Micros)*factor + secRemainder*1e6)
	if math.IsNaN(us) || us >= math.MaxInt64 || us < math.MinInt64 {
		return coldata.IntervalValue{}, errIntervalRange
	}
	r.Micros = int64(us)
	return r, nil
}

// intervalDiv is PostgreSQL's interval_div.
func intervalDiv(span coldata.IntervalValue, factor float64) (coldata.IntervalValue, error) {
	months := float64(span.Months) / factor
	days := float64(span.Days) / factor
	if math.IsNaN(factor) || months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 {
		return coldata.IntervalValue{}, errIntervalRange
	}
	r := coldata.IntervalValue{Months: int32(months), Days: int32(days)}
	monthRemainderDays := tsRound((float64(span.Months)/factor - float64(r.Months)) * 30)
	secRemainder := tsRound((float64(span.Days)/factor - float64(r.Days) + monthRemainderDays - math.Trunc(monthRemainderDays)) * 86400)
	if math.Abs(secRemainder) >= 86400 {
		r.Days += int32(secRemainder / 86400)
		secRemainder -= math.Trunc(secRemainder/86400) * 86400
	}
	r.Days += int32(monthRemainderDays)
	us := math.RoundToEven(float64(span.Micros)/factor + secRemainder*1e6)
	if math.IsNaN(us) || us >= math.MaxInt64 || us < math.MinInt64 {
		return coldata.IntervalValue{}, errIntervalRange
	}
	r.Micros = int64(us)
	return r, nil
}

// intervalField is PostgreSQL's interval_part: the field as an unscaled
// decimal and its scale.
func intervalField(iv coldata.IntervalValue, unit timeUnit) (int64, int) {
	year, mon := int64(iv.Months/12), int64(iv.Months%12)
	t := iv.Micros
	hour := t / 3600e6
	t -= hour * 3600e6
	minute := t / 60e6
	t -= minute * 60e6 // seconds and µs within the minute
	switch unit {
	case unitMicroseconds:
		return t, 0
	case unitMilliseconds:
		return t, 3
	case unitSecond:
		return t, 6
	case unitMinute:
		return minute, 0
	case unitHour:
		return hour, 0
	case unitDay:
		return int64(iv.Days), 0
	case unitMonth:
		return mon, 0
	case unitQuarter:
		return mon/3 + 1, 0
	case unitYear:
		return year, 0
	case unitDecade:
		return year / 10, 0
	case unitCentury:
		return year / 100, 0
	case unitMillennium:
		return year / 1000, 0
	case unitEpoch:
		// µs, a year as 365.25 days and a month as 30.
		us := iv.Micros + int64(iv.Days)*86400e6 + year*31557600e6 + mon*30*86400e6
		return us, 6
	}
	return 0, 0
}
