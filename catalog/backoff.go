package catalog

import (
	"context"
	"math/rand/v2"
	"time"
)

// retryBackoff spaces out the retries of background work (re-registering,
// reloading a cache) while etcd is unreachable: doubling from min to max,
// each wait drawn from [d/2, d) so that a fleet of nodes that lost etcd
// together does not return in lockstep.
type retryBackoff struct {
	min, max time.Duration
	cur      time.Duration
}

func (b *retryBackoff) next() time.Duration {
	switch {
	case b.cur == 0:
		b.cur = b.min
	case b.cur < b.max:
		b.cur = min(2*b.cur, b.max)
	}
	half := b.cur / 2
	return half + rand.N(half+1)
}

// wait sleeps for the next backoff, returning false if ctx ends first.
func (b *retryBackoff) wait(ctx context.Context) bool {
	t := time.NewTimer(b.next())
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
