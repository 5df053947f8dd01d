package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

func connect(t *testing.T, ts *testServer, extra string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ts.url(extra))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// typesRow is the types table scanned by pgx.
type typesRow struct {
	b   *bool
	i2  *int16
	i4  *int32
	i8  *int64
	f4  *float32
	f8  *float64
	t   *string
	ts  *time.Time
	num pgtype.Numeric
	j   *string
	arr []string
}

func (r *typesRow) dests() []any {
	return []any{&r.b, &r.i2, &r.i4, &r.i8, &r.f4, &r.f8, &r.t, &r.ts, &r.num, &r.j, &r.arr}
}

// TestPgxTypes reads every type through pgx in each way pgx asks for
// results: its default (binary where it can), all text, all binary, and
// the simple protocol.
func TestPgxTypes(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)
	for _, tc := range []struct {
		name string
		args []any
	}{
		{"default", nil},
		{"text", []any{pgx.QueryResultFormats{pgx.TextFormatCode}}},
		{"binary", []any{pgx.QueryResultFormats{pgx.BinaryFormatCode}}},
		{"simple protocol", []any{pgx.QueryExecModeSimpleProtocol}},
		{"exec mode", []any{pgx.QueryExecModeExec}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, "SELECT * FROM types", tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var got []typesRow
			for rows.Next() {
				var r typesRow
				if err := rows.Scan(r.dests()...); err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if tag := rows.CommandTag().String(); tag != "SELECT 2" {
				t.Errorf("tag %q", tag)
			}
			if len(got) != 2 {
				t.Fatalf("%d rows", len(got))
			}
			r := got[0]
			if r.b == nil || !*r.b || *r.i2 != -32768 || *r.i4 != math.MaxInt32 || *r.i8 != math.MinInt64 ||
				*r.f4 != 1.5e6 || *r.f8 != 1e20 || *r.t != "héllo, wörld" || !r.ts.Equal(typesTS) {
				t.Errorf("row 1: %v %v %v %v %v %v %q %v", *r.b, *r.i2, *r.i4, *r.i8, *r.f4, *r.f8, *r.t, r.ts)
			}
			if !r.num.Valid || r.num.Int.Cmp(big.NewInt(-123456780)) != 0 || r.num.Exp != -4 {
				t.Errorf("numeric: %+v", r.num)
			}
			if *r.j != `{"a": [1, 2], "b": null}` {
				t.Errorf("jsonb: %q", *r.j)
			}
			if strings.Join(r.arr, "|") != `a|b c|d"e|` || len(r.arr) != 4 {
				t.Errorf("text[]: %q", r.arr)
			}
			n := got[1]
			if n.b != nil || n.i2 != nil || n.i4 != nil || n.i8 != nil || n.f4 != nil || n.f8 != nil ||
				n.t != nil || n.ts != nil || n.num.Valid || n.j != nil || n.arr != nil {
				t.Errorf("row 2 is not all NULL: %+v", n)
			}
		})
	}
}

// TestPgxParams sends parameters of every type the way pgx encodes them
// (binary where it can) and reads them back.
func TestPgxParams(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)
	num := pgtype.Numeric{Int: big.NewInt(-1234567), Exp: -3, Valid: true}
	when := time.Date(2026, 11, 1, 6, 0, 0, 123456000, time.UTC)
	const sql = "SELECT $1::bool, $2::int2, $3::int4, $4::int8, $5::float4, $6::float8, $7::text, $8::timestamptz, $9::numeric, $10::jsonb, $11::text[]"
	// The simple protocol is left out: pgx would interpolate the values
	// as literals, which the fake engine does not parse.
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			var r typesRow
			err := conn.QueryRow(ctx, sql, mode, true, int16(-5), int32(7), int64(math.MaxInt64), float32(0.1), -2.5,
				"it's", when, num, `{"k": "v"}`, []string{"x", "y z"}).Scan(r.dests()...)
			if err != nil {
				t.Fatal(err)
			}
			if !*r.b || *r.i2 != -5 || *r.i4 != 7 || *r.i8 != math.MaxInt64 || *r.f4 != 0.1 || *r.f8 != -2.5 ||
				*r.t != "it's" || !r.ts.Equal(when) || r.num.Int.Cmp(num.Int) != 0 || r.num.Exp != -3 ||
				*r.j != `{"k": "v"}` || strings.Join(r.arr, "|") != "x|y z" {
				t.Errorf("echo: %v %v %v %v %v %v %q %v %+v %q %q", *r.b, *r.i2, *r.i4, *r.i8, *r.f4, *r.f8, *r.t, r.ts, r.num, *r.j, r.arr)
			}
			var nullInt *int64
			var nullText *string
			if err := conn.QueryRow(ctx, "SELECT $1::int8, $2::text", mode, nil, nil).Scan(&nullInt, &nullText); err != nil {
				t.Fatal(err)
			}
			if nullInt != nil || nullText != nil {
				t.Errorf("NULL parameters came back as %v, %v", nullInt, nullText)
			}
		})
	}

	// Text-format parameters and results, with declared types, through
	// pgconn, which sends exactly what it is given.
	res := conn.PgConn().ExecParams(ctx, "SELECT $1, $2::timestamptz, $3::numeric, $4::float8",
		[][]byte{[]byte(" 0x10 "), []byte("2026-11-01 11:30:00+05:30"), []byte("1.5e3"), []byte("-Infinity")},
		[]uint32{20, 0, 0, 0}, []int16{0}, []int16{0}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := res.FieldDescriptions[0].DataTypeOID; got != 20 {
		t.Errorf("declared $1 type: column OID %d", got)
	}
	want := []string{"16", "2026-11-01 06:00:00+00", "1500", "-Infinity"}
	for i, w := range want {
		if got := string(res.Rows[0][i]); got != w {
			t.Errorf("text parameter %d: got %q, want %q", i+1, got, w)
		}
	}

	_, err := conn.Exec(ctx, "SELECT $1::int4", "not a number")
	if pgCode(err) != "22P02" {
		t.Errorf("bad int4 text: got %v, want 22P02", err)
	}
	_, err = conn.Exec(ctx, "SELECT $1::timestamptz", "2026-02-30 00:00:00")
	if pgCode(err) != "22008" {
		t.Errorf("bad timestamptz: got %v, want 22008", err)
	}
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(new(int32)); err != nil {
		t.Errorf("after errors: %v", err)
	}
}

// TestPgxSession covers what pgx sees of the session: statuses, SET/SHOW,
// transactions, errors and empty queries.
func TestPgxSession(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "application_name=pgxtest&TimeZone=Europe/Berlin&search_path=foo")
	ctx := testCtx(t)
	pg := conn.PgConn()
	for name, want := range map[string]string{
		"server_version": "16.4 (armorlake)", "TimeZone": "Europe/Berlin", "application_name": "pgxtest",
		"client_encoding": "UTF8", "standard_conforming_strings": "on", "integer_datetimes": "on",
		"DateStyle": "ISO, MDY", "session_authorization": "armorlake", "is_superuser": "off",
	} {
		if got := pg.ParameterStatus(name); got != want {
			t.Errorf("ParameterStatus %s = %q, want %q", name, got, want)
		}
	}
	if pid := pg.PID(); pid == 0 {
		t.Error("no BackendKeyData")
	}
	var sp string
	if err := conn.QueryRow(ctx, "SHOW search_path").Scan(&sp); err != nil || sp != "foo" {
		t.Errorf("SHOW search_path = %q, %v", sp, err)
	}

	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}

	if _, err := conn.Exec(ctx, "SET TimeZone = 'Asia/Kolkata'"); err != nil {
		t.Fatal(err)
	}
	if got := pg.ParameterStatus("TimeZone"); got != "Asia/Kolkata" {
		t.Errorf("TimeZone after SET: %q", got)
	}
	var text string
	if err := conn.QueryRow(ctx, "SELECT now_ts()", pgx.QueryResultFormats{pgx.TextFormatCode}).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "2026-11-01 11:30:00.5+05:30" {
		t.Errorf("timestamptz in Asia/Kolkata: %q", text)
	}
	if err := conn.QueryRow(ctx, "SHOW timezone").Scan(&text); err != nil || text != "Asia/Kolkata" {
		t.Errorf("SHOW timezone = %q, %v", text, err)
	}

	_, err := conn.Exec(ctx, "SELEC 1")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42601" || pe.Position != 1 || pe.Message != `syntax error at or near "SELEC"` {
		t.Errorf("syntax error: %#v", err)
	}
	_, err = conn.Prepare(ctx, "multi", "SELECT 1; SELECT 2")
	if pgCode(err) != "42601" || !strings.Contains(err.Error(), "cannot insert multiple commands into a prepared statement") {
		t.Errorf("multi-statement prepare: %v", err)
	}

	// Several statements through the simple protocol.
	results, err := pg.Exec(ctx, "SELECT 1; SELECT * FROM series(3); SET application_name = 'x'").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 || results[0].CommandTag.String() != "SELECT 1" || len(results[1].Rows) != 3 ||
		results[2].CommandTag.String() != "SET" {
		t.Errorf("multi-statement results: %+v", results)
	}
	if got := pg.ParameterStatus("application_name"); got != "x" {
		t.Errorf("application_name after SET: %q", got)
	}

	// Transactions and the status byte.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pg.TxStatus() != 'T' {
		t.Errorf("status in transaction: %c", pg.TxStatus())
	}
	if _, err := tx.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT * FROM nosuch"); pgCode(err) != "42P01" {
		t.Errorf("in transaction: %v", err)
	}
	if pg.TxStatus() != 'E' {
		t.Errorf("status after error: %c", pg.TxStatus())
	}
	if _, err := tx.Exec(ctx, "SELECT 1"); pgCode(err) != "25P02" {
		t.Errorf("in failed transaction: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, pgx.ErrTxCommitRollback) {
		t.Errorf("commit of failed transaction: %v", err)
	}
	if pg.TxStatus() != 'I' || pg.ParameterStatus("TimeZone") != "Asia/Kolkata" {
		t.Errorf("after rollback: status %c, TimeZone %q", pg.TxStatus(), pg.ParameterStatus("TimeZone"))
	}
}

// TestPgxErrors checks errors while rows stream and recovered panics.
func TestPgxErrors(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)

	rows, err := conn.Query(ctx, "SELECT rows_then_fail()")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if n != 2 || pgCode(rows.Err()) != "22012" {
		t.Errorf("rows then error: %d rows, %v", n, rows.Err())
	}

	_, err = conn.Exec(ctx, "SELECT fail('53200', 'out of memory')")
	if pgCode(err) != "53200" {
		t.Errorf("sqlerr code through a wrapped error: %v", err)
	}

	for _, sql := range []string{"SELECT boom()", "SELECT boom_prepare()"} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
			_, err = conn.Exec(ctx, sql, mode)
			if pgCode(err) != "XX000" {
				t.Errorf("%s (%v): %v, want XX000", sql, mode, err)
			}
		}
	}
	if logs := ts.logs.String(); !strings.Contains(logs, "panic serving statement") || !strings.Contains(logs, "goroutine") {
		t.Errorf("panic not logged with its stack:\n%s", logs)
	}
	var one int32
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after panics: %v, %v", one, err)
	}
}

// TestPgxCancel cancels a running statement with CancelRequest.
func TestPgxCancel(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)

	// A cancel with the wrong secret is ignored, silently.
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT pg_sleep()")
		done <- err
	}()
	waitFor(t, "the statement to block", func() bool { return ts.eng.sleeping.Load() == 1 })
	c := dialRaw(t, ts.addr)
	c.write(cancelPacket(conn.PgConn().PID(), 12345))
	if out := c.until("EOF"); out != "EOF\n" {
		t.Errorf("answer to a cancel request: %q", out)
	}
	if ts.eng.canceled.Load() != 0 {
		t.Fatal("wrong secret canceled the statement")
	}

	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
		t.Errorf("canceled statement: %v", err)
	}
	var one int32
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after cancel: %v, %v", one, err)
	}

	// pgx cancels through CancelRequest when the query's context ends.
	qctx, cancel := context.WithCancel(ctx)
	go func() {
		_, err := conn.Exec(qctx, "SELECT pg_sleep()", pgx.QueryExecModeSimpleProtocol)
		done <- err
	}()
	waitFor(t, "the statement to block", func() bool { return ts.eng.sleeping.Load() == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Error("canceled context: no error")
	}
	waitFor(t, "the statement to end", func() bool { return ts.eng.sleeping.Load() == 0 })
}

func cancelPacket(pid, secret uint32) []byte {
	b := []byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e}
	b = append(b, byte(pid>>24), byte(pid>>16), byte(pid>>8), byte(pid))
	return append(b, byte(secret>>24), byte(secret>>16), byte(secret>>8), byte(secret))
}

// TestPgxConnectModes connects with TLS preferred (answered 'N') and with
// protocol 3.2 requested (negotiated down to 3.0).
func TestPgxConnectModes(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	for _, extra := range []string{"sslmode=prefer", "max_protocol_version=3.2"} {
		u := strings.Replace(ts.url(extra), "sslmode=disable&", "", 1)
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Errorf("%s: %v", extra, err)
			continue
		}
		var one int32
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Errorf("%s: %v, %v", extra, one, err)
		}
		conn.Close(ctx)
	}
}

func TestMaxConnections(t *testing.T) {
	ts := startServer(t, Config{MaxConnections: 1})
	ctx := testCtx(t)
	first := connect(t, ts, "")
	_, err := pgx.Connect(ctx, ts.url(""))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" || pe.Severity != "FATAL" {
		t.Fatalf("second connection: %v", err)
	}
	first.Close(ctx)
	// The first session's slot frees once its goroutine has ended.
	var conn *pgx.Conn
	waitFor(t, "a free slot", func() bool {
		conn, err = pgx.Connect(ctx, ts.url(""))
		return err == nil
	})
	conn.Close(ctx)
}

func TestServerClose(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT pg_sleep()")
		done <- err
	}()
	waitFor(t, "the statement to block", func() bool { return ts.eng.sleeping.Load() == 1 })
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("statement survived Close")
	}
	if ts.eng.canceled.Load() != 1 {
		t.Error("statement context not canceled")
	}
	if _, err := pgx.Connect(ctx, ts.url("connect_timeout=2")); err == nil {
		t.Error("connected after Close")
	}
}

// TestStatementTimeout: a statement running past statement_timeout ends
// with 57014 and the timeout's message, in time; the connection goes on
// serving, and a statement within the timeout is not disturbed.
func TestStatementTimeout(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, "SET statement_timeout = '150ms'"); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		start := time.Now()
		_, err := conn.Exec(ctx, "SELECT pg_sleep()", mode)
		elapsed := time.Since(start)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
			t.Fatalf("mode %v: %v", mode, err)
		}
		if elapsed < 150*time.Millisecond || elapsed > 5*time.Second {
			t.Errorf("mode %v: timed out after %s", mode, elapsed)
		}
		var one int32
		if err := conn.QueryRow(ctx, "SELECT 1", mode).Scan(&one); err != nil || one != 1 {
			t.Errorf("mode %v: after the timeout: %v, %v", mode, one, err)
		}
	}
	if _, err := conn.Exec(ctx, "SET statement_timeout = 'soon'"); err == nil {
		t.Error("statement_timeout = 'soon' accepted")
	}
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	// The query memory budget takes sizes of at least 1MB.
	if _, err := conn.Exec(ctx, "SET armorlake.query_memory = '64MB'"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"'1kB'", "'lots'", "'5 parsecs'"} {
		if _, err := conn.Exec(ctx, "SET armorlake.query_memory = "+bad); err == nil {
			t.Errorf("armorlake.query_memory = %s accepted", bad)
		}
	}
}

// TestSessionObjectLimit: a session cannot hold more than
// maxSessionObjects prepared statements; the next one fails with 54000
// and the session goes on.
func TestSessionObjectLimit(t *testing.T) {
	ts := startServer(t, Config{})
	conn := connect(t, ts, "")
	ctx := testCtx(t)
	for i := range maxSessionObjects {
		if _, err := conn.PgConn().Prepare(ctx, fmt.Sprintf("s%d", i), "SELECT 1", nil); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	if _, err := conn.PgConn().Prepare(ctx, "one_too_many", "SELECT 1", nil); pgCode(err) != "54000" {
		t.Fatalf("past the limit: %v, want 54000", err)
	}
	var one int32
	if err := conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&one); err != nil || one != 1 {
		t.Errorf("after the limit: %v, %v", one, err)
	}
}
