package coldata

import (
	"math"
	"strings"
	"time"

	"github.com/armorlake/armorlake/sqlerr"
)

// maxTimestampYear is the last year PostgreSQL's timestamptz holds.
const maxTimestampYear = 294276

// ParseTimestamptz parses timestamptz input in the forms clients send:
//
//	2026-11-01                          midnight in the session zone
//	2026-11-01 06:00[:00[.123456]]      wall-clock time in the session zone
//	2026-11-01T06:00:00Z                RFC 3339, with T or t or spaces
//	... +05 / +05:30 / +0530 / -03:00:00 / Z / UTC / Europe/Berlin
//	infinity, -infinity, epoch
//
// A nil loc means UTC. Fractions past microseconds round half to even, as PostgreSQL does.
// Errors carry PostgreSQL's codes: 22007 for bad syntax, 22008 for a field
// out of range, 22023 for an unknown zone.
func ParseTimestamptz(s string, loc *time.Location) (int64, error) {
	if loc == nil {
		loc = time.UTC
	}
	syntax := func() (int64, error) {
		return 0, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type timestamp with time zone: %q", s)
	}
	outOfRange := func() (int64, error) {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: %q", s)
	}
	str := trimInputSpace(s)
	switch strings.ToLower(str) {
	case "infinity", "+infinity":
		return math.MaxInt64, nil
	case "-infinity":
		return math.MinInt64, nil
	case "epoch":
		return 0, nil
	}
	p := 0
	// num reads between lo and hi digits; ok is false when there are
	// fewer than lo.
	num := func(lo, hi int) (v int, ok bool) {
		start := p
		for p < len(str) && p-start < hi && str[p] >= '0' && str[p] <= '9' {
			v = v*10 + int(str[p]-'0')
			p++
		}
		return v, p-start >= lo
	}
	lit := func(c byte) bool {
		if p < len(str) && str[p] == c {
			p++
			return true
		}
		return false
	}
	year, ok1 := num(4, 6)
	ok2 := lit('-')
	month, ok3 := num(1, 2)
	ok4 := lit('-')
	day, ok5 := num(1, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return syntax()
	}
	var hour, minute, sec, usec int
	if p < len(str) && (str[p] == 'T' || str[p] == 't' || str[p] == ' ') {
		q := p + 1
		for q < len(str) && str[q] == ' ' {
			q++
		}
		if q < len(str) && str[q] >= '0' && str[q] <= '9' {
			p = q
			var okH, okM bool
			hour, okH = num(1, 2)
			if !okH || !lit(':') {
				return syntax()
			}
			if minute, okM = num(2, 2); !okM {
				return syntax()
			}
			if lit(':') {
				var okS bool
				if sec, okS = num(2, 2); !okS {
					return syntax()
				}
				if lit('.') {
					start := p
					for p < len(str) && str[p] >= '0' && str[p] <= '9' {
						p++
					}
					if p == start {
						return syntax()
					}
					usec = roundMicros(str[start:p])
				}
			}
		} else if str[p] != ' ' {
			return syntax()
		}
	}
	for p < len(str) && str[p] == ' ' {
		p++
	}

	zone := loc
	offset, fixed := 0, false
	if p < len(str) {
		switch c := str[p]; {
		case c == '+' || c == '-':
			p++
			off, ok := parseOffset(str, &p)
			if !ok {
				return syntax()
			}
			if off > 15*3600+59*60+59 {
				return outOfRange()
			}
			if c == '-' {
				off = -off
			}
			offset, fixed = off, true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			name := strings.TrimRight(str[p:], " ")
			p = len(str)
			if !validZoneName(name) {
				return syntax()
			}
			z, _, err := LoadTimeZone(name)
			if err != nil {
				return 0, sqlerr.New(sqlerr.InvalidParameterValue, "time zone %q not recognized", name)
			}
			zone = z
		default:
			return syntax()
		}
	}
	for p < len(str) && str[p] == ' ' {
		p++
	}
	if p != len(str) {
		return syntax()
	}

	if year < 1 || year > maxTimestampYear || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || minute > 59 || sec > 60 ||
		hour > 24 || hour == 24 && (minute != 0 || sec != 0 || usec != 0) {
		return outOfRange()
	}
	var unix int64
	if fixed {
		unix = time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix() - int64(offset)
	} else {
		wall := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix()
		unix = LocalToUnix(wall, zone)
	}
	return unix*1_000_000 + int64(usec), nil
}

// LocalToUnix converts a wall-clock time in loc, given as seconds since
// the epoch as if loc were UTC, to Unix seconds. Around a transition it
// resolves as PostgreSQL does: a time skipped by a spring-forward gap
// takes the offset from before the transition, a time repeated by a
// fall-back overlap takes the offset from after it.
func LocalToUnix(wall int64, loc *time.Location) int64 {
	offsetAt := func(unix int64) int64 {
		_, off := time.Unix(unix, 0).In(loc).Zone()
		return int64(off)
	}
	before, after := offsetAt(wall-86400), offsetAt(wall+86400)
	if before == after {
		// No transition within a day: the one offset (checked, in case
		// the zone's rules changed just here).
		return wall - offsetAt(wall-before)
	}
	u1, u2 := wall-before, wall-after
	ok1, ok2 := offsetAt(u1) == before, offsetAt(u2) == after
	switch {
	case ok2:
		return u2
	case ok1:
		return u1
	}
	return u1
}

// parseOffset reads a UTC offset after its sign: hh, hh:mm, hh:mm:ss,
// hhmm or hhmmss. It returns seconds.
func parseOffset(s string, p *int) (int, bool) {
	start := *p
	for *p < len(s) && s[*p] >= '0' && s[*p] <= '9' {
		*p++
	}
	digits := s[start:*p]
	atoi := func(d string) int {
		v := 0
		for i := range len(d) {
			v = v*10 + int(d[i]-'0')
		}
		return v
	}
	var h, m, sec int
	switch len(digits) {
	case 1, 2:
		h = atoi(digits)
		// Up to two more ":dd" groups: minutes, then seconds.
		for _, part := range []*int{&m, &sec} {
			if *p >= len(s) || s[*p] != ':' {
				break
			}
			if *p+3 > len(s) || !isDigit(s[*p+1]) || !isDigit(s[*p+2]) {
				return 0, false
			}
			*part = atoi(s[*p+1 : *p+3])
			*p += 3
		}
	case 4:
		h, m = atoi(digits[:2]), atoi(digits[2:])
	case 6:
		h, m, sec = atoi(digits[:2]), atoi(digits[2:4]), atoi(digits[4:])
	default:
		return 0, false
	}
	if m > 59 || sec > 59 {
		return 0, false
	}
	return h*3600 + m*60 + sec, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// roundMicros converts fraction digits (after the point) to microseconds,
// rounding half to even.
func roundMicros(d string) int {
	us := 0
	for i := range 6 {
		us *= 10
		if i < len(d) {
			us += int(d[i] - '0')
		}
	}
	if len(d) > 6 {
		rest := d[6:]
		switch {
		case rest[0] > '5':
			us++
		case rest[0] == '5':
			if strings.Trim(rest[1:], "0") != "" || us%2 == 1 {
				us++
			}
		}
	}
	return us
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// trimInputSpace trims the white space PostgreSQL's input functions skip.
func trimInputSpace(s string) string {
	return strings.Trim(s, " \t\n\r\v\f")
}
