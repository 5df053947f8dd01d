package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Config configures a Generator and a Server. The zero value is valid
// after EnsureDefaults: a continuous stream of 100 events/s from seed 1.
//
// The generated sequence is a pure function of Seed, Start, Span and Count
// in count mode (Count > 0). In continuous mode (Count == 0) the content is
// still a function of Seed, but event times come from the wall clock.
type Config struct {
	// Seed selects the simulated fleet and the event sequence. Default 1
	// (so 0 cannot be chosen as a seed).
	Seed int64
	// Start is the time of the first event in count mode. Default: the
	// current time truncated to the hour, minus Span. Set it explicitly
	// for reproducible output.
	Start time.Time
	// Span is the interval over which count mode spreads its events
	// evenly: event i's time lies in [Start, Start+Span). Default 24h.
	Span time.Duration
	// Count is the number of events to emit in total, after which the
	// server stops generating but keeps its streams open. 0 means
	// continuous mode: events are generated until the context ends and
	// carry wall-clock times.
	Count int
	// Part and Parts split a count-mode sequence between servers: with
	// Parts > 1 the server sends only the events whose index i (from 0)
	// has i mod Parts == Part, so Parts servers with Part 0 … Parts-1 and
	// the same Seed, Start, Span and Count send every event of one
	// sequence exactly once between them. Rate paces the whole sequence.
	// Default: the whole sequence.
	Part, Parts int
	// Rate is the emission rate in events per second. 0 in count mode
	// means unpaced: as fast as the generator runs, and, with Lossless,
	// as fast as the slowest subscriber takes them. Default 100 in
	// continuous mode.
	Rate float64
	// WaitForSubscribers holds emission back until at least one
	// WatchAlerts and one WatchLogs subscriber are connected. Events are
	// never replayed, so without it a client that connects late misses
	// the first events, as with real KubeArmor.
	WaitForSubscribers bool
	// WaitForMessages, with WaitForSubscribers, also waits for one
	// WatchMessages subscriber, so that a client of all three streams
	// can receive an exact count.
	WaitForMessages bool
	// Lossless makes the server block on a full subscriber queue instead
	// of dropping the event. Real KubeArmor drops; tests that need exact
	// counts set it.
	Lossless bool
	// TLSCertFile and TLSKeyFile are the server's PEM certificate (with
	// its chain) and private key: set both to serve TLS, as KubeArmor
	// does when its TLS is on. Default: plaintext. See ServerOptions.
	TLSCertFile, TLSKeyFile string
	// TLSClientCAFile is a PEM bundle of CA certificates: when set,
	// clients must present a certificate signed by one of them (mutual
	// TLS). Needs TLSCertFile.
	TLSClientCAFile string
	// Logger receives the server's few log lines. Default: discard.
	Logger *slog.Logger
}

// DefaultRate is the continuous-mode rate when Config.Rate is 0, in
// events per second.
const DefaultRate = 100

// EnsureDefaults fills the zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Span == 0 {
		c.Span = 24 * time.Hour
	}
	if c.Start.IsZero() {
		c.Start = time.Now().Truncate(time.Hour).Add(-c.Span)
	}
	if c.Count == 0 && c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Count < 0:
		return fmt.Errorf("sim config: negative Count %d", c.Count)
	case c.Rate < 0:
		return fmt.Errorf("sim config: negative Rate %g", c.Rate)
	case c.Span < 0:
		return fmt.Errorf("sim config: negative Span %s", c.Span)
	case c.Count > 0 && c.Span > 0 && c.Span < time.Microsecond:
		return errors.New("sim config: Span below one microsecond")
	case c.Parts < 0 || c.Part < 0 || (c.Parts > 0 && c.Part >= c.Parts) || (c.Parts == 0 && c.Part != 0):
		return fmt.Errorf("sim config: part %d of %d: want 0 <= Part < Parts", c.Part, c.Parts)
	case c.Parts > 1 && c.Count == 0:
		return errors.New("sim config: Parts needs a Count: only a fixed sequence can be split")
	case c.WaitForMessages && !c.WaitForSubscribers:
		return errors.New("sim config: WaitForMessages needs WaitForSubscribers")
	case (c.TLSCertFile == "") != (c.TLSKeyFile == ""):
		return errors.New("sim config: TLSCertFile and TLSKeyFile must be given together")
	case c.TLSClientCAFile != "" && c.TLSCertFile == "":
		return errors.New("sim config: TLSClientCAFile needs TLSCertFile")
	}
	return nil
}
