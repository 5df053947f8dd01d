package exec

import (
	"context"
	"sync"
	"time"
)

// Profiles of a statement's execution, for EXPLAIN ANALYZE: what each
// operator node's scans read (ScanStats, gathered where the fragment
// runs and sent back at the end of its stream) and, on the query node,
// what each Gather received from each target and when.

// ScanStats is what the scans of one fragment read from storage.
type ScanStats struct {
	Rows, Batches                 int64 // returned by the scans
	Partitions, PartitionsSkipped int64
	Blocks, BlocksSkipped         int64
	Chunks                        int64
}

// Add adds o to s.
func (s *ScanStats) Add(o ScanStats) {
	s.Rows += o.Rows
	s.Batches += o.Batches
	s.Partitions += o.Partitions
	s.PartitionsSkipped += o.PartitionsSkipped
	s.Blocks += o.Blocks
	s.BlocksSkipped += o.BlocksSkipped
	s.Chunks += o.Chunks
}

type scanStatsKey struct{}

// WithScanStats returns ctx whose scans add what they read to s. A
// fragment runs on one goroutine, so s needs no lock.
func WithScanStats(ctx context.Context, s *ScanStats) context.Context {
	return context.WithValue(ctx, scanStatsKey{}, s)
}

// ScanStatsFrom returns the ScanStats scans under ctx add to, or nil.
func ScanStatsFrom(ctx context.Context) *ScanStats {
	s, _ := ctx.Value(scanStatsKey{}).(*ScanStats)
	return s
}

// RemoteStats is what one fragment's stream delivered: as received on
// the query node (rows, batches, bytes on the wire) and as reported by
// the operator at its end (its scans, its time).
type RemoteStats struct {
	Rows, Batches, Bytes int64
	Scan                 ScanStats
	RemoteTime           time.Duration
	Reported             bool // the operator's report arrived
}

// RemoteStatser is a remote stream that counts what it delivered.
type RemoteStatser interface {
	RemoteStats() RemoteStats
}

// TargetProfile is one target's part in a Gather.
type TargetProfile struct {
	Target Target
	Stats  RemoteStats
	Time   time.Duration // from the request to the end of the stream
	Ended  time.Time
	Err    error
}

// GatherProfile is one Gather's fan-out.
type GatherProfile struct {
	Table   string
	Started time.Time // when the Gather began sending fragments
	mu      sync.Mutex
	Targets []TargetProfile
}

// FanOut is the time from the Gather's start to the end of its last
// stream.
func (g *GatherProfile) FanOut() time.Duration {
	var last time.Time
	for _, t := range g.Targets {
		if t.Ended.After(last) {
			last = t.Ended
		}
	}
	if last.IsZero() {
		return 0
	}
	return last.Sub(g.Started)
}

func (g *GatherProfile) add(t TargetProfile) {
	g.mu.Lock()
	g.Targets = append(g.Targets, t)
	g.mu.Unlock()
}

// Profile collects the Gathers a statement ran.
type Profile struct {
	mu      sync.Mutex
	Gathers []*GatherProfile
}

func (p *Profile) gather(table string) *GatherProfile {
	g := &GatherProfile{Table: table, Started: time.Now()}
	p.mu.Lock()
	p.Gathers = append(p.Gathers, g)
	p.mu.Unlock()
	return g
}

type profileKey struct{}

// WithProfile returns ctx under which Gathers record into p.
func WithProfile(ctx context.Context, p *Profile) context.Context {
	return context.WithValue(ctx, profileKey{}, p)
}

func profileOf(ctx context.Context) *Profile {
	p, _ := ctx.Value(profileKey{}).(*Profile)
	return p
}
