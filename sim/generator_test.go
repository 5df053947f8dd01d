package sim

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testStart = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

func encodeEvent(t *testing.T, e Event) string {
	t.Helper()
	n := 0
	for _, set := range []bool{e.Alert != nil, e.Log != nil, e.Message != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("event with %d fields set", n)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGeneratorDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Start: testStart, Span: time.Hour, Count: 20000}
	a, b := NewGenerator(cfg), NewGenerator(cfg)
	cfg.Seed = 43
	c := NewGenerator(cfg)
	differ := 0
	for i := range cfg.Count {
		ea, eb, ec := encodeEvent(t, a.Next()), encodeEvent(t, b.Next()), encodeEvent(t, c.Next())
		if ea != eb {
			t.Fatalf("event %d differs between equal configs:\n%s\n%s", i, ea, eb)
		}
		if ea != ec {
			differ++
		}
	}
	if differ < cfg.Count*99/100 {
		t.Errorf("seeds 42 and 43 share %d of %d events", cfg.Count-differ, cfg.Count)
	}
}

// stats summarizes a generated stream.
type stats struct {
	alerts, logs, messages, host int
	fileEvents, novelFiles       int // novel: path not seen in the previous hour
	pods, hosts, namespaces      map[string]bool
	exes, images                 map[string]bool
}

var (
	podNameRE   = regexp.MustCompile(`^[a-z0-9-]+-[bcdfghjklmnpqrstvwxz2456789]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$|^[a-z0-9-]+-[0-9]+$|^[a-z0-9-]+-[bcdfghjklmnpqrstvwxz2456789]{5}$`)
	hex64RE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	imageRE     = regexp.MustCompile(`^[a-zA-Z0-9._\-/:]+@sha256:[0-9a-f]{64}$`)
	lsmEnforcer = map[string]bool{"AppArmor": true, "BPFLSM": true, "SELinux": true}
)

// checkCountMode generates cfg.Count events and checks the invariants of
// every event, returning the summary.
func checkCountMode(t *testing.T, cfg Config) stats {
	t.Helper()
	g := NewGenerator(cfg)
	s := stats{pods: map[string]bool{}, hosts: map[string]bool{}, namespaces: map[string]bool{}, exes: map[string]bool{}, images: map[string]bool{}}
	startUs, endUs := cfg.Start.UnixMicro(), cfg.Start.Add(cfg.Span).UnixMicro()
	last := map[string]int64{}
	pathSeen := map[string]int64{}
	var equalTimes int
	checkTime := func(i int, host, updated string, ts int64) {
		tm, err := time.Parse("2006-01-02T15:04:05.000000Z", updated)
		if err != nil {
			t.Fatalf("event %d: UpdatedTime %q: %v", i, updated, err)
		}
		us := tm.UnixMicro()
		if us < startUs || us >= endUs {
			t.Fatalf("event %d: time %s outside [%s, %s)", i, updated, cfg.Start, cfg.Start.Add(cfg.Span))
		}
		if ts != tm.Unix() {
			t.Fatalf("event %d: Timestamp %d, UpdatedTime %s", i, ts, updated)
		}
		if prev, ok := last[host]; ok {
			if us < prev {
				t.Fatalf("event %d: host %s went back in time to %s", i, host, updated)
			}
			if us == prev {
				equalTimes++
			}
		}
		last[host] = us
		s.hosts[host] = true
	}
	checkWorkload := func(i int, ns, pod, cid, image string) {
		if pod == "" {
			s.host++
			if ns != "" || cid != "" {
				t.Fatalf("event %d: host event with namespace %q container %q", i, ns, cid)
			}
			return
		}
		s.pods[pod] = true
		s.namespaces[ns] = true
		if !podNameRE.MatchString(pod) {
			t.Fatalf("event %d: pod name %q", i, pod)
		}
		if !hex64RE.MatchString(cid) {
			t.Fatalf("event %d: container ID %q", i, cid)
		}
		if !imageRE.MatchString(image) {
			t.Fatalf("event %d: image %q", i, image)
		}
		s.images[image] = true
	}
	for i := range cfg.Count {
		e := g.Next()
		switch {
		case e.Alert != nil:
			a := e.Alert
			s.alerts++
			checkTime(i, a.HostName, a.UpdatedTime, a.Timestamp)
			checkWorkload(i, a.NamespaceName, a.PodName, a.ContainerID, a.ContainerImage)
			s.exes[a.ProcessName] = true
			if a.Severity != "" {
				if n, err := strconv.Atoi(a.Severity); err != nil || n < 1 || n > 10 {
					t.Fatalf("event %d: severity %q", i, a.Severity)
				}
			}
			if a.Tags != strings.Join(a.ATags, ",") {
				t.Fatalf("event %d: Tags %q, ATags %q", i, a.Tags, a.ATags)
			}
			switch {
			case a.Action == "Block" && lsmEnforcer[a.Enforcer]:
				if a.Result != "Permission denied" && a.Result != "Operation not permitted" {
					t.Fatalf("event %d: blocked by %s with result %q", i, a.Enforcer, a.Result)
				}
			case a.Action == "Audit", a.Action == "Audit (Block)", a.Action == "Allow":
				if a.Result != "Passed" {
					t.Fatalf("event %d: %s with result %q", i, a.Action, a.Result)
				}
			}
			if a.Type == "SystemEvent" && (a.Operation != "AlertThreshold" || a.MaxAlertsPerSec == 0) {
				t.Fatalf("event %d: system event %+v", i, a)
			}
		case e.Log != nil:
			l := e.Log
			s.logs++
			checkTime(i, l.HostName, l.UpdatedTime, l.Timestamp)
			checkWorkload(i, l.NamespaceName, l.PodName, l.ContainerID, l.ContainerImage)
			s.exes[l.ProcessName] = true
			if (l.Type == "HostLog") != (l.PodName == "") {
				t.Fatalf("event %d: %s with pod %q", i, l.Type, l.PodName)
			}
			if l.Operation == "File" {
				s.fileEvents++
				us := last[l.HostName]
				if seen, ok := pathSeen[l.Resource]; !ok || us-seen > time.Hour.Microseconds() {
					s.novelFiles++
				}
				pathSeen[l.Resource] = us
			}
			if l.Source == "" || l.ProcessName == "" || l.Operation == "" || l.NodeID == "" {
				t.Fatalf("event %d: incomplete log %+v", i, l)
			}
		default:
			m := e.Message
			s.messages++
			s.host++
			checkTime(i, m.HostName, m.UpdatedTime, m.Timestamp)
			if m.HostIP == "" || m.Message == "" || m.Level == "" {
				t.Fatalf("event %d: incomplete message %+v", i, m)
			}
		}
	}
	// Times repeat only when the span is too short to separate events.
	if cfg.Span >= time.Duration(cfg.Count)*time.Millisecond && equalTimes > cfg.Count/1000 {
		t.Errorf("%d events share their host's previous time", equalTimes)
	}
	return s
}

func TestGeneratorCountMode(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run("seed"+strconv.FormatInt(seed, 10), func(t *testing.T) {
			cfg := Config{Seed: seed, Start: testStart, Span: 24 * time.Hour, Count: 100_000}
			s := checkCountMode(t, cfg)
			frac := func(n int) float64 { return float64(n) / float64(cfg.Count) }
			checks := []struct {
				what   string
				got    float64
				lo, hi float64
			}{
				{"alert share", frac(s.alerts), 0.03, 0.10},
				{"log share", frac(s.logs), 0.90, 0.97},
				{"message share", frac(s.messages), 0.0001, 0.005},
				{"host event share", frac(s.host), 0.05, 0.20},
				{"distinct pods", float64(len(s.pods)), 200, 1000},
				{"hosts", float64(len(s.hosts)), 10, 50},
				{"namespaces", float64(len(s.namespaces)), 10, 30},
				{"executables", float64(len(s.exes)), 100, 500},
				{"images", float64(len(s.images)), 50, 200},
				{"novel file path share", float64(s.novelFiles) / float64(s.fileEvents), 0.10, 0.5},
			}
			for _, c := range checks {
				if c.got < c.lo || c.got > c.hi {
					t.Errorf("%s = %g, want in [%g, %g]", c.what, c.got, c.lo, c.hi)
				}
			}
		})
	}
}

func TestGeneratorShortSpanStaysInRange(t *testing.T) {
	checkCountMode(t, Config{Seed: 9, Start: testStart, Span: 10 * time.Millisecond, Count: 5000})
}

func TestGeneratorContinuousUsesWallClock(t *testing.T) {
	g := NewGenerator(Config{Seed: 5})
	before := time.Now().Add(-time.Second)
	for range 1000 {
		e := g.Next()
		var updated string
		switch {
		case e.Alert != nil:
			updated = e.Alert.UpdatedTime
		case e.Log != nil:
			updated = e.Log.UpdatedTime
		default:
			updated = e.Message.UpdatedTime
		}
		tm, err := time.Parse(time.RFC3339Nano, updated)
		if err != nil {
			t.Fatal(err)
		}
		if tm.Before(before) || tm.After(time.Now().Add(time.Second)) {
			t.Fatalf("continuous-mode time %s not near now", updated)
		}
	}
}

func TestAppendUpdatedTime(t *testing.T) {
	const layout = "2006-01-02T15:04:05.000000Z"
	cases := []time.Time{
		time.Unix(0, 0), time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 1000, time.UTC), time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999000, time.UTC),
	}
	g := NewGenerator(Config{Seed: 1})
	for range 10000 {
		cases = append(cases, time.UnixMicro(g.r.Int64N(4e15)-1e15).UTC())
	}
	for _, tm := range cases {
		want := tm.Format(layout)
		if got := string(appendUpdatedTime(nil, tm.UnixMicro())); got != want {
			t.Fatalf("appendUpdatedTime(%d) = %s, want %s", tm.UnixMicro(), got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{Count: -1}, {Rate: -1}, {Span: -time.Second}, {WaitForMessages: true}} {
		c.EnsureDefaults()
		if c.Validate() == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	var c Config
	c.EnsureDefaults()
	if err := c.Validate(); err != nil || c.Rate != DefaultRate || c.Seed != 1 || c.Span != 24*time.Hour {
		t.Errorf("defaults %+v: %v", c, err)
	}
}

func BenchmarkGeneratorNext(b *testing.B) {
	g := NewGenerator(Config{Seed: 1, Start: testStart, Count: 1 << 30})
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}
