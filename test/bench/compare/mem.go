package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// peaks are a system's highest memory while loading and while answering
// queries: the sum of its processes' proportional set sizes (PSS), so
// that memory they share, such as PostgreSQL's shared buffers, counts
// once.
type peaks struct{ load, queries int64 }

// memSampler samples the memory of every watched system at an interval.
type memSampler struct {
	mu      sync.Mutex
	systems map[string]func() []int
	peak    map[string]*peaks
	current string // "load" or "queries"
	done    chan struct{}
	wg      sync.WaitGroup
}

func newMemSampler(every time.Duration) *memSampler {
	m := &memSampler{systems: map[string]func() []int{}, peak: map[string]*peaks{}, current: "load", done: make(chan struct{})}
	m.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
				m.sample()
			}
		}
	})
	return m
}

func (m *memSampler) watch(name string, pids func() []int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.systems[name] = pids
	m.peak[name] = &peaks{}
}

// phase names what the samples from now on are attributed to.
func (m *memSampler) phase(p string) {
	m.sample()
	m.mu.Lock()
	m.current = p
	m.mu.Unlock()
}

func (m *memSampler) sample() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, pids := range m.systems {
		var sum int64
		for _, pid := range pids() {
			sum += pss(pid)
		}
		p := m.peak[name]
		if m.current == "load" {
			p.load = max(p.load, sum)
		} else {
			p.queries = max(p.queries, sum)
		}
	}
}

func (m *memSampler) peaks(name string) peaks {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.peak[name]; p != nil {
		return *p
	}
	return peaks{}
}

func (m *memSampler) stop() {
	select {
	case <-m.done:
	default:
		close(m.done)
	}
	m.wg.Wait()
}

// pss returns a process's proportional set size in bytes, 0 if it is
// gone.
func pss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("Pss:")); ok {
			f := bytes.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
