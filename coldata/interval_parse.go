package coldata

import (
	"math"
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/sqlerr"
)

// intervalUnits maps PostgreSQL's interval unit words to months, days or
// microseconds per unit.
var intervalUnits = map[string]intervalParts{
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

// ParseInterval reads PostgreSQL's interval input: "1 hour", "2 days 3
// hours", "-15 minutes", "1.5 hours", "01:30:00", "1 day 02:00:00", "@ 1
// hour ago", into months, days and µs (as wide integers: the caller
// checks they fit). Errors carry SQLSTATE 22007.
func ParseInterval(text string) (months, days, us int64, err error) {
	iv, err := parseInterval(text)
	return iv.months, iv.days, iv.us, err
}

// intervalParts is an interval being read, in wide integers.
type intervalParts struct{ months, days, us int64 }

func parseInterval(text string) (intervalParts, error) {
	invalid := sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: %q", text)
	fields := strings.Fields(strings.ToLower(strings.TrimSpace(text)))
	var iv intervalParts
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
		iv = intervalParts{-iv.months, -iv.days, -iv.us}
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
