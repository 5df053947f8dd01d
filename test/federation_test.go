package test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestOperatorFailures runs the seed topology with a query node that
// waits 1 s to reach an operator and 2 s for a silent one, and breaks it
// in the ways the edge breaks it: an operator stopped (SIGSTOP) before a
// query and during one, the catalog's etcd stopped, an operator killed
// during a query. Every query either returns the right answer or fails
// with an error naming the operator within its bound; none hangs.
func TestOperatorFailures(t *testing.T) {
	const perSim = 10000
	c := startTopology(t, perSim, 3, "", "--connect-timeout", "1s", "--operator-timeout", "2s")
	want := expect(c.start, []int64{1, 2, 3}, perSim)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn := waitStored(t, ctx, c, tableCounts{want.alerts, want.logs, want.messages})
	defer conn.Close(ctx)

	// run runs sql and returns its error and how long it took; a
	// count(*) that succeeds must be right.
	run := func(sql string, wantCount int64) (error, time.Duration) {
		qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
		defer qcancel()
		start := time.Now()
		var n int64
		err := conn.QueryRow(qctx, sql).Scan(&n)
		if err == nil && wantCount >= 0 && n != wantCount {
			t.Errorf("%s: %d rows counted, want %d: a wrong answer", sql, n, wantCount)
		}
		return err, time.Since(start)
	}
	namesOperator := func(what string, err error, took, bound time.Duration, op string) {
		t.Helper()
		var pe *pgconn.PgError
		switch {
		case err == nil:
			t.Errorf("%s: the query succeeded", what)
		case !errors.As(err, &pe) || !strings.Contains(pe.Message+" "+pe.Detail, op):
			// The message names the first unavailable operator, the
			// detail all of them.
			t.Errorf("%s: %v, want an error naming %s", what, err, op)
		case took > bound:
			t.Errorf("%s: failed after %s, want within %s", what, took, bound)
		default:
			t.Logf("%s: %s after %s (%s)", what, pe.Code, took.Round(time.Millisecond), pe.Message)
		}
	}
	op2 := c.operators[1]
	// healthy waits until every operator answers again: one stopped for
	// longer than its 2 s lease re-registers a moment after it resumes.
	// healthy waits until every operator has answered for a lease's
	// time (2 s) without a failure: after a pause, an operator may
	// answer once on its old registration before etcd revokes the
	// lease that held it, and only then register again.
	healthy := func() {
		t.Helper()
		var since time.Time // start of the current run of answers
		waitFor(t, 20*time.Second, "every operator answers for 2s", func() error {
			if err, _ := run("SELECT count(*) FROM logs", want.logs); err != nil {
				since = time.Time{}
				return err
			}
			if since.IsZero() {
				since = time.Now()
			}
			if d := time.Since(since); d < 2*time.Second {
				return fmt.Errorf("answering for %s", d.Round(time.Millisecond))
			}
			return nil
		})
	}
	// allBusy waits until every operator runs the fragment of the query
	// ended reports on (ok once it has ended, with its error), failing
	// at once if that query ends first.
	allBusy := func(t *testing.T, ended func() (err error, ok bool)) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if err, ok := ended(); ok {
				t.Fatalf("the query ended before every operator ran it: %v", err)
			}
			var idle error
			for i, addr := range c.metrics {
				if n, err := fragmentsRunning(addr); err != nil || n == 0 {
					idle = fmt.Errorf("operator-%d runs %d fragments, %v", i+1, n, err)
					break
				}
			}
			if idle == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("every operator runs the fragment: not within 10s: %v", idle)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	t.Run("stopped before the query", func(t *testing.T) {
		op2.pause(t)
		defer op2.cmd.Process.Signal(syscall.SIGCONT)
		err, took := run("SELECT count(*) FROM logs", want.logs)
		namesOperator("SIGSTOP, then a query", err, took, 4*time.Second, "operator-2")
		// A query the stopped operator holds nothing of is not affected:
		// every operator holds logs here, so a query over no time at all.
		if err, _ := run("SELECT count(*) FROM logs WHERE ts < '2000-01-01'", 0); err != nil {
			t.Errorf("a query that needs no operator: %v", err)
		}
		// With partial results, the others answer and a notice says
		// whose rows are missing: exactly operator-2's.
		cfg, err := pgx.ParseConfig(c.dsn())
		if err != nil {
			t.Fatal(err)
		}
		var notices []*pgconn.Notice
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n) }
		pconn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pconn.Close(ctx)
		if _, err := pconn.Exec(ctx, "SET armorlake.partial_results = on"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var n int64
		err = pconn.QueryRow(ctx, "SELECT count(*) FROM logs").Scan(&n)
		others := want.logs - expect(c.start, []int64{2}, perSim).logs
		if err != nil || n != others || len(notices) != 1 || !strings.Contains(notices[0].Message, "operator-2") {
			t.Errorf("partial results with operator-2 stopped: %d rows (want %d), %v, notices %v", n, others, err, notices)
		} else {
			t.Logf("partial results: %d of %d rows after %s, NOTICE %q", n, want.logs, time.Since(start).Round(time.Millisecond), notices[0].Message)
		}
	})
	healthy()

	t.Run("stopped during the query", func(t *testing.T) {
		done := make(chan struct {
			err  error
			took time.Duration
		}, 1)
		go func() {
			err, took := run(heavyQuery, -1)
			done <- struct {
				err  error
				took time.Duration
			}{err, took}
		}()
		allBusy(t, func() (error, bool) {
			select {
			case r := <-done:
				done <- r
				return r.err, true
			default:
				return nil, false
			}
		})
		stopped := time.Now()
		op2.pause(t)
		r := <-done
		op2.cmd.Process.Signal(syscall.SIGCONT)
		namesOperator("SIGSTOP during a query", r.err, time.Since(stopped), 4*time.Second, "operator-2")
	})
	healthy()

	t.Run("etcd stopped", func(t *testing.T) {
		// The query node plans from its cache while the catalog is gone.
		c.master.pause(t)
		defer c.master.cmd.Process.Signal(syscall.SIGCONT)
		for _, q := range []struct {
			sql  string
			want int64
		}{{"SELECT count(*) FROM logs", want.logs}, {"SELECT count(*) FROM alerts", want.alerts}} {
			if err, took := run(q.sql, q.want); err != nil || took > 5*time.Second {
				t.Errorf("%s with etcd stopped: %v after %s", q.sql, err, took)
			}
		}
	})
	// Leases ran out while etcd was stopped: the operators re-register.
	healthy()

	t.Run("killed during the query", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			err, _ := run(heavyQuery, -1)
			done <- err
		}()
		allBusy(t, func() (error, bool) {
			select {
			case err := <-done:
				done <- err
				return err, true
			default:
				return nil, false
			}
		})
		killed := time.Now()
		c.operators[2].cmd.Process.Kill()
		err := <-done
		namesOperator("kill -9 during a query", err, time.Since(killed), 4*time.Second, "operator-3")
		// Afterwards it is unreachable, and said so, until its lease
		// expires and beyond: its placements outlive it.
		err, took := run("SELECT count(*) FROM logs", want.logs)
		namesOperator("a query after the kill", err, took, 4*time.Second, "operator-3")
	})
}

// TestBadLink puts operator-2 behind a link that adds 200 ms each way,
// then one that drops everything: over the slow link every query still
// returns the right answer, only later; over the dead one it fails
// naming operator-2 within the operator timeout (2 s) plus a heartbeat,
// and answers again once the link heals.
func TestBadLink(t *testing.T) {
	const perSim = 5000
	var link *tcpProxy
	c := startTopologyWith(t, perSim, 3, "", func(i int, listen string) []string {
		if i != 2 {
			return nil
		}
		link = startProxy(t, listen)
		return []string{"--advertise", link.Addr()}
	}, "--connect-timeout", "3s", "--operator-timeout", "2s")
	want := expect(c.start, []int64{1, 2, 3}, perSim)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn := waitStored(t, ctx, c, tableCounts{want.alerts, want.logs, want.messages})
	defer conn.Close(ctx)

	count := func(sql string) (int64, time.Duration, error) {
		start := time.Now()
		var n int64
		err := conn.QueryRow(ctx, sql).Scan(&n)
		return n, time.Since(start), err
	}
	_, fast, err := count("SELECT count(*) FROM logs")
	if err != nil {
		t.Fatal(err)
	}
	link.SetLatency(200 * time.Millisecond)
	for _, q := range []struct {
		sql  string
		want int64
	}{{"SELECT count(*) FROM logs", want.logs}, {"SELECT count(*) FROM alerts WHERE namespace_name <> ''", -1}, {"SELECT count(*) FROM messages", want.messages}} {
		n, took, err := count(q.sql)
		switch {
		case err != nil:
			t.Errorf("%s over a 200 ms link: %v", q.sql, err)
		case q.want >= 0 && n != q.want:
			t.Errorf("%s over a 200 ms link: %d, want %d", q.sql, n, q.want)
		case took < 400*time.Millisecond:
			t.Errorf("%s over a 200 ms link took %s: the link is not slow", q.sql, took)
		default:
			t.Logf("%s over a 200 ms link: right, %s (%s without)", q.sql, took.Round(time.Millisecond), fast.Round(time.Millisecond))
		}
	}
	link.SetLatency(0)

	link.Blackhole(true)
	_, took, err := count("SELECT count(*) FROM logs")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "operator-2") || took > 4*time.Second {
		t.Errorf("over a link that drops everything: %v after %s, want an error naming operator-2 within 4 s", err, took)
	} else {
		t.Logf("over a dead link: %s after %s (%s)", pe.Code, took.Round(time.Millisecond), pe.Message)
	}
	link.Blackhole(false)
	// The dead connection is abandoned; the next query dials again.
	waitFor(t, 20*time.Second, "answers once the link heals", func() error {
		n, _, err := count("SELECT count(*) FROM logs")
		if err == nil && n != want.logs {
			t.Fatalf("after the link healed: %d, want %d", n, want.logs)
		}
		return err
	})
}

// TestReplicas gives operator-2 a replica: operator-2b, in replica group
// c2, pulling its own simulator with operator-2's seed, so both hold the
// same events. Queries count each event once (one member per group is
// asked); with the preferred member killed they still give the right
// answer from the other, through the query node's failover, before and
// after the catalog drops the dead one.
func TestReplicas(t *testing.T) {
	const perSim = 5000
	c := startTopologyWith(t, perSim, 3, "", func(i int, _ string) []string {
		if i == 2 {
			return []string{"--cluster", "c2"}
		}
		return nil
	}, "--connect-timeout", "1s", "--operator-timeout", "2s")
	simAddr := freeAddr(t)
	start(t, "sim-2b", "kubearmor-sim", "--listen", simAddr, "--seed", "2", "--count", fmt.Sprint(perSim),
		"--start", c.start.Format(time.RFC3339), "--span", "24h", "--wait-subscribers", "--lossless", "--log-level", "warn")
	replica := start(t, "operator-2b", "operator", "--id", "operator-2b", "--cluster", "c2",
		"--listen", freeAddr(t), "--data-dir", t.TempDir(), "--etcd-endpoints", c.etcd, "--kubearmor", simAddr,
		"--lease-ttl", "2s", "--http-listen", "", "--log-level", "warn")
	want := expect(c.start, []int64{1, 2, 3}, perSim)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn := waitStored(t, ctx, c, tableCounts{want.alerts, want.logs, want.messages})
	defer conn.Close(ctx)
	// The replica too has stored everything: its placement shows it.
	waitFor(t, 60*time.Second, "the replica stores its events", func() error {
		var n int64
		err := conn.QueryRow(ctx, "SELECT count(*) FROM storage_partitions WHERE operator = 'operator-2b'").Scan(&n)
		if err == nil && n == 0 {
			err = errors.New("no partitions yet")
		}
		return err
	})
	check := func(what string) {
		t.Helper()
		for _, q := range []struct {
			sql  string
			want int64
		}{{"SELECT count(*) FROM logs", want.logs}, {"SELECT count(*) FROM alerts", want.alerts}} {
			var n int64
			if err := conn.QueryRow(ctx, q.sql).Scan(&n); err != nil || n != q.want {
				t.Errorf("%s: %s = %d, %v; want %d", what, q.sql, n, err, q.want)
			}
		}
	}
	check("with both replicas")
	explain := func(sql string) string {
		rows, err := conn.Query(ctx, "EXPLAIN "+sql)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	if plan := explain("SELECT count(*) FROM logs"); !strings.Contains(plan, "Gather from 3 operators (operator-1, operator-2 or operator-2b, operator-3)") {
		t.Errorf("EXPLAIN does not show one member of c2 asked, the other standing by:\n%s", plan)
	}
	if plan := explain("SELECT count(*) FROM logs WHERE ts < '2000-01-01'"); !strings.Contains(plan, "Gather from 0 operators; 4 pruned by time (operator-1, operator-2, operator-2b, operator-3)") {
		t.Errorf("EXPLAIN does not show the operators pruned by time:\n%s", plan)
	}
	// operator-2 is the preferred member (as many rows, first by ID).
	c.operators[1].stop(syscall.SIGKILL)
	check("operator-2 killed, still registered: failover to operator-2b")
	waitFor(t, 20*time.Second, "operator-2's registration expires", func() error {
		var n int64
		err := conn.QueryRow(ctx, "SELECT count(*) FROM ingest_status WHERE operator = 'operator-2'").Scan(&n)
		if err == nil && n > 0 {
			err = errors.New("operator-2 still live")
		}
		return err
	})
	check("operator-2 gone from the catalog: operator-2b asked directly")
	replica.stop(syscall.SIGKILL)
	// Both members of c2 gone: the query names the group.
	var n int64
	err := conn.QueryRow(ctx, "SELECT count(*) FROM logs").Scan(&n)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "58000" || !strings.Contains(pe.Message+pe.Detail, "operator-2") {
		t.Errorf("both replicas of c2 gone: %d, %v; want 58000 naming them", n, err)
	}
}
