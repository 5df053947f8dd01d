package storage

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// typeNames are the type names the datadriven files use.
var typeNames = map[string]coldata.Type{
	"bool":        coldata.Bool,
	"int2":        coldata.Int16,
	"int4":        coldata.Int32,
	"int8":        coldata.Int64,
	"float4":      coldata.Float32,
	"float8":      coldata.Float64,
	"text":        coldata.Text,
	"numeric":     coldata.Numeric,
	"jsonb":       coldata.Jsonb,
	"textarray":   coldata.TextArray,
	"timestamptz": coldata.Timestamptz,
}

// appendValue parses one value written as formatValue writes it and
// appends it to v.
func appendValue(v *coldata.Vec, s string) error {
	if s == "NULL" {
		v.AppendNull()
		return nil
	}
	switch t := v.Type; {
	case t == coldata.Bool:
		x, err := strconv.ParseBool(s)
		v.Bool = append(v.Bool, x)
		return err
	case t == coldata.Timestamptz:
		x, err := time.Parse(time.RFC3339Nano, s)
		v.Int64 = append(v.Int64, x.UnixMicro())
		return err
	case t.IsInteger():
		x, err := strconv.ParseInt(s, 10, 64)
		v.Int64 = append(v.Int64, x)
		return err
	case t.IsFloat():
		x, err := strconv.ParseFloat(s, 64)
		v.Float64 = append(v.Float64, x)
		return err
	case t.IsBytes():
		x, err := strconv.Unquote(s)
		v.Bytes.AppendString(x)
		return err
	case t == coldata.TextArray:
		rest, ok := strings.CutPrefix(s, "[")
		rest, ok2 := strings.CutSuffix(rest, "]")
		if !ok || !ok2 {
			return fmt.Errorf("array %q not in brackets", s)
		}
		var elems []string
		for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return err
			}
			e, _ := strconv.Unquote(q)
			elems = append(elems, e)
			rest = rest[len(q):]
		}
		v.AppendStrings(elems)
		return nil
	}
	return fmt.Errorf("type %s", v.Type)
}

// formatValue renders row i of v.
func formatValue(v *coldata.Vec, i int) string {
	if v.IsNull(i) {
		return "NULL"
	}
	switch t := v.Type; {
	case t == coldata.Bool:
		return strconv.FormatBool(v.Bool[i])
	case t == coldata.Timestamptz:
		return time.UnixMicro(v.Int64[i]).UTC().Format(time.RFC3339Nano)
	case t.IsInteger():
		return strconv.FormatInt(v.Int64[i], 10)
	case t.IsFloat():
		return strconv.FormatFloat(v.Float64[i], 'g', -1, 64)
	case t.IsBytes():
		return shortQuote(v.Bytes.Get(i))
	case t == coldata.TextArray:
		var sb strings.Builder
		sb.WriteByte('[')
		for j := range v.ArrayLen(i) {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(shortQuote(v.ArrayElem(i, j)))
		}
		sb.WriteByte(']')
		return sb.String()
	}
	return "?"
}

// shortQuote quotes b, eliding the middle of long values.
func shortQuote(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%s…(%d bytes)", strconv.Quote(string(b[:32])), len(b))
	}
	return strconv.Quote(string(b))
}

// rowEqual reports whether row i of a equals row j of b, bit for bit.
func rowEqual(a *coldata.Vec, i int, b *coldata.Vec, j int) bool {
	if a.Type != b.Type {
		return false
	}
	if a.IsNull(i) || b.IsNull(j) {
		return a.IsNull(i) && b.IsNull(j)
	}
	switch t := a.Type; {
	case t == coldata.Bool:
		return a.Bool[i] == b.Bool[j]
	case isIntType(t):
		return a.Int64[i] == b.Int64[j]
	case t.IsFloat():
		return math.Float64bits(a.Float64[i]) == math.Float64bits(b.Float64[j])
	case t.IsBytes():
		return bytes.Equal(a.Bytes.Get(i), b.Bytes.Get(j))
	case t == coldata.TextArray:
		if a.ArrayLen(i) != b.ArrayLen(j) {
			return false
		}
		for k := range a.ArrayLen(i) {
			if !bytes.Equal(a.ArrayElem(i, k), b.ArrayElem(j, k)) {
				return false
			}
		}
		return true
	}
	return false
}

// checkVec checks the invariants a decoded Vec of n rows must keep.
func checkVec(v *coldata.Vec, n int) error {
	if v.Len() != n {
		return fmt.Errorf("%d rows, want %d", v.Len(), n)
	}
	if len(v.Nulls) > (n+63)/64 {
		return fmt.Errorf("%d bitmap words for %d rows", len(v.Nulls), n)
	}
	var b *coldata.Bytes
	switch {
	case v.Type.IsBytes():
		b = &v.Bytes
	case v.Type == coldata.TextArray:
		b = &v.Bytes
		if v.Arr[0] != 0 || int(v.Arr[n]) != b.Len() {
			return fmt.Errorf("array bounds %d..%d for %d elements", v.Arr[0], v.Arr[n], b.Len())
		}
		for i := range n {
			if v.Arr[i] > v.Arr[i+1] {
				return fmt.Errorf("array bounds decrease at %d", i)
			}
		}
	}
	if b != nil {
		if b.Offs[0] != 0 || int(b.Offs[b.Len()]) != len(b.Data) {
			return fmt.Errorf("offsets %d..%d for %d bytes", b.Offs[0], b.Offs[b.Len()], len(b.Data))
		}
		for i := range b.Len() {
			if b.Offs[i] > b.Offs[i+1] {
				return fmt.Errorf("offsets decrease at %d", i)
			}
		}
	}
	for i := range n {
		if v.IsNull(i) && !nullSlotZero(v, i) {
			return fmt.Errorf("NULL row %d holds a value", i)
		}
	}
	return nil
}

// nullSlotZero reports whether the value slot of row i holds the zero value.
func nullSlotZero(v *coldata.Vec, i int) bool {
	switch t := v.Type; {
	case t == coldata.Bool:
		return !v.Bool[i]
	case isIntType(t):
		return v.Int64[i] == 0
	case t.IsFloat():
		return math.Float64bits(v.Float64[i]) == 0
	case t.IsBytes():
		return len(v.Bytes.Get(i)) == 0
	case t == coldata.TextArray:
		return v.ArrayLen(i) == 0
	}
	return false
}

// allTypesTable has one column of every type, ts first.
var allTypesTable = &schema.Table{
	Name: "all_types",
	Columns: []schema.Column{
		{Name: "ts", Type: coldata.Timestamptz},
		{Name: "id", Type: coldata.Int64},
		{Name: "b", Type: coldata.Bool},
		{Name: "i2", Type: coldata.Int16},
		{Name: "i4", Type: coldata.Int32},
		{Name: "f4", Type: coldata.Float32},
		{Name: "f8", Type: coldata.Float64},
		{Name: "t", Type: coldata.Text},
		{Name: "n", Type: coldata.Numeric},
		{Name: "j", Type: coldata.Jsonb},
		{Name: "a", Type: coldata.TextArray},
		{Name: "empty", Type: coldata.Text},
	},
}

// randomAllTypes returns n rows of allTypesTable with ids from firstID and
// times drawn from [t0, t0+span), NULLs in every column but ts and id.
// Column "empty" is always NULL.
func randomAllTypes(rng *rand.Rand, n int, firstID, t0, span int64) *coldata.Batch {
	b := coldata.NewBatch(allTypesTable.Types(), n)
	b.Len = n
	words := []string{"", "a", "bb", "\xff\xfe", "wordpress", "/usr/bin/apt", "ünïcödé"}
	for i := range n {
		b.Vecs[0].Int64 = append(b.Vecs[0].Int64, t0+rng.Int64N(span))
		b.Vecs[1].Int64 = append(b.Vecs[1].Int64, firstID+int64(i))
		for _, v := range b.Vecs[2:] {
			if v == b.Vecs[11] || rng.IntN(5) == 0 {
				v.AppendNull()
				continue
			}
			switch v.Type {
			case coldata.Bool:
				v.Bool = append(v.Bool, rng.IntN(2) == 0)
			case coldata.Int16:
				v.Int64 = append(v.Int64, int64(int16(rng.Uint32())))
			case coldata.Int32:
				v.Int64 = append(v.Int64, int64(int32(rng.Uint32())))
			case coldata.Float32:
				v.Float64 = append(v.Float64, float64(rng.Float32()))
			case coldata.Float64:
				v.Float64 = append(v.Float64, rng.NormFloat64())
			case coldata.Text, coldata.Numeric, coldata.Jsonb:
				v.Bytes.AppendString(words[rng.IntN(len(words))])
			case coldata.TextArray:
				elems := make([]string, rng.IntN(4))
				for k := range elems {
					elems[k] = words[rng.IntN(len(words))]
				}
				v.AppendStrings(elems)
			}
		}
	}
	return b
}

// alertsBatch returns n synthetic rows of schema.Alerts shaped like a busy
// cluster's: few hosts, pods and policies, many pids and resources, times
// from t0 about 100 µs apart.
func alertsBatch(rng *rand.Rand, n int, t0 int64) *coldata.Batch {
	t := schema.Alerts
	b := coldata.NewBatch(t.Types(), n)
	b.Len = n
	hosts := []string{"aks-agentpool-16128849-vmss000000", "aks-agentpool-16128849-vmss000001", "kubearmor-dev2"}
	namespaces := []string{"default", "wordpress-mysql", "kube-system", "accuknox-agents", "vault"}
	procs := []string{"/bin/bash", "/usr/bin/apt", "/bin/rm", "/bin/vault", "/usr/bin/curl", "/knoxAutoPolicy"}
	policies := []string{"harden-wordpress-pkg-mngr-exec", "harden-wordpress-file-integrity-monitoring", "ksp-vault-network", "DefaultPosture"}
	ops := []string{"Process", "File", "Network"}
	tags := [][]string{{"NIST", "NIST_800-53_CM-7(4)", "SI-4", "process"}, {"MITRE", "MITRE_T1036_masquerading"}, nil}
	ts := t0
	for row := range n {
		ts += 50 + rng.Int64N(100)
		pod := rng.IntN(20)
		for c, col := range t.Columns {
			v := b.Vecs[c]
			switch col.Name {
			case "ts":
				v.Int64 = append(v.Int64, ts)
			case "timestamp":
				v.Int64 = append(v.Int64, ts/1e6)
			case "host_name":
				v.Bytes.AppendString(hosts[pod%len(hosts)])
			case "namespace_name", "owner_namespace":
				v.Bytes.AppendString(namespaces[pod%len(namespaces)])
			case "pod_name", "owner_name":
				v.Bytes.AppendString(fmt.Sprintf("%s-787f45786f-%05d", namespaces[pod%len(namespaces)], pod))
			case "container_id":
				v.Bytes.AppendString(fmt.Sprintf("%064x", pod*7919))
			case "process_name", "parent_process_name", "exec_name":
				v.Bytes.AppendString(procs[rng.IntN(len(procs))])
			case "policy_name":
				v.Bytes.AppendString(policies[rng.IntN(len(policies))])
			case "operation":
				v.Bytes.AppendString(ops[rng.IntN(len(ops))])
			case "resource", "source":
				v.Bytes.AppendString(fmt.Sprintf("/var/lib/app/%d/file-%d.log", pod, rng.IntN(5000)))
			case "data":
				v.Bytes.AppendString(fmt.Sprintf("syscall=SYS_OPENAT fd=-100 flags=O_RDONLY pid=%d", rng.IntN(1<<20)))
			case "event_data":
				v.Bytes.AppendString(fmt.Sprintf(`{"Sa_family": "AF_INET", "Sin_port": "%d"}`, rng.IntN(65536)))
			case "exec_id":
				v.Bytes.AppendString(strconv.FormatInt(1078688820741427+int64(row), 10))
			case "severity":
				if rng.IntN(4) == 0 {
					v.AppendNull()
				} else {
					v.Int64 = append(v.Int64, 1+rng.Int64N(10))
				}
			case "atags":
				v.AppendStrings(tags[rng.IntN(len(tags))])
			default:
				switch {
				case col.Type.IsInteger():
					v.Int64 = append(v.Int64, rng.Int64N(1<<22))
				case col.Type.IsBytes():
					v.Bytes.AppendString(col.Name + "-" + strconv.Itoa(pod%3))
				default:
					v.AppendNull()
				}
			}
		}
	}
	return b
}

// openTest opens a store in a fresh directory.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
