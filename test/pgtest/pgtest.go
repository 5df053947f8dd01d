// Package pgtest starts a private PostgreSQL server for a test: the
// correctness oracle armorlake's answers and exports are compared with.
package pgtest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Server is a running private PostgreSQL cluster.
type Server struct {
	Dir  string // data directory parent and Unix socket directory
	Port int
}

func binDir() string {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return ""
	}
	sort.Strings(bins)
	return filepath.Dir(bins[len(bins)-1])
}

// Installed reports whether a PostgreSQL server is installed.
func Installed() bool { return binDir() != "" }

// Start initdb's and starts a cluster listening only on a Unix socket in
// a temporary directory, in UTC with the C locale, and stops it when the
// test ends. It fails the test when PostgreSQL is not installed ('make
// test' installs it). Root cannot run PostgreSQL, so as root the server
// runs as the postgres user the Debian package creates.
func Start(t *testing.T) *Server {
	t.Helper()
	s, stop, err := Launch(false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// Launch is Start for programs: it returns the server and a function that
// stops it and removes its files. durable keeps fsync on, as a production
// server would run (benchmarks); tests turn it off.
func Launch(durable bool) (*Server, func(), error) { return LaunchWith(Options{Durable: durable}) }

// Options are how LaunchWith starts a server.
type Options struct {
	// Durable keeps fsync on, as a production server would run.
	Durable bool
	// TCPPort, when set, also listens on 127.0.0.1 at this port, for
	// benchmarks that must reach PostgreSQL as clients reach armorlake.
	TCPPort int
	// Settings are more server settings (postgresql.conf names), such as
	// the memory a benchmark gives PostgreSQL.
	Settings map[string]string
}

// LaunchWith is Launch with options.
func LaunchWith(o Options) (*Server, func(), error) {
	durable := o.Durable
	bin := binDir()
	if bin == "" {
		return nil, nil, fmt.Errorf("PostgreSQL server is not installed: 'make test' installs it")
	}
	dir, err := os.MkdirTemp("", "armorlake-pg")
	if err != nil {
		return nil, nil, err
	}
	var prefix []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		full := append(append([]string(nil), prefix...), args...)
		if out, err := exec.Command(full[0], full[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return nil
	}
	// The server listens only on a socket in its own directory, so the
	// port number just names the socket and cannot collide.
	s := &Server{Dir: dir, Port: 5432}
	listen := ""
	if o.TCPPort != 0 {
		s.Port, listen = o.TCPPort, "127.0.0.1"
	}
	data := filepath.Join(dir, "data")
	fsync := "off"
	if durable {
		fsync = "on"
	}
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=%s -c fsync=%s -c timezone=UTC", s.Port, dir, listen, fsync)
	names := slices.Sorted(maps.Keys(o.Settings))
	for _, k := range names {
		opts += fmt.Sprintf(" -c %s=%s", k, o.Settings[k])
	}
	if err := run(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(dir, "log"), "-o", opts, "start"); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	stop := func() {
		_ = run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	return s, stop, nil
}

// PID is the postmaster's process ID; the server's other processes are
// its children.
func (s *Server) PID() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// DSN is a libpq connection string for the server.
func (s *Server) DSN() string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", s.Dir, s.Port)
}

// Psql runs sql through psql, unaligned and tuples-only, in UTC.
func (s *Server) Psql(ctx context.Context, sql string) (string, error) {
	cmd := exec.CommandContext(ctx, "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.Dir, "-p", fmt.Sprint(s.Port), "-U", "postgres", "-d", "postgres", "-c", sql)
	cmd.Env = append(os.Environ(), "PGTZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", sql, err, out)
	}
	return strings.TrimRight(string(out), "\n"), nil
}
