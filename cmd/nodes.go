package cmd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/armorlake/armorlake/catalog"
	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/rpc"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/server"
	"github.com/armorlake/armorlake/sim"
	"github.com/armorlake/armorlake/sqlerr"
	"github.com/armorlake/armorlake/storage"
)

// The nodes of each role, started from a config and stopped with Close.
// Subcommands start one; dev starts the whole seed topology in one process.

// catalogWait bounds how long a node waits for etcd at startup.
const catalogWait = 30 * time.Second

// openCatalog connects to etcd, failing with a clear error when it does
// not answer within catalogWait.
func openCatalog(ctx context.Context, cfg catalog.Config) (*catalog.Catalog, error) {
	ctx, cancel := context.WithTimeout(ctx, catalogWait)
	defer cancel()
	c, err := catalog.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open catalog at %v (is the master or etcd running?): %w", cfg.Endpoints, err)
	}
	return c, nil
}

type masterConfig struct {
	DataDir   string
	ClientURL string
	PeerURL   string
	Logger    *slog.Logger
}

type masterNode struct {
	etcd *catalog.Embedded
	cat  *catalog.Catalog
}

func startMaster(ctx context.Context, cfg masterConfig) (*masterNode, error) {
	e, err := catalog.StartEmbedded(ctx, catalog.EmbedConfig{
		DataDir: cfg.DataDir, ClientURL: cfg.ClientURL, PeerURL: cfg.PeerURL, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start etcd: %w", err)
	}
	cat, err := catalog.Open(ctx, catalog.Config{Endpoints: e.Endpoints(), Logger: cfg.Logger})
	if err != nil {
		e.Close()
		return nil, err
	}
	if err := cat.PutTables(ctx, schema.All()); err != nil {
		cat.Close()
		e.Close()
		return nil, fmt.Errorf("publish tables: %w", err)
	}
	return &masterNode{etcd: e, cat: cat}, nil
}

func (m *masterNode) Endpoints() []string { return m.etcd.Endpoints() }

func (m *masterNode) Close() error {
	return errors.Join(m.cat.Close(), m.etcd.Close())
}

type operatorConfig struct {
	ID        string
	Listen    string // gRPC address for fragments
	Advertise string // address query nodes dial; default: the bound Listen address
	// TLS, when enabled, serves fragments over mutual TLS only.
	TLS rpc.TLSFiles
	// Cluster names this operator's replica group: operators pulling
	// the same KubeArmor sources. Empty: a group of its own.
	Cluster   string
	DataDir   string
	Etcd      []string
	KubeArmor []string // endpoints to pull from
	// KubeArmorEndpoint holds the settings of every KubeArmor endpoint:
	// filters, messages, TLS (its Addr is ignored). nil: filters "all",
	// messages, plaintext.
	KubeArmorEndpoint *ingest.Endpoint
	// FlushInterval bounds how long a received event waits before it is
	// stored (and so what a crash can lose).
	FlushInterval time.Duration
	// FlushRows flushes a stream's rows once this many have arrived, and
	// BufferEvents bounds the events received but not yet stored (more
	// are dropped and counted); 0 takes ingest's defaults.
	FlushRows, BufferEvents int
	// Retention is how long each table keeps its rows (by their ts): older
	// partitions are dropped every RetentionCheck. A table without an
	// entry keeps everything.
	Retention      map[string]time.Duration
	RetentionCheck time.Duration
	// MergeInterval is how often small blocks (frequent flushes of few
	// rows) are merged into full ones; 0 means every 30 s, negative never.
	MergeInterval time.Duration
	// CacheSize is the bytes of stored data kept in memory for later
	// scans (storage.Options.CacheSize); 0 takes storage's default.
	CacheSize int64
	// PublishInterval is how often the operator refreshes its placement
	// (time range, rows, bytes per table) in the catalog.
	PublishInterval time.Duration
	// LeaseTTL is how long the operator stays registered after it stops
	// renewing, e.g. when it dies. 0 means the catalog's default.
	LeaseTTL time.Duration
	// Metrics, when set, exports the operator's ingest and storage
	// counters.
	Metrics *operatorMetrics
	Logger  *slog.Logger
}

type operatorNode struct {
	cfg    operatorConfig
	store  *storage.Store
	cat    *catalog.Catalog
	reg    *catalog.Registration
	grpc   *grpc.Server
	frags  *rpc.Server
	addr   string
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ing    *ingest.Ingester
}

func startOperator(ctx context.Context, cfg operatorConfig) (_ *operatorNode, err error) {
	n := &operatorNode{cfg: cfg}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	if n.store, err = storage.Open(storage.Options{Dir: cfg.DataDir, CacheSize: cfg.CacheSize, Logger: cfg.Logger}); err != nil {
		return nil, fmt.Errorf("open storage: %w", err)
	}
	// The ingester checks its endpoints and reads TLS files at once, so a
	// configuration mistake fails before anything connects.
	tmpl := ingest.Endpoint{Messages: true}
	if cfg.KubeArmorEndpoint != nil {
		tmpl = *cfg.KubeArmorEndpoint
	}
	var eps []ingest.Endpoint
	for _, a := range cfg.KubeArmor {
		ep := tmpl
		ep.Addr = a
		eps = append(eps, ep)
	}
	n.ing, err = ingest.New(ingest.Config{OperatorID: cfg.ID, Endpoints: eps, FlushInterval: cfg.FlushInterval,
		FlushRows: cfg.FlushRows, BufferEvents: cfg.BufferEvents, Logger: cfg.Logger}, n.store)
	if err != nil {
		return nil, err
	}
	if n.cat, err = openCatalog(ctx, catalog.Config{Endpoints: cfg.Etcd, LeaseTTL: cfg.LeaseTTL, Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	if err = n.cat.PutTables(ctx, schema.All()); err != nil {
		return nil, fmt.Errorf("publish tables: %w", err)
	}
	tables := map[string]*schema.Table{}
	for _, t := range schema.All() {
		tables[t.Name] = t
	}
	resolve := func(name string) (*schema.Table, bool) { t, ok := tables[name]; return t, ok }

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen for fragments: %w", err)
	}
	n.addr = ln.Addr().String()
	var opts []grpc.ServerOption
	if cfg.TLS.Enabled() {
		tc, err := rpc.ServerTLS(cfg.TLS)
		if err != nil {
			ln.Close()
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	n.grpc = grpc.NewServer(opts...)
	n.frags = rpc.NewServer(storageSource{store: n.store, tables: resolve, virtual: n.virtualRows}, resolve, cfg.Logger)
	n.frags.Register(n.grpc)
	go n.grpc.Serve(ln)

	advertise := cfg.Advertise
	if advertise == "" {
		advertise = n.addr
	}
	n.reg, err = n.cat.Register(ctx, catalog.Node{ID: cfg.ID, Role: "operator", Addr: advertise, Version: Version, Started: time.Now(), Cluster: cfg.Cluster})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}

	if cfg.Metrics != nil {
		cfg.Metrics.add(cfg.ID, n)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.cancel = cancel
	n.wg.Add(4)
	go func() {
		defer n.wg.Done()
		if err := n.ing.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			cfg.Logger.Error("ingest stopped", "err", err)
		}
	}()
	go func() {
		defer n.wg.Done()
		n.retentionLoop(runCtx)
	}()
	go func() {
		defer n.wg.Done()
		n.mergeLoop(runCtx)
	}()
	go func() {
		defer n.wg.Done()
		n.publishLoop(runCtx)
	}()
	return n, nil
}

// mergeLoop merges small blocks into full ones every MergeInterval.
func (n *operatorNode) mergeLoop(ctx context.Context) {
	every := n.cfg.MergeInterval
	switch {
	case every < 0:
		return
	case every == 0:
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, tbl := range schema.KubeArmor() {
			ms, err := n.store.MergeSmall(ctx, tbl)
			switch {
			case err != nil && ctx.Err() == nil:
				n.cfg.Logger.Error("merge small blocks", "table", tbl.Name, "err", err)
			case ms.BlocksIn > 0:
				n.cfg.Logger.Debug("merged small blocks", "table", tbl.Name, "blocks_in", ms.BlocksIn,
					"blocks_out", ms.BlocksOut, "rows", ms.Rows, "bytes_in", ms.BytesIn, "bytes_out", ms.BytesOut)
			}
		}
	}
}

// retentionLoop drops partitions older than each table's retention, at
// start and every RetentionCheck.
func (n *operatorNode) retentionLoop(ctx context.Context) {
	if len(n.cfg.Retention) == 0 {
		return
	}
	every := n.cfg.RetentionCheck
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n.applyRetention(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (n *operatorNode) applyRetention(now time.Time) {
	for _, tbl := range schema.KubeArmor() {
		age, ok := n.cfg.Retention[tbl.Name]
		if !ok {
			continue
		}
		cutoff := now.Add(-age)
		dropped, err := n.store.DropBefore(tbl.Name, cutoff.UnixMicro())
		switch {
		case err != nil:
			n.cfg.Logger.Error("retention: drop old partitions", "table", tbl.Name, "err", err)
		case dropped.Rows > 0:
			n.cfg.Logger.Info("retention: dropped partitions", "table", tbl.Name, "rows", dropped.Rows,
				"blocks", dropped.Blocks, "older_than", cutoff.UTC().Format(time.RFC3339))
		}
	}
}

// publishLoop keeps the operator's placements current in the catalog.
func (n *operatorNode) publishLoop(ctx context.Context) {
	every := n.cfg.PublishInterval
	if every <= 0 {
		every = time.Second
	}
	last := map[string]storage.TableStats{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n.publish(ctx, last)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (n *operatorNode) publish(ctx context.Context, last map[string]storage.TableStats) {
	for _, tbl := range schema.KubeArmor() {
		// Unchanged, including never written: nothing to say. A table
		// that retention emptied is published with zero rows.
		st := n.store.Stats(tbl.Name)
		if st == last[tbl.Name] {
			continue
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := n.cat.PutPlacement(pctx, catalog.Placement{
			Table: tbl.Name, NodeID: n.cfg.ID, MinTs: st.MinTs, MaxTs: st.MaxTs,
			Rows: st.Rows, Bytes: st.Bytes, Updated: time.Now(), Cluster: n.cfg.Cluster,
		})
		cancel()
		if err != nil {
			n.cfg.Logger.Warn("publish placement", "table", tbl.Name, "err", err)
			continue
		}
		last[tbl.Name] = st
	}
}

func (n *operatorNode) Addr() string { return n.addr }

// virtualRows computes this operator's rows of a virtual table.
func (n *operatorNode) virtualRows(t *schema.Table) (*coldata.Batch, error) {
	switch t.Name {
	case schema.IngestStatusTable:
		return n.ingestStatusRows(t), nil
	case schema.StoragePartitionsTable:
		return n.partitionRows(t), nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q is not computed by operators", t.Name)
}

// partitionRows lists the store's partitions of every stored table.
func (n *operatorNode) partitionRows(t *schema.Table) *coldata.Batch {
	b := coldata.NewBatch(t.Types(), 0)
	v := b.Vecs
	for _, tbl := range schema.KubeArmor() {
		for _, p := range n.store.Partitions(tbl.Name) {
			v[0].Bytes.AppendString(n.cfg.ID)
			v[1].Bytes.AppendString(tbl.Name)
			for i, x := range []int64{p.Start, p.End, p.MinTs, p.MaxTs, p.Rows, p.Blocks, p.Bytes} {
				v[2+i].Int64 = append(v[2+i].Int64, x)
			}
			b.Len++
		}
	}
	return b
}

// ingestStatusRows lists the ingester's endpoints.
func (n *operatorNode) ingestStatusRows(t *schema.Table) *coldata.Batch {
	var stats []ingest.EndpointStats
	if n.ing != nil {
		stats = n.ing.Stats()
	}
	b := coldata.NewBatch(t.Types(), len(stats))
	v := b.Vecs
	for _, s := range stats {
		v[0].Bytes.AppendString(n.cfg.ID)
		v[1].Bytes.AppendString(s.Endpoint)
		v[2].Bool = append(v[2].Bool, s.Connected)
		counts := []int64{s.Received, s.Stored, s.Dropped, s.Invalid, s.Reconnects, s.Repaired, s.EmptyStreams}
		for i, x := range counts {
			v[3+i].Int64 = append(v[3+i].Int64, x)
		}
		last, lag, lastErr := v[3+len(counts)], v[4+len(counts)], v[5+len(counts)]
		if s.LastEvent.IsZero() {
			last.AppendNull()
			lag.AppendNull()
		} else {
			last.Int64 = append(last.Int64, s.LastEvent.UnixMicro())
			lag.Float64 = append(lag.Float64, s.Lag.Seconds())
		}
		if s.LastError == "" {
			lastErr.AppendNull()
		} else {
			lastErr.Bytes.AppendString(s.LastError)
		}
		b.Len++
	}
	return b
}

// Close stops ingest (flushing what it holds), publishes the final
// placements, leaves the catalog and closes the store.
func (n *operatorNode) Close() error {
	if n.cancel != nil {
		n.cancel()
		n.wg.Wait()
		n.publish(context.Background(), map[string]storage.TableStats{})
	}
	if n.grpc != nil {
		n.grpc.Stop()
	}
	var errs []error
	if n.reg != nil {
		errs = append(errs, n.reg.Close())
	}
	if n.cat != nil {
		errs = append(errs, n.cat.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	return errors.Join(errs...)
}

type queryConfig struct {
	ID     string
	Listen string
	Etcd   []string
	Logger *slog.Logger
	// ConnectTimeout and OperatorTimeout bound the wait for an
	// operator's connection and for any message from a running
	// fragment (rpc.ClientConfig); 0 for the defaults.
	ConnectTimeout, OperatorTimeout time.Duration
	// OperatorTLS, when enabled, reaches operators over mutual TLS.
	OperatorTLS rpc.TLSFiles
	// ClientTLS is "auto" (TLSCert and TLSKey if given, else a
	// self-signed certificate kept in DataDir) or "off".
	ClientTLS       string
	TLSCert, TLSKey string
	DataDir         string
	// Auth decides who may connect (server.AuthRule); nil for
	// server.DefaultAuth.
	Auth []server.AuthRule
	// Limits of the PostgreSQL endpoint (server.Config); 0 for defaults.
	MaxConnections, MaxMessageSize int
	IdleTimeout                    time.Duration
}

// clientTLS returns the TLS configuration for PostgreSQL clients, nil
// when TLS is off.
func (cfg queryConfig) clientTLS() (*tls.Config, error) {
	switch cfg.ClientTLS {
	case "off":
		return nil, nil
	case "", "auto":
	default:
		return nil, fmt.Errorf("--tls %q: must be auto or off", cfg.ClientTLS)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	if cfg.TLSCert != "" {
		cert, err := server.LoadCertificate(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, err
		}
		return server.ServerTLSConfig(cert), nil
	}
	if cfg.DataDir == "" {
		return nil, errors.New("TLS needs --tls-cert and --tls-key, or a --data-dir to keep a self-signed certificate in")
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	name, _ := os.Hostname()
	cert, created, err := server.LoadOrCreateCertificate(cfg.DataDir, []string{host, name})
	if err != nil {
		return nil, err
	}
	if created {
		cfg.Logger.Info("made a self-signed TLS certificate for PostgreSQL clients", "cert", filepath.Join(cfg.DataDir, server.CertFile))
	}
	return server.ServerTLSConfig(cert), nil
}

type queryNode struct {
	cat    *catalog.Catalog
	cache  *catalog.Cache
	reg    *catalog.Registration
	client *rpc.Client
	srv    *server.Server
	done   chan error
	addr   string
}

func startQuery(ctx context.Context, cfg queryConfig) (_ *queryNode, err error) {
	q := &queryNode{done: make(chan error, 1)}
	defer func() {
		if err != nil {
			q.Close()
		}
	}()
	if q.cat, err = openCatalog(ctx, catalog.Config{Endpoints: cfg.Etcd, Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	if q.cache, err = catalog.NewCache(ctx, q.cat); err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	ccfg := rpc.ClientConfig{ConnectTimeout: cfg.ConnectTimeout, SilenceTimeout: cfg.OperatorTimeout}
	if cfg.OperatorTLS.Enabled() {
		if ccfg.TLS, err = rpc.ClientTLS(cfg.OperatorTLS); err != nil {
			return nil, err
		}
	}
	q.client = rpc.NewClient(ccfg)
	p := planner.New(planner.Config{Logger: cfg.Logger}, catalogView{q.cache}, q.client)
	tlsCfg, err := cfg.clientTLS()
	if err != nil {
		return nil, err
	}
	auth := cfg.Auth
	if auth == nil {
		auth = server.DefaultAuth
	}
	q.srv, err = server.New(server.Config{Listen: cfg.Listen, Logger: cfg.Logger, TLS: tlsCfg, Auth: auth,
		Users: catalogUsers{q.cache}, MaxConnections: cfg.MaxConnections, MaxMessageSize: cfg.MaxMessageSize,
		IdleTimeout: cfg.IdleTimeout}, p)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen for PostgreSQL clients: %w", err)
	}
	q.addr = ln.Addr().String()
	go func() { q.done <- q.srv.Serve(context.WithoutCancel(ctx), ln) }()
	q.reg, err = q.cat.Register(ctx, catalog.Node{ID: cfg.ID, Role: "query", Addr: q.addr, Version: Version, Started: time.Now()})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return q, nil
}

func (q *queryNode) Addr() string { return q.addr }

func (q *queryNode) Close() error {
	var errs []error
	if q.srv != nil {
		errs = append(errs, q.srv.Close())
	}
	if q.reg != nil {
		errs = append(errs, q.reg.Close())
	}
	if q.client != nil {
		errs = append(errs, q.client.Close())
	}
	if q.cache != nil {
		errs = append(errs, q.cache.Close())
	}
	if q.cat != nil {
		errs = append(errs, q.cat.Close())
	}
	return errors.Join(errs...)
}

type simNode struct {
	srv    *sim.Server
	grpc   *grpc.Server
	frags  *rpc.Server
	addr   string
	cancel context.CancelFunc
	done   chan struct{}
}

func startSim(ctx context.Context, listen string, cfg sim.Config) (*simNode, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts, err := sim.ServerOptions(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &simNode{srv: sim.NewServer(cfg), grpc: grpc.NewServer(opts...), addr: ln.Addr().String(), done: make(chan struct{})}
	pb.RegisterLogServiceServer(s.grpc, s.srv)
	go s.grpc.Serve(ln)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() {
		defer close(s.done)
		if err := s.srv.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			cfg.Logger.Error("simulator stopped", "err", err)
		}
	}()
	return s, nil
}

func (s *simNode) Addr() string { return s.addr }

func (s *simNode) Close() error {
	s.cancel()
	<-s.done
	s.grpc.Stop()
	return nil
}
