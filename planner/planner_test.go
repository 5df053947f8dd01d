package planner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// testTable is small enough to reason about by hand.
var testTable = &schema.Table{Name: "t", Columns: []schema.Column{
	{Name: "ts", Type: coldata.Timestamptz},
	{Name: "ns", Type: coldata.Text},
	{Name: "sev", Type: coldata.Int32},
	{Name: "v", Type: coldata.Float64},
	{Name: "big", Type: coldata.Int64},
}}

// fakeCluster is a catalog and a remote whose operators are in-memory
// sources; fragments and batches still go through their wire encodings.
type fakeCluster struct {
	nodes map[string]*exec.MemSource
	order []string
	down  string
	// failing names an operator whose streams break after their first
	// batch, as a transport failure (58000).
	failing string
	// rng, when set, cuts every batch an operator returns into pieces of
	// random sizes: results must not depend on batch boundaries.
	rng   *rand.Rand
	frags []*rpcpb.Fragment // every fragment sent, in order
	// mu guards frags and rng: Gather calls Execute from a goroutine per
	// operator.
	mu sync.Mutex
}

func (f *fakeCluster) Table(name string) (*schema.Table, bool) {
	if name == testTable.Name {
		return testTable, true
	}
	return nil, false
}

func (f *fakeCluster) Targets(table string, lo, hi int64) ([]exec.Target, []string, error) {
	var ts []exec.Target
	var missing []string
	for _, id := range f.order {
		if id == f.down {
			missing = append(missing, id)
			continue
		}
		ts = append(ts, exec.Target{NodeID: id})
	}
	return ts, missing, nil
}

func (f *fakeCluster) Execute(ctx context.Context, t exec.Target, frag *rpcpb.Fragment) (exec.Operator, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frags = append(f.frags, frag)
	types := make([]coldata.Type, len(frag.Columns))
	for i, c := range frag.Columns {
		types[i] = testTable.Columns[testTable.ColumnIndex(c)].Type
	}
	op, err := exec.BuildFragment(ctx, frag, types, f.nodes[t.NodeID])
	if err != nil {
		return nil, err
	}
	defer op.Close()
	var out []*coldata.Batch
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		d, err := coldata.Decode(coldata.AppendEncoded(nil, b))
		if err != nil {
			return nil, err
		}
		for f.rng != nil && d.Len > 1 {
			k := 1 + f.rng.IntN(d.Len)
			out = append(out, d.Slice(0, k))
			d = d.Slice(k, d.Len)
		}
		out = append(out, d)
	}
	if t.NodeID == f.failing {
		return &breakingStream{in: exec.NewBatches(out...), target: t.NodeID}, nil
	}
	return exec.NewBatches(out...), nil
}

// breakingStream yields its first batch, then fails as a lost operator.
type breakingStream struct {
	in     exec.Operator
	target string
	sent   bool
}

func (b *breakingStream) Next(ctx context.Context) (*coldata.Batch, error) {
	if b.sent {
		return nil, sqlerr.New(sqlerr.SystemError, "operator %s is unreachable: connection reset", b.target)
	}
	b.sent = true
	return b.in.Next(ctx)
}

func (b *breakingStream) Close() error { return b.in.Close() }

// TestPartialResults: an operator not available, or failing during the
// query, fails it naming the operator; with armorlake.partial_results the
// query answers from the others, leaving out all of the failed one's rows
// (those it sent before failing too), and a notice names it.
func TestPartialResults(t *testing.T) {
	cluster := load(3, testRows())
	p := New(Config{}, cluster, cluster)
	count := func(partial bool, sql string) (int64, []exec.Notice, error) {
		notices := &exec.Notices{}
		ctx := exec.WithNotices(context.Background(), notices)
		stmts, err := p.Prepare(ctx, &Session{PartialResults: partial}, sql, nil)
		if err != nil {
			return 0, nil, err
		}
		op, err := stmts[0].Run(ctx, nil)
		if err != nil {
			return 0, nil, err
		}
		defer op.Close()
		var n int64
		for {
			b, err := op.Next(ctx)
			if err != nil {
				return 0, nil, err
			}
			if b == nil {
				return n, notices.Take(), nil
			}
			for i := range b.Len {
				n += b.Vecs[0].Int64[i]
			}
		}
	}
	perOp := func(id string) int64 {
		cluster.down = ""
		defer func() { cluster.down = "" }()
		all, _, _ := count(false, "SELECT count(*) FROM t")
		cluster.down = id
		rest, _, _ := count(true, "SELECT count(*) FROM t")
		return all - rest
	}
	all, _, err := count(false, "SELECT count(*) FROM t")
	if err != nil || all != 40 {
		t.Fatalf("count(*) = %d, %v", all, err)
	}
	for _, c := range []struct{ down, failing, sql string }{
		{down: "op-2", sql: "SELECT count(*) FROM t"},
		{failing: "op-3", sql: "SELECT count(*) FROM t"},
		{failing: "op-3", sql: "SELECT count(*) FROM (SELECT ns, sev FROM t) s"},
	} {
		cluster.down, cluster.failing = c.down, c.failing
		who := c.down + c.failing
		if _, _, err := count(false, c.sql); sqlerr.Code(err) != sqlerr.SystemError || !strings.Contains(err.Error(), who) {
			t.Errorf("%s without partial results, %s lost: %v", c.sql, who, err)
		}
		n, notices, err := count(true, c.sql)
		cluster.down, cluster.failing = "", ""
		want := all - perOp(who)
		if err != nil || n != want || len(notices) != 1 || notices[0].Code != exec.PartialNotice || !strings.Contains(notices[0].Message, who) {
			t.Errorf("%s with partial results, %s lost: %d rows (want %d), notices %v, %v", c.sql, who, n, want, notices, err)
		}
	}
}

// load splits rows round-robin across n operators.
func load(n int, rows [][]any) *fakeCluster {
	f := &fakeCluster{nodes: map[string]*exec.MemSource{}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("op-%d", i+1)
		f.order = append(f.order, id)
		f.nodes[id] = exec.NewMemSource()
	}
	for i, r := range rows {
		b := coldata.NewBatch(testTable.Types(), 1)
		for c, v := range r {
			vec := b.Vecs[c]
			switch x := v.(type) {
			case nil:
				vec.AppendNull()
			case time.Time:
				vec.Int64 = append(vec.Int64, x.UnixMicro())
			case string:
				vec.Bytes.AppendString(x)
			case int:
				vec.Int64 = append(vec.Int64, int64(x))
			case float64:
				vec.Float64 = append(vec.Float64, x)
			}
		}
		b.Len = 1
		f.nodes[f.order[i%n]].Append(testTable, b)
	}
	return f
}

func testRows() [][]any {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]any
	nss := []string{"web", "db", "", "web", "kube-system"}
	for i := 0; i < 40; i++ {
		var sev any = i % 10
		if i%7 == 0 {
			sev = nil
		}
		big := 1 << 62
		rows = append(rows, []any{base.Add(time.Duration(i) * time.Hour), nss[i%len(nss)], sev, float64(i) / 4, big})
	}
	return rows
}

func format(t *testing.T, cols []Column, op exec.Operator) string {
	var sb strings.Builder
	for i, c := range cols {
		if i > 0 {
			sb.WriteString("|")
		}
		sb.WriteString(c.Name + ":" + c.Type.String())
	}
	sb.WriteString("\n")
	ctx := context.Background()
	defer op.Close()
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return sb.String() + "error: " + err.Error() + "\n"
		}
		if b == nil {
			return sb.String()
		}
		for i := 0; i < b.Len; i++ {
			for c, v := range b.Vecs {
				if c > 0 {
					sb.WriteString("|")
				}
				switch {
				case v.IsNull(i):
					sb.WriteString("NULL")
				case v.Type == coldata.Timestamptz:
					sb.WriteString(time.UnixMicro(v.Int64[i]).UTC().Format("2006-01-02 15:04:05"))
				case v.Type.IsInteger():
					sb.WriteString(strconv.FormatInt(v.Int64[i], 10))
				case v.Type.IsFloat():
					sb.WriteString(strconv.FormatFloat(v.Float64[i], 'g', -1, 64))
				case v.Type == coldata.Bool:
					sb.WriteString(strconv.FormatBool(v.Bool[i]))
				default:
					sb.Write(coldata.AppendText(nil, v, i, time.UTC))
				}
			}
			sb.WriteString("\n")
		}
	}
}

// TestSelect runs testdata/select with one and with three operators, with
// pushdown on and off, and with the operators' batches cut at random
// sizes: the answers must not depend on how rows are spread, where the
// work runs, or where batches end.
func TestSelect(t *testing.T) {
	for _, variant := range []struct {
		n          int
		noPushdown bool
		chunk      bool
	}{{1, false, false}, {3, false, false}, {3, true, false}, {1, true, true}, {3, false, true}} {
		cluster := load(variant.n, testRows())
		if variant.chunk {
			cluster.rng = rand.New(rand.NewPCG(uint64(variant.n), 7))
		}
		p := New(Config{}, cluster, cluster)
		sess := &Session{NoPushdown: variant.noPushdown}
		datadriven.RunTest(t, "testdata/select", func(t *testing.T, d *datadriven.TestData) string {
			ctx := context.Background()
			switch d.Cmd {
			case "query":
				stmts, err := p.Prepare(ctx, sess, d.Input, nil)
				var out strings.Builder

				for _, st := range stmts {
					if st.Kind != KindQuery {
						fmt.Fprintf(&out, "%s kind=%d set=%s=%s show=%s\n", st.Tag, st.Kind, st.SetName, st.SetValue, st.ShowName)
						continue
					}
					op, err := st.Run(ctx, nil)
					if err != nil {
						e := sqlerr.As(err)
						fmt.Fprintf(&out, "error %s: %s\n", e.Code, e.Message)
						continue
					}
					out.WriteString(format(t, st.Columns, op))
				}
				if err != nil {
					e := sqlerr.As(err)
					fmt.Fprintf(&out, "error %s: %s\n", e.Code, e.Message)
				}
				return out.String()
			case "down":
				cluster.down = strings.TrimSpace(d.Input)
				return ""
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	}
}

// FuzzPrepareAndRun feeds arbitrary SQL through parse, bind, plan and
// execution: every input must end in rows or an error, never a panic.
func FuzzPrepareAndRun(f *testing.F) {
	for _, q := range []string{
		"SELECT count(*) FROM t",
		"SELECT ns, count(*), avg(sev) FROM t WHERE ts >= '2026-11-01' GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
		"SELECT ts, v FROM t WHERE NOT (sev IS NULL OR v > 1.5) ORDER BY v LIMIT 2 OFFSET 1",
		"SELECT sev * 2 + 1 FROM t WHERE sev IN (1, 2) AND big <> 0",
		"SELECT 1, 'a'",
		"SET x = 1; SHOW x",
	} {
		f.Add(q)
	}
	cluster := load(2, testRows())
	p := New(Config{}, cluster, cluster)
	f.Fuzz(func(t *testing.T, sql string) {
		ctx := context.Background()
		stmts, err := p.Prepare(ctx, nil, sql, nil)
		if err != nil {
			if sqlerr.As(err) == nil {
				t.Fatalf("error without SQLSTATE: %v", err)
			}
			return
		}
		for _, st := range stmts {
			if st.Kind != KindQuery || len(st.ParamTypes) > 0 {
				continue
			}
			op, err := st.Run(ctx, nil)
			if err != nil {
				continue
			}
			format(t, st.Columns, op)
		}
	})
}

// TestNoPushdownFragments: with armorlake.pushdown = off the fragments
// sent to operators only read columns; with it on they filter and
// aggregate.
func TestNoPushdownFragments(t *testing.T) {
	for _, off := range []bool{false, true} {
		cluster := load(2, testRows())
		p := New(Config{}, cluster, cluster)
		stmts, err := p.Prepare(context.Background(), &Session{NoPushdown: off}, "SELECT ns, count(*) FROM t WHERE sev > 1 GROUP BY 1", nil)
		if err != nil {
			t.Fatal(err)
		}
		op, err := stmts[0].Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		format(t, stmts[0].Columns, op)
		if len(cluster.frags) == 0 {
			t.Fatal("no fragment sent")
		}
		f := cluster.frags[0]
		pushed := f.Filter != nil || len(f.GroupBy) > 0 || len(f.Aggregates) > 0
		if pushed == off {
			t.Errorf("pushdown off=%v: fragment filter %v, group by %v, aggregates %v", off, f.Filter, f.GroupBy, f.Aggregates)
		}
	}
}

// TestExplain: EXPLAIN names the query node's steps, the operators a
// fragment goes to and what it pushes down; EXPLAIN ANALYZE adds the
// rows returned and what each operator sent.
func TestExplain(t *testing.T) {
	cluster := load(2, testRows())
	p := New(Config{}, cluster, cluster)
	run := func(sql string) string {
		stmts, err := p.Prepare(context.Background(), nil, sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts[0].Columns) != 1 || stmts[0].Columns[0].Name != "QUERY PLAN" {
			t.Fatalf("%s: columns %v", sql, stmts[0].Columns)
		}
		op, err := stmts[0].Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return format(t, stmts[0].Columns, op)
	}
	got := run("EXPLAIN SELECT ns, count(*) FROM t WHERE sev > 1 AND ts >= '2026-11-01 05:00:00+00' GROUP BY ns ORDER BY 2 DESC LIMIT 3")
	for _, want := range []string{
		"Limit (3, offset 0)",
		"Top-N sort (column 2 DESC)",
		"Final aggregation (1 group keys, 1 aggregates)",
		"Gather from 2 operators (op-1, op-2)",
		"Fragment on t: reads ts, ns, sev; time [2026-11-01T05:00:00Z, infinity); filter",
		"partial aggregation count(*) by ns",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, got)
		}
	}
	got = run("EXPLAIN ANALYZE SELECT ns FROM t WHERE ns = 'web'")
	if !strings.Contains(got, "Rows: 16") || !strings.Contains(got, "Execution Time:") ||
		!strings.Contains(got, "Fragment on t: 2 operators, 16 rows") || !regexp.MustCompile(`(?m)^  op-1: \d+ rows in \d+ batches`).MatchString(got) {
		t.Errorf("EXPLAIN ANALYZE:\n%s", got)
	}
	got = run("EXPLAIN SELECT a.ns FROM t a JOIN (SELECT ns FROM t GROUP BY ns) b ON a.ns = b.ns")
	if !strings.Contains(got, "Hash Inner Join (1 keys)") || strings.Count(got, "Gather from 2 operators") != 2 {
		t.Errorf("EXPLAIN of a join:\n%s", got)
	}
}

// Grafana's time buckets group by an integer: floor(extract(epoch from
// ts) / 300) * 300 becomes epoch_div_floor(ts, 300 s) in the fragment,
// and the numeric is computed per group on the query node. A fractional
// bucket keeps numeric division.
func TestEpochBucketGroupsByInteger(t *testing.T) {
	for _, tc := range []struct {
		sql       string
		fn        string
		groupType coldata.Type
	}{
		{"SELECT floor(extract(epoch from ts)/300)*300 AS time, count(*) FROM t GROUP BY 1 ORDER BY 1", "epoch_div_floor", coldata.Int64},
		{"SELECT floor(extract(epoch from ts)/3600) AS h, ns, count(*) FROM t GROUP BY 1, 2 ORDER BY 1, 2", "epoch_div_floor", coldata.Int64},
		{"SELECT CAST(sev AS text) AS s, count(*) FROM t GROUP BY 1 ORDER BY 1", "", coldata.Int32},
		{"SELECT floor(extract(epoch from ts)/0.5)*0.5 AS time, count(*) FROM t GROUP BY 1 ORDER BY 1", "*", coldata.Numeric},
	} {
		cluster := load(2, testRows())
		p := New(Config{}, cluster, cluster)
		stmts, err := p.Prepare(context.Background(), nil, tc.sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		op, err := stmts[0].Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		format(t, stmts[0].Columns, op)
		if stmts[0].Columns[0].Type != coldata.Numeric && tc.groupType != coldata.Int32 {
			t.Errorf("%s: first column is %s, want numeric", tc.sql, stmts[0].Columns[0].Type)
		}
		g := cluster.frags[0].GroupBy[0]
		if coldata.Type(g.Type) != tc.groupType {
			t.Errorf("%s: the fragment groups by a %s, want %s", tc.sql, coldata.Type(g.Type), tc.groupType)
		}
		if call := g.GetCall(); tc.fn != "" && (call == nil || call.Op != tc.fn) {
			t.Errorf("%s: the fragment groups by %v, want a call of %s", tc.sql, g, tc.fn)
		}
	}
}
