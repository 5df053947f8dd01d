package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Re-registration retries while etcd is unreachable. The ceiling is low
// because a node that is up but unregistered is invisible to queries.
const (
	reregisterMinBackoff = 250 * time.Millisecond
	reregisterMaxBackoff = 2 * time.Second
)

// Registration keeps one node's key alive under an etcd lease, in the
// background, until Close.
//
// When etcd is unreachable for longer than the lease TTL, the etcd client
// gives the lease up as expired, and so does etcd itself if it kept
// running. The registration then grants a new lease and writes the key
// again, retrying with backoff until etcd answers, so a node reappears on
// its own once etcd is back.
type Registration struct {
	c     *Catalog
	node  Node
	key   string
	value string

	cancel context.CancelFunc // stops run
	done   chan struct{}      // closed when run returns

	mu    sync.Mutex
	lease clientv3.LeaseID // lease of the last completed registration
	lost  bool             // lease given up, new registration not yet complete
	// trying is the lease of an attempt that has not completed. Its put
	// may have reached etcd even if the attempt failed, so Close revokes
	// it too. Earlier failed attempts need no revoking: a later put, if
	// any reached etcd, moved the key off their leases.
	trying clientv3.LeaseID

	closeOnce sync.Once
	closeErr  error
}

// Register writes n under a new lease of Config.LeaseTTL and keeps it
// alive until the Registration or the Catalog is closed. It returns once n
// is visible to Nodes.
//
// Registering an ID that is already registered replaces the earlier
// registration (and logs a warning): a node restarted within the TTL must
// not be locked out by its own previous run.
func (c *Catalog) Register(ctx context.Context, n Node) (*Registration, error) {
	if err := n.validate(); err != nil {
		return nil, fmt.Errorf("catalog: register: %w", err)
	}
	if n.Started.IsZero() {
		n.Started = time.Now()
	}
	n.Started = n.Started.UTC()
	v, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("catalog: register node %s: %w", n.ID, err)
	}
	rctx, cancel := context.WithCancel(c.ctx)
	r := &Registration{
		c:      c,
		node:   n,
		key:    c.nodeKey(n.ID),
		value:  string(v),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	if err := c.track(r, nil); err != nil {
		cancel()
		return nil, err
	}
	ka, err := r.register(ctx, rctx)
	if err != nil {
		cancel()
		c.untrack(r, nil)
		return nil, fmt.Errorf("catalog: register node %s: %w", n.ID, err)
	}
	go r.run(rctx, ka)
	return r, nil
}

// register grants a lease, writes the node's key under it, and keeps the
// lease alive until kactx ends; ctx bounds the two requests.
func (r *Registration) register(ctx, kactx context.Context) (<-chan *clientv3.LeaseKeepAliveResponse, error) {
	cli := r.c.cli
	grant, err := cli.Grant(ctx, r.c.cfg.leaseSeconds())
	if err != nil {
		return nil, fmt.Errorf("grant lease: %w", err)
	}
	r.mu.Lock()
	r.trying = grant.ID
	r.mu.Unlock()
	put, err := cli.Put(ctx, r.key, r.value, clientv3.WithLease(grant.ID), clientv3.WithPrevKV())
	if err != nil {
		return nil, fmt.Errorf("put %s: %w", r.key, err)
	}
	ka, err := cli.KeepAlive(kactx, grant.ID)
	if err != nil {
		return nil, fmt.Errorf("keep lease %x alive: %w", grant.ID, err)
	}
	r.mu.Lock()
	prev := r.lease
	r.lease, r.lost, r.trying = grant.ID, false, 0
	r.mu.Unlock()
	if p := put.PrevKv; p != nil && p.Lease != 0 && clientv3.LeaseID(p.Lease) != prev {
		r.c.log.Warn("node ID was registered under another lease; replaced it",
			"node", r.node.ID, "previous", string(p.Value))
	}
	return ka, nil
}

// run drains keepalive responses and re-registers when the lease is lost.
func (r *Registration) run(ctx context.Context, ka <-chan *clientv3.LeaseKeepAliveResponse) {
	defer close(r.done)
	for {
		for range ka {
		}
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		r.lost = true
		lost := r.lease
		r.mu.Unlock()
		r.c.log.Warn("node lease lost; re-registering", "node", r.node.ID, "lease", fmt.Sprintf("%x", lost))

		b := retryBackoff{min: reregisterMinBackoff, max: reregisterMaxBackoff}
		for {
			actx, cancel := context.WithTimeout(ctx, r.c.cfg.DialTimeout)
			var err error
			ka, err = r.register(actx, ctx)
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			r.c.log.Debug("re-register node", "node", r.node.ID, "err", err)
			if !b.wait(ctx) {
				return
			}
		}
		r.c.log.Info("node re-registered", "node", r.node.ID)
	}
}

// Close stops the keepalive and revokes the lease, so that the node
// disappears from Nodes and from every Cache at once rather than after the
// TTL. If etcd cannot be reached within Config.DialTimeout, Close returns
// the error and the lease expires by itself. Close is idempotent.
func (r *Registration) Close() error {
	r.closeOnce.Do(func() {
		r.cancel()
		<-r.done
		r.c.untrack(r, nil)
		r.mu.Lock()
		ids := []clientv3.LeaseID{r.lease, r.trying}
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), r.c.cfg.DialTimeout)
		defer cancel()
		for _, id := range ids {
			if id == 0 {
				continue
			}
			_, err := r.c.cli.Revoke(ctx, id)
			if err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
				r.closeErr = fmt.Errorf("catalog: revoke lease %x of node %s: %w", id, r.node.ID, err)
				return
			}
		}
	})
	return r.closeErr
}
