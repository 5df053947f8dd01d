package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

// LayoutVersion is the key layout this package reads and writes (see the
// package doc). It is stored at <prefix>version.
const LayoutVersion = 1

// ErrClosed is returned by calls on a closed Catalog.
var ErrClosed = errors.New("catalog: closed")

// Key families under the prefix.
const (
	versionKey      = "version"
	nodesDir        = "nodes/"
	tablesDir       = "tables/"
	placementDir    = "placement/"
	usersDir        = "users/"
	maxNameLen      = 255
	maxTxnOps       = 64 // below etcd's default --max-txn-ops of 128
	clientKeepAlive = 10 * time.Second
)

// Catalog is a connection to the catalog in etcd.
type Catalog struct {
	cfg Config
	cli *clientv3.Client
	log *slog.Logger

	// ctx bounds the background work of registrations and caches; Close
	// cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	regs   map[*Registration]struct{}
	caches map[*Cache]struct{}
}

// Open connects to etcd and checks the layout version under cfg.Prefix,
// writing it if the prefix is empty. It fails if etcd does not answer
// before ctx ends: a node needs its catalog to start.
func Open(ctx context.Context, cfg Config) (*Catalog, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:            cfg.Endpoints,
		DialTimeout:          cfg.DialTimeout,
		DialKeepAliveTime:    clientKeepAlive,
		DialKeepAliveTimeout: cfg.DialTimeout,
		Logger:               zapToSlog(cfg.Logger.With("component", "etcd-client"), nil),
		// gRPC's default reconnect backoff grows to two minutes; a master
		// that restarts should be found again within seconds.
		DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  250 * time.Millisecond,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   2 * time.Second,
			},
			MinConnectTimeout: cfg.DialTimeout,
		})},
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: connect to %v: %w", cfg.Endpoints, err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	c := &Catalog{
		cfg:    cfg,
		cli:    cli,
		log:    cfg.Logger,
		ctx:    rctx,
		cancel: cancel,
		regs:   make(map[*Registration]struct{}),
		caches: make(map[*Cache]struct{}),
	}
	if err := c.checkVersion(ctx); err != nil {
		cancel()
		_ = cli.Close()
		return nil, err
	}
	return c, nil
}

// checkVersion creates <prefix>version if missing, else checks it.
func (c *Catalog) checkVersion(ctx context.Context) error {
	key := c.cfg.Prefix + versionKey
	want := strconv.Itoa(LayoutVersion)
	resp, err := c.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, want)).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return fmt.Errorf("catalog: read layout version at %s from %v: %w", key, c.cfg.Endpoints, err)
	}
	if resp.Succeeded {
		return nil
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) == 1 && string(kvs[0].Value) == want {
		return nil
	}
	got := "(deleted)"
	if len(kvs) == 1 {
		got = strconv.Quote(string(kvs[0].Value))
	}
	return fmt.Errorf("catalog: layout version %s at %s, this build reads only %d", got, key, LayoutVersion)
}

// Close closes the catalog's registrations (revoking their leases, so the
// nodes disappear at once) and caches, then the etcd connection. It
// returns the registrations' errors. Close is idempotent.
func (c *Catalog) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	regs := make([]*Registration, 0, len(c.regs))
	for r := range c.regs {
		regs = append(regs, r)
	}
	caches := make([]*Cache, 0, len(c.caches))
	for ca := range c.caches {
		caches = append(caches, ca)
	}
	c.mu.Unlock()

	var errs []error
	for _, r := range regs {
		errs = append(errs, r.Close())
	}
	for _, ca := range caches {
		errs = append(errs, ca.Close())
	}
	c.cancel()
	if err := c.cli.Close(); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("catalog: close etcd client: %w", err))
	}
	return errors.Join(errs...)
}

// track adds a registration or cache to what Close closes; it fails once
// the catalog is closed.
func (c *Catalog) track(r *Registration, ca *Cache) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if r != nil {
		c.regs[r] = struct{}{}
	}
	if ca != nil {
		c.caches[ca] = struct{}{}
	}
	return nil
}

func (c *Catalog) untrack(r *Registration, ca *Cache) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.regs, r)
	delete(c.caches, ca)
}

func (c *Catalog) nodeKey(id string) string { return c.cfg.Prefix + nodesDir + id }
func (c *Catalog) tableKey(n string) string { return c.cfg.Prefix + tablesDir + n }
func (c *Catalog) placementPrefix(t string) string {
	return c.cfg.Prefix + placementDir + t + "/"
}

// checkName reports whether s can be one segment of a key.
func checkName(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty %s", what)
	case len(s) > maxNameLen:
		return fmt.Errorf("%s %.20q… longer than %d bytes", what, s, maxNameLen)
	case strings.ContainsRune(s, '/'):
		return fmt.Errorf("%s %q contains '/'", what, s)
	case strings.ContainsFunc(s, unicode.IsControl):
		return fmt.Errorf("%s %q contains a control character", what, s)
	}
	return nil
}

// keyKind is what a key under the prefix holds.
type keyKind uint8

const (
	keyOther keyKind = iota
	keyNode
	keyTable
	keyPlacement
	keyUser
)

// parseKey splits a key into its family and names: the node ID, the table
// name, or the table name and node ID of a placement. Keys this layout
// does not define, including malformed ones, are keyOther.
func (c *Catalog) parseKey(key string) (kind keyKind, a, b string) {
	rel, ok := strings.CutPrefix(key, c.cfg.Prefix)
	if !ok {
		return keyOther, "", ""
	}
	if id, ok := strings.CutPrefix(rel, nodesDir); ok && checkName("", id) == nil {
		return keyNode, id, ""
	}
	if name, ok := strings.CutPrefix(rel, tablesDir); ok && checkName("", name) == nil {
		return keyTable, name, ""
	}
	if name, ok := strings.CutPrefix(rel, usersDir); ok && checkName("", name) == nil {
		return keyUser, name, ""
	}
	if rest, ok := strings.CutPrefix(rel, placementDir); ok {
		t, id, ok := strings.Cut(rest, "/")
		if ok && checkName("", t) == nil && checkName("", id) == nil {
			return keyPlacement, t, id
		}
	}
	return keyOther, "", ""
}
