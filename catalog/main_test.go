package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sharedEndpoints is the etcd that most tests share, each under its own
// prefix; starting etcd costs about a second.
var sharedEndpoints []string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "armorlake-catalog-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	e, _, err := startEtcd(filepath.Join(dir, "etcd"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer e.Close()
	sharedEndpoints = e.Endpoints()
	return m.Run()
}

// startEtcd starts an embedded etcd on free 127.0.0.1 ports, retrying if a
// port is taken between choosing and binding it.
func startEtcd(dataDir string, log *slog.Logger) (*Embedded, EmbedConfig, error) {
	for attempt := 0; ; attempt++ {
		cfg := EmbedConfig{
			DataDir:   dataDir,
			ClientURL: "http://" + freeAddr(),
			PeerURL:   "http://" + freeAddr(),
			Logger:    log,
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		e, err := StartEmbedded(ctx, cfg)
		cancel()
		if err == nil || attempt == 2 || !errors.Is(err, syscall.EADDRINUSE) {
			return e, cfg, err
		}
	}
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// testLogger shows warnings and errors under -v, and nothing otherwise.
func testLogger() *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

var prefixes struct {
	sync.Mutex
	n   int
	ofT map[*testing.T]string
}

// testPrefix isolates a test's keys in the shared etcd, also from its own
// earlier runs under -count.
func testPrefix(t *testing.T) string {
	prefixes.Lock()
	defer prefixes.Unlock()
	p, ok := prefixes.ofT[t]
	if !ok {
		if prefixes.ofT == nil {
			prefixes.ofT = make(map[*testing.T]string)
		}
		prefixes.n++
		p = fmt.Sprintf("/test/%d-%s/", prefixes.n, strings.ReplaceAll(t.Name(), "/", "_"))
		prefixes.ofT[t] = p
	}
	return p
}

// openTest opens a catalog on the shared etcd under the test's prefix,
// closed when the test ends.
func openTest(t *testing.T, cfg Config) *Catalog {
	t.Helper()
	if cfg.Endpoints == nil {
		cfg.Endpoints = sharedEndpoints
	}
	if cfg.Prefix == "" {
		cfg.Prefix = testPrefix(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	c, err := Open(testContext(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
