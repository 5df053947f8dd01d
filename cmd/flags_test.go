package cmd

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want map[string]time.Duration
		err  string
	}{
		{in: "", want: map[string]time.Duration{}},
		{in: "14d", want: map[string]time.Duration{"alerts": 14 * day, "logs": 14 * day, "messages": 14 * day}},
		{in: "logs=72h, alerts=30d", want: map[string]time.Duration{"logs": 72 * time.Hour, "alerts": 30 * day}},
		{in: "7d,logs=1h", want: map[string]time.Duration{"alerts": 7 * day, "logs": time.Hour, "messages": 7 * day}},
		{in: "events=1h", err: `no table "events"`},
		{in: "logs=-1h", err: "not positive"},
		{in: "logs=0s", err: "not positive"},
		{in: "twod", err: "not a number of days"},
		{in: "logs=soon", err: "invalid duration"},
	} {
		got, err := parseRetention(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case !maps.Equal(got, tc.want):
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
	}
}

// kubearmor-sim refuses a --part it cannot serve before it listens.
func TestSimPartFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--part", "4/3", "--count", "10"}, "want K/N"},
		{[]string{"--part", "0/3", "--count", "10"}, "want K/N"},
		{[]string{"--part", "three", "--count", "10"}, "want K/N"},
		{[]string{"--part", "2/3"}, "Parts needs a Count"},
		{[]string{"--part", "2/3", "--count", "10", "--export", "csv", "--export-file", t.TempDir()}, "--export writes the whole sequence"},
	} {
		var out strings.Builder
		err := runSim(t.Context(), append(tc.args, "--listen", "127.0.0.1:0", "--http-listen", ""), &out, &out)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("kubearmor-sim %s: %v, want an error containing %q", strings.Join(tc.args, " "), err, tc.err)
		}
	}
}
