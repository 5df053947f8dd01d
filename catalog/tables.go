package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/armorlake/armorlake/schema"
)

// PutTables writes table descriptors, replacing any of the same name. It
// is idempotent: tables already stored exactly as given are not rewritten,
// so calling it at every start-up costs no etcd revision and wakes no
// cache. Tables are written in transactions of up to 64.
func (c *Catalog) PutTables(ctx context.Context, tables []*schema.Table) error {
	values := make(map[string][]byte, len(tables))
	keys := make([]string, 0, len(tables))
	for _, t := range tables {
		if err := checkName("table name", t.Name); err != nil {
			return fmt.Errorf("catalog: put tables: %w", err)
		}
		v, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("catalog: encode table %s: %w", t.Name, err)
		}
		k := c.tableKey(t.Name)
		if _, dup := values[k]; !dup {
			keys = append(keys, k)
		}
		values[k] = v
	}
	resp, err := c.cli.Get(ctx, c.cfg.Prefix+tablesDir, clientv3.WithPrefix())
	if err != nil {
		return fmt.Errorf("catalog: list tables: %w", err)
	}
	for _, kv := range resp.Kvs {
		if v, ok := values[string(kv.Key)]; ok && bytes.Equal(v, kv.Value) {
			delete(values, string(kv.Key))
		}
	}
	var ops []clientv3.Op
	for i, k := range keys {
		if v, ok := values[k]; ok {
			ops = append(ops, clientv3.OpPut(k, string(v)))
		}
		if len(ops) == maxTxnOps || (i == len(keys)-1 && len(ops) > 0) {
			if _, err := c.cli.Txn(ctx).Then(ops...).Commit(); err != nil {
				return fmt.Errorf("catalog: put %d tables: %w", len(ops), err)
			}
			ops = ops[:0]
		}
	}
	return nil
}

// Tables returns every table descriptor, sorted by name. The tables are
// the caller's to modify.
func (c *Catalog) Tables(ctx context.Context) ([]*schema.Table, error) {
	resp, err := c.cli.Get(ctx, c.cfg.Prefix+tablesDir, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("catalog: list tables: %w", err)
	}
	tables := make([]*schema.Table, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		kind, name, _ := c.parseKey(string(kv.Key))
		if kind != keyTable {
			continue
		}
		t, err := decodeTable(name, kv.Value)
		if err != nil {
			return nil, fmt.Errorf("catalog: decode table %s: %w", kv.Key, err)
		}
		tables = append(tables, t)
	}
	return tables, nil
}

func decodeTable(name string, v []byte) (*schema.Table, error) {
	t := new(schema.Table)
	if err := json.Unmarshal(v, t); err != nil {
		return nil, err
	}
	if t.Name != name {
		return nil, fmt.Errorf("value names table %q", t.Name)
	}
	return t, nil
}
