package test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armorlake/armorlake/sim"
)

// TestRetention runs an operator with --retention 24h over two days of
// events: once everything has arrived, count(*) holds exactly the events
// of the partitions that end after now-24h, and storage_partitions lists
// nothing older.
func TestRetention(t *testing.T) {
	const count = 4000
	dir := t.TempDir()
	// Two days up to the last full hour, so that the cutoff's partition
	// does not move while the test runs unless an hour turns.
	end := time.Now().UTC().Truncate(time.Hour)
	simStart := end.Add(-48 * time.Hour)
	etcd := "http://" + freeAddr(t)
	start(t, "master", "master", "--data-dir", filepath.Join(dir, "master"),
		"--client-url", etcd, "--peer-url", "http://"+freeAddr(t), "--http-listen", "", "--log-level", "warn")
	simAddr := freeAddr(t)
	start(t, "sim", "kubearmor-sim", "--listen", simAddr, "--seed", "7", "--count", fmt.Sprint(count),
		"--start", simStart.Format(time.RFC3339), "--span", "48h", "--wait-subscribers", "--lossless", "--log-level", "warn")
	start(t, "operator", "operator", "--id", "operator-r", "--listen", freeAddr(t),
		"--data-dir", filepath.Join(dir, "operator"), "--etcd-endpoints", etcd, "--kubearmor", simAddr,
		"--retention", "24h", "--retention-check", "100ms", "--merge-interval", "150ms", "--lease-ttl", "2s", "--http-listen", "", "--log-level", "warn")
	pgAddr := freeAddr(t)
	start(t, "query", "query", "--listen", pgAddr, "--etcd-endpoints", etcd, "--data-dir", t.TempDir(), "--http-listen", "", "--log-level", "warn")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var conn *pgx.Conn
	waitFor(t, 30*time.Second, "query node accepts connections", func() error {
		var err error
		conn, err = pgx.Connect(ctx, "postgres://armorlake@"+pgAddr+"/armorlake?sslmode=disable")
		return err
	})
	defer conn.Close(ctx)

	// What must remain: events in partitions starting at or after the
	// hour holding now-24h.
	keepFrom := func(now time.Time) int64 { return now.Add(-24 * time.Hour).Truncate(time.Hour).UnixMicro() }
	kept := func(from int64) (n int64) {
		g := sim.NewGenerator(sim.Config{Seed: 7, Count: count, Start: simStart, Span: 48 * time.Hour})
		for range count {
			e := g.Next()
			var updated string
			switch {
			case e.Alert != nil:
				updated = e.Alert.UpdatedTime
			case e.Log != nil:
				updated = e.Log.UpdatedTime
			default:
				updated = e.Message.UpdatedTime
			}
			ts, err := time.Parse(time.RFC3339Nano, updated)
			if err != nil {
				t.Fatal(err)
			}
			if ts.UnixMicro() >= from {
				n++
			}
		}
		return n
	}
	waitFor(t, 60*time.Second, "every event received and old partitions dropped", func() error {
		var received int64
		if err := conn.QueryRow(ctx, "SELECT received FROM ingest_status").Scan(&received); err != nil {
			return err
		}
		if received != count {
			return fmt.Errorf("received %d of %d", received, count)
		}
		from := keepFrom(time.Now())
		var total int64
		for _, tbl := range []string{"alerts", "logs", "messages"} {
			var n int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
				return err
			}
			total += n
		}
		if want := kept(from); total != want {
			return fmt.Errorf("%d rows stored, want the %d of the last day's partitions", total, want)
		}
		return nil
	})
	var oldest time.Time
	if err := conn.QueryRow(ctx, "SELECT min(partition_start) FROM storage_partitions").Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	if from := keepFrom(time.Now()); oldest.UnixMicro() < from {
		t.Errorf("storage_partitions lists %s, older than the retention keeps (%s)", oldest, time.UnixMicro(from).UTC())
	}
	if kept(keepFrom(time.Now())) == count || kept(keepFrom(time.Now())) == 0 {
		t.Fatalf("test data does not straddle the cutoff")
	}
}
