package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// fragmentsRunning reads armorlake_fragments_running from an operator's
// /metrics.
func fragmentsRunning(addr string) (int, error) {
	resp, err := metricsClient.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`(?m)^armorlake_fragments_running\{[^}]*\} (\d+)$`).FindSubmatch(body)
	if m == nil {
		return 0, fmt.Errorf("no armorlake_fragments_running in /metrics")
	}
	return strconv.Atoi(string(m[1]))
}

// heavyQuery makes every operator work for seconds on its few thousand
// rows: a regular expression replacing every letter of a 9 kB string,
// row by row.
const heavyQuery = "SELECT count(*) FROM logs WHERE regexp_replace(repeat(resource, 300), '[a-z]', 'x', 'g') = host_name"

// checkCancellation: a client's cancel and statement_timeout stop a query
// that keeps every operator busy: the client has its 57014 within 100 ms
// of the cancel, and every operator's fragment has ended within 100 ms
// too (measured by polling each operator's armorlake_fragments_running).
func checkCancellation(t *testing.T, ctx context.Context, c *cluster) {
	conn, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	busy := func() (int, error) {
		total := 0
		for _, addr := range c.metrics {
			n, err := fragmentsRunning(addr)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	// Poll every operator until none runs a fragment; return when.
	idleBy := func(deadline time.Duration) (time.Time, error) {
		end := time.Now().Add(deadline)
		for {
			n, err := busy()
			if err != nil {
				return time.Time{}, err
			}
			if n == 0 {
				return time.Now(), nil
			}
			if time.Now().After(end) {
				return time.Time{}, fmt.Errorf("%d fragments still running", n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	waitBusy := func() {
		waitFor(t, 10*time.Second, "every operator runs the fragment", func() error {
			if n, err := busy(); err != nil || n < len(c.metrics) {
				return fmt.Errorf("%d fragments running, %v", n, err)
			}
			return nil
		})
	}
	const bound = 100 * time.Millisecond
	other, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	host, port, _ := net.SplitHostPort(c.pgAddr)
	for _, how := range []string{"cancel", "psql ^C", "pg_cancel_backend", "statement_timeout"} {
		done := make(chan error, 1)
		var stopped time.Time
		if how == "statement_timeout" {
			if _, err := conn.Exec(ctx, "SET statement_timeout = '1s'"); err != nil {
				t.Fatal(err)
			}
		}
		began := time.Now()
		var psql *exec.Cmd
		if how == "psql ^C" {
			var out bytes.Buffer
			psql = exec.CommandContext(ctx, "psql", "-X", "-h", host, "-p", port, "-U", "armorlake", "-c", heavyQuery)
			psql.Stdout, psql.Stderr = &out, &out
			if err := psql.Start(); err != nil {
				t.Fatal(err)
			}
			go func() {
				psql.Wait()
				if !strings.Contains(out.String(), "canceling statement due to user request") {
					done <- fmt.Errorf("psql said %q", out.String())
					return
				}
				done <- &pgconn.PgError{Code: "57014"}
			}()
		} else {
			go func() {
				_, err := conn.Exec(ctx, heavyQuery)
				done <- err
			}()
		}
		waitBusy()
		switch how {
		case "cancel":
			// What psql's ^C sends: a CancelRequest on a new connection.
			stopped = time.Now()
			if err := conn.PgConn().CancelRequest(ctx); err != nil {
				t.Fatal(err)
			}
		case "psql ^C":
			stopped = time.Now()
			psql.Process.Signal(os.Interrupt)
		case "pg_cancel_backend":
			// From another session, found in pg_stat_activity.
			stopped = time.Now()
			var ok bool
			if err := other.QueryRow(ctx, "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
				int32(conn.PgConn().PID())).Scan(&ok); err != nil || !ok {
				t.Fatalf("pg_cancel_backend: %v, %v", ok, err)
			}
		default:
			stopped = began.Add(time.Second)
		}
		err := <-done
		answered := time.Now()
		idle, idleErr := idleBy(5 * time.Second)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" {
			t.Errorf("%s: %v, want 57014", how, err)
		}
		if idleErr != nil {
			t.Errorf("%s: operators never stopped: %v", how, idleErr)
			continue
		}
		t.Logf("%s: client answered %s after the %s, operators idle %s after it", how,
			answered.Sub(stopped).Round(time.Millisecond), how, idle.Sub(stopped).Round(time.Millisecond))
		if d := answered.Sub(stopped); d > bound {
			t.Errorf("%s: the client waited %s for the error, want within %s", how, d, bound)
		}
		if d := idle.Sub(stopped); d > bound {
			t.Errorf("%s: operators still worked %s after it, want within %s", how, d, bound)
		}
	}
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		t.Fatal(err)
	}
}
