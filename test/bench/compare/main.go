// Command compare measures armorlake beside PostgreSQL and DuckDB on the
// same KubeArmor events, in one run on one machine.
//
// It generates a deterministic dataset with the simulator (seed 1, one
// day) and exports it as CSV; loads it into armorlake through the real
// ingest path (kubearmor-sim processes serving gRPC, operator processes
// pulling from them, a master and a query node: one topology per
// --operators entry), into PostgreSQL 15 with COPY (then the indexes a
// user would create and VACUUM ANALYZE) and into DuckDB in-process; runs
// every query of the standard set on each, checks that the answers agree
// with PostgreSQL's, and times warm runs, interleaved between the systems
// so that the machine's noise falls on all of them alike. It reports each
// system's median per query, armorlake's ratios, ingest rates, bytes per
// event on disk and peak memory, draws the medians as a PNG, saves CPU
// profiles of armorlake's slowest queries, and can rewrite its section of
// docs/benchmarks.md.
//
//	make bench                                    # 10M events, 1 and 3 operators
//	go -C test/bench/compare run . --events 1000000 --operators 1
//
// This is a Go module of its own so that DuckDB (a large cgo library) is
// not a dependency of armorlake's server.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/armorlake/armorlake/export"
	"github.com/armorlake/armorlake/sim"
)

//go:embed queries.sql
var standardQueries string

// datasetStart is the first instant of the dataset's day: the query set's
// time windows assume it.
var datasetStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

type config struct {
	events      int
	operators   []int
	runs        int
	binary      string
	dir         string
	queriesFile string
	report      string
	doc         string
	plot        string
	profiles    string
	profileTop  int
	profileTime time.Duration
	buffer      int
	blockCache  int
	postgres    bool
	duckdb      bool
	command     string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func parseFlags() (*config, error) {
	c := &config{}
	var ops string
	flag.IntVar(&c.events, "events", 10_000_000, "simulator events (seed 1, one day from 2026-11-01)")
	flag.StringVar(&ops, "operators", "1,3", "armorlake topologies to measure: a comma-separated list of operator counts")
	flag.IntVar(&c.runs, "runs", 5, "timed warm runs of each query on each system, after one warm-up (the median is reported)")
	flag.StringVar(&c.binary, "armorlake", "bin/armorlake", "the armorlake binary ('make build')")
	flag.StringVar(&c.dir, "dir", "", "working directory for the CSV files and every system's data (default: a temporary one, removed)")
	flag.StringVar(&c.queriesFile, "queries", "", "query file in the form of the standard set (default: the standard set, embedded)")
	flag.StringVar(&c.report, "report", "", "also write the markdown report to this file")
	flag.StringVar(&c.doc, "doc", "", "rewrite the generated section of this file (docs/benchmarks.md) with the report")
	flag.StringVar(&c.plot, "plot", "", "draw the per-query medians into this PNG file")
	flag.StringVar(&c.profiles, "profiles", "", "save CPU profiles of armorlake's slowest queries (every node) into this directory")
	flag.IntVar(&c.profileTop, "profile-top", 3, "how many of armorlake's slowest queries, relative to the fastest system, to profile")
	flag.DurationVar(&c.profileTime, "profile-time", 5*time.Second, "how long to profile each query, running it in a loop")
	flag.IntVar(&c.blockCache, "block-cache", 6144, "MiB of block cache for a topology's operators together (each operator gets its share): the memory PostgreSQL gets as shared_buffers, a quarter of this machine's")
	flag.IntVar(&c.buffer, "ingest-buffer", 1<<20, "each operator's --ingest-buffer: events received and not yet stored before it drops (the simulators send at full speed, a burst no KubeArmor daemon sends)")
	flag.BoolVar(&c.postgres, "postgres", true, "measure PostgreSQL (the answers' reference)")
	flag.BoolVar(&c.duckdb, "duckdb", true, "measure DuckDB")
	flag.StringVar(&c.command, "command", "", "the command to name in the report (default: this program's arguments)")
	flag.Parse()
	for _, s := range strings.Split(ops, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("--operators %q: want a list of counts between 1 and 64", ops)
		}
		c.operators = append(c.operators, n)
	}
	switch {
	case c.events < 1000:
		return nil, fmt.Errorf("--events %d: want at least 1000", c.events)
	case c.runs < 1:
		return nil, fmt.Errorf("--runs %d: want at least 1", c.runs)
	}
	if c.command == "" {
		c.command = "go -C test/bench/compare run . " + strings.Join(os.Args[1:], " ")
	}
	return c, nil
}

func run() error {
	c, err := parseFlags()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	text := standardQueries
	if c.queriesFile != "" {
		b, err := os.ReadFile(c.queriesFile)
		if err != nil {
			return err
		}
		text = string(b)
	}
	queries, err := parseQueries(text)
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.binary); err != nil {
		return fmt.Errorf("armorlake binary: %w (run 'make build')", err)
	}
	if c.binary, err = filepath.Abs(c.binary); err != nil {
		return err
	}
	dir := c.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "armorlake-compare"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m := describeMachine()
	started := time.Now().UTC()
	logf("machine: %s", m)

	// The dataset, as CSV for PostgreSQL and DuckDB. armorlake gets the
	// same sequence from simulators over gRPC.
	simCfg := sim.Config{Seed: 1, Count: c.events, Start: datasetStart, Span: 24 * time.Hour}
	csvDir := filepath.Join(dir, "csv")
	logf("exporting %d events as CSV to %s", c.events, csvDir)
	st, err := export.Run(ctx, export.Config{Sim: simCfg, Format: export.CSV, Path: csvDir})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	logf("exported in %s: %d alerts, %d logs, %d messages", st.Elapsed.Round(time.Millisecond), st.Alerts, st.Logs, st.Messages)

	mem := newMemSampler(250 * time.Millisecond)
	defer mem.stop()
	var systems []*system
	defer func() {
		for _, s := range slices.Backward(systems) {
			s.close()
		}
	}()
	for _, n := range c.operators {
		s, err := startArmorlake(ctx, c, dir, n, mem)
		if err != nil {
			return fmt.Errorf("armorlake, %d operators: %w", n, err)
		}
		systems = append(systems, s)
	}
	if c.postgres {
		s, err := startPostgres(ctx, csvDir, mem)
		if err != nil {
			return fmt.Errorf("PostgreSQL: %w", err)
		}
		systems = append(systems, s)
	}
	if c.duckdb {
		s, err := startDuckDB(ctx, csvDir, dir, mem)
		if err != nil {
			return fmt.Errorf("DuckDB: %w", err)
		}
		systems = append(systems, s)
	}

	mem.phase("queries")
	results, err := runQueries(ctx, systems, queries, c.runs)
	if err != nil {
		return err
	}
	for _, s := range systems {
		s.mem = mem.peaks(s.name)
	}
	var profiled []profileRun
	if c.profiles != "" {
		if profiled, err = profileSlowest(ctx, c, systems, results); err != nil {
			return fmt.Errorf("profiles: %w", err)
		}
	}

	rep := &report{cfg: c, machine: m, started: started, export: st, systems: systems, queries: queries, results: results, profiles: profiled}
	md := rep.markdown()
	fmt.Println()
	fmt.Println(md)
	if c.report != "" {
		if err := os.WriteFile(c.report, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if c.plot != "" {
		if err := drawPlot(c.plot, rep); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		logf("plot written to %s", c.plot)
	}
	if c.doc != "" {
		if err := rewriteSection(c.doc, md); err != nil {
			return err
		}
		logf("%s rewritten", c.doc)
	}
	if bad := rep.disagreements(); bad > 0 {
		return fmt.Errorf("%d answers disagree with PostgreSQL's (see the report)", bad)
	}
	return nil
}

// logf prints progress to stderr with the time of day.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
