package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/armorlake/armorlake/export"
)

// machine describes where the benchmark ran.
type machine struct {
	cores                 int
	memory, cpu           string
	os, kernel, goVersion string
	load                  string
}

func (m machine) String() string {
	return fmt.Sprintf("%d cores (%s), %s memory, %s, kernel %s, %s; load average before the run %s",
		m.cores, m.cpu, m.memory, m.os, m.kernel, m.goVersion, m.load)
}

func describeMachine() machine {
	m := machine{cores: runtime.NumCPU(), cpu: "unknown CPU", os: "Linux", goVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.Join(strings.Fields(v), " ")
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		m.memory = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				m.os = strings.Trim(v, `"`)
			}
		}
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return m
}

// report is what one run measured.
type report struct {
	cfg      *config
	machine  machine
	started  time.Time
	export   export.Stats
	systems  []*system
	queries  []query
	results  [][]*outcome // [query][system]
	profiles []profileRun
}

// armorlakes, pg and duck index the systems by role (-1: not measured).
func (r *report) roles() (armorlakes []int, pg, duck int) {
	pg, duck = -1, -1
	for i, s := range r.systems {
		switch s.short {
		case "PostgreSQL":
			pg = i
		case "DuckDB":
			duck = i
		default:
			armorlakes = append(armorlakes, i)
		}
	}
	return armorlakes, pg, duck
}

// geomean is the geometric mean of a system's medians over the queries it
// answered.
func (r *report) geomean(si int) time.Duration {
	var sum float64
	var n int
	for qi := range r.queries {
		if d := r.results[qi][si].median(); d > 0 {
			sum += math.Log(float64(d))
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return time.Duration(math.Exp(sum / float64(n)))
}

func (r *report) disagreements() int {
	n := 0
	for qi := range r.queries {
		for _, o := range r.results[qi] {
			if !o.agrees {
				n++
			}
		}
	}
	return n
}

func ratio(num, den time.Duration) string {
	if num <= 0 || den <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", float64(num)/float64(den))
}

func mib(b int64) string { return thousands(b>>20) + " MiB" }

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// markdown renders the report as a section of docs/benchmarks.md.
func (r *report) markdown() string {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	arms, pg, duck := r.roles()
	p("Run of %s UTC. Machine: %s.\n\n", r.started.Format("2006-01-02 15:04"), r.machine)
	p("Command: `%s`\n\n", r.cfg.command)
	p("Dataset: %s simulator events (seed 1, %s, one day): %s alerts, %s logs, %s messages.\n",
		thousands(r.export.Events()), datasetStart.Format("2006-01-02"), thousands(r.export.Alerts), thousands(r.export.Logs), thousands(r.export.Messages))
	p("Each query ran once to warm up and to compare answers, then %d times on each system in turns; the medians of those runs are shown, in milliseconds, measured by a client on the same machine (pgx over loopback TCP for armorlake and PostgreSQL, database/sql in-process for DuckDB) up to the last row read.\n\n", r.cfg.runs)

	// Per-query medians and ratios.
	p("| query |")
	for _, s := range r.systems {
		p(" %s |", s.short)
	}
	for _, a := range arms {
		if pg >= 0 {
			p(" PostgreSQL ÷ %s |", r.systems[a].short)
		}
		if duck >= 0 {
			p(" DuckDB ÷ %s |", r.systems[a].short)
		}
	}
	p(" answers |\n|---|")
	cols := len(r.systems)
	for range arms {
		if pg >= 0 {
			cols++
		}
		if duck >= 0 {
			cols++
		}
	}
	p("%s---|\n", strings.Repeat("---:|", cols))
	ms := func(d time.Duration) string {
		if d <= 0 {
			return "error"
		}
		return strings.TrimSuffix(fmtDur(d), " ms")
	}
	for qi, q := range r.queries {
		p("| %s %s |", q.label, q.title)
		for si := range r.systems {
			p(" %s |", ms(r.results[qi][si].median()))
		}
		for _, a := range arms {
			am := r.results[qi][a].median()
			if pg >= 0 {
				p(" %s |", ratio(r.results[qi][pg].median(), am))
			}
			if duck >= 0 {
				p(" %s |", ratio(r.results[qi][duck].median(), am))
			}
		}
		var bad []string
		for si, s := range r.systems {
			if o := r.results[qi][si]; !o.agrees {
				msg := o.diff
				if o.err != nil {
					msg = o.err.Error()
				}
				bad = append(bad, s.short+": "+msg)
			}
		}
		if len(bad) == 0 {
			p(" agree |\n")
		} else {
			p(" **differ**: %s |\n", strings.ReplaceAll(strings.Join(bad, "; "), "|", "\\|"))
		}
	}
	p("| **geometric mean** |")
	for si := range r.systems {
		p(" **%s** |", ms(r.geomean(si)))
	}
	for _, a := range arms {
		if pg >= 0 {
			p(" **%s** |", ratio(r.geomean(pg), r.geomean(a)))
		}
		if duck >= 0 {
			p(" **%s** |", ratio(r.geomean(duck), r.geomean(a)))
		}
	}
	p(" |\n\n")

	// Load, storage and memory.
	p("| system | load | events/s | time to queryable | bytes/event stored | bytes/event, whole data directory | peak memory: load | peak memory: queries |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.systems {
		l := s.load
		n := float64(max(l.events, 1))
		p("| %s | %s | %s | %s | %.1f (%s) | %.1f | %s | %s |\n", s.name, l.how,
			thousands(int64(float64(l.events)/l.ingest.Seconds())), l.ready.Round(100*time.Millisecond),
			float64(l.bytes)/n, l.bytesHow, float64(l.disk)/n, mib(s.mem.load), mib(s.mem.queries))
	}
	p("\nEvents/s counts the events' arrival in the store or table: for armorlake from the first event a simulator generated (the simulators generate as the operators read, on the same two cores) to the last stored; for PostgreSQL the COPY statements alone, the CSV already written. Peak memory is the highest sum of the system's processes' proportional set sizes (PSS), sampled every 250 ms: PostgreSQL's shared buffers count once; armorlake's processes are the master (embedded etcd), the query node and the operators, not the simulators; DuckDB runs in the benchmark's own process, so its figure includes the benchmark's (a few tens of MiB). The operating system's page cache, which PostgreSQL and armorlake read their files through, is not counted. Bytes stored leave out write-ahead logs (Pebble's, PostgreSQL's pg_wal); the whole data directory counts every file as allocated on disk, logs included (PostgreSQL's pg_wal holds up to max_wal_size).\n\n")

	// Targets.
	if len(arms) > 0 {
		a := arms[0]
		al := r.systems[a]
		p("Targets (issue 8), %s:\n\n", al.name)
		target := func(what string, got float64, want float64, better string) {
			verdict := "**met**"
			if got < want {
				verdict = "**not met**"
			}
			p("- %s: %.2f× (target %s %.0f×): %s\n", what, got, better, want, verdict)
		}
		if pg >= 0 {
			target("queries, geometric mean, PostgreSQL ÷ armorlake", float64(r.geomean(pg))/float64(r.geomean(a)), 20, "≥")
		}
		if duck >= 0 {
			target("queries, geometric mean, DuckDB ÷ armorlake", float64(r.geomean(duck))/float64(r.geomean(a)), 1, "≥")
		}
		if pg >= 0 {
			ps := r.systems[pg]
			target("ingest, armorlake events/s ÷ PostgreSQL COPY events/s",
				(float64(al.load.events)/al.load.ingest.Seconds())/(float64(ps.load.events)/ps.load.ingest.Seconds()), 2, "≥")
			target("storage, PostgreSQL bytes stored ÷ armorlake bytes stored", float64(ps.load.bytes)/float64(max(al.load.bytes, 1)), 20, "≥")
			target("storage, whole data directories, PostgreSQL ÷ armorlake", float64(ps.load.disk)/float64(max(al.load.disk, 1)), 20, "≥")
		}
		p("\n")
	}
	if len(r.profiles) > 0 {
		p("CPU profiles (`--profiles`; `make bench` writes them to bin/profiles), each node profiled while the query ran in a loop for %s (`go tool pprof -top FILE`):\n\n", r.cfg.profileTime)
		for _, pr := range r.profiles {
			names := make([]string, len(pr.files))
			for i, f := range pr.files {
				names[i] = "`" + filepath.Base(f) + "`"
			}
			p("- %s on %s (%d runs): %s\n", pr.query, pr.system, pr.runs, strings.Join(names, ", "))
		}
		p("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// Markers delimit the section of docs/benchmarks.md this command owns.
const (
	sectionBegin = "<!-- begin: generated by test/bench/compare; edit the program, not this section -->"
	sectionEnd   = "<!-- end: generated by test/bench/compare -->"
)

// rewriteSection replaces the text between the markers in path with md.
func rewriteSection(path, md string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, sectionBegin), strings.Index(s, sectionEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no section between %q and %q", path, sectionBegin, sectionEnd)
	}
	s = s[:i+len(sectionBegin)] + "\n\n" + md + "\n" + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
