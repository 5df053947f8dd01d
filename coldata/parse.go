package coldata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTimestamptz parses text the way PostgreSQL's timestamptz input does
// for the ISO forms clients send: "2026-11-01", "2026-11-01 06:00:00",
// "2026-11-01T06:00:00.123456Z", with an optional zone ("Z", "UTC",
// "+05", "+05:30", "-0800", or a zone name after a space). Text without a
// zone is read in loc (UTC when nil). The result is µs since the Unix
// epoch.
func ParseTimestamptz(s string, loc *time.Location) (int64, error) {
	if loc == nil {
		loc = time.UTC
	}
	bad := func() (int64, error) {
		return 0, fmt.Errorf("invalid input syntax for type timestamp with time zone: %q", s)
	}
	in := strings.TrimSpace(s)
	switch strings.ToLower(in) {
	case "epoch":
		return 0, nil
	}
	if len(in) < 10 || in[4] != '-' || in[7] != '-' {
		return bad()
	}
	year, err1 := strconv.Atoi(in[0:4])
	month, err2 := strconv.Atoi(in[5:7])
	day, err3 := strconv.Atoi(in[8:10])
	if err1 != nil || err2 != nil || err3 != nil {
		return bad()
	}
	rest := in[10:]
	var hour, minute, sec, micro int
	if len(rest) > 0 && (rest[0] == 'T' || rest[0] == 't' || rest[0] == ' ') && len(rest) >= 6 && rest[3] == ':' {
		t := rest[1:]
		h, e1 := strconv.Atoi(t[0:2])
		m, e2 := strconv.Atoi(t[3:5])
		if e1 != nil || e2 != nil {
			return bad()
		}
		hour, minute = h, m
		t = t[5:]
		if len(t) >= 3 && t[0] == ':' {
			sv, e := strconv.Atoi(t[1:3])
			if e != nil {
				return bad()
			}
			sec = sv
			t = t[3:]
			if len(t) > 0 && t[0] == '.' {
				j := 1
				for j < len(t) && t[j] >= '0' && t[j] <= '9' {
					j++
				}
				frac := t[1:j]
				if frac == "" {
					return bad()
				}
				// Round to microseconds, as PostgreSQL does.
				digits := (frac + "0000000")[:7]
				n, _ := strconv.Atoi(digits)
				micro = (n + 5) / 10
				t = t[j:]
			}
		}
		rest = t
	}
	zone := strings.TrimSpace(rest)
	var at time.Time
	base := func(l *time.Location) time.Time {
		return time.Date(year, time.Month(month), day, hour, minute, sec, 0, l)
	}
	switch {
	case zone == "":
		at = base(loc)
	case zone == "Z" || zone == "z" || strings.EqualFold(zone, "UTC") || strings.EqualFold(zone, "GMT"):
		at = base(time.UTC)
	case zone[0] == '+' || zone[0] == '-':
		off, ok := parseOffset(zone[1:])
		if !ok {
			return bad()
		}
		if zone[0] == '-' {
			off = -off
		}
		at = base(time.FixedZone("", off))
	default:
		l, err := time.LoadLocation(zone)
		if err != nil {
			return bad()
		}
		at = base(l)
	}
	if at.Month() != time.Month(month) || at.Day() != day || hour > 24 || minute > 59 || sec > 60 {
		return 0, fmt.Errorf("date/time field value out of range: %q", s)
	}
	return at.UnixMicro() + int64(micro), nil
}

// parseOffset reads "05", "05:30", "0530" or "05:30:15" as seconds.
func parseOffset(s string) (int, bool) {
	s = strings.ReplaceAll(s, ":", "")
	if len(s) != 2 && len(s) != 4 && len(s) != 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i += 2 {
		v, err := strconv.Atoi(s[i : i+2])
		if err != nil {
			return 0, false
		}
		n = n*60 + v
	}
	for i := len(s); i < 6; i += 2 {
		n *= 60
	}
	return n, true
}
