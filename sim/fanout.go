package sim

import (
	"context"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/mem"
)

// queueSize is KubeArmor's per-subscriber queue length.
const queueSize = 1000

// subscriber is one open Watch* stream: the fan-out fills its queue with
// encoded events, the stream's handler drains it into the gRPC stream.
type subscriber struct {
	queue chan mem.Buffer
	gone  chan struct{} // closed when the handler returns
}

// fanout is the set of subscribers of one stream kind. Publishers read an
// immutable snapshot of the set, so a slow subscriber never holds a lock
// that registration needs.
type fanout struct {
	mu      sync.Mutex
	subs    atomic.Pointer[[]*subscriber]
	changed chan struct{} // signalled (non-blocking) on every change
}

func newFanout(changed chan struct{}) *fanout {
	f := &fanout{changed: changed}
	f.subs.Store(&[]*subscriber{})
	return f
}

func (f *fanout) subscribe() *subscriber {
	s := &subscriber{queue: make(chan mem.Buffer, queueSize), gone: make(chan struct{})}
	f.mu.Lock()
	old := *f.subs.Load()
	next := make([]*subscriber, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	f.subs.Store(&next)
	f.mu.Unlock()
	f.notify()
	return s
}

// unsubscribe removes s and releases the events still queued for it.
func (f *fanout) unsubscribe(s *subscriber) {
	close(s.gone)
	f.mu.Lock()
	old := *f.subs.Load()
	next := make([]*subscriber, 0, len(old))
	for _, o := range old {
		if o != s {
			next = append(next, o)
		}
	}
	f.subs.Store(&next)
	f.mu.Unlock()
	f.notify()
	for {
		select {
		case b := <-s.queue:
			b.Free()
		default:
			return
		}
	}
}

func (f *fanout) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fanout) count() int { return len(*f.subs.Load()) }

// publish queues the encoded event b for every subscriber, each with its
// own reference, and returns how many queues were full. Without lossless
// a full queue drops the event for that subscriber, as KubeArmor does;
// with it publish waits for room, for the subscriber to leave, or for
// ctx. The caller keeps its own reference to b.
func (f *fanout) publish(ctx context.Context, b mem.Buffer, lossless bool) (dropped int) {
	for _, s := range *f.subs.Load() {
		b.Ref()
		select {
		case s.queue <- b:
			continue
		default:
		}
		if !lossless {
			b.Free()
			dropped++
			continue
		}
		select {
		case s.queue <- b:
		case <-s.gone:
			b.Free()
		case <-ctx.Done():
			b.Free()
			return dropped
		}
	}
	return dropped
}
