package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// User is a role that may log in to query nodes with a password. Only
// its SCRAM-SHA-256 verifier is kept, in PostgreSQL's format
// (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64),
// from which the password cannot be recovered.
type User struct {
	Name    string    `json:"name"`
	SCRAM   string    `json:"scram"`
	Created time.Time `json:"created"`
}

func (c *Catalog) userKey(name string) string { return c.cfg.Prefix + usersDir + name }

// PutUser adds a user or replaces its verifier.
func (c *Catalog) PutUser(ctx context.Context, u User) error {
	if err := checkName("user name", u.Name); err != nil {
		return fmt.Errorf("catalog: put user: %w", err)
	}
	if !strings.HasPrefix(u.SCRAM, "SCRAM-SHA-256$") {
		return fmt.Errorf("catalog: put user %s: not a SCRAM-SHA-256 verifier", u.Name)
	}
	if u.Created.IsZero() {
		u.Created = time.Now().UTC()
	}
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	if _, err := c.cli.Put(ctx, c.userKey(u.Name), string(v)); err != nil {
		return fmt.Errorf("catalog: put user %s: %w", u.Name, err)
	}
	return nil
}

// DeleteUser removes a user; it reports whether there was one.
func (c *Catalog) DeleteUser(ctx context.Context, name string) (bool, error) {
	resp, err := c.cli.Delete(ctx, c.userKey(name))
	if err != nil {
		return false, fmt.Errorf("catalog: delete user %s: %w", name, err)
	}
	return resp.Deleted > 0, nil
}

// Users lists the users, by name.
func (c *Catalog) Users(ctx context.Context) ([]User, error) {
	resp, err := c.cli.Get(ctx, c.cfg.Prefix+usersDir, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("catalog: list users: %w", err)
	}
	var out []User
	for _, kv := range resp.Kvs {
		kind, name, _ := c.parseKey(string(kv.Key))
		if kind != keyUser {
			continue
		}
		u, err := decodeUser(name, kv.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func decodeUser(name string, value []byte) (User, error) {
	var u User
	if err := json.Unmarshal(value, &u); err != nil {
		return User{}, fmt.Errorf("decode user %s: %w", name, err)
	}
	if u.Name != name {
		return User{}, fmt.Errorf("user %s stored under key %s", u.Name, name)
	}
	return u, nil
}

// User returns a user as the cache last saw it.
func (ca *Cache) User(name string) (User, bool) {
	ca.mu.RLock()
	defer ca.mu.RUnlock()
	u, ok := ca.view.users[name]
	return u, ok
}
