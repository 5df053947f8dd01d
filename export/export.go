package export

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/armorlake/armorlake/sim"
)

// writer is one format's output. write takes the events in generation
// order; close completes the output and makes it visible; abort, after a
// failure, removes what was written.
type writer interface {
	write(e sim.Event) error
	close() error
	abort()
}

// Stats counts what Run exported.
type Stats struct {
	Alerts, Logs, Messages int64
	// Elapsed is the time from the first event generated to the output
	// complete.
	Elapsed time.Duration
}

// Events returns the number of events exported.
func (s Stats) Events() int64 { return s.Alerts + s.Logs + s.Messages }

// EventsPerSecond returns the export's throughput.
func (s Stats) EventsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Events()) / s.Elapsed.Seconds()
}

// Run generates cfg.Sim.Count events, exactly those a sim.Server with
// cfg.Sim sends, and writes them to cfg.Path in cfg.Format (defaults
// applied to a copy of cfg). It stops at the first error or when ctx
// ends, removing its partial output; files of the final names appear only
// when complete.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return Stats{}, err
	}
	var w writer
	var err error
	switch cfg.Format {
	case CSV:
		if err := os.MkdirAll(cfg.Path, 0o755); err != nil {
			return Stats{}, fmt.Errorf("create export directory: %w", err)
		}
		w, err = newCSVWriter(cfg.Path, cfg.BatchRows, cfg.TimeZone)
	case JSONL:
		w, err = newJSONLWriter(cfg.Path)
	}
	if err != nil {
		return Stats{}, err
	}
	start := time.Now()
	st, err := generate(ctx, cfg, w, start)
	if err == nil {
		err = w.close()
	}
	if err != nil {
		w.abort()
		return st, err
	}
	st.Elapsed = time.Since(start)
	cfg.Logger.Info("export done", "format", cfg.Format, "path", cfg.Path,
		"alerts", st.Alerts, "logs", st.Logs, "messages", st.Messages,
		"elapsed", st.Elapsed.Round(time.Millisecond), "events_per_s", int64(st.EventsPerSecond()))
	return st, nil
}

// chunkEvents is the number of events the generator hands over at once.
const chunkEvents = 1024

// generate feeds the generator's events to w, checking ctx once a chunk
// and reporting progress every cfg.ProgressEvery events. The generator
// runs in a goroutine of its own, a few chunks ahead, so that on two
// cores generating overlaps mapping and writing.
func generate(ctx context.Context, cfg Config, w writer, start time.Time) (Stats, error) {
	var st Stats
	count := cfg.Sim.Count
	chunks := make(chan []sim.Event, 2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(chunks)
		g := sim.NewGenerator(cfg.Sim)
		for left := count; left > 0; {
			chunk := make([]sim.Event, min(left, chunkEvents))
			for i := range chunk {
				chunk[i] = g.Next()
			}
			left -= len(chunk)
			select {
			case chunks <- chunk:
			case <-stop:
				return
			}
		}
	})
	defer wg.Wait()
	defer close(stop)

	n := 0
	for chunk := range chunks {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("export stopped after %d of %d events: %w", n, count, err)
		}
		for _, e := range chunk {
			switch {
			case e.Alert != nil:
				st.Alerts++
			case e.Log != nil:
				st.Logs++
			default:
				st.Messages++
			}
			if err := w.write(e); err != nil {
				return st, err
			}
			if n++; n%cfg.ProgressEvery == 0 && n < count {
				elapsed := time.Since(start)
				cfg.Logger.Info("export progress", "events", n, "of", count,
					"percent", n*100/count, "events_per_s", int64(float64(n)/elapsed.Seconds()))
			}
		}
	}
	return st, nil
}
