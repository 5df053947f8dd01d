package test

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// postgres is a private PostgreSQL server started for a test: the
// correctness oracle that armorlake's answers are compared with.
type postgres struct {
	dir  string // data directory and socket directory
	port int
}

// startPostgres initdb's and starts a PostgreSQL cluster on a free port,
// listening only on a Unix socket in a temporary directory, and stops it
// when the test ends. Root cannot run PostgreSQL, so as root the server
// runs as the postgres user the Debian package creates.
func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("PostgreSQL server is not installed: run the tests with 'make test', which installs it")
	}
	sort.Strings(bins)
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "armorlake-oracle")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var prefix []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) {
		t.Helper()
		full := append(append([]string(nil), prefix...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	// The server listens only on a socket in its own directory, so the
	// port number just names the socket and cannot collide.
	p := &postgres{dir: dir, port: 5432}
	run(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C")
	run(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-w", "-l", filepath.Join(dir, "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses= -c fsync=off -c timezone=UTC", p.port, dir), "start")
	t.Cleanup(func() {
		run(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop")
	})
	return p
}

func (p *postgres) dsn() string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", p.dir, p.port)
}
