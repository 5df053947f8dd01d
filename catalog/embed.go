package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"google.golang.org/grpc"
)

// Defaults of EmbedConfig.
const (
	DefaultEmbedName      = "armorlake-master"
	DefaultEmbedClientURL = "http://127.0.0.1:2379"
	DefaultEmbedPeerURL   = "http://127.0.0.1:2380"

	// embedStartTimeout bounds StartEmbedded when its context has no
	// deadline: a single-member etcd that has not elected itself in a
	// minute is stuck (bad data dir, port taken), not slow.
	embedStartTimeout = time.Minute

	// embedCompactionRetention is how much history the embedded etcd
	// keeps. Operators rewrite their placements as they ingest, so history
	// grows without bound unless compacted; a Cache whose watch falls
	// behind a compaction simply reloads.
	embedCompactionRetention = "5m"

	// embedCloseGrace is how long Close lets in-flight requests finish.
	// etcd's own Close waits up to 7s (its request timeout) for every
	// stream, and watches and lease keepalives never end on their own.
	embedCloseGrace = time.Second
)

// EmbedConfig configures the master role's embedded, single-member etcd.
type EmbedConfig struct {
	// Name is the etcd member name. It is recorded in DataDir: reopening a
	// data dir under another name fails. Default "armorlake-master".
	Name string
	// DataDir holds etcd's WAL and database. Required; created if missing.
	DataDir string
	// ClientURL is where etcd listens for clients and what it advertises
	// to them; other machines reach the catalog only if it names an
	// address they can route to. Plain http only. Default
	// "http://127.0.0.1:2379".
	ClientURL string
	// PeerURL is etcd's raft listener, unused by a single member but
	// required by etcd. Plain http only. Default "http://127.0.0.1:2380".
	PeerURL string
	// Logger receives etcd's errors (and, when it has debug enabled,
	// everything else etcd logs). Default: discard.
	Logger *slog.Logger
}

// EnsureDefaults fills in every unset field with its default.
func (c *EmbedConfig) EnsureDefaults() {
	if c.Name == "" {
		c.Name = DefaultEmbedName
	}
	if c.ClientURL == "" {
		c.ClientURL = DefaultEmbedClientURL
	}
	if c.PeerURL == "" {
		c.PeerURL = DefaultEmbedPeerURL
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first invalid field.
func (c *EmbedConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("embedded etcd config: no data dir")
	}
	if _, err := httpURL(c.ClientURL); err != nil {
		return fmt.Errorf("embedded etcd config: client URL: %w", err)
	}
	if _, err := httpURL(c.PeerURL); err != nil {
		return fmt.Errorf("embedded etcd config: peer URL: %w", err)
	}
	return nil
}

func httpURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%q is not http://host:port", s)
	}
	return u, nil
}

// Embedded is a running embedded etcd.
type Embedded struct {
	etcd      *embed.Etcd
	endpoints []string
	closing   atomic.Bool
	closeOnce sync.Once

	mu    sync.Mutex
	grpcs []*grpc.Server // etcd's client-facing gRPC servers
}

// StartEmbedded starts etcd in this process and returns once it serves
// clients. It fails if etcd reports an error first, if ctx ends, or after a
// minute when ctx has no deadline. A data dir from an earlier run is
// reopened with its contents.
func StartEmbedded(ctx context.Context, cfg EmbedConfig) (*Embedded, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	clientURL, _ := httpURL(cfg.ClientURL)
	peerURL, _ := httpURL(cfg.PeerURL)

	ec := embed.NewConfig()
	ec.Name = cfg.Name
	ec.Dir = cfg.DataDir
	ec.ListenClientUrls = []url.URL{*clientURL}
	ec.AdvertiseClientUrls = []url.URL{*clientURL}
	ec.ListenPeerUrls = []url.URL{*peerURL}
	ec.AdvertisePeerUrls = []url.URL{*peerURL}
	ec.InitialCluster = ec.InitialClusterFromName(ec.Name)
	ec.LogLevel = "error"
	em := &Embedded{endpoints: []string{clientURL.String()}}
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zapToSlog(cfg.Logger.With("component", "etcd"), &em.closing))
	ec.ServiceRegister = func(s *grpc.Server) {
		em.mu.Lock()
		em.grpcs = append(em.grpcs, s)
		em.mu.Unlock()
	}
	ec.AutoCompactionMode = embed.CompactorModePeriodic
	ec.AutoCompactionRetention = embedCompactionRetention

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, embedStartTimeout)
		defer cancel()
	}
	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, err)
	}
	em.etcd = e
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		em.Close()
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, err)
	case <-ctx.Done():
		em.Close()
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, context.Cause(ctx))
	}
	cfg.Logger.Info("embedded etcd serving", "client_url", cfg.ClientURL, "data_dir", cfg.DataDir)
	return em, nil
}

// Endpoints returns the client URLs to put in Config.Endpoints.
func (e *Embedded) Endpoints() []string { return append([]string(nil), e.endpoints...) }

// Err delivers an error if etcd fails while running; it is closed once
// etcd has stopped. The master role watches it to stop rather than run on
// without its catalog.
func (e *Embedded) Err() <-chan error { return e.etcd.Err() }

// Close stops etcd. In-flight requests get a second to finish; open
// watches and lease keepalives are then cut, and clients see etcd as
// unreachable. Close is idempotent.
func (e *Embedded) Close() error {
	e.closeOnce.Do(func() {
		e.closing.Store(true)
		e.mu.Lock()
		grpcs := e.grpcs
		e.mu.Unlock()
		var wg sync.WaitGroup
		for _, s := range grpcs {
			wg.Go(func() {
				stopped := make(chan struct{})
				go func() {
					s.GracefulStop()
					close(stopped)
				}()
				t := time.NewTimer(embedCloseGrace)
				defer t.Stop()
				select {
				case <-stopped:
				case <-t.C:
					s.Stop()
					<-stopped
				}
			})
		}
		wg.Wait()
		e.etcd.Close()
	})
	return nil
}
