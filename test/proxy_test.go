package test

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tcpProxy forwards loopback TCP connections to a target address and can
// cut the network between its two sides: Cut resets every connection it
// carries and refuses new ones until Heal. The target may go away and
// come back on the same address; each accepted connection dials it anew.
type tcpProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]struct{} // both sides of every forwarded connection
	down     bool
	accepted int // connections forwarded to the target
	refused  int // connections reset because the network was cut
	closed   bool

	// latency delays every byte each way; blackhole drops every byte
	// without closing anything, as a link that loses all its packets.
	latency   atomic.Int64 // time.Duration
	blackhole atomic.Bool
}

// SetLatency delays everything forwarded, each way, by d.
func (p *tcpProxy) SetLatency(d time.Duration) { p.latency.Store(int64(d)) }

// Blackhole drops (on) or forwards (off) everything, connections kept.
func (p *tcpProxy) Blackhole(on bool) { p.blackhole.Store(on) }

// pipe copies src to dst through the link: each chunk is held for the
// latency then written, in order, so the link is slow without being
// narrow; a blackholed chunk is dropped.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	type chunk struct {
		at   time.Time
		data []byte
	}
	ch := make(chan chunk, 1024)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 && !p.blackhole.Load() {
				select {
				case ch <- chunk{time.Now(), append([]byte(nil), buf[:n]...)}:
				case <-stop:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		if d := time.Until(c.at.Add(time.Duration(p.latency.Load()))); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
}

// startProxy listens on a free loopback port and forwards to target; the
// test's cleanup stops it.
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.acceptLoop)
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) Addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down || p.closed {
			p.refused++
			p.mu.Unlock()
			resetConn(c)
			continue
		}
		p.mu.Unlock()
		p.wg.Go(func() { p.forward(c) })
	}
}

// forward dials the target for client c and copies both ways until either
// side ends or Cut resets them.
func (p *tcpProxy) forward(c net.Conn) {
	s, err := net.DialTimeout("tcp", p.target, 3*time.Second)
	if err != nil {
		resetConn(c)
		return
	}
	p.mu.Lock()
	if p.down || p.closed {
		p.refused++
		p.mu.Unlock()
		resetConn(c)
		resetConn(s)
		return
	}
	p.accepted++
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()

	var once sync.Once
	end := func() {
		once.Do(func() {
			p.mu.Lock()
			delete(p.conns, c)
			delete(p.conns, s)
			p.mu.Unlock()
			c.Close()
			s.Close()
		})
	}
	var copies sync.WaitGroup
	// Either direction ending (EOF, reset, or Cut) ends both: gRPC has no
	// use for a half-closed connection.
	copies.Go(func() { p.pipe(s, c); end() })
	copies.Go(func() { p.pipe(c, s); end() })
	copies.Wait()
}

// resetConn closes c so that the peer sees a connection reset, not an
// orderly end: what a broken network path looks like to TCP.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// Cut resets every connection through the proxy and refuses new ones
// until Heal.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	p.down = true
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		resetConn(c)
	}
}

// Heal lets connections through again.
func (p *tcpProxy) Heal() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// Stats returns how many connections were forwarded and how many were
// refused while the network was cut.
func (p *tcpProxy) Stats() (accepted, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted, p.refused
}

func (p *tcpProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}
