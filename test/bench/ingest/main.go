// Command ingest measures sustained KubeArmor ingest: an
// `armorlake kubearmor-sim` process serves a fixed count of events over
// loopback gRPC, and an in-process operator pipeline (ingest client,
// columnar batches, durable Pebble store) takes them. It prints events/s,
// drops, bytes per event on disk and peak RSS, and can write a CPU
// profile.
//
//	go build -o bin/armorlake ./cmd/armorlake
//	go run ./test/bench/ingest --events 2000000 --cpuprofile ingest.prof
//
// --slow-storage adds a delay to every store append, to show that memory
// stays bounded (events are dropped and counted) when storage falls
// behind.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/storage"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ingest bench:", err)
		os.Exit(1)
	}
}

// slowSink delays every Append, standing in for a disk that falls behind.
type slowSink struct {
	store *storage.Store
	delay time.Duration
}

func (s slowSink) Append(t *schema.Table, b *coldata.Batch) error {
	time.Sleep(s.delay)
	return s.store.Append(t, b)
}

func run() error {
	events := flag.Int("events", 1_000_000, "events the simulator sends")
	binary := flag.String("armorlake", "bin/armorlake", "the armorlake binary that runs the simulator")
	dataDir := flag.String("data-dir", "", "store directory (default: a temporary one, removed after)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the operator side to this file")
	slow := flag.Duration("slow-storage", 0, "delay added to every store append")
	flushRows := flag.Int("flush-rows", ingest.DefaultFlushRows, "rows per table before a flush")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Parse()

	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "armorlake-bench-ingest")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()

	sim := exec.Command(*binary, "kubearmor-sim", "--listen", addr, "--count", fmt.Sprint(*events),
		"--seed", "1", "--start", "2026-11-01T00:00:00Z", "--span", "24h",
		"--wait-subscribers", "--lossless", "--log-level", "warn")
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		return fmt.Errorf("start simulator (build it with 'make build'): %w", err)
	}
	simDone := make(chan error, 1)
	go func() { simDone <- sim.Wait() }()
	defer func() {
		sim.Process.Signal(os.Interrupt)
		<-simDone
	}()

	store, err := storage.Open(storage.Options{Dir: filepath.Join(dir, "store")})
	if err != nil {
		return err
	}
	defer store.Close()
	var sink ingest.Sink = store
	if *slow > 0 {
		sink = slowSink{store: store, delay: *slow}
	}
	in, err := ingest.New(ingest.Config{
		OperatorID: "bench", FlushRows: *flushRows,
		Endpoints: []ingest.Endpoint{{Addr: addr, Messages: true}},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}, sink)
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { done <- in.Run(runCtx) }()

	var first time.Time
	lastReport := time.Now()
	total := int64(*events)
	for {
		st := in.Stats()[0]
		if first.IsZero() && st.Received > 0 {
			first = time.Now()
		}
		if st.Stored+st.Dropped >= total {
			break
		}
		select {
		case err := <-simDone:
			simDone <- err
			stop()
			return fmt.Errorf("simulator exited: %v", err)
		default:
		}
		if ctx.Err() != nil {
			stop()
			return fmt.Errorf("timed out: received %d, stored %d, dropped %d of %d", st.Received, st.Stored, st.Dropped, total)
		}
		if time.Since(lastReport) >= 5*time.Second {
			fmt.Fprintf(os.Stderr, "  %d/%d stored, %d dropped\n", st.Stored, total, st.Dropped)
			lastReport = time.Now()
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(first)
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	st := in.Stats()[0]
	var bytes, rows int64
	for _, t := range schema.KubeArmor() {
		s := store.Stats(t.Name)
		bytes += s.Bytes
		rows += s.Rows
	}
	fmt.Printf("events:          %d (stored %d, dropped %d)\n", total, st.Stored, st.Dropped)
	fmt.Printf("elapsed:         %s (first event received to last stored)\n", elapsed.Round(time.Millisecond))
	fmt.Printf("ingest rate:     %.0f events/s\n", float64(st.Stored)/elapsed.Seconds())
	fmt.Printf("encoded size:    %.1f bytes/event (before Pebble's own compression)\n", float64(bytes)/float64(max(rows, 1)))
	fmt.Printf("peak RSS:        %s (operator process)\n", peakRSS())
	fmt.Printf("machine:         %d cores, %s\n", runtime.NumCPU(), cpuModel())
	return nil
}

// peakRSS reads the process's high-water resident set size.
func peakRSS() string {
	return procField("/proc/self/status", "VmHWM:")
}

func cpuModel() string { return procField("/proc/cpuinfo", "model name") }

func procField(path, prefix string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, prefix) {
			v := strings.TrimSpace(strings.TrimPrefix(line, prefix))
			return strings.TrimSpace(strings.TrimPrefix(v, ":"))
		}
	}
	return "unknown"
}
