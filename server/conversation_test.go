package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestConversations runs the wire conversations in testdata/pgwire: each
// file talks to its own server over one connection at a time.
//
//	connect [name=value ...]   open a connection with these startup parameters
//	                           (user=tester is added) and print the answer
//	send                       one frontend message a line: Type {JSON}, or
//	                           Query <sql>
//	until                      print backend messages until each listed type
//	                           has been seen, in order
func TestConversations(t *testing.T) {
	datadriven.Walk(t, "testdata/pgwire", func(t *testing.T, path string) {
		ts := startServer(t, Config{})
		var c *rawClient
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "connect":
				if c != nil {
					c.nc.Close()
				}
				params := map[string]string{"user": "tester"}
				for _, a := range d.CmdArgs {
					params[a.Key] = strings.Join(a.Vals, ",")
				}
				c = dialRaw(t, ts.addr)
				return c.startup(params)
			case "send":
				for _, line := range strings.Split(d.Input, "\n") {
					if line = strings.TrimSpace(line); line != "" {
						c.send(parseFrontend(t, line))
					}
				}
				return ""
			case "until":
				return c.until(strings.Fields(d.Input)...)
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

// parseFrontend parses "Type {JSON}" (or "Query <sql>") into a message.
func parseFrontend(t *testing.T, line string) pgproto3.FrontendMessage {
	typ, arg, _ := strings.Cut(line, " ")
	var msg pgproto3.FrontendMessage
	switch typ {
	case "Query":
		if !strings.HasPrefix(arg, "{") {
			return &pgproto3.Query{String: arg}
		}
		msg = &pgproto3.Query{}
	case "Parse":
		msg = &pgproto3.Parse{}
	case "Bind":
		msg = &pgproto3.Bind{}
	case "Describe":
		msg = &pgproto3.Describe{}
	case "Execute":
		msg = &pgproto3.Execute{}
	case "Close":
		msg = &pgproto3.Close{}
	case "Sync":
		msg = &pgproto3.Sync{}
	case "Flush":
		msg = &pgproto3.Flush{}
	case "Terminate":
		msg = &pgproto3.Terminate{}
	case "FunctionCall":
		msg = &pgproto3.FunctionCall{}
	case "CopyDone":
		msg = &pgproto3.CopyDone{}
	default:
		t.Fatalf("unknown message type %q", typ)
	}
	if arg != "" {
		if err := json.Unmarshal([]byte(arg), msg); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return msg
}
