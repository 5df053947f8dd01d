package ingest

import (
	"testing"
	"time"
)

func TestEnsureDefaults(t *testing.T) {
	c := Config{Endpoints: []Endpoint{{Addr: "a:1"}, {Addr: "b:2", AlertFilter: "policy", LogFilter: "system"}}}
	c.EnsureDefaults()
	if c.FlushRows != 16384 || c.FlushInterval != time.Second || c.BufferEvents != 131072 ||
		c.BackoffMin != 250*time.Millisecond || c.BackoffMax != 30*time.Second || c.Logger == nil {
		t.Errorf("defaults: %+v", c)
	}
	if e := c.Endpoints[0]; e.AlertFilter != "all" || e.LogFilter != "all" {
		t.Errorf("endpoint defaults: %+v", e)
	}
	if e := c.Endpoints[1]; e.AlertFilter != "policy" || e.LogFilter != "system" {
		t.Errorf("explicit filters overwritten: %+v", e)
	}
}

func TestRetryBackoff(t *testing.T) {
	b := retryBackoff{min: 250 * time.Millisecond, max: 30 * time.Second}
	for round := range 2 {
		center := b.min
		for i := range 20 {
			d := b.next()
			lo, hi := max(center*8/10, b.min), min(center*12/10, b.max)
			if d < lo || d > hi {
				t.Fatalf("round %d wait %d: %s outside [%s, %s]", round, i, d, lo, hi)
			}
			center = min(2*center, b.max)
		}
		b.reset()
	}
}
