package server

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestPsql runs the real psql against the server: SSLRequest answered 'N',
// a multi-statement string, an error followed by good queries on the same
// connection, the text output of every type, and SET with SHOW.
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	ts := startServer(t, Config{})
	host, port, _ := net.SplitHostPort(ts.addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-h", host, "-p", port, "-U", "armorlake", "-d", "armorlake",
		"-c", "SELECT 1; SELECT * FROM series(3)",
		"-c", "SELEC 2",
		"-c", "SELECT * FROM types",
		"-c", "SET TimeZone = 'Asia/Kolkata'",
		"-c", "SHOW TimeZone; SELECT now_ts()",
	)
	cmd.Env = append(os.Environ(), "PGSSLMODE=prefer", "PGCONNECT_TIMEOUT=10", "PGTZ=", "PGOPTIONS=", "PGCLIENTENCODING=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	// psql exits 1 when the last -c failed and 0 otherwise; the error in
	// the middle must not stop the commands after it.
	if err != nil {
		t.Fatalf("psql: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	wantOut := ` ?column? 
----------
        1
(1 row)

 n 
---
 1
 2
 3
(3 rows)

 b |   i2   |     i4     |          i8          |   f4    |  f8   |      t       |              ts               |     num     |            j             |         arr         
---+--------+------------+----------------------+---------+-------+--------------+-------------------------------+-------------+--------------------------+---------------------
 t | -32768 | 2147483647 | -9223372036854775808 | 1.5e+06 | 1e+20 | héllo, wörld | 2026-11-01 06:00:00.123456+00 | -12345.6780 | {"a": [1, 2], "b": null} | {a,"b c","d\"e",""}
   |        |            |                      |         |       |              |                               |             |                          | 
(2 rows)

SET
   TimeZone   
--------------
 Asia/Kolkata
(1 row)

           now_ts            
-----------------------------
 2026-11-01 11:30:00.5+05:30
(1 row)

`
	wantErr := `ERROR:  syntax error at or near "SELEC"
LINE 1: SELEC 2
        ^
`
	if got := stdout.String(); got != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, wantOut)
	}
	if got := stderr.String(); got != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, wantErr)
	}
}
