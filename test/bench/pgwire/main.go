// Command pgwire measures the round-trip rate of a query node for a
// trivial query with pgbench, side by side with a PostgreSQL server on
// the same machine: the same pgbench, script, clients and duration, both
// over TCP on loopback without TLS, in the simple, extended and prepared
// protocols. Runs alternate between the two servers and the median of
// each is reported.
//
//	go run ./test/bench/pgwire --clients 8 --seconds 10 --runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armorlake/armorlake/test/pgtest"
)

var (
	clients = flag.Int("clients", 8, "pgbench clients (-c)")
	threads = flag.Int("threads", 2, "pgbench threads (-j)")
	seconds = flag.Int("seconds", 10, "duration of each pgbench run (-T)")
	runs    = flag.Int("runs", 3, "runs of each server and protocol; the median is reported")
	query   = flag.String("query", "SELECT 1;", "the script's one statement")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pgwire:", err)
		os.Exit(1)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func run() error {
	if _, err := exec.LookPath("pgbench"); err != nil {
		return fmt.Errorf("pgbench is not installed (Debian: postgresql-contrib or postgresql-client): %w", err)
	}
	dir, err := os.MkdirTemp("", "armorlake-pgwire")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// armorlake: a master and a query node; a trivial query needs no
	// operator.
	bin := filepath.Join(dir, "armorlake")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/armorlake").CombinedOutput(); err != nil {
		return fmt.Errorf("build armorlake: %v\n%s", err, out)
	}
	ports := make([]int, 4)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return err
		}
	}
	etcd := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	master := exec.Command(bin, "master", "--data-dir", filepath.Join(dir, "master"), "--client-url", etcd,
		"--peer-url", fmt.Sprintf("http://127.0.0.1:%d", ports[1]), "--http-listen", "", "--log-level", "warn")
	qnode := exec.Command(bin, "query", "--listen", fmt.Sprintf("127.0.0.1:%d", ports[2]), "--etcd-endpoints", etcd,
		"--data-dir", filepath.Join(dir, "query"), "--http-listen", "", "--log-level", "warn", "--max-connections", "1000")
	for _, c := range []*exec.Cmd{master, qnode} {
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			return err
		}
		defer func() { c.Process.Signal(os.Interrupt); c.Wait() }()
	}
	pg, stop, err := pgtest.LaunchWith(pgtest.Options{Durable: true, TCPPort: ports[3]})
	if err != nil {
		return err
	}
	defer stop()

	servers := []struct {
		name, user, db string
		port           int
	}{
		{"armorlake", "armorlake", "armorlake", ports[2]},
		{"PostgreSQL", "postgres", "postgres", pg.Port},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, s := range servers {
		if err := waitReady(ctx, s.user, s.db, s.port); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	script := filepath.Join(dir, "trivial.sql")
	if err := os.WriteFile(script, []byte(*query+"\n"), 0o644); err != nil {
		return err
	}
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.*)`).FindSubmatch(b); m != nil {
			cpu = string(m[1])
		}
	}
	fmt.Printf("pgbench, script %q, %d clients, %d threads, %d s per run, median of %d; %d cores, %s; %s\n\n",
		*query, *clients, *threads, *seconds, *runs, runtime.NumCPU(), cpu, time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| protocol | armorlake tps | PostgreSQL tps | armorlake / PostgreSQL |")
	fmt.Println("|---|---:|---:|---:|")
	for _, mode := range []string{"simple", "extended", "prepared"} {
		tps := map[string][]float64{}
		for r := 0; r < *runs; r++ {
			for _, s := range servers {
				v, err := pgbench(script, mode, s.user, s.db, s.port)
				if err != nil {
					return fmt.Errorf("%s, %s: %w", s.name, mode, err)
				}
				tps[s.name] = append(tps[s.name], v)
			}
		}
		a, p := median(tps["armorlake"]), median(tps["PostgreSQL"])
		fmt.Printf("| %s | %.0f | %.0f | %.2f |\n", mode, a, p, a/p)
		fmt.Fprintf(os.Stderr, "%s: armorlake %v, PostgreSQL %v\n", mode, tps["armorlake"], tps["PostgreSQL"])
	}
	return nil
}

func waitReady(ctx context.Context, user, db string, port int) error {
	for {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, port, db))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

func pgbench(script, mode, user, db string, port int) (float64, error) {
	cmd := exec.Command("pgbench", "-n", "-f", script, "-M", mode, "-c", strconv.Itoa(*clients), "-j", strconv.Itoa(*threads),
		"-T", strconv.Itoa(*seconds), "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", user, db)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, out)
	}
	m := tpsRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in pgbench output:\n%s", out)
	}
	if strings.Contains(string(out), "number of failed transactions: ") && !strings.Contains(string(out), "number of failed transactions: 0 ") {
		return 0, fmt.Errorf("failed transactions:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
