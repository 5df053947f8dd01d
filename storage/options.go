package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of Options.
const (
	DefaultPartitionWidth = time.Hour
	DefaultMaxBlockRows   = 8192
	DefaultCacheSize      = 64 << 20
	DefaultMemTableSize   = 32 << 20
)

// Options configures a Store. The zero value of every field but Dir means
// its default; EnsureDefaults fills them in and Validate checks the result.
type Options struct {
	// Dir is the directory of the store's Pebble database, created when
	// missing. Required.
	Dir string

	// PartitionWidth is the width of a time partition: every block holds
	// rows of one partition, [start, start+PartitionWidth) with start a
	// multiple of the width since the Unix epoch. A whole number of
	// seconds, at least one. It is fixed when the store is created:
	// opening a store with another width is an error. Default 1h.
	PartitionWidth time.Duration

	// MaxBlockRows caps the rows of one block: an Append of more rows to
	// one partition writes several blocks. Larger blocks compress better
	// and cost less per row to scan; an Iterator returns at most one block
	// per batch. At most 65536. Default 8192.
	MaxBlockRows int

	// CacheSize is the memory in bytes that keeps what scans read for
	// the next scan: three quarters are Pebble's block cache (blocks of
	// the sorted files), a quarter decompressed column chunks. Pebble's
	// memtables (MemTableSize) come on top. Default 64 MiB.
	CacheSize int64

	// MemTableSize is the size of one Pebble memtable in bytes; up to two
	// are in memory at once. Between 1 MiB and 1 GiB. Default 32 MiB.
	MemTableSize int64

	// Logger receives the store's own messages and Pebble's, at debug
	// level except for warnings and errors. Default: discard.
	Logger *slog.Logger
}

// EnsureDefaults sets every unset field but Dir to its default.
func (o *Options) EnsureDefaults() {
	if o.PartitionWidth == 0 {
		o.PartitionWidth = DefaultPartitionWidth
	}
	if o.MaxBlockRows == 0 {
		o.MaxBlockRows = DefaultMaxBlockRows
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate checks the options once defaults are set.
func (o *Options) Validate() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("storage directory not set"))
	}
	if o.PartitionWidth < time.Second || o.PartitionWidth%time.Second != 0 {
		errs = append(errs, fmt.Errorf("partition width %s not a whole number of seconds", o.PartitionWidth))
	}
	if o.MaxBlockRows < 1 || o.MaxBlockRows > maxBlockRows {
		errs = append(errs, fmt.Errorf("max block rows %d outside [1, %d]", o.MaxBlockRows, maxBlockRows))
	}
	if o.CacheSize < 0 {
		errs = append(errs, fmt.Errorf("cache size %d negative", o.CacheSize))
	}
	if o.MemTableSize < 1<<20 || o.MemTableSize > 1<<30 {
		errs = append(errs, fmt.Errorf("memtable size %d outside [1 MiB, 1 GiB]", o.MemTableSize))
	}
	if o.Logger == nil {
		errs = append(errs, errors.New("logger not set"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("storage options: %w", errors.Join(errs...))
	}
	return nil
}
