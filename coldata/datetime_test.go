package coldata

import (
	"testing"
	"time"
)

func TestParseTimestamptz(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	ref := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC).UnixMicro()
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want int64
	}{
		{"2026-11-01 06:00:00+00", nil, ref},
		{"2026-11-01T06:00:00Z", nil, ref},
		{"2026-11-01 06:00:00", nil, ref},
		{"2026-11-01 11:30:00+05:30", nil, ref},
		{"2026-11-01 01:00:00-0500", nil, ref},
		{"2026-11-02 01:00:00", ny, ref + 24*3600*1000000},
		{"2026-11-01T06:00:00.000001Z", nil, ref + 1},
		{"2026-11-01T06:00:00.9999995Z", nil, ref + 1000000},
		{"2026-11-01T23:59:59.999Z", nil, ref + (18*3600-1)*1000000 + 999000},
		{"2026-11-01", nil, ref - 6*3600*1000000},
		{"2026-11-01 06:00:00 UTC", nil, ref},
		// Around transitions, as PostgreSQL resolves them: a repeated
		// hour takes the later offset, a skipped one the earlier.
		{"2026-11-01 01:30:00", ny, ref + 30*60*1000000},
		{"2026-11-01 00:30:00", ny, ref - 90*60*1000000},
		{"2026-03-08 02:30:00", ny, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC).UnixMicro()},
	} {
		got, err := ParseTimestamptz(c.in, c.loc)
		if err != nil || got != c.want {
			t.Errorf("%q: got %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "yesterday-ish", "2026-13-01", "2026-02-30", "2026-11-01 25:00"} {
		if _, err := ParseTimestamptz(bad, nil); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
