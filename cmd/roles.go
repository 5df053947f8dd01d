package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/armorlake/armorlake/export"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/server"
	"github.com/armorlake/armorlake/sim"
)

const defaultEtcd = "http://127.0.0.1:2379"

// devRate is each dev simulator's continuous rate: modest, so a laptop
// idles, yet counts visibly grow between two queries.
const devRate = 20

func runMaster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := newOptions("master", "Runs the master: an embedded etcd holding the catalog (nodes, tables, placements).\nAt scale, run an etcd cluster instead and point every node at it with --etcd-endpoints.", stderr)
	var cfg masterConfig
	var lf logFlags
	o.fs.StringVar(&cfg.DataDir, "data-dir", "data/master", "directory of etcd's data")
	o.fs.StringVar(&cfg.ClientURL, "client-url", defaultEtcd, "URL etcd serves clients on")
	o.fs.StringVar(&cfg.PeerURL, "peer-url", "http://127.0.0.1:2380", "URL etcd serves peers on")
	httpAddr := addHTTPFlag(o, "127.0.0.1:9470")
	lf.add(o, "info")
	logger, err := o.parseWithLogger(args, &lf, stderr)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	h, err := startHTTP(*httpAddr, newRegistry(), logger)
	if err != nil {
		return err
	}
	defer h.Close()
	m, err := startMaster(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	logger.Info("master ready", "etcd", m.Endpoints())
	<-ctx.Done()
	return nil
}

func runOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := newOptions("operator", "Runs an operator: pulls WatchAlerts, WatchLogs and WatchMessages from KubeArmor endpoints,\nstores the events in Pebble, registers in the catalog and answers plan fragments over gRPC.", stderr)
	var cfg operatorConfig
	var etcd, ka listFlag = []string{defaultEtcd}, []string{"127.0.0.1:32767"}
	var lf logFlags
	host, _ := os.Hostname()
	o.fs.StringVar(&cfg.ID, "id", "operator-"+host, "operator ID, unique in the cluster")
	o.fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:7070", "address to serve plan fragments on (gRPC)")
	o.fs.StringVar(&cfg.Advertise, "advertise", "", "address query nodes dial to reach this operator (default: the bound --listen address)")
	o.fs.StringVar(&cfg.Cluster, "cluster", "", "replica group: operators given the same --cluster pull the same KubeArmor sources, and a query asks one of them (default: a group of its own)")
	o.fs.StringVar(&cfg.TLS.Cert, "tls-cert", "", "PEM certificate for mutual TLS with query nodes (with --tls-key and --tls-ca; default plaintext)")
	o.fs.StringVar(&cfg.TLS.Key, "tls-key", "", "PEM private key of --tls-cert")
	o.fs.StringVar(&cfg.TLS.CA, "tls-ca", "", "PEM CA that signs the query nodes' certificates")
	o.fs.StringVar(&cfg.DataDir, "data-dir", "data/operator", "directory of the Pebble store")
	o.fs.Var(&etcd, "etcd-endpoints", "comma-separated etcd client URLs of the catalog")
	o.fs.Var(&ka, "kubearmor", "comma-separated KubeArmor gRPC endpoints (host:port) to pull events from")
	o.fs.DurationVar(&cfg.FlushInterval, "flush-interval", time.Second, "longest time a received event waits before the flush that stores it begins; a crash loses at most this plus one synced write")
	o.fs.IntVar(&cfg.FlushRows, "flush-rows", ingest.DefaultFlushRows, "rows of one stream that trigger a flush before --flush-interval")
	o.fs.IntVar(&cfg.BufferEvents, "ingest-buffer", ingest.DefaultBufferEvents, "most events received and not yet stored; beyond it events are dropped and counted, never blocking KubeArmor")
	o.fs.Var(retentionFlag{&cfg.Retention}, "retention", `how long to keep events, by their time: "14d", or per table "logs=72h,alerts=30d" (a bare age covers the tables not named; default: forever)`)
	o.fs.DurationVar(&cfg.MergeInterval, "merge-interval", 30*time.Second, "how often blocks of small flushes are merged into full ones (negative: never)")
	o.fs.DurationVar(&cfg.RetentionCheck, "retention-check", time.Minute, "how often partitions past --retention are looked for and dropped")
	o.fs.Func("block-cache", "MiB of stored data kept in memory for later scans: three quarters Pebble's block cache, a quarter decompressed column chunks (Pebble's memtables come on top) (default 64)", func(v string) error {
		mb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || mb < 1 || mb > 1<<20 {
			return fmt.Errorf("%q is not a number of MiB between 1 and %d", v, 1<<20)
		}
		cfg.CacheSize = mb << 20
		return nil
	})
	o.fs.DurationVar(&cfg.PublishInterval, "publish-interval", time.Second, "how often this operator's placements are refreshed in the catalog")
	o.fs.DurationVar(&cfg.LeaseTTL, "lease-ttl", 10*time.Second, "how long this operator stays registered after it stops renewing (e.g. dies)")
	var ep ingest.Endpoint
	o.fs.StringVar(&ep.AlertFilter, "alert-filter", ingest.DefaultAlertFilter, `alerts to pull: "all", or "policy" (policy matches only)`)
	o.fs.StringVar(&ep.LogFilter, "log-filter", ingest.DefaultLogFilter, `logs to pull: "all", or "system" (system logs only)`)
	o.fs.BoolVar(&ep.Messages, "messages", true, "also pull KubeArmor's own daemon messages")
	o.fs.BoolVar(&ep.TLS.Enabled, "kubearmor-tls", false, "connect to every --kubearmor endpoint over TLS, like karmor --secure")
	o.fs.StringVar(&ep.TLS.CAFile, "kubearmor-ca", "", "PEM bundle of the CAs that sign the KubeArmor server certificates (default: the system roots)")
	o.fs.StringVar(&ep.TLS.CertFile, "kubearmor-cert", "", "PEM client certificate for KubeArmor servers requiring mutual TLS (with --kubearmor-key)")
	o.fs.StringVar(&ep.TLS.KeyFile, "kubearmor-key", "", "PEM private key of --kubearmor-cert")
	o.fs.StringVar(&ep.TLS.ServerName, "kubearmor-server-name", "", "name the KubeArmor server certificates must carry (default: the host of each endpoint)")
	httpAddr := addHTTPFlag(o, "127.0.0.1:9471")
	floor := addHeapFloorFlag(o)
	lf.add(o, "info")
	logger, err := o.parseWithLogger(args, &lf, stderr)
	if err != nil {
		return err
	}
	defer startHeapFloor(uint64(*floor) << 20)()
	switch {
	case ep.AlertFilter != "all" && ep.AlertFilter != "policy":
		return fmt.Errorf(`--alert-filter %q: want "all" or "policy"`, ep.AlertFilter)
	case ep.LogFilter != "all" && ep.LogFilter != "system":
		return fmt.Errorf(`--log-filter %q: want "all" or "system"`, ep.LogFilter)
	}
	cfg.KubeArmorEndpoint = &ep
	cfg.Etcd, cfg.KubeArmor, cfg.Logger = etcd, ka, logger
	reg := newRegistry()
	cfg.Metrics = newOperatorMetrics(reg)
	h, err := startHTTP(*httpAddr, reg, logger)
	if err != nil {
		return err
	}
	defer h.Close()
	n, err := startOperator(ctx, cfg)
	if err != nil {
		return err
	}
	logger.Info("operator ready", "id", cfg.ID, "listen", n.Addr(), "kubearmor", cfg.KubeArmor)
	<-ctx.Done()
	return n.Close()
}

func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := newOptions("query", "Runs a query node: a PostgreSQL endpoint that plans SQL, sends fragments to the operators\nholding the data and merges their results. Stateless: run as many as you like.", stderr)
	var cfg queryConfig
	var etcd listFlag = []string{defaultEtcd}
	var lf logFlags
	host, _ := os.Hostname()
	o.fs.StringVar(&cfg.ID, "id", "query-"+host, "query node ID, unique in the cluster")
	o.fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:5432", "address to serve PostgreSQL clients on")
	o.fs.StringVar(&cfg.ClientTLS, "tls", "auto", `TLS for PostgreSQL clients that ask for it: "auto" (--tls-cert and --tls-key, else a self-signed certificate made on first start and kept in --data-dir) or "off"`)
	o.fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate chain served to PostgreSQL clients")
	o.fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	o.fs.StringVar(&cfg.DataDir, "data-dir", "data/query", "directory of the query node's own files (its self-signed certificate)")
	o.fs.IntVar(&cfg.MaxConnections, "max-connections", server.DefaultMaxConnections, "sessions served at once; the next client gets 53300 too_many_connections")
	o.fs.IntVar(&cfg.MaxMessageSize, "max-message-size", server.DefaultMaxMessageSize, "largest message a client may send, in bytes; a larger one ends its session with 08P01")
	o.fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "end a session idle this long, as idle_session_timeout does (0: never)")
	var authFile string
	o.fs.StringVar(&authFile, "auth-file", "", "who may connect, in pg_hba.conf's form: lines of TYPE (host, hostssl, hostnossl) USER ADDRESS METHOD (trust, reject, scram-sha-256, password); users come from 'armorlake user add' (default: trust loopback clients, scram-sha-256 for the others)")
	o.fs.Var(&etcd, "etcd-endpoints", "comma-separated etcd client URLs of the catalog")
	o.fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", 3*time.Second, "how long a query waits to reach an operator before failing with an error naming it")
	o.fs.StringVar(&cfg.OperatorTLS.Cert, "operator-tls-cert", "", "PEM certificate for mutual TLS with operators (with --operator-tls-key and --operator-tls-ca; default plaintext)")
	o.fs.StringVar(&cfg.OperatorTLS.Key, "operator-tls-key", "", "PEM private key of --operator-tls-cert")
	o.fs.StringVar(&cfg.OperatorTLS.CA, "operator-tls-ca", "", "PEM CA that signs the operators' certificates")
	o.fs.DurationVar(&cfg.OperatorTimeout, "operator-timeout", 10*time.Second, "how long a running fragment may send nothing (operators send a heartbeat every second) before its operator is taken as hung and the query fails naming it")
	httpAddr := addHTTPFlag(o, "127.0.0.1:9472")
	floor := addHeapFloorFlag(o)
	lf.add(o, "info")
	logger, err := o.parseWithLogger(args, &lf, stderr)
	if err != nil {
		return err
	}
	defer startHeapFloor(uint64(*floor) << 20)()
	cfg.Etcd, cfg.Logger = etcd, logger
	if authFile != "" {
		if cfg.Auth, err = server.LoadAuthRules(authFile); err != nil {
			return err
		}
	}
	h, err := startHTTP(*httpAddr, newRegistry(), logger)
	if err != nil {
		return err
	}
	defer h.Close()
	q, err := startQuery(ctx, cfg)
	if err != nil {
		return err
	}
	logger.Info("query node ready", "listen", q.Addr())
	<-ctx.Done()
	return q.Close()
}

// simFlags are the simulator settings, shared by kubearmor-sim and dev
// (which prefixes them with "sim-").
type simFlags struct {
	seed        int64
	rate        float64
	count       int
	start       time.Time
	span        time.Duration
	wait, exact bool
	part, parts int // from --part, 0-based
}

func (s *simFlags) add(o *options, prefix string, continuousRate int) {
	o.fs.Int64Var(&s.seed, prefix+"seed", 1, "seed of the simulated fleet and its events")
	o.fs.Float64Var(&s.rate, prefix+"rate", 0, fmt.Sprintf("events per second (default: %d when continuous, unpaced with a count)", continuousRate))
	o.fs.IntVar(&s.count, prefix+"count", 0, "send this many events spread over the span, then stop sending (0: continuous, wall-clock times)")
	o.fs.Var(timeFlag{&s.start}, prefix+"start", "time of the first event with a count, RFC 3339 (default: an hour boundary one span ago)")
	o.fs.DurationVar(&s.span, prefix+"span", 24*time.Hour, "with a count, the time span the events are spread over")
}

func (s *simFlags) config() sim.Config {
	return sim.Config{Seed: s.seed, Rate: s.rate, Count: s.count, Start: s.start, Span: s.span,
		Part: s.part, Parts: s.parts, WaitForSubscribers: s.wait, WaitForMessages: s.wait, Lossless: s.exact}
}

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := newOptions("kubearmor-sim", "Serves KubeArmor's gRPC LogService (feeder.LogService) with a seeded, realistic mix of\nalerts, logs and messages, as a KubeArmor daemon or relay would.", stderr)
	var sf simFlags
	var lf logFlags
	var listen, tlsCert, tlsKey, tlsClientCA string
	o.fs.StringVar(&listen, "listen", "127.0.0.1:32767", "address to serve the LogService on")
	sf.add(o, "", sim.DefaultRate)
	o.fs.BoolVar(&sf.wait, "wait-subscribers", false, "hold events back until an alerts, a logs and a messages subscriber are connected")
	o.fs.BoolVar(&sf.exact, "lossless", false, "block on a full subscriber queue instead of dropping events (real KubeArmor drops)")
	o.fs.Func("part", `with --count, send only part K of N of the sequence, as "K/N": the events numbered K, K+N, K+2N, … (from 1), so N simulators with parts 1/N … N/N send the sequence once between them`, func(v string) error {
		k, n, ok := strings.Cut(v, "/")
		kk, err1 := strconv.Atoi(k)
		nn, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || nn < 1 || kk < 1 || kk > nn {
			return fmt.Errorf("%q: want K/N with 1 <= K <= N, such as 2/3", v)
		}
		sf.part, sf.parts = kk-1, nn
		return nil
	})
	o.fs.StringVar(&tlsCert, "tls-cert", "", "PEM server certificate: serve TLS, as KubeArmor with TLS on (with --tls-key)")
	o.fs.StringVar(&tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	o.fs.StringVar(&tlsClientCA, "tls-client-ca", "", "PEM bundle of CAs: require client certificates signed by one of them (mutual TLS)")
	httpAddr := addHTTPFlag(o, "")
	var exportFormat, exportFile string
	o.fs.StringVar(&exportFormat, "export", "", "instead of serving, write the --count events to --export-file and exit: csv (PostgreSQL COPY CSV, one file per table) or jsonl (karmor logs --json lines with a \"table\" key)")
	o.fs.StringVar(&exportFile, "export-file", "", "with --export: the directory that receives alerts.csv, logs.csv and messages.csv (csv), or the file (jsonl)")
	lf.add(o, "info")
	logger, err := o.parseWithLogger(args, &lf, stderr)
	if err != nil {
		return err
	}
	if exportFormat != "" || exportFile != "" {
		format, err := export.ParseFormat(exportFormat)
		switch {
		case err != nil:
			return fmt.Errorf("--export: %w", err)
		case exportFile == "":
			return fmt.Errorf("--export %s needs --export-file", format)
		case sf.count <= 0:
			return fmt.Errorf("--export needs --count N: only a fixed count of events is reproducible and ends")
		case sf.parts > 1:
			return fmt.Errorf("--part splits what is served; --export writes the whole sequence")
		}
		ec := export.Config{Sim: sf.config(), Format: format, Path: exportFile, Logger: logger}
		ec.EnsureDefaults()
		logger.Info("exporting kubearmor simulator events", "format", format, "path", exportFile,
			"seed", ec.Sim.Seed, "count", ec.Sim.Count, "start", ec.Sim.Start.Format(time.RFC3339Nano), "span", ec.Sim.Span)
		_, err = export.Run(ctx, ec)
		return err
	}
	cfg := sf.config()
	cfg.TLSCertFile, cfg.TLSKeyFile, cfg.TLSClientCAFile = tlsCert, tlsKey, tlsClientCA
	cfg.Logger = logger
	s, err := startSim(ctx, listen, cfg)
	if err != nil {
		return err
	}
	reg := newRegistry()
	reg.MustRegister(simMetrics{s.srv})
	h, err := startHTTP(*httpAddr, reg, logger)
	if err != nil {
		s.Close()
		return err
	}
	defer h.Close()
	logger.Info("kubearmor simulator ready", "listen", s.Addr(), "http", h.Addr(), "seed", sf.seed, "count", sf.count)
	<-ctx.Done()
	return s.Close()
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := newOptions("dev", "Runs the seed topology in one process: embedded etcd, one query node, three operators,\neach pulling from its own KubeArmor simulator over gRPC on loopback.", stderr)
	var sf simFlags
	var lf logFlags
	var listen, dataDir string
	o.fs.StringVar(&listen, "listen", "127.0.0.1:5432", "address of the query node's PostgreSQL endpoint")
	o.fs.StringVar(&dataDir, "data-dir", "data/dev", "directory for etcd's and the operators' data (kept between runs)")
	httpAddr := addHTTPFlag(o, "127.0.0.1:9470")
	floor := addHeapFloorFlag(o)
	sf.add(o, "sim-", devRate)
	lf.add(o, "warn")
	logger, err := o.parseWithLogger(args, &lf, stderr)
	if err != nil {
		return err
	}
	defer startHeapFloor(uint64(*floor) << 20)()
	if sf.count > 0 {
		// A fixed count is for reproducible data: deliver every event.
		sf.wait, sf.exact = true, true
	} else if sf.rate == 0 {
		sf.rate = devRate
	}

	etcdClient, err := freeLoopbackURL()
	if err != nil {
		return err
	}
	etcdPeer, err := freeLoopbackURL()
	if err != nil {
		return err
	}
	reg := newRegistry()
	metrics := newOperatorMetrics(reg)
	h, err := startHTTP(*httpAddr, reg, logger)
	if err != nil {
		return err
	}
	defer h.Close()
	m, err := startMaster(ctx, masterConfig{DataDir: filepath.Join(dataDir, "master"), ClientURL: etcdClient, PeerURL: etcdPeer, Logger: logger})
	if err != nil {
		return err
	}
	defer m.Close()

	var closers []interface{ Close() error }
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}()
	for i := 1; i <= 3; i++ {
		cfg := sf.config()
		cfg.Seed = sf.seed + int64(i-1)
		cfg.Logger = logger
		s, err := startSim(ctx, "127.0.0.1:0", cfg)
		if err != nil {
			return fmt.Errorf("simulator %d: %w", i, err)
		}
		closers = append(closers, s)
		op, err := startOperator(ctx, operatorConfig{
			ID: fmt.Sprintf("operator-%d", i), Listen: "127.0.0.1:0",
			DataDir: filepath.Join(dataDir, fmt.Sprintf("operator-%d", i)), Etcd: m.Endpoints(),
			KubeArmor: []string{s.Addr()}, FlushInterval: time.Second, PublishInterval: time.Second,
			Metrics: metrics, Logger: logger,
		})
		if err != nil {
			return fmt.Errorf("operator %d: %w", i, err)
		}
		closers = append(closers, op)
	}
	q, err := startQuery(ctx, queryConfig{ID: "query-1", Listen: listen, Etcd: m.Endpoints(), Logger: logger, DataDir: filepath.Join(dataDir, "query"),
		Auth: server.TrustAll})
	if err != nil {
		return err
	}
	closers = append(closers, q)
	host, port, _ := splitHostPort(q.Addr())
	metricsURL := "(disabled)"
	if h.Addr() != "" {
		metricsURL = "http://" + h.Addr() + "/metrics"
	}
	fmt.Fprintf(stdout, `armorlake dev is running: 1 query node, 3 operators, 3 KubeArmor simulators.
  catalog (etcd): %s
  data:           %s
  metrics:        %s

Connect with:
  psql -h %s -p %s -U armorlake

Try:
  SELECT namespace_name, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC;

Press Ctrl-C to stop.
`, m.Endpoints()[0], dataDir, metricsURL, host, port)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}

// addHTTPFlag adds --http-listen, the node's HTTP port for /metrics and
// /healthz.
func addHTTPFlag(o *options, def string) *string {
	var addr string
	o.fs.StringVar(&addr, "http-listen", def, "address to serve Prometheus /metrics, /healthz and /debug/pprof on (empty: off)")
	return &addr
}
