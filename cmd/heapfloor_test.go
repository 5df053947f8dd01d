package cmd

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestFloorPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		base, want  int
	}{
		{live: 8 * mib, floor: 256 * mib, base: 100, want: 3100},    // next collection at 256 MiB
		{live: 200 * mib, floor: 256 * mib, base: 100, want: 100},   // 400 MiB: GOGC's, past the floor
		{live: 150 * mib, floor: 256 * mib, base: 50, want: 71},     // at the floor, 256 MiB (GOGC's 225 is less)
		{live: 1024 * mib, floor: 256 * mib, base: 100, want: 25},   // a large heap: 256 MiB of garbage, not 1 GiB
		{live: 1024 * mib, floor: 256 * mib, base: 10, want: 10},    // GOGC's own is less
		{live: 0, floor: 256 * mib, base: 100, want: 25500},         // no live heap yet: counted as 1 MiB
		{live: 4 * mib, floor: 1 << 50, base: 100, want: 1<<31 - 1}, // capped
		{live: 1 << 50, floor: 1 * mib, base: 100, want: 1},         // at least 1
	} {
		if got := floorPercent(tc.live, tc.floor, tc.base); got != tc.want {
			t.Errorf("floorPercent(%d MiB, %d MiB, %d) = %d, want %d", tc.live/mib, tc.floor/mib, tc.base, got, tc.want)
		}
	}
}

// TestHeapFloorTunesAfterCollections runs the floor in this process: each
// collection must leave GOGC raised, and stop must restore it.
func TestHeapFloorTunesAfterCollections(t *testing.T) {
	gogc := func() int {
		v := debug.SetGCPercent(100)
		debug.SetGCPercent(v)
		return v
	}
	base := gogc()
	if base < 0 {
		t.Skip("GOGC=off")
	}
	stop := startHeapFloor(1 << 30)
	// Collections run the finalizer, which retunes: set GOGC back by
	// hand and wait for a collection to raise it again.
	for round := range 3 {
		debug.SetGCPercent(base)
		deadline := time.Now().Add(10 * time.Second)
		for gogc() == base {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: GOGC still %d after collections", round, base)
			}
			runtime.GC()
			runtime.Gosched() // the finalizer goroutine runs
		}
		if got := gogc(); got <= base {
			t.Fatalf("round %d: GOGC %d, want above %d", round, got, base)
		}
	}
	stop()
	if got := gogc(); got != base {
		t.Fatalf("GOGC %d after stop, want %d", got, base)
	}
	runtime.GC()
	runtime.GC()
	if got := gogc(); got != base {
		t.Fatalf("GOGC %d after stop and collections, want %d", got, base)
	}
}
