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
	simProfile := flag.String("sim-cpuprofile", "", "write a CPU profile of the simulator process to this file")
	slow := flag.Duration("slow-storage", 0, "delay added to every store append")
	flushRows := flag.Int("flush-rows", ingest.DefaultFlushRows, "rows per table before a flush")
	buffer := flag.Int("buffer", ingest.DefaultBufferEvents, "events received and not yet stored before the ingester drops")
	window := flag.Int("stream-window", ingest.DefaultStreamWindow, "HTTP/2 flow-control window of each stream, bytes")
	rate := flag.Float64("rate", 0, "events per second the simulator sends (0: as fast as the operator reads)")
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

	simArgs := []string{"kubearmor-sim", "--listen", addr, "--count", fmt.Sprint(*events),
		"--seed", "1", "--start", "2026-11-01T00:00:00Z", "--span", "24h",
		"--wait-subscribers", "--lossless", "--log-level", "warn"}
	if *rate > 0 {
		simArgs = append(simArgs, "--rate", fmt.Sprint(*rate))
	}
	sim := exec.Command(*binary, simArgs...)
	sim.Stderr = os.Stderr
	if *simProfile != "" {
		sim.Env = append(os.Environ(), "ARMORLAKE_CPUPROFILE="+*simProfile)
	}
	if err := sim.Start(); err != nil {
		return fmt.Errorf("start simulator (build it with 'make build'): %w", err)
	}
	simDone := make(chan error, 1)
	go func() { simDone <- sim.Wait() }()
	defer func() {
		sim.Process.Signal(os.Interrupt)
		<-simDone
	}()

	// Wait until the simulator listens, so that the ingester's first
	// dial does not fail and back off.
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("simulator did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

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
		OperatorID: "bench", FlushRows: *flushRows, BufferEvents: *buffer, StreamWindow: int32(*window),
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
	var opCPU0, simCPU0 time.Duration
	lastReport := time.Now()
	total := int64(*events)
	for {
		st := in.Stats()[0]
		if first.IsZero() && st.Received > 0 {
			first = time.Now()
			opCPU0, simCPU0 = cpuTime(os.Getpid()), cpuTime(sim.Process.Pid)
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
	opCPU, simCPU := cpuTime(os.Getpid())-opCPU0, cpuTime(sim.Process.Pid)-simCPU0
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
	perEvent := func(d time.Duration) string {
		return fmt.Sprintf("%.2f µs/event (%.2f cores)", float64(d.Microseconds())/float64(max(st.Stored, 1)), d.Seconds()/elapsed.Seconds())
	}
	fmt.Printf("CPU, operator:   %s\n", perEvent(opCPU))
	fmt.Printf("CPU, simulator:  %s\n", perEvent(simCPU))
	fmt.Printf("peak RSS:        %s (operator process)\n", peakRSS())
	fmt.Printf("machine:         %d cores, %s\n", runtime.NumCPU(), cpuModel())
	return nil
}

// cpuTime is the user plus system CPU time pid has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: split after its ')'.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
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
