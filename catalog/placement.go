package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Placement records that one operator holds rows of one table, and their
// time range. Query nodes use it to send a query only to operators whose
// range overlaps the query's time predicate, and to know which operators'
// data is missing when some are down.
//
// Each operator rewrites its own placements as it ingests. They are
// coarse: write them every few seconds at most, not per block, since every
// write is an etcd revision delivered to every query node's cache.
type Placement struct {
	Table  string `json:"table"`
	NodeID string `json:"node_id"`
	// MinTs and MaxTs bound the ts column of the rows held, in µs since
	// the Unix epoch, inclusive. Meaningless when Rows is 0.
	MinTs int64 `json:"min_ts"`
	MaxTs int64 `json:"max_ts"`
	// Rows and Bytes are the number of rows held and their stored size.
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	// Updated is when the operator last wrote this placement; PutPlacement
	// fills in the current time when zero.
	Updated time.Time `json:"updated"`
	// Cluster is the operator's replica group (Node.Cluster), kept here
	// too because a placement outlives its node's registration.
	Cluster string `json:"cluster,omitempty"`
}

// group is the replica group a placement belongs to: its cluster, else
// its node alone.
func (p *Placement) group() string {
	if p.Cluster != "" {
		return "cluster " + p.Cluster
	}
	return "node " + p.NodeID
}

func (p *Placement) validate() error {
	if err := checkName("table name", p.Table); err != nil {
		return err
	}
	if err := checkName("node ID", p.NodeID); err != nil {
		return err
	}
	if p.Rows < 0 || p.Bytes < 0 {
		return fmt.Errorf("negative size: %d rows, %d bytes", p.Rows, p.Bytes)
	}
	if p.Rows > 0 && p.MinTs > p.MaxTs {
		return fmt.Errorf("time range [%d, %d] is empty", p.MinTs, p.MaxTs)
	}
	return nil
}

func decodePlacement(table, nodeID string, v []byte) (Placement, error) {
	var p Placement
	if err := json.Unmarshal(v, &p); err != nil {
		return Placement{}, err
	}
	if p.Table != table || p.NodeID != nodeID {
		return Placement{}, fmt.Errorf("value names table %q node %q", p.Table, p.NodeID)
	}
	return p, nil
}

// PutPlacement writes p, replacing the node's earlier placement for the
// table. It is durable: it stays after the node's registration is gone.
func (c *Catalog) PutPlacement(ctx context.Context, p Placement) error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("catalog: put placement of %s/%s: %w", p.Table, p.NodeID, err)
	}
	if p.Updated.IsZero() {
		p.Updated = time.Now()
	}
	p.Updated = p.Updated.UTC()
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("catalog: encode placement of %s/%s: %w", p.Table, p.NodeID, err)
	}
	if _, err := c.cli.Put(ctx, c.placementPrefix(p.Table)+p.NodeID, string(v)); err != nil {
		return fmt.Errorf("catalog: put placement of %s/%s: %w", p.Table, p.NodeID, err)
	}
	return nil
}

// Placements returns the placements of table, sorted by node ID.
func (c *Catalog) Placements(ctx context.Context, table string) ([]Placement, error) {
	if err := checkName("table name", table); err != nil {
		return nil, fmt.Errorf("catalog: list placements: %w", err)
	}
	resp, err := c.cli.Get(ctx, c.placementPrefix(table), clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("catalog: list placements of %s: %w", table, err)
	}
	ps := make([]Placement, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		kind, t, id := c.parseKey(string(kv.Key))
		if kind != keyPlacement || t != table {
			continue
		}
		p, err := decodePlacement(t, id, kv.Value)
		if err != nil {
			return nil, fmt.Errorf("catalog: decode placement %s: %w", kv.Key, err)
		}
		ps = append(ps, p)
	}
	return ps, nil
}
