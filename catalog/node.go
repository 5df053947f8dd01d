package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Node roles.
const (
	RoleOperator = "operator"
	RoleQuery    = "query"
	RoleMaster   = "master"
)

// Node is one registered armorlake process. Its key lives under a lease:
// it is listed while the process is alive and reachable.
type Node struct {
	// ID names the node across restarts; placements refer to it.
	ID string `json:"id"`
	// Role is RoleOperator, RoleQuery or RoleMaster. A process running
	// several roles registers once per role, under distinct IDs.
	Role string `json:"role"`
	// Addr is where the role serves: an operator's gRPC address, a query
	// node's PostgreSQL address; empty for the master.
	Addr string `json:"addr"`
	// Version is the armorlake build version.
	Version string `json:"version"`
	// Started is when the process started; Register fills in the current
	// time when zero.
	Started time.Time `json:"started"`
	// Cluster names an operator's replica group: operators that ingest
	// the same sources and so hold the same rows. Empty: a group of its
	// own.
	Cluster string `json:"cluster,omitempty"`
}

func (n *Node) validate() error {
	if err := checkName("node ID", n.ID); err != nil {
		return err
	}
	switch n.Role {
	case RoleOperator, RoleQuery, RoleMaster:
		return nil
	}
	return fmt.Errorf("node %s: unknown role %q", n.ID, n.Role)
}

func decodeNode(id string, v []byte) (Node, error) {
	var n Node
	if err := json.Unmarshal(v, &n); err != nil {
		return Node{}, err
	}
	if n.ID != id {
		return Node{}, fmt.Errorf("value names node %q", n.ID)
	}
	return n, nil
}

// Nodes returns the registered nodes, sorted by ID. A node whose process
// died without closing its registration is listed until its lease expires
// (Config.LeaseTTL).
func (c *Catalog) Nodes(ctx context.Context) ([]Node, error) {
	resp, err := c.cli.Get(ctx, c.cfg.Prefix+nodesDir, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("catalog: list nodes: %w", err)
	}
	nodes := make([]Node, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		kind, id, _ := c.parseKey(string(kv.Key))
		if kind != keyNode {
			continue
		}
		n, err := decodeNode(id, kv.Value)
		if err != nil {
			return nil, fmt.Errorf("catalog: decode node %s: %w", kv.Key, err)
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}
