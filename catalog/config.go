package catalog

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultPrefix      = "/armorlake/"
	DefaultDialTimeout = 5 * time.Second
	DefaultLeaseTTL    = 10 * time.Second
)

// Config configures a Catalog.
type Config struct {
	// Endpoints are the etcd client URLs, e.g. "http://127.0.0.1:2379".
	// Required.
	Endpoints []string
	// Prefix is prepended to every key. A missing trailing '/' is added.
	// Default "/armorlake/". Several armorlake deployments can share one
	// etcd cluster under different prefixes.
	Prefix string
	// DialTimeout bounds connection set-up and each attempt of the
	// background work this package does on its own (re-registering a node,
	// reloading a cache). Calls that take a context are bounded by it
	// instead. Default 5s.
	DialTimeout time.Duration
	// LeaseTTL is the lifetime of a node registration that is no longer
	// kept alive: how long a crashed node stays listed. etcd counts whole
	// seconds; the value is rounded up. Default 10s; etcd's own minimum
	// (1.5 × its election timeout, 2s for the embedded etcd) applies.
	LeaseTTL time.Duration
	// Logger receives the package's few log records (lost leases, broken
	// watches) and the etcd client's errors. Default: discard.
	Logger *slog.Logger
}

// EnsureDefaults fills in every unset field with its default.
func (c *Config) EnsureDefaults() {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if !strings.HasSuffix(c.Prefix, "/") {
		c.Prefix += "/"
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	if len(c.Endpoints) == 0 {
		return errors.New("catalog config: no endpoints")
	}
	for _, ep := range c.Endpoints {
		if ep == "" {
			return errors.New("catalog config: empty endpoint")
		}
	}
	if c.DialTimeout < 0 {
		return fmt.Errorf("catalog config: negative dial timeout %s", c.DialTimeout)
	}
	if c.LeaseTTL < 0 {
		return fmt.Errorf("catalog config: negative lease TTL %s", c.LeaseTTL)
	}
	return nil
}

// leaseSeconds is LeaseTTL in etcd's unit, rounded up.
func (c *Config) leaseSeconds() int64 {
	return int64((c.LeaseTTL + time.Second - 1) / time.Second)
}
