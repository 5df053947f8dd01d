package cmd

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
)

// A node's live heap is small (a few MiB: stored blocks live in Pebble's
// cache, outside it) while a query allocates a few MiB of vectors, so with
// Go's default GOGC=100 a collection ran every few queries and took a
// quarter of a short query's CPU, its freed pages returned to the kernel
// and faulted back in. Yet the heap may also be large (decompressed chunks
// kept for scans, a query's hash tables), and then GOGC=100 lets garbage
// grow as large as it. After each collection GOGC is set from the live
// heap so that the next collection starts once the garbage reaches the
// floor, or once the heap reaches the floor when it is smaller, but no
// later than GOGC alone would: small heaps collect far less often, large
// ones hold at most the floor in garbage. GOMEMLIMIT, when set, still
// bounds the heap.

// defaultHeapFloorMiB is --heap-floor's default.
const defaultHeapFloorMiB = 256

// addHeapFloorFlag adds --heap-floor, in MiB.
func addHeapFloorFlag(o *options) *int64 {
	floor := int64(defaultHeapFloorMiB)
	o.fs.Func("heap-floor", fmt.Sprintf("MiB of garbage the Go heap may gather before a garbage collection, or MiB it may grow to while it is smaller: fewer collections on a small heap, less garbage on a large one (0: Go's own pacing, GOGC) (default %d)", defaultHeapFloorMiB), func(v string) error {
		mb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || mb < 0 || mb > 1<<20 {
			return fmt.Errorf("%q is not a number of MiB between 0 and %d", v, 1<<20)
		}
		floor = mb
		return nil
	})
	return &floor
}

// heapFloor tunes GOGC after every collection, from a finalizer that
// each collection runs and that arms the next.
type heapFloor struct {
	floor uint64
	base  int // GOGC as the process started (the environment's, or 100)
	mu    sync.Mutex
	done  bool
}

// startHeapFloor paces collections by floor bytes (floorPercent) until
// the returned stop is called. With floor 0, or GOGC=off, it does nothing.
func startHeapFloor(floor uint64) (stop func()) {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if floor == 0 || base < 0 {
		return func() {}
	}
	f := &heapFloor{floor: floor, base: base}
	f.tune()
	f.arm()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.done = true
		debug.SetGCPercent(f.base)
	}
}

// sentinel is allocated only to be collected: it holds a pointer so that
// it gets an allocation of its own, not a share of a tiny block that
// might outlive it.
type sentinel struct{ _ *int }

func (f *heapFloor) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.done {
			return
		}
		f.tune()
		f.arm()
	})
}

// tune sets GOGC for the next collection from the heap the last one
// left live.
func (f *heapFloor) tune() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	debug.SetGCPercent(floorPercent(s[0].Value.Uint64(), f.floor, f.base))
}

// floorPercent is the GOGC that starts the next collection live +
// headroom bytes into the heap, where headroom is the base GOGC's
// (live × base/100) capped at floor, but at least floor - live.
func floorPercent(live, floor uint64, base int) int {
	live = max(live, 1<<20) // before the first collection, or a tiny heap
	headroom := min(live*uint64(base)/100, floor)
	if live < floor {
		headroom = max(headroom, floor-live)
	}
	return int(min(max((headroom*100+live-1)/live, 1), math.MaxInt32)) // rounded up
}
