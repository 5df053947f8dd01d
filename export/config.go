package export

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/armorlake/armorlake/sim"
)

// Format is an export file format.
type Format uint8

// The export formats (see the package documentation).
const (
	CSV   Format = iota + 1 // one PostgreSQL CSV file per table
	JSONL                   // one karmor-style JSON event per line
)

// ParseFormat parses a format name: "csv" or "jsonl".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "csv":
		return CSV, nil
	case "jsonl":
		return JSONL, nil
	}
	return 0, fmt.Errorf("unknown export format %q: want csv or jsonl", s)
}

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// Operator is the ingest_operator of every exported CSV row.
const Operator = "export"

// Config configures Run.
type Config struct {
	// Sim selects the events: exactly those a sim.Server with this
	// configuration sends. Sim.Count must be positive; Rate, the
	// subscriber settings and Logger are ignored, since nothing is served.
	// Set Sim.Start for reproducible output (sim.Config's default is an
	// hour boundary one span before now).
	Sim sim.Config
	// Format is CSV or JSONL. Required.
	Format Format
	// Path is, for CSV, the directory (created when missing) that receives
	// alerts.csv, logs.csv and messages.csv; for JSONL, the file.
	// Existing files of those names are replaced. Required.
	Path string
	// TimeZone is the zone timestamptz values are written in (CSV).
	// Default UTC.
	TimeZone *time.Location
	// BatchRows is the number of rows per table gathered before they are
	// formatted and written (CSV). Default 8192.
	BatchRows int
	// ProgressEvery is the number of events between two progress lines.
	// Default 1<<20.
	ProgressEvery int
	// Logger receives the progress lines and the summary. Default:
	// discard.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultBatchRows     = 8192
	DefaultProgressEvery = 1 << 20
)

// EnsureDefaults fills the zero fields with their defaults, the
// simulator's included (so that Sim.Start is known before Run).
func (c *Config) EnsureDefaults() {
	c.Sim.EnsureDefaults()
	if c.TimeZone == nil {
		c.TimeZone = time.UTC
	}
	if c.BatchRows == 0 {
		c.BatchRows = DefaultBatchRows
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = DefaultProgressEvery
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	if err := c.Sim.Validate(); err != nil {
		return err
	}
	switch {
	case c.Sim.Count <= 0:
		return errors.New("export config: a positive Sim.Count is needed: only count mode has a fixed set of events to export")
	case c.Format != CSV && c.Format != JSONL:
		return fmt.Errorf("export config: unknown Format %d", c.Format)
	case c.Path == "":
		return errors.New("export config: empty Path")
	case c.BatchRows < 0:
		return fmt.Errorf("export config: negative BatchRows %d", c.BatchRows)
	case c.ProgressEvery < 0:
		return fmt.Errorf("export config: negative ProgressEvery %d", c.ProgressEvery)
	}
	return nil
}
