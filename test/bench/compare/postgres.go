package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/test/pgtest"
)

// pgSettings tune PostgreSQL as its documentation advises for a server of
// this machine's size: a quarter of the memory as shared buffers, room
// for sorts and hashes, and checkpoints spaced out for a bulk load. The
// rest stays at the defaults (parallel query on, two workers per
// gather).
var pgSettings = map[string]string{
	"shared_buffers":       "6GB",
	"effective_cache_size": "16GB",
	"work_mem":             "64MB",
	"maintenance_work_mem": "1GB",
	"max_wal_size":         "16GB",
}

// pgIndexes are the indexes a user would create for KubeArmor dashboards:
// time, and the columns they filter on.
var pgIndexes = map[string][]string{
	"alerts":   {"ts", "namespace_name", "action", "severity"},
	"logs":     {"ts", "namespace_name", "operation"},
	"messages": {"ts"},
}

// startPostgres starts PostgreSQL 15 (fsync on, TCP on loopback, as
// clients reach armorlake), loads the CSV files with COPY, creates the
// indexes and runs VACUUM ANALYZE.
func startPostgres(ctx context.Context, csvDir string, mem *memSampler) (*system, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pg, stopPG, err := pgtest.LaunchWith(pgtest.Options{Durable: true, TCPPort: port, Settings: pgSettings})
	if err != nil {
		return nil, err
	}
	s := &system{short: "PostgreSQL"}
	var conn *pgx.Conn
	s.close = func() {
		if conn != nil {
			conn.Close(context.Background())
		}
		stopPG()
	}
	fail := func(err error) (*system, error) {
		s.close()
		return nil, err
	}
	pid, err := pg.PID()
	if err != nil {
		return fail(err)
	}
	s.pids = func() []int { return processTree(pid) }
	conn, err = pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", port))
	if err != nil {
		return fail(err)
	}
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return fail(err)
	}
	s.name = "PostgreSQL " + strings.Fields(version)[0]
	mem.watch(s.name, s.pids)
	mem.phase("load")
	logf("%s: COPY of the CSV files", s.name)

	var copyTime, indexTime time.Duration
	var events int64
	for _, t := range schema.KubeArmor() {
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, c.Type))
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(cols, ", "))); err != nil {
			return fail(err)
		}
		f, err := os.Open(filepath.Join(csvDir, t.Name+".csv"))
		if err != nil {
			return fail(err)
		}
		start := time.Now()
		tag, err := conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s FROM STDIN WITH (FORMAT csv, HEADER true)", t.Name))
		f.Close()
		if err != nil {
			return fail(fmt.Errorf("COPY %s: %w", t.Name, err))
		}
		copyTime += time.Since(start)
		events += tag.RowsAffected()
	}
	logf("%s: %d rows copied in %s (%.0f events/s); indexes and VACUUM ANALYZE", s.name, events, copyTime.Round(time.Millisecond), float64(events)/copyTime.Seconds())
	start := time.Now()
	var idx []string
	for _, t := range schema.KubeArmor() {
		for _, col := range pgIndexes[t.Name] {
			if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE INDEX ON %s (%s)", t.Name, col)); err != nil {
				return fail(err)
			}
			idx = append(idx, t.Name+"("+col+")")
		}
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t.Name); err != nil {
			return fail(err)
		}
	}
	indexTime = time.Since(start)
	var bytes int64
	if err := conn.QueryRow(ctx, "SELECT sum(pg_total_relation_size(c)) FROM unnest($1::regclass[]) c",
		[]string{"alerts", "logs", "messages"}).Scan(&bytes); err != nil {
		return fail(err)
	}
	_, _, disk, err := dirSize(pg.Dir)
	if err != nil {
		return fail(err)
	}
	s.load = loadStats{
		disk:     disk,
		how:      "COPY FROM STDIN (CSV) over loopback TCP, fsync on; then CREATE INDEX on " + strings.Join(idx, ", ") + " and VACUUM ANALYZE",
		events:   events,
		ingest:   copyTime,
		ready:    copyTime + indexTime,
		bytes:    bytes,
		bytesHow: "pg_total_relation_size: tables, TOAST and indexes",
	}
	s.query = pgxQuery(conn)
	return s, nil
}

// processTree returns pid and its children (PostgreSQL's backends and
// workers are the postmaster's children).
func processTree(pid int) []int {
	pids := []int{pid}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var child int
		if _, err := fmt.Sscan(e.Name(), &child); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The parent is the second field after the parenthesized name.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		f := strings.Fields(rest)
		var ppid int
		if len(f) > 1 {
			fmt.Sscan(f[1], &ppid)
		}
		if ppid == pid {
			pids = append(pids, child)
		}
	}
	return pids
}
