package sim

import (
	"context"
	"sync"
	"sync/atomic"
)

// queueSize is KubeArmor's per-subscriber queue length.
const queueSize = 1000

// subscriber is one open Watch* stream: the fan-out fills its queue, the
// stream's handler drains it into the gRPC stream.
type subscriber[T any] struct {
	queue chan T
	gone  chan struct{} // closed when the handler returns
}

// fanout is the set of subscribers of one stream kind. Publishers read an
// immutable snapshot of the set, so a slow subscriber never holds a lock
// that registration needs.
type fanout[T any] struct {
	mu      sync.Mutex
	subs    atomic.Pointer[[]*subscriber[T]]
	changed chan struct{} // signalled (non-blocking) on every change
}

func newFanout[T any](changed chan struct{}) *fanout[T] {
	f := &fanout[T]{changed: changed}
	f.subs.Store(&[]*subscriber[T]{})
	return f
}

func (f *fanout[T]) subscribe() *subscriber[T] {
	s := &subscriber[T]{queue: make(chan T, queueSize), gone: make(chan struct{})}
	f.mu.Lock()
	old := *f.subs.Load()
	next := make([]*subscriber[T], len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	f.subs.Store(&next)
	f.mu.Unlock()
	f.notify()
	return s
}

func (f *fanout[T]) unsubscribe(s *subscriber[T]) {
	close(s.gone)
	f.mu.Lock()
	old := *f.subs.Load()
	next := make([]*subscriber[T], 0, len(old))
	for _, o := range old {
		if o != s {
			next = append(next, o)
		}
	}
	f.subs.Store(&next)
	f.mu.Unlock()
	f.notify()
}

func (f *fanout[T]) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fanout[T]) count() int { return len(*f.subs.Load()) }

// publish queues v for every subscriber and returns how many queues were
// full. Without lossless a full queue drops v for that subscriber, as
// KubeArmor does; with it publish waits for room, for the subscriber to
// leave, or for ctx.
func (f *fanout[T]) publish(ctx context.Context, v T, lossless bool) (dropped int) {
	for _, s := range *f.subs.Load() {
		select {
		case s.queue <- v:
			continue
		default:
		}
		if !lossless {
			dropped++
			continue
		}
		select {
		case s.queue <- v:
		case <-s.gone:
		case <-ctx.Done():
			return dropped
		}
	}
	return dropped
}
