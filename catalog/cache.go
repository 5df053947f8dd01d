package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/armorlake/armorlake/schema"
)

// Reloads retry while etcd is unreachable; the cache serves its last view
// meanwhile, so there is no hurry beyond not leaving it stale for long.
const (
	reloadMinBackoff = 250 * time.Millisecond
	reloadMaxBackoff = 5 * time.Second
)

var errWatchClosed = errors.New("watch channel closed")

// Cache is an in-memory copy of the whole catalog, for query nodes to plan
// against without a round trip to etcd per query.
//
// NewCache lists every key under the prefix, then watches the prefix from
// the listed revision, applying each change as it arrives (typically
// within milliseconds of the write). While etcd is unreachable the watch
// stalls and the cache keeps answering from its last view: a query node
// stays useful through a master restart. If the watch ends (etcd lost its
// leader, or the cache fell behind a compaction), the cache lists and
// watches again, retrying with backoff, and swaps the new view in whole.
//
// Readers never wait on etcd. The view is at least as old as the last
// event applied; nodes that died while etcd was unreachable are listed
// until the cache hears of their expiry.
type Cache struct {
	c      *Catalog
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.RWMutex
	view view

	closeOnce sync.Once
}

// view is the decoded catalog. Its tables are never modified once stored:
// a changed table is a new *schema.Table.
type view struct {
	tables     map[string]*schema.Table
	nodes      map[string]Node
	placements map[string]map[string]Placement // table → node ID → placement
	users      map[string]User
}

func newView() view {
	return view{
		tables:     make(map[string]*schema.Table),
		nodes:      make(map[string]Node),
		placements: make(map[string]map[string]Placement),
		users:      make(map[string]User),
	}
}

// NewCache loads the catalog and starts following it. It returns after
// the first full load, or the load's error if etcd does not answer before
// ctx ends. The cache runs until Close or the Catalog's Close.
func NewCache(ctx context.Context, c *Catalog) (*Cache, error) {
	cctx, cancel := context.WithCancel(c.ctx)
	ca := &Cache{c: c, cancel: cancel, done: make(chan struct{})}
	if err := c.track(nil, ca); err != nil {
		cancel()
		return nil, err
	}
	rev, err := ca.load(ctx)
	if err != nil {
		cancel()
		c.untrack(nil, ca)
		return nil, fmt.Errorf("catalog: load cache: %w", err)
	}
	go ca.run(cctx, rev)
	return ca, nil
}

// load lists the whole catalog into a new view and swaps it in, returning
// the revision listed.
func (ca *Cache) load(ctx context.Context) (int64, error) {
	resp, err := ca.c.cli.Get(ctx, ca.c.cfg.Prefix, clientv3.WithPrefix())
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", ca.c.cfg.Prefix, err)
	}
	v := newView()
	for _, kv := range resp.Kvs {
		ca.apply(&v, true, kv.Key, kv.Value)
	}
	ca.mu.Lock()
	ca.view = v
	ca.mu.Unlock()
	return resp.Header.Revision, nil
}

// run follows the catalog from the revision after rev until ctx ends.
func (ca *Cache) run(ctx context.Context, rev int64) {
	defer close(ca.done)
	for {
		err := ca.watch(ctx, rev+1)
		if ctx.Err() != nil {
			return
		}
		ca.c.log.Warn("catalog watch ended; reloading", "err", err)
		b := retryBackoff{min: reloadMinBackoff, max: reloadMaxBackoff}
		for {
			actx, cancel := context.WithTimeout(ctx, ca.c.cfg.DialTimeout)
			rev, err = ca.load(actx)
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			ca.c.log.Debug("reload catalog cache", "err", err)
			if !b.wait(ctx) {
				return
			}
		}
		ca.c.log.Info("catalog cache reloaded", "revision", rev)
	}
}

// watch applies changes from revision from on, until the watch ends; it
// returns why it ended.
func (ca *Cache) watch(ctx context.Context, from int64) error {
	// Without a leader, a member's view may be stale without end: have
	// etcd cancel the watch rather than go quiet.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := ca.c.cli.Watch(wctx, ca.c.cfg.Prefix, clientv3.WithPrefix(), clientv3.WithRev(from))
	for resp := range wch {
		if err := resp.Err(); err != nil {
			return fmt.Errorf("watch %s from revision %d: %w", ca.c.cfg.Prefix, from, err)
		}
		if len(resp.Events) == 0 {
			continue
		}
		ca.mu.Lock()
		for _, ev := range resp.Events {
			ca.apply(&ca.view, ev.Type == clientv3.EventTypePut, ev.Kv.Key, ev.Kv.Value)
		}
		ca.mu.Unlock()
	}
	return errWatchClosed
}

// apply records a put or delete of key in v. An undecodable value leaves
// the entry absent rather than stale.
func (ca *Cache) apply(v *view, put bool, key, value []byte) {
	kind, a, b := ca.c.parseKey(string(key))
	var err error
	switch kind {
	case keyNode:
		delete(v.nodes, a)
		if put {
			var n Node
			if n, err = decodeNode(a, value); err == nil {
				v.nodes[a] = n
			}
		}
	case keyTable:
		delete(v.tables, a)
		if put {
			var t *schema.Table
			if t, err = decodeTable(a, value); err == nil {
				v.tables[a] = t
			}
		}
	case keyUser:
		delete(v.users, a)
		if put {
			var u User
			if u, err = decodeUser(a, value); err == nil {
				v.users[a] = u
			}
		}
	case keyPlacement:
		byNode := v.placements[a]
		delete(byNode, b)
		if put {
			var p Placement
			if p, err = decodePlacement(a, b, value); err == nil {
				if byNode == nil {
					byNode = make(map[string]Placement)
					v.placements[a] = byNode
				}
				byNode[b] = p
			}
		}
		if len(byNode) == 0 {
			delete(v.placements, a)
		}
	}
	if err != nil {
		ca.c.log.Warn("skip undecodable catalog entry", "key", string(key), "err", err)
	}
}

// Tables returns every table, sorted by name. The tables are shared: do
// not modify them.
func (ca *Cache) Tables() []*schema.Table {
	ca.mu.RLock()
	ts := slices.Collect(maps.Values(ca.view.tables))
	ca.mu.RUnlock()
	slices.SortFunc(ts, func(a, b *schema.Table) int { return cmp.Compare(a.Name, b.Name) })
	return ts
}

// Table returns the named table. It is shared: do not modify it.
func (ca *Cache) Table(name string) (*schema.Table, bool) {
	ca.mu.RLock()
	defer ca.mu.RUnlock()
	t, ok := ca.view.tables[name]
	return t, ok
}

// Nodes returns the registered nodes, sorted by ID.
func (ca *Cache) Nodes() []Node {
	ca.mu.RLock()
	ns := slices.Collect(maps.Values(ca.view.nodes))
	ca.mu.RUnlock()
	slices.SortFunc(ns, func(a, b Node) int { return cmp.Compare(a.ID, b.ID) })
	return ns
}

// Node returns the registered node with the given ID.
func (ca *Cache) Node(id string) (Node, bool) {
	ca.mu.RLock()
	defer ca.mu.RUnlock()
	n, ok := ca.view.nodes[id]
	return n, ok
}

// Placements returns the placements of table, sorted by node ID.
func (ca *Cache) Placements(table string) []Placement {
	ca.mu.RLock()
	ps := slices.Collect(maps.Values(ca.view.placements[table]))
	ca.mu.RUnlock()
	slices.SortFunc(ps, func(a, b Placement) int { return cmp.Compare(a.NodeID, b.NodeID) })
	return ps
}

// Close stops following the catalog. The cache keeps answering from its
// last view. Close is idempotent.
func (ca *Cache) Close() error {
	ca.closeOnce.Do(func() {
		ca.cancel()
		<-ca.done
		ca.c.untrack(nil, ca)
	})
	return nil
}
