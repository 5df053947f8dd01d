package server

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

type userMap map[string]string

func (m userMap) Verifier(u string) (string, bool) { v, ok := m[u]; return v, ok }

func connectAs(ctx context.Context, ts *testServer, user, password, sslmode string) (*pgx.Conn, error) {
	u := "postgres://" + user + ":" + password + "@" + ts.addr + "/armorlake?sslmode=" + sslmode
	return pgx.Connect(ctx, u)
}

// TestAuth runs every method through pgx: SCRAM with the right password,
// a wrong one and an unknown user (one answer for both), cleartext only
// over TLS, reject, hostssl, and a connection no rule admits.
func TestAuth(t *testing.T) {
	alice, err := NewSCRAMVerifier("wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(alice, "wonderland") || CheckPassword(alice, "Wonderland") {
		t.Fatal("verifier does not check its own password")
	}
	rules, err := ParseAuthRules(`
# TYPE     DATABASE USER   ADDRESS       METHOD
host       all      mallory all          reject
hostssl    all      carol  all           password
host                bob    127.0.0.1/32  password
hostnossl  all      dave   127.0.0.1     trust
host       all      alice,eve 127.0.0.0/8 scram-sha-256
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, _, err := LoadOrCreateCertificate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{Auth: rules, Users: userMap{"alice": alice, "carol": alice, "bob": alice}, TLS: ServerTLSConfig(cert)})
	ctx := testCtx(t)
	for _, tc := range []struct {
		user, password, sslmode string
		code, msg               string // "" for success
	}{
		{"alice", "wonderland", "disable", "", ""},
		{"alice", "wonderland", "require", "", ""},
		{"alice", "wrong", "disable", "28P01", `password authentication failed for user "alice"`},
		{"eve", "anything", "disable", "28P01", `password authentication failed for user "eve"`},
		{"carol", "wonderland", "require", "", ""},
		{"carol", "wrong", "require", "28P01", `password authentication failed for user "carol"`},
		{"carol", "wonderland", "disable", "28000", `no pg_hba.conf entry for host "127.0.0.1", user "carol", database "armorlake", SSL off`},
		{"bob", "wonderland", "disable", "28000", "password authentication in clear needs an encrypted connection"},
		{"dave", "", "disable", "", ""},
		{"dave", "", "require", "28000", `no pg_hba.conf entry for host "127.0.0.1", user "dave", database "armorlake", SSL on`},
		{"mallory", "x", "disable", "28000", `pg_hba.conf rejects connection for host "127.0.0.1", user "mallory"`},
		{"zed", "x", "disable", "28000", "no pg_hba.conf entry"},
	} {
		conn, err := connectAs(ctx, ts, tc.user, tc.password, tc.sslmode)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s/%s: %v", tc.user, tc.sslmode, err)
				continue
			}
			var one int32
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("%s: query after login: %v", tc.user, err)
			}
			conn.Close(ctx)
			continue
		}
		if err == nil {
			conn.Close(ctx)
			t.Errorf("%s/%s with %q: connected, want %s", tc.user, tc.sslmode, tc.password, tc.code)
			continue
		}
		if pgCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s/%s: %v, want %s %q", tc.user, tc.sslmode, err, tc.code, tc.msg)
		}
	}
}

func TestParseAuthRules(t *testing.T) {
	for _, bad := range []string{
		"local all all trust",
		"host mydb all all trust",
		"host all all 10.0.0.0/33 trust",
		"host all all all md5",
		"host all trust",
	} {
		if _, err := ParseAuthRules(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	r, err := ParseAuthRules("hostssl all a,b 10.0.0.0/8,::1 scram-sha-256 # comment\n\n# only a comment\n")
	if err != nil || len(r) != 1 || len(r[0].Nets) != 2 || len(r[0].Users) != 2 {
		t.Fatalf("%+v, %v", r, err)
	}
}
