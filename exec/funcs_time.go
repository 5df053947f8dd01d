package exec

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Time functions work in a time zone given as their last argument: the
// planner passes the session's TimeZone, as PostgreSQL computes
// date_trunc and extract of a timestamptz in the session's zone. The
// unit and the zone must be constants.

// timeUnit is a date_trunc or extract unit.
type timeUnit uint8

const (
	unitMicroseconds timeUnit = iota
	unitMilliseconds
	unitSecond
	unitMinute
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitQuarter
	unitYear
	unitDecade
	unitCentury
	unitMillennium
	unitEpoch
	unitDow
	unitIsodow
	unitDoy
	unitIsoyear
	unitTimezone
	unitTimezoneHour
	unitTimezoneMinute
	unitJulian
)

var timeUnits = map[string]timeUnit{
	"microseconds": unitMicroseconds, "microsecond": unitMicroseconds, "us": unitMicroseconds, "usec": unitMicroseconds, "usecs": unitMicroseconds,
	"milliseconds": unitMilliseconds, "millisecond": unitMilliseconds, "ms": unitMilliseconds, "msec": unitMilliseconds, "msecs": unitMilliseconds,
	"second": unitSecond, "seconds": unitSecond, "sec": unitSecond, "secs": unitSecond, "s": unitSecond,
	"minute": unitMinute, "minutes": unitMinute, "min": unitMinute, "mins": unitMinute, "m": unitMinute,
	"hour": unitHour, "hours": unitHour, "hr": unitHour, "hrs": unitHour, "h": unitHour,
	"day": unitDay, "days": unitDay, "d": unitDay,
	"week": unitWeek, "weeks": unitWeek, "w": unitWeek,
	"month": unitMonth, "months": unitMonth, "mon": unitMonth, "mons": unitMonth,
	"quarter": unitQuarter, "qtr": unitQuarter,
	"year": unitYear, "years": unitYear, "yr": unitYear, "yrs": unitYear, "y": unitYear,
	"decade": unitDecade, "decades": unitDecade, "dec": unitDecade, "decs": unitDecade,
	"century": unitCentury, "centuries": unitCentury, "cent": unitCentury,
	"millennium": unitMillennium, "millennia": unitMillennium, "mil": unitMillennium, "mils": unitMillennium,
	"epoch": unitEpoch, "dow": unitDow, "isodow": unitIsodow, "doy": unitDoy, "isoyear": unitIsoyear,
	"timezone": unitTimezone, "timezone_h": unitTimezoneHour, "timezone_hour": unitTimezoneHour,
	"timezone_m": unitTimezoneMinute, "timezone_minute": unitTimezoneMinute, "julian": unitJulian,
}

// constText returns the text of constant argument k, or an error naming
// what must be constant.
func constText(e *funcExpr, k int, what string) (string, error) {
	c := e.consts[k]
	if c == nil {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "%s: the %s must be a constant", e.name, what)
	}
	if c.IsNull(0) {
		return "", nil
	}
	return c.Bytes.GetString(0), nil
}

func compileTimeFunc(e *funcExpr) error {
	switch e.name {
	case "ts_text":
		zone, err := constText(e, 1, "time zone")
		if err != nil {
			return err
		}
		loc, _, err := coldata.LoadTimeZone(zone)
		if err != nil {
			return err
		}
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			return coldata.AppendTimestamptz(dst, in[0].Int64[i], loc), nil
		})
		return nil
	case "ts_add":
		zone, err := constText(e, 4, "time zone")
		if err != nil {
			return err
		}
		loc, _, err := coldata.LoadTimeZone(zone)
		if err != nil {
			return err
		}
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
			for i := range n {
				us := in[0].Int64[i]
				e.out.Int64[i] = us
				if e.null(i) || us == math.MaxInt64 || us == math.MinInt64 {
					continue
				}
				r, ok := addInterval(us, in[1].Int64[i], in[2].Int64[i], in[3].Int64[i], loc)
				if !ok {
					return sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
				}
				e.out.Int64[i] = r
			}
			return nil
		}
		return nil
	case "date_bin":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
			for i := range n {
				e.out.Int64[i] = 0
				if e.null(i) {
					continue
				}
				stride, ts, origin := in[0].Int64[i], in[1].Int64[i], in[2].Int64[i]
				if ts == math.MaxInt64 || ts == math.MinInt64 || origin == math.MaxInt64 || origin == math.MinInt64 {
					return sqlerr.New(sqlerr.FeatureNotSupported, "timestamps cannot be binned into infinite intervals")
				}
				e.out.Int64[i] = origin + floorDiv(ts-origin, stride)*stride
			}
			return nil
		}
		return nil
	}
	if e.name == "epoch_div_floor" {
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			out := slices.Grow(e.out.Int64[:0], n)[:n]
			e.out.Int64 = out
			xs, ds := in[0].Int64[:n], in[1].Int64[:n]
			nulls := e.out.Nulls.Any()
			var lastD, lastQ, lo, hi int64 // lastD 0: no quotient yet
			for i, us := range xs {
				// Rows of one bucket come in runs: the last quotient
				// holds for every value of its bucket short of the few
				// µs before the next that EpochDivFloor rounds apart.
				d := ds[i]
				if d == lastD && us >= lo && us < hi && !(nulls && e.null(i)) {
					out[i] = lastQ
					continue
				}
				out[i] = 0
				if e.null(i) {
					continue
				}
				q, err := EpochDivFloor(us, d)
				if err != nil {
					return err
				}
				out[i] = q
				lastD, lastQ = d, q
				if lo, hi = q*d, q*d+d-d/2_000_000; us < lo || us >= hi {
					lastD = 0 // the rounded case: no run
				}
			}
			return nil
		}
		return nil
	}
	if e.name == "to_timestamp" {
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
			for i, x := range in[0].Float64[:n] {
				if e.null(i) {
					e.out.Int64[i] = 0
					continue
				}
				switch {
				case math.IsNaN(x):
					return sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp cannot be NaN")
				case math.IsInf(x, 1):
					e.out.Int64[i] = math.MaxInt64
				case math.IsInf(x, -1):
					e.out.Int64[i] = math.MinInt64
				default:
					us := math.Round(x * 1e6)
					// PostgreSQL's range: 4713 BC to 294276 AD.
					if us < -210866803200e6 || us >= 9224318016000e6 {
						return sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%g\"", x)
					}
					e.out.Int64[i] = int64(us)
				}
			}
			return nil
		}
		return nil
	}
	unitName, err := constText(e, 0, "unit")
	if err != nil {
		return err
	}
	zone, err := constText(e, 2, "time zone")
	if err != nil {
		return err
	}
	loc, _, err := coldata.LoadTimeZone(zone)
	if err != nil {
		return err
	}
	if e.consts[0].IsNull(0) || e.consts[2].IsNull(0) {
		// A NULL unit or zone: every row NULL.
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			for range n {
				e.out.AppendNull()
			}
			return nil
		}
		return nil
	}
	unit, ok := timeUnits[strings.ToLower(unitName)]
	if e.name == "date_trunc" {
		if !ok || unit > unitMillennium {
			return sqlerr.New(sqlerr.InvalidParameterValue, "unit %q not recognized for type timestamp with time zone", unitName)
		}
		// In UTC, units up to a day are fixed numbers of µs.
		width := int64(0)
		if loc == time.UTC {
			width = map[timeUnit]int64{unitSecond: 1e6, unitMinute: 60e6, unitHour: 3600e6, unitDay: 86400e6}[unit]
		}
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			out := slices.Grow(e.out.Int64[:0], n)[:n]
			e.out.Int64 = out
			// A block's rows come in runs within one bucket: the last
			// bucket, [lo, hi), is reused without dividing. (A NULL
			// row's value may fall in it; its result is NULL anyway.)
			lo, hi := int64(1), int64(0)
			for i, us := range in[1].Int64[:n] {
				if us >= lo && us < hi {
					out[i] = lo
					continue
				}
				out[i] = us
				if e.null(i) || us == math.MaxInt64 || us == math.MinInt64 {
					continue // infinities stay
				}
				if width > 0 {
					b := floorDiv(us, width) * width
					out[i] = b
					if b <= math.MaxInt64-width {
						lo, hi = b, b+width
					}
				} else {
					out[i] = truncTime(us, unit, loc)
				}
			}
			return nil
		}
		return nil
	}
	if !ok || unit == unitJulian {
		return sqlerr.New(sqlerr.InvalidParameterValue, "unit %q not recognized for type timestamp with time zone", unitName)
	}
	numeric := e.name == "extract"
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		if !numeric {
			e.out.Float64 = slices.Grow(e.out.Float64[:0], n)[:n]
		}
		for i, us := range in[1].Int64[:n] {
			if e.null(i) {
				if numeric {
					e.out.Bytes.Append(nil)
				} else {
					e.out.Float64[i] = 0
				}
				continue
			}
			whole, frac, scale := extractField(us, unit, loc)
			if numeric {
				e.buf = appendScaled(e.buf[:0], whole, frac, scale)
				e.out.Bytes.Append(e.buf)
			} else {
				e.out.Float64[i] = float64(whole) + float64(frac)/math.Pow10(scale)
			}
		}
		return nil
	}
	return nil
}

// truncTime truncates a timestamp to a unit in loc's wall time.
func truncTime(us int64, unit timeUnit, loc *time.Location) int64 {
	switch unit {
	case unitMicroseconds:
		return us
	case unitMilliseconds:
		return floorDiv(us, 1000) * 1000
	}
	t := time.UnixMicro(us).In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	switch unit {
	case unitSecond:
		return floorDiv(us, 1e6) * 1e6
	case unitMinute:
		s = 0
	case unitHour:
		mi, s = 0, 0
	case unitDay:
		h, mi, s = 0, 0, 0
	case unitWeek:
		// Back to Monday.
		wd := (int(t.Weekday()) + 6) % 7
		d -= wd
		h, mi, s = 0, 0, 0
	case unitMonth:
		d, h, mi, s = 1, 0, 0, 0
	case unitQuarter:
		mo = (mo-1)/3*3 + 1
		d, h, mi, s = 1, 0, 0, 0
	case unitYear:
		mo, d, h, mi, s = 1, 1, 0, 0, 0
	case unitDecade:
		y = floorDivInt(y, 10) * 10
		mo, d, h, mi, s = 1, 1, 0, 0, 0
	case unitCentury:
		y = centuryStart(y)
		mo, d, h, mi, s = 1, 1, 0, 0, 0
	case unitMillennium:
		y = millenniumStart(y)
		mo, d, h, mi, s = 1, 1, 0, 0, 0
	}
	return time.Date(y, mo, d, h, mi, s, 0, loc).UnixMicro()
}

func centuryStart(y int) int {
	if y > 0 {
		return (y-1)/100*100 + 1
	}
	return -((99-(y-1))/100)*100 + 1
}

func millenniumStart(y int) int {
	if y > 0 {
		return (y-1)/1000*1000 + 1
	}
	return -((999-(y-1))/1000)*1000 + 1
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorDivInt(a, b int) int { return int(floorDiv(int64(a), int64(b))) }

// extractField returns a field of a timestamp in loc's wall time as
// whole + frac/10^scale, the way PostgreSQL's extract prints it.
func extractField(us int64, unit timeUnit, loc *time.Location) (whole, frac int64, scale int) {
	if unit == unitEpoch {
		return floorDiv(us, 1e6), us - floorDiv(us, 1e6)*1e6, 6
	}
	t := time.UnixMicro(us).In(loc)
	micros := int64(t.Nanosecond() / 1000)
	_, off := t.Zone()
	switch unit {
	case unitMicroseconds:
		return int64(t.Second())*1e6 + micros, 0, 0
	case unitMilliseconds:
		return int64(t.Second())*1000 + micros/1000, micros % 1000, 3
	case unitSecond:
		return int64(t.Second()), micros, 6
	case unitMinute:
		return int64(t.Minute()), 0, 0
	case unitHour:
		return int64(t.Hour()), 0, 0
	case unitDay:
		return int64(t.Day()), 0, 0
	case unitWeek:
		_, w := t.ISOWeek()
		return int64(w), 0, 0
	case unitMonth:
		return int64(t.Month()), 0, 0
	case unitQuarter:
		return int64((t.Month()-1)/3 + 1), 0, 0
	case unitYear:
		return int64(t.Year()), 0, 0
	case unitDecade:
		return floorDiv(int64(t.Year()), 10), 0, 0
	case unitCentury:
		y := t.Year()
		if y > 0 {
			return int64((y + 99) / 100), 0, 0
		}
		return -int64((99 - (y - 1)) / 100), 0, 0
	case unitMillennium:
		y := t.Year()
		if y > 0 {
			return int64((y + 999) / 1000), 0, 0
		}
		return -int64((999 - (y - 1)) / 1000), 0, 0
	case unitDow:
		return int64(t.Weekday()), 0, 0
	case unitIsodow:
		return int64((int(t.Weekday())+6)%7 + 1), 0, 0
	case unitDoy:
		return int64(t.YearDay()), 0, 0
	case unitIsoyear:
		y, _ := t.ISOWeek()
		return int64(y), 0, 0
	case unitTimezone:
		return int64(off), 0, 0
	case unitTimezoneHour:
		return int64(off / 3600), 0, 0
	case unitTimezoneMinute:
		return int64(off % 3600 / 60), 0, 0
	}
	return 0, 0, 0
}

// EpochDivFloor is floor(extract(epoch from us) / (d / 10^6)) as
// PostgreSQL computes it in numeric, for a divisor d of whole seconds in
// µs: extract gives us / 10^6 at scale 6, the division rounds half away
// from zero at select_div_scale's scale (at least 6 decimals here), and
// floor rounds that down. The integer floor of us / d is the answer
// unless the quotient lies so close below the next integer that the
// division's rounding reaches it: then the numeric computation decides,
// which happens for at most one µs value in 2·10^6 of each divisor.
func EpochDivFloor(us, d int64) (int64, error) {
	if d <= 0 || d%1_000_000 != 0 {
		return 0, sqlerr.New(sqlerr.InternalError, "epoch_div_floor: divisor %d µs is not a positive number of seconds", d)
	}
	if us == math.MaxInt64 || us == math.MinInt64 {
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "numeric Infinity is not supported yet")
	}
	q := floorDiv(us, d)
	r := us - q*d
	// Rounding at 6 or more decimals moves the quotient up only when
	// (d - r) / d <= 0.5·10^-6.
	if r == 0 || d-r > d/2_000_000 {
		return q, nil
	}
	res, err := numericOp('/', decimal{big.NewInt(us), 6}, decimal{big.NewInt(d / 1_000_000), 0})
	if err != nil {
		return 0, err
	}
	f := numericRound(res, 0, "floor")
	if !f.u.IsInt64() {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
	}
	return f.u.Int64(), nil
}

// appendScaled appends whole + frac/10^scale as a numeric with exactly
// scale decimals (frac has the sign of whole, or is non-negative when the
// value was floored: epoch).
func appendScaled(dst []byte, whole, frac int64, scale int) []byte {
	if scale == 0 {
		return strconv.AppendInt(dst, whole, 10)
	}
	// epoch floors: -1.5 s is whole -2, frac 500000; print -1.500000.
	neg := whole < 0
	if neg && frac > 0 {
		whole++
		frac = int64(math.Pow10(scale)) - frac
	}
	if neg {
		dst = append(dst, '-')
		whole = -whole
	}
	dst = strconv.AppendInt(dst, whole, 10)
	dst = append(dst, '.')
	digits := strconv.FormatInt(frac, 10)
	for k := len(digits); k < scale; k++ {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

// addInterval adds months and days by the calendar in loc (the day of
// the month clamped to the month's length, the wall-clock time kept
// across daylight saving changes, as PostgreSQL does), then µs as
// elapsed time.
func addInterval(us, months, days, micros int64, loc *time.Location) (int64, bool) {
	if months != 0 || days != 0 {
		t := time.UnixMicro(us).In(loc)
		y, m, d := t.Date()
		h, mi, s := t.Clock()
		total := int64(y)*12 + int64(m-1) + months
		y, m = int(floorDiv(total, 12)), time.Month(total-floorDiv(total, 12)*12+1)
		if last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
			d = last
		}
		us = time.Date(y, m, d+int(days), h, mi, s, t.Nanosecond(), loc).UnixMicro()
	}
	r := us + micros
	if (micros > 0 && r < us) || (micros < 0 && r > us) {
		return 0, false
	}
	return r, true
}
