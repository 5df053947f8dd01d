// Package sim simulates KubeArmor: it generates realistic, seeded,
// reproducible security telemetry and serves it over KubeArmor's own gRPC
// LogService, so that everything downstream (ingest, storage, queries,
// benchmarks) runs against the real protocol without a cluster.
//
// Two parts:
//
//   - Generator (generator.go, alert.go) walks a simulated fleet built
//     once per seed (world.go): 10–50 nodes with NodeIDs, a mix of old
//     and modern daemons and LSMs; 10–30 namespaces of Deployments,
//     StatefulSets and DaemonSets whose pods churn through the span in
//     rollout generations (hundreds of pods, 1–3 containers each, 64-hex
//     IDs, images pinned by digest); process trees with PIDs allocated
//     upward per node; Zipf-distributed executables and file paths with a
//     long tail; remote endpoints; 10–100 policies with severities, tags
//     and actions. The mix follows shared/kubearmor/README.md: logs
//     90–97%, alerts 3–10%, a few daemon messages, host events 5–20%,
//     bursts of exec storms, port scans and cron jobs. Action, Enforcer
//     and Result are consistent (Block under an LSM fails with "Permission
//     denied", Audit passes, a node without LSM audits what it would
//     block).
//
//   - Server (server.go, fanout.go) implements feeder.LogService the way
//     the daemon does: HealthCheck echoes the nonce; WatchAlerts accepts
//     "all" and "policy", WatchLogs "all" and "system", and any other
//     filter ends the stream at once without an error; each subscriber
//     has a 1000-event queue filled without blocking, so a slow
//     subscriber loses events (unless Config.Lossless); nothing is
//     replayed. GRPCServerOptions carries the daemon's keepalive policy.
//
// In count mode (Config.Count > 0) the events are a pure function of
// Seed, Start, Span and Count: a fresh Generator with the same Config
// reproduces exactly what a Server sent, which is how tests check that
// nothing was lost.
package sim
