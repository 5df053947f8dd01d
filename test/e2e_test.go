package test

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/armorlake/armorlake/sim"
)

// expected holds what the cluster must answer, computed here straight
// from the simulator's generated events, not through armorlake.
type expected struct {
	alerts, logs, messages int64
	byNamespace            map[string]int64
	pidMin, pidMax         int64
	pidSum                 *big.Int
	severeBlocked          int64
}

func expect(start time.Time, seeds []int64, count int) expected {
	e := expected{byNamespace: map[string]int64{}, pidSum: new(big.Int), pidMin: 1 << 62, pidMax: -1 << 62}
	for _, seed := range seeds {
		g := sim.NewGenerator(sim.Config{Seed: seed, Count: count, Start: start, Span: 24 * time.Hour})
		for i := 0; i < count; i++ {
			ev := g.Next()
			switch {
			case ev.Alert != nil:
				a := ev.Alert
				e.alerts++
				e.byNamespace[a.NamespaceName]++
				pid := int64(a.HostPID)
				e.pidMin, e.pidMax = min(e.pidMin, pid), max(e.pidMax, pid)
				e.pidSum.Add(e.pidSum, big.NewInt(pid))
				if sev, err := strconv.Atoi(a.Severity); err == nil && sev >= 7 && a.Action == "Block" {
					e.severeBlocked++
				}
			case ev.Log != nil:
				e.logs++
			case ev.Message != nil:
				e.messages++
			}
		}
	}
	return e
}

// checkAvg asserts that a numeric average printed as text is sum/count
// rounded half away from zero at its own scale, with at least the 16
// significant digits PostgreSQL gives.
func checkAvg(t *testing.T, via, got string, sum *big.Int, count int64) {
	t.Helper()
	dot := strings.IndexByte(got, '.')
	if dot < 0 {
		t.Errorf("%s: avg %q has no fraction", via, got)
		return
	}
	scale := len(got) - dot - 1
	want := new(big.Rat).SetFrac(sum, big.NewInt(count)).FloatString(scale)
	if got != want {
		t.Errorf("%s: avg = %s, want %s", via, got, want)
	}
	if digits := len(strings.TrimLeft(strings.Replace(got, ".", "", 1), "-0")); digits < 16 {
		t.Errorf("%s: avg %s has %d significant digits, want >= 16", via, got, digits)
	}
}

func TestSeedTopology(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatal("psql is not installed: run the tests with 'make test', which installs it")
	}
	const perSim = 20000
	c := startCluster(t, perSim)
	want := expect(c.start, []int64{1, 2, 3}, perSim)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var conn *pgx.Conn
	waitFor(t, 30*time.Second, "query node accepts connections", func() error {
		var err error
		conn, err = pgx.Connect(ctx, c.dsn())
		return err
	})
	defer conn.Close(ctx)

	total := want.alerts + want.logs + want.messages
	if total != 3*perSim {
		t.Fatalf("generator made %d events, want %d", total, 3*perSim)
	}
	waitFor(t, 90*time.Second, "every event stored", func() error {
		var a, l, m int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM alerts").Scan(&a); err != nil {
			return err
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM logs").Scan(&l); err != nil {
			return err
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM messages").Scan(&m); err != nil {
			return err
		}
		if a != want.alerts || l != want.logs || m != want.messages {
			return fmt.Errorf("alerts %d/%d, logs %d/%d, messages %d/%d", a, want.alerts, l, want.logs, m, want.messages)
		}
		return nil
	})

	t.Run("metrics", func(t *testing.T) {
		// Every operator's /metrics counts what it stored: perSim events.
		for i, addr := range c.metrics {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var stored float64
			for _, line := range strings.Split(string(body), "\n") {
				if strings.HasPrefix(line, "armorlake_ingest_events_stored_total{") {
					v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
					stored += v
				}
			}
			if stored != perSim {
				t.Errorf("operator-%d /metrics: %v events stored, want %d", i+1, stored, perSim)
			}
		}
	})

	t.Run("ingest_status", func(t *testing.T) {
		rows, err := conn.Query(ctx, "SELECT operator, connected, received, stored, dropped FROM ingest_status ORDER BY operator")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var op string
			var connected bool
			var received, stored, dropped int64
			if err := rows.Scan(&op, &connected, &received, &stored, &dropped); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %v %d %d %d", op, connected, received, stored, dropped))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("operator-1 true %[1]d %[1]d 0,operator-2 true %[1]d %[1]d 0,operator-3 true %[1]d %[1]d 0", perSim)
		if strings.Join(got, ",") != want {
			t.Errorf("ingest_status:\n got %s\nwant %s", strings.Join(got, ","), want)
		}
	})

	t.Run("storage_partitions", func(t *testing.T) {
		// The partitions every operator lists add up to what count(*)
		// sees: a day of events in hour partitions, on three operators.
		out, err := c.psql(ctx, "SELECT table_name, sum(rows), count(*), min(partition_start) FROM storage_partitions GROUP BY 1 ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		exp := fmt.Sprintf("alerts|%d|72|2026-11-01 00:00:00+00\nlogs|%d|72|2026-11-01 00:00:00+00\nmessages|%d|",
			want.alerts, want.logs, want.messages)
		if got := strings.TrimSpace(out); !strings.HasPrefix(got, exp) {
			t.Errorf("storage_partitions:\n got %s\nwant %s…", got, exp)
		}
	})

	t.Run("pgx", func(t *testing.T) {
		rows, err := conn.Query(ctx, "SELECT namespace_name, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		var prev int64 = 1 << 62
		for rows.Next() {
			var ns string
			var n int64
			if err := rows.Scan(&ns, &n); err != nil {
				t.Fatal(err)
			}
			if n > prev {
				t.Errorf("rows not ordered by count: %d after %d", n, prev)
			}
			prev, got[ns] = n, n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want.byNamespace) {
			t.Errorf("grouped counts:\n got %v\nwant %v", got, want.byNamespace)
		}

		var lo, hi int32
		var avg pgtype.Numeric
		if err := conn.QueryRow(ctx, "SELECT min(host_pid), max(host_pid), avg(host_pid) FROM alerts").Scan(&lo, &hi, &avg); err != nil {
			t.Fatal(err)
		}
		if int64(lo) != want.pidMin || int64(hi) != want.pidMax {
			t.Errorf("min/max host_pid = %d/%d, want %d/%d", lo, hi, want.pidMin, want.pidMax)
		}
		text, err := avg.Value()
		if err != nil {
			t.Fatal(err)
		}
		checkAvg(t, "pgx", fmt.Sprint(text), want.pidSum, want.alerts)

		var severe int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM alerts WHERE action = 'Block' AND severity >= 7").Scan(&severe); err != nil {
			t.Fatal(err)
		}
		if severe != want.severeBlocked {
			t.Errorf("filtered count = %d, want %d", severe, want.severeBlocked)
		}
	})

	t.Run("psql", func(t *testing.T) {
		out, err := c.psql(ctx, "SELECT count(*) FROM alerts")
		if err != nil {
			t.Fatal(err)
		}
		if out != fmt.Sprint(want.alerts) {
			t.Errorf("count(*) = %s, want %d", out, want.alerts)
		}
		out, err = c.psql(ctx, "SELECT namespace_name, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1")
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for ns, n := range want.byNamespace {
			lines = append(lines, fmt.Sprintf("%s|%d", ns, n))
		}
		sort.Slice(lines, func(i, j int) bool {
			ni, _ := strconv.Atoi(lines[i][strings.LastIndexByte(lines[i], '|')+1:])
			nj, _ := strconv.Atoi(lines[j][strings.LastIndexByte(lines[j], '|')+1:])
			if ni != nj {
				return ni > nj
			}
			return lines[i] < lines[j]
		})
		if out != strings.Join(lines, "\n") {
			t.Errorf("grouped counts:\n got %s\nwant %s", out, strings.Join(lines, "\n"))
		}
		out, err = c.psql(ctx, "SELECT min(host_pid), max(host_pid), avg(host_pid) FROM alerts")
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Split(out, "|")
		if len(f) != 3 || f[0] != fmt.Sprint(want.pidMin) || f[1] != fmt.Sprint(want.pidMax) {
			t.Fatalf("min/max/avg = %q, want %d|%d|…", out, want.pidMin, want.pidMax)
		}
		checkAvg(t, "psql", f[2], want.pidSum, want.alerts)
		out, err = c.psql(ctx, "SELECT count(*) FROM alerts WHERE action = 'Block' AND severity >= 7")
		if err != nil {
			t.Fatal(err)
		}
		if out != fmt.Sprint(want.severeBlocked) {
			t.Errorf("filtered count = %s, want %d", out, want.severeBlocked)
		}
		// An error leaves the session usable: the next statement runs.
		out, err = c.psql(ctx, "SELECT nope FROM alerts")
		if err == nil || !strings.Contains(err.Error(), `column "nope" does not exist`) {
			t.Errorf("unknown column: %v %s", err, out)
		}
	})

	t.Run("operator stopped", func(t *testing.T) {
		other, err := pgx.Connect(ctx, c.dsn())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close(ctx)
		c.operators[1].stop(9) // SIGKILL: no goodbye to the catalog
		began := time.Now()
		var n int64
		err = conn.QueryRow(ctx, "SELECT count(*) FROM alerts").Scan(&n)
		took := time.Since(began)
		if err == nil {
			t.Fatalf("query succeeded with operator-2 stopped: count %d", n)
		}
		if !strings.Contains(err.Error(), "operator-2") {
			t.Errorf("error does not name the missing operator: %v", err)
		}
		t.Logf("with operator-2 stopped the query failed after %s: %v", took.Round(time.Millisecond), err)
		if took > 10*time.Second {
			t.Errorf("query took %s to fail", took)
		}
		// The server keeps serving: the failed session and another one.
		var one int32
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Errorf("same session after the error: %v", err)
		}
		if err := other.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Errorf("other session: %v", err)
		}
		if _, err := c.psql(ctx, "SELECT count(*) FROM logs"); err == nil || !strings.Contains(err.Error(), "operator-2") {
			t.Errorf("psql with operator-2 stopped: %v", err)
		}
		// Once its lease has expired the catalog no longer lists it, yet
		// its placements remain: queries still fail, still naming it.
		waitFor(t, 15*time.Second, "operator-2's lease expires", func() error {
			err := conn.QueryRow(ctx, "SELECT count(*) FROM alerts").Scan(&n)
			if err == nil || !strings.Contains(err.Error(), "operator operator-2 holds rows of alerts but is not available") {
				return fmt.Errorf("got %v", err)
			}
			return nil
		})
	})
}
