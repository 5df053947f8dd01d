package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/coldata"
)

// TestFormat dumps encoded keys, chunks and block metadata byte by byte,
// so that a change to the format shows as a diff of testdata/format.
//
//	chunk type=<type> [repeat=<n>] [long=<n>]   one value per line (NULL, Go-quoted
//	                                 strings, ["a" "b"] arrays, RFC 3339 times)
//	key table=<name> partition=<RFC 3339> seq=<n> [column=<n>]
//	meta types=(<type>, ...)         one row per line, values split by |
func TestFormat(t *testing.T) {
	datadriven.RunTest(t, "testdata/format", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "chunk":
			return runChunk(t, d)
		case "key":
			return runKey(t, d)
		case "meta":
			return runMeta(t, d)
		}
		d.Fatalf(t, "unknown command %s", d.Cmd)
		return ""
	})
}

func runChunk(t *testing.T, d *datadriven.TestData) string {
	var typeName string
	d.ScanArgs(t, "type", &typeName)
	repeat := 1
	d.MaybeScanArgs(t, "repeat", &repeat)
	v := coldata.NewVec(typeNames[typeName], 0)
	lines := strings.Split(strings.TrimSpace(d.Input), "\n")
	for range repeat {
		for _, line := range lines {
			if err := appendValue(v, line); err != nil {
				d.Fatalf(t, "%s: %v", line, err)
			}
		}
	}
	if d.HasArg("long") {
		// A very long value, too long to spell out: n bytes of a
		// repeating pattern.
		var n int
		d.ScanArgs(t, "long", &n)
		v.Bytes.AppendString(strings.Repeat("0123456789abcdef", n/16+1)[:n])
	}
	var e chunkEncoder
	n := v.Len()
	value, info := e.appendChunk(nil, v, 0, n)
	roundTrip(t, v, 0, n, value)

	var dm dumper
	dm.buf = value
	fmt.Fprintf(&dm.sb, "%s, %d rows, %d NULL, %d bytes", info.enc, n, info.nulls, len(value))
	if isIntType(v.Type) && info.nulls < n {
		fmt.Fprintf(&dm.sb, ", min %d max %d", info.min, info.max)
	}
	dm.sb.WriteByte('\n')
	describeChunk(&dm)
	return dm.sb.String()
}

// roundTrip decodes value and compares it with rows [lo, hi) of v.
func roundTrip(t testing.TB, v *coldata.Vec, lo, hi int, value []byte) {
	t.Helper()
	body, _, err := splitChecksum(value)
	if err != nil {
		t.Fatal(err)
	}
	var dec chunkDecoder
	got := coldata.NewVec(v.Type, 0)
	if err := dec.decode(got, body); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := checkVec(got, hi-lo); err != nil {
		t.Fatalf("decoded vec: %v", err)
	}
	for i := lo; i < hi; i++ {
		if !rowEqual(v, i, got, i-lo) {
			t.Fatalf("row %d: got %s, want %s", i, formatValue(got, i-lo), formatValue(v, i))
		}
	}
}

func runKey(t *testing.T, d *datadriven.TestData) string {
	var table, part string
	var seq uint64
	d.ScanArgs(t, "table", &table)
	d.ScanArgs(t, "partition", &part)
	d.ScanArgs(t, "seq", &seq)
	p, err := time.Parse(time.RFC3339, part)
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	id := blockID{partition: p.UnixMicro(), seq: seq}
	prefix := tablePrefix(nil, table)
	key := metaKey(nil, prefix, id)
	if d.HasArg("column") {
		var col int
		d.ScanArgs(t, "column", &col)
		key = chunkKey(nil, prefix, id, col)
		if d.HasArg("bloom") {
			key = bloomKey(nil, prefix, id, col)
		}
	}
	gotTable, plen, err := parseTable(key)
	if err != nil || gotTable != table {
		t.Fatalf("parseTable: %q, %v", gotTable, err)
	}
	gotID, kind, col, err := parseBlockKey(key, plen)
	if err != nil || gotID != id {
		t.Fatalf("parseBlockKey: %v %v", gotID, err)
	}
	dm := dumper{buf: key}
	dm.field(1, "key space: blocks")
	n := dm.uvarint("table name length %d")
	dm.field(int(n), "table %q", table)
	dm.field(8, "partition %s (%d µs, sign bit flipped)", partitionName(id.partition), id.partition)
	switch kind {
	case kindMeta:
		dm.field(1, "block metadata")
	case kindChunk:
		dm.field(1, "column chunk")
		dm.field(2, "column %d", col)
	default:
		dm.field(1, "bloom filter")
		dm.field(2, "column %d", col)
	}
	dm.field(8, "stream %d", id.stream)
	dm.field(8, "seq %d", id.seq)
	return dm.sb.String()
}

func runMeta(t *testing.T, d *datadriven.TestData) string {
	arg, ok := d.Arg("types")
	if !ok {
		d.Fatalf(t, "types missing")
	}
	types := make([]coldata.Type, len(arg.Vals))
	for i, name := range arg.Vals {
		types[i] = typeNames[name]
	}
	b := coldata.NewBatch(types, 0)
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		for i, f := range strings.Split(line, "|") {
			if err := appendValue(b.Vecs[i], strings.TrimSpace(f)); err != nil {
				d.Fatalf(t, "%s: %v", f, err)
			}
		}
		b.Len++
	}
	var w blockWriter
	var batchStats TableStats
	w.prefix = tablePrefix(nil, "t")
	var sink recordingSetter
	if err := w.write(&sink, blockID{seq: 1}, 0, b, rowSet{lo: 0, hi: b.Len}, &batchStats); err != nil {
		t.Fatal(err)
	}
	value := sink.last
	var m blockMeta
	if err := decodeMeta(&m, value); err != nil {
		t.Fatal(err)
	}
	dm := dumper{buf: value}
	dm.field(1, "version %d", value[0])
	dm.uvarint("rows %d")
	dm.field(8, "min ts %s", formatTs(m.minTs))
	dm.field(8, "max ts %s", formatTs(m.maxTs))
	dm.uvarint("columns %d")
	for i, c := range m.cols {
		dm.field(1, "column %d: type %s", i, c.typ)
		dm.field(1, "  encoding %s", c.enc)
		dm.uvarint("  nulls %d")
		dm.uvarint("  chunk size %d")
		dm.field(4, "  chunk crc32c")
		if c.hasMinMax(m.rows) {
			dm.field(8, "  min %d", c.min)
			dm.field(8, "  max %d", c.max)
		}
		if c.typ.IsBytes() {
			dm.uvarint("  summary of %d bytes")
			flags := dm.buf[dm.off]
			dm.field(1, "  flags %03b", flags)
			sm := &c.summary
			if sm.hasBounds {
				dm.uvarint("  low bound: %d bytes")
				dm.field(len(sm.low), "  %s", shortQuote(sm.low))
				dm.uvarint("  high bound: %d bytes")
				dm.field(len(sm.high), "  %s", shortQuote(sm.high))
			}
			if sm.hasValues {
				dm.uvarint("  %d values")
				for i, v := range sm.values {
					dm.uvarint("  value: %d bytes")
					dm.field(len(v), "  %s", shortQuote(v))
					dm.field(uvarintLen(uint64(sm.counts[i])), "  in %d rows", sm.counts[i])
				}
			}
			if sm.bloomSize > 0 {
				dm.uvarint("  bloom filter: %d bytes")
				dm.field(4, "  bloom filter crc32c")
			}
		}
	}
	dm.field(4, "crc32c")
	return dm.sb.String()
}

func formatTs(us int64) string { return time.UnixMicro(us).UTC().Format(time.RFC3339Nano) }

// recordingSetter keeps the last value a blockWriter sets: the metadata.
type recordingSetter struct{ last []byte }

func (r *recordingSetter) Set(_, value []byte, _ *pebble.WriteOptions) error {
	r.last = append(r.last[:0], value...)
	return nil
}

// dumper prints a value field by field: offset, bytes in hex, meaning.
type dumper struct {
	buf    []byte
	off    int
	indent string
	brief  bool // show at most one line of a long field
	sb     strings.Builder
}

// field prints the next n bytes with a note. Long fields print their first
// 32 bytes only, or 8 when brief.
func (d *dumper) field(n int, note string, args ...any) []byte {
	b := d.buf[d.off : d.off+n]
	limit := 32
	if d.brief {
		limit = 8
	}
	shown := b[:min(len(b), limit)]
	for i := 0; i == 0 || i < len(shown); i += 8 {
		hex := fmt.Sprintf("% x", shown[i:min(i+8, len(shown))])
		if i == 0 {
			fmt.Fprintf(&d.sb, "%s%04x  %-23s  %s\n", d.indent, d.off, hex, fmt.Sprintf(note, args...))
		} else {
			fmt.Fprintf(&d.sb, "%s%04x  %s\n", d.indent, d.off+i, hex)
		}
	}
	if len(b) > len(shown) {
		fmt.Fprintf(&d.sb, "%s      … %d more bytes\n", d.indent, len(b)-len(shown))
	}
	d.off += n
	return b
}

func (d *dumper) uvarint(note string) uint64 {
	x, n := binary.Uvarint(d.buf[d.off:])
	d.field(n, note, x)
	return x
}

func bitString(bm []byte, n int) string {
	var sb strings.Builder
	for i := range n {
		if bitSet(bm, i) {
			sb.WriteByte('1')
		} else {
			sb.WriteByte('0')
		}
	}
	return sb.String()
}

// describeChunk prints an encoded chunk, checksum included.
func describeChunk(d *dumper) {
	typ, enc := coldata.Type(d.buf[d.off]), encoding(d.buf[d.off+1])
	d.field(1, "type %s", typ)
	d.field(1, "encoding %s", enc)
	rows := int(d.uvarint("rows %d"))
	nulls := int(d.uvarint("nulls %d"))
	if nulls > 0 && nulls < rows {
		bm := d.buf[d.off:]
		d.field((rows+7)/8, "null bitmap %s", bitString(bm, rows))
	}
	present := rows - nulls
	end := len(d.buf) - 4
	switch {
	case present == 0:
	case enc == encConst:
		describePlain(d, typ, 1)
	case enc == encPlain:
		describePlain(d, typ, present)
	case enc == encDelta:
		for range present {
			x, n := binary.Uvarint(d.buf[d.off:])
			d.field(n, "%+d", unzigzag(x))
		}
	case enc == encPatchedDelta:
		x, n := binary.Uvarint(d.buf[d.off:])
		d.field(n, "first %d", unzigzag(x))
		width := int(d.buf[d.off])
		d.field(1, "%d bits each", width)
		exc := int(d.uvarint("%d exceptions"))
		packed := ((present-1)*width + 7) / 8
		if d.off+packed > end {
			fmt.Fprintf(&d.sb, "bad packing\n")
			break
		}
		lows := make([]uint64, present-1)
		if err := unpackAll(lows, d.buf[d.off:d.off+packed], width); err != nil {
			fmt.Fprintf(&d.sb, "bad packing: %v\n", err)
			break
		}
		var sb strings.Builder
		for _, x := range lows {
			fmt.Fprintf(&sb, " %d", x)
		}
		d.field(packed, "packed low bits%s", sb.String())
		for range exc {
			d.uvarint("exception %d after the last")
			d.uvarint("high bits %d")
		}
	case enc == encFOR, enc == encDeltaFOR:
		count := present
		if enc == encDeltaFOR {
			x, n := binary.Uvarint(d.buf[d.off:])
			d.field(n, "first %d", unzigzag(x))
			count--
		}
		x, n := binary.Uvarint(d.buf[d.off:])
		d.field(n, "reference %+d", unzigzag(x))
		width := int(d.buf[d.off])
		d.field(1, "%d bits each", width)
		u, err := newUnpacker(d.buf[d.off:end], width, count)
		if err != nil {
			fmt.Fprintf(&d.sb, "bad packing: %v\n", err)
			break
		}
		var sb strings.Builder
		for range count {
			fmt.Fprintf(&sb, " %d", u.next())
		}
		d.field(end-d.off, "packed%s", sb.String())
	case enc == encDict:
		ndict := int(d.uvarint("dictionary of %d values"))
		width := int(d.buf[d.off])
		d.field(1, "codes of %d bits", width)
		layout := d.buf[d.off]
		d.field(1, "code layout %s", map[byte]string{codesPacked: "packed", codesRuns: "runs"}[layout])
		dictEnc := encoding(d.buf[d.off])
		d.field(1, "dictionary encoding %s", dictEnc)
		dictLen := int(d.uvarint("dictionary of %d bytes"))
		if dictEnc == encPlain {
			describeStrings(d, ndict)
		} else {
			d.field(dictLen, "zstd dictionary")
		}
		ncodes := present
		if layout == codesRuns {
			ncodes = int(d.uvarint("%d runs"))
			for range ncodes {
				d.uvarint("run of %d")
			}
		}
		codes := d.buf[d.off:end]
		var sb strings.Builder
		for i := range ncodes {
			c := 0
			for j := range width {
				bit := i*width + j
				if codes[bit>>3]&(1<<(bit&7)) != 0 {
					c |= 1 << j
				}
			}
			fmt.Fprintf(&sb, " %d", c)
		}
		d.field(end-d.off, "codes%s", sb.String())
	case enc == encZstd:
		raw := d.uvarint("plain payload of %d bytes")
		frame := d.field(end-d.off, "zstd frame")
		_, dec := zstdCodec()
		plain, err := dec.DecodeAll(frame, nil)
		if err != nil || uint64(len(plain)) != raw {
			fmt.Fprintf(&d.sb, "bad zstd frame: %v\n", err)
			break
		}
		inner := dumper{buf: plain, indent: d.indent + "    | ", brief: true}
		describePlain(&inner, typ, present)
		d.sb.WriteString(inner.sb.String())
	}
	if d.off != end {
		fmt.Fprintf(&d.sb, "%d bytes not described\n", end-d.off)
		d.off = end
	}
	d.field(4, "crc32c")
}

// describePlain prints n values in the plain layout.
func describePlain(d *dumper, typ coldata.Type, n int) {
	switch {
	case typ == coldata.Bool:
		d.field((n+7)/8, "values %s", bitString(d.buf[d.off:], n))
	case isIntType(typ):
		for range n {
			d.field(8, "%d", int64(binary.LittleEndian.Uint64(d.buf[d.off:])))
		}
	case typ.IsFloat():
		for range n {
			d.field(8, "%g", math.Float64frombits(binary.LittleEndian.Uint64(d.buf[d.off:])))
		}
	case typ.IsBytes():
		describeStrings(d, n)
	case typ == coldata.TextArray:
		total := 0
		for range n {
			total += int(d.uvarint("row of %d elements"))
		}
		describeStrings(d, total)
	}
}

func describeStrings(d *dumper, n int) {
	lens := make([]int, n)
	for i := range lens {
		lens[i] = int(d.uvarint("length %d"))
	}
	for _, l := range lens {
		b := d.buf[d.off : d.off+l]
		d.field(l, "%s", strconv.Quote(string(b[:min(l, 24)])))
	}
}

// TestChunkRoundTrip encodes random row ranges of random Vecs of every
// type, with every kind of NULL pattern and value spread, and decodes them.
func TestChunkRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var enc chunkEncoder
	var dec chunkDecoder
	var buf []byte
	for _, typ := range typeNames {
		for _, nullRate := range []float64{0, 0.02, 0.5, 1} {
			for _, spread := range []int{1, 3, 40, 1000} { // 1: constant; 3, 40: dictionary
				v := randomVec(rng, typ, 300, nullRate, spread)
				got := coldata.NewVec(typ, 0)
				for range 20 {
					lo := rng.IntN(300)
					hi := lo + 1 + rng.IntN(300-lo)
					var info chunkInfo
					buf, info = enc.appendChunk(buf[:0], v, lo, hi)
					name := fmt.Sprintf("%s null=%g spread=%d rows=[%d,%d) %s", typ, nullRate, spread, lo, hi, info.enc)
					if info.size != len(buf) || info.nulls != countNullsSlow(v, lo, hi) {
						t.Fatalf("%s: info %+v for %d bytes", name, info, len(buf))
					}
					body, _, err := splitChecksum(buf)
					if err == nil {
						err = dec.decode(got, body)
					}
					if err == nil {
						err = checkVec(got, hi-lo)
					}
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for i := lo; i < hi; i++ {
						if !rowEqual(v, i, got, i-lo) {
							t.Fatalf("%s: row %d: got %s, want %s", name, i, formatValue(got, i-lo), formatValue(v, i))
						}
					}
					checkSelected(t, name, &dec, body, v, lo, hi, rng)
				}
			}
		}
	}
}

// checkSelected decodes some rows of a chunk of rows [lo, hi) of v, as
// scans that filtered the block first do: by decodeSel, and for text by
// decodeCoded (with and without a selection), whose codes must name the
// rows' values.
func checkSelected(t *testing.T, name string, dec *chunkDecoder, body []byte, v *coldata.Vec, lo, hi int, rng *rand.Rand) {
	t.Helper()
	for _, every := range []int{3, 10} {
		var sel []int32
		for i := range hi - lo {
			if rng.IntN(every) == 0 {
				sel = append(sel, int32(i))
			}
		}
		checkSelection(t, name, dec, body, v, lo, hi, sel)
	}
}

// checkSelection decodes rows sel of the chunk as checkSelected says.
func checkSelection(t *testing.T, name string, dec *chunkDecoder, body []byte, v *coldata.Vec, lo, hi int, sel []int32) {
	t.Helper()
	got := coldata.NewVec(v.Type, 0)
	if err := dec.decodeSel(got, body, hi-lo, sel); err != nil {
		t.Fatalf("%s: decodeSel of %d rows: %v", name, len(sel), err)
	}
	if got.Codes != nil || got.Len() != len(sel) {
		t.Fatalf("%s: decodeSel gave %d rows (coded %v), want %d", name, got.Len(), got.Codes != nil, len(sel))
	}
	for k, i := range sel {
		if !rowEqual(v, lo+int(i), got, k) {
			t.Fatalf("%s: selected row %d: got %s, want %s", name, i, formatValue(got, k), formatValue(v, lo+int(i)))
		}
	}
	if !v.Type.IsBytes() {
		return
	}
	for _, s := range [][]int32{nil, sel} {
		if err := dec.decodeCoded(got, body, hi-lo, s); err != nil {
			t.Fatalf("%s: decodeCoded: %v", name, err)
		}
		want := hi - lo
		if s != nil {
			want = len(s)
		}
		if got.Len() != want {
			t.Fatalf("%s: decodeCoded gave %d rows, want %d", name, got.Len(), want)
		}
		for k := range want {
			i := lo + k
			if s != nil {
				i = lo + int(s[k])
			}
			if got.IsNull(k) != v.IsNull(i) || (!v.IsNull(i) && string(got.Value(k)) != string(v.Bytes.Get(i))) {
				t.Fatalf("%s: coded row %d: got %q (NULL %v), want %s", name, i-lo, got.Value(k), got.IsNull(k), formatValue(v, i))
			}
			if got.Codes != nil && (got.Codes[k] < 0) != v.IsNull(i) {
				t.Fatalf("%s: coded row %d: code %d, NULL %v", name, i-lo, got.Codes[k], v.IsNull(i))
			}
		}
	}
}

func countNullsSlow(v *coldata.Vec, lo, hi int) int {
	c := 0
	for i := lo; i < hi; i++ {
		if v.IsNull(i) {
			c++
		}
	}
	return c
}

// randomVec returns n rows of type typ, a share nullRate of them NULL, the
// rest drawn from spread distinct values.
func randomVec(rng *rand.Rand, typ coldata.Type, n int, nullRate float64, spread int) *coldata.Vec {
	v := coldata.NewVec(typ, n)
	words := []string{"", "x", "\xff\xfe\xfd", "host-a", strings.Repeat("long value ", 40)}
	for range n {
		if rng.Float64() < nullRate {
			v.AppendNull()
			continue
		}
		k := rng.IntN(spread)
		switch {
		case typ == coldata.Bool:
			v.Bool = append(v.Bool, k%2 == 1)
		case isIntType(typ):
			if spread > 100 {
				v.Int64 = append(v.Int64, int64(rng.Uint64()))
			} else {
				v.Int64 = append(v.Int64, int64(k)*1_000_003-7)
			}
		case typ.IsFloat():
			v.Float64 = append(v.Float64, []float64{math.Copysign(0, -1), 1.5, math.NaN()}[k%3]+float64(k/3))
		case typ.IsBytes():
			v.Bytes.AppendString(words[k%len(words)] + strconv.Itoa(k/len(words)))
		case typ == coldata.TextArray:
			elems := make([]string, k%4)
			for j := range elems {
				elems[j] = words[(k+j)%len(words)]
			}
			v.AppendStrings(elems)
		}
	}
	return v
}

// TestChunkCorrupt checks that every single-byte change and every
// truncation of a chunk body is an error or decodes to a well-formed Vec,
// never a panic.
func TestChunkCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var enc chunkEncoder
	var dec chunkDecoder
	for _, typ := range typeNames {
		for _, spread := range []int{1, 5, 1000} {
			v := randomVec(rng, typ, 70, 0.2, spread)
			value, _ := enc.appendChunk(nil, v, 0, 70)
			body := value[:len(value)-4]
			got := coldata.NewVec(typ, 0)
			for i := range body {
				for _, x := range []byte{0x01, 0x80, 0xff} {
					bad := append([]byte(nil), body...)
					bad[i] ^= x
					if dec.decode(got, bad) == nil {
						if err := checkVec(got, got.Len()); err != nil {
							t.Fatalf("%s byte %d ^ %#x: %v", typ, i, x, err)
						}
					}
				}
				if dec.decode(got, body[:i]) == nil {
					t.Fatalf("%s truncated to %d bytes decodes", typ, i)
				}
			}
			if _, _, err := splitChecksum(append(append([]byte(nil), body...), 0, 0, 0, 0)); err != errChecksum {
				t.Fatalf("%s: zero checksum: %v", typ, err)
			}
		}
	}
}

// FuzzDecodeChunk feeds arbitrary bytes to the chunk decoder. It must not
// panic; what it accepts must be a well-formed Vec that encodes and decodes
// to itself.
func FuzzDecodeChunk(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	var enc chunkEncoder
	for _, typ := range typeNames {
		for _, spread := range []int{1, 4, 1000} {
			v := randomVec(rng, typ, 40, 0.25, spread) // 40 rows: enough for a dictionary
			value, _ := enc.appendChunk(nil, v, 0, 40)
			f.Add(value[:len(value)-4])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 || !coldata.Type(body[0]).Valid() {
			return
		}
		var dec chunkDecoder
		v := coldata.NewVec(coldata.Type(body[0]), 0)
		if dec.decode(v, body) != nil {
			return
		}
		n := v.Len()
		if err := checkVec(v, n); err != nil {
			t.Fatal(err)
		}
		value, _ := enc.appendChunk(nil, v, 0, n)
		again := coldata.NewVec(v.Type, 0)
		if err := dec.decode(again, value[:len(value)-4]); err != nil {
			t.Fatalf("re-encoded chunk: %v", err)
		}
		for i := range n {
			if !rowEqual(v, i, again, i) {
				t.Fatalf("row %d: %s became %s", i, formatValue(v, i), formatValue(again, i))
			}
		}
	})
}

// FuzzDecodeMeta feeds arbitrary bytes, checksum made valid, to the block
// metadata decoder.
func FuzzDecodeMeta(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 8))
	b := randomAllTypes(rng, 10, 0, 0, 1e6)
	var w blockWriter
	var sink recordingSetter
	var st TableStats
	w.prefix = tablePrefix(nil, "t")
	if err := w.write(&sink, blockID{seq: 1}, 0, b, rowSet{lo: 0, hi: b.Len}, &st); err != nil {
		f.Fatal(err)
	}
	f.Add(sink.last[:len(sink.last)-4])
	f.Fuzz(func(t *testing.T, body []byte) {
		value, _ := appendChecksum(append([]byte(nil), body...), 0)
		var m blockMeta
		if decodeMeta(&m, value) != nil {
			return
		}
		if m.rows < 1 || m.rows > maxBlockRows || m.minTs > m.maxTs {
			t.Fatalf("accepted %+v", m)
		}
		var again blockMeta
		if err := decodeMeta(&again, appendMeta(nil, &m)); err != nil {
			t.Fatalf("re-encoded metadata: %v", err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("re-encoded metadata: %+v became %+v", m, again)
		}
	})
}

// TestDictRunsRoundTrip: string chunks whose values come in runs, with
// NULLs inside and between runs or none, use the run layout and decode
// to the same rows.
func TestDictRunsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var enc chunkEncoder
	var dec chunkDecoder
	runs := 0
	for range 200 {
		v := coldata.NewVec(coldata.Text, 0)
		n := 16 + rng.IntN(3000)
		nulls := rng.IntN(2) == 0 // half the chunks without NULLs
		for v.Len() < n {
			val := fmt.Sprintf("pod-%d", rng.IntN(40))
			for range 1 + rng.IntN(300) {
				if nulls && rng.IntN(20) == 0 {
					v.AppendNull()
				} else {
					v.Bytes.AppendString(val)
				}
			}
		}
		value, info := enc.appendChunk(nil, v, 0, v.Len())
		if info.enc == encDict && enc.dict.layoutUsed == codesRuns {
			runs++
		}
		body, _, err := splitChecksum(value)
		if err != nil {
			t.Fatal(err)
		}
		got := coldata.NewVec(coldata.Text, 0)
		if err := dec.decode(got, body); err != nil {
			t.Fatalf("%s chunk of %d rows: %v", info.enc, v.Len(), err)
		}
		for i := range v.Len() {
			if !rowEqual(v, i, got, i) {
				t.Fatalf("row %d: got %s, want %s", i, formatValue(got, i), formatValue(v, i))
			}
		}
		if info.enc != encDict {
			continue
		}
		// Row codes, with the slack that fills runs eight at a time and
		// without it, name each row's value.
		h, p, err := parseChunkHeader(body)
		if err != nil {
			t.Fatal(err)
		}
		var offs []int32
		data, width, layout, codes, err := dec.parseDict(p, h.rows-h.nulls, &offs)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range [][]int32{make([]int32, h.rows), codesFor(nil, h.rows)} {
			if err := rowCodes(out, &h, codes, width, layout, len(offs)-1); err != nil {
				t.Fatal(err)
			}
			for i, c := range out {
				switch {
				case (c < 0) != v.IsNull(i):
					t.Fatalf("row %d: code %d, NULL %v (slack %v)", i, c, v.IsNull(i), cap(out) > h.rows)
				case c >= 0 && string(data[offs[c]:offs[c+1]]) != string(v.Bytes.Get(i)):
					t.Fatalf("row %d: code %d names %q, want %q (slack %v)", i, c, data[offs[c]:offs[c+1]], v.Bytes.Get(i), cap(out) > h.rows)
				}
			}
		}
	}
	if runs < 100 {
		t.Errorf("only %d of 200 chunks used runs", runs)
	}
}

// TestChunkThroughOrder encodes rows through a permutation (as Append does
// when it groups rows by stream) for every type, NULL rate and spread, and
// checks the chunk holds exactly those rows in that order.
func TestChunkThroughOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var enc chunkEncoder
	var dec chunkDecoder
	dicts := 0
	defer func() {
		if dicts == 0 {
			t.Error("no chunk took the dictionary encoding")
		}
	}()
	for _, typ := range typeNames {
		for _, nullRate := range []float64{0, 0.1, 1} {
			for _, spread := range []int{1, 3, 40, 1000} {
				v := randomVec(rng, typ, 500, nullRate, spread)
				sel := rng.Perm(500)
				lo, hi := rng.IntN(100), 400+rng.IntN(100)
				rs := rowSet{lo: lo, hi: hi, sel: sel}
				if rng.IntN(2) == 0 { // as Append passes it
					rs.asc = slices.Sorted(slices.Values(sel[lo:hi]))
				}
				value, info := enc.appendRows(nil, v, rs)
				if info.enc == encDict {
					dicts++
				}
				body, _, err := splitChecksum(value)
				if err != nil {
					t.Fatal(err)
				}
				got := coldata.NewVec(typ, 0)
				if err := dec.decode(got, body); err != nil {
					t.Fatalf("%s null=%g spread=%d %s: %v", typ, nullRate, spread, info.enc, err)
				}
				if got.Len() != hi-lo {
					t.Fatalf("%s: %d rows, want %d", typ, got.Len(), hi-lo)
				}
				for k := range hi - lo {
					if !rowEqual(v, sel[lo+k], got, k) {
						t.Fatalf("%s null=%g spread=%d %s row %d: got %s, want %s", typ, nullRate, spread, info.enc, k,
							formatValue(got, k), formatValue(v, sel[lo+k]))
					}
				}
			}
		}
	}
}

// TestIntEncodingsRoundTrip: integer chunks shaped to take each integer
// encoding do, and decode back, NULLs included.
func TestIntEncodingsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	shapes := []struct {
		want encoding
		gen  func(i int) int64
	}{
		{encConst, func(int) int64 { return 42 }},
		{encPlain, func(int) int64 { return int64(rng.Uint64()) }},
		// Mostly steps of 0 or 1 with rare huge jumps: the jumps are the
		// exceptions of a one-bit packing.
		{encPatchedDelta, func(i int) int64 {
			if i%97 == 50 {
				return int64(i) << 40
			}
			return int64(i / 3)
		}},
		// Process IDs of a busy host: a narrow range, no order.
		{encFOR, func(int) int64 { return 40000 + rng.Int64N(3000) }},
		// Timestamps: rising with irregular gaps.
		{encDeltaFOR, func(i int) int64 { return 1779184800000000 + int64(i)*1000 + rng.Int64N(700) }},
		// Extremes: wrapping differences must survive, whatever encodes
		// them (0: any encoding).
		{0, func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1}[i%4] }},
		{0, func(i int) int64 { return []int64{math.MinInt64, math.MinInt64 + 5, math.MinInt64 + 3}[i%3] }},
		{0, func(i int) int64 { return math.MaxInt64 - int64(i%3) }},
	}
	var enc chunkEncoder
	var dec chunkDecoder
	for _, sh := range shapes {
		for _, typ := range []coldata.Type{coldata.Int64, coldata.Timestamptz} {
			v := coldata.NewVec(typ, 0)
			for i := range 1000 {
				if sh.want != encConst && sh.want != 0 && i%50 == 7 {
					v.AppendNull()
					continue
				}
				v.Int64 = append(v.Int64, sh.gen(i))
			}
			value, info := enc.appendChunk(nil, v, 0, v.Len())
			if sh.want != 0 && info.enc != sh.want {
				t.Errorf("%s: encoded as %s, want %s", typ, info.enc, sh.want)
			}
			body, _, err := splitChecksum(value)
			if err != nil {
				t.Fatal(err)
			}
			// The same values as varint differences, as blocks of
			// versions 1 and 2 may hold them.
			asDelta := deltaChunk(t, body)
			for _, b := range [][]byte{body, asDelta} {
				got := coldata.NewVec(typ, 0)
				if err := dec.decode(got, b); err != nil {
					t.Fatalf("%s %s: %v", typ, encoding(b[1]), err)
				}
				for i := range v.Len() {
					if !rowEqual(v, i, got, i) {
						t.Fatalf("%s %s row %d: got %s, want %s", typ, encoding(b[1]), i, formatValue(got, i), formatValue(v, i))
					}
				}
			}
		}
	}
}

// deltaChunk re-encodes an integer chunk body as encDelta, which this
// version reads but no longer writes: the zigzag varint of the first
// value, then of each difference to the previous one.
func deltaChunk(t *testing.T, body []byte) []byte {
	h, p, err := parseChunkHeader(body)
	if err != nil {
		t.Fatal(err)
	}
	v := coldata.NewVec(h.typ, 0)
	var dec chunkDecoder
	if err := dec.decode(v, body); err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), body[:len(body)-len(p)]...)
	out[1] = byte(encDelta)
	prev := int64(0)
	for i, x := range v.Int64[:v.Len()] {
		if !v.Nulls.Get(i) {
			out = binary.AppendUvarint(out, zigzag(x-prev))
			prev = x
		}
	}
	return out
}

// TestUnpackAll checks the bulk unpacker against the packer for every
// width and for counts around the eight-byte loads' boundary, and that it
// refuses wrong lengths and nonzero padding.
func TestUnpackAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for width := 0; width <= maxPackWidth; width++ {
		for _, n := range []int{0, 1, 2, 7, 8, 9, 63, 64, 65, 1000} {
			want := make([]uint64, n)
			p := newPacker(nil, width)
			for i := range want {
				if width > 0 {
					want[i] = rng.Uint64() >> uint(64-width)
				}
				p.add(want[i])
			}
			packed := p.done()
			got := make([]uint64, n)
			if err := unpackAll(got, packed, width); err != nil {
				t.Fatalf("width %d, %d values: %v", width, n, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("width %d, %d values: got %v, want %v", width, n, got, want)
			}
			if len(packed) > 0 {
				if err := unpackAll(got, packed[:len(packed)-1], width); err == nil {
					t.Fatalf("width %d, %d values: short input accepted", width, n)
				}
				if pad := uint(n*width) & 7; pad != 0 {
					bad := slices.Clone(packed)
					bad[len(bad)-1] |= 0x80
					if err := unpackAll(got, bad, width); err == nil {
						t.Fatalf("width %d, %d values: padding bits accepted", width, n)
					}
				}
			}
		}
	}
}

// matchPacked keeps exactly the rows whose packed code want keeps, for
// every width it takes and counts around its eight-row steps, and
// reports a code want calls bad.
func TestMatchPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for width := 1; width <= 16; width++ {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 100, 1000} {
			ndict := 1 + rng.IntN(1<<width)
			codes := make([]uint64, n)
			p := newPacker(nil, width)
			for i := range codes {
				codes[i] = uint64(rng.IntN(ndict))
				p.add(codes[i])
			}
			packed := p.done()
			want := make([]uint8, 1<<width)
			for c := range want {
				switch {
				case c >= ndict:
					want[c] = wantBad
				case rng.IntN(2) == 0:
					want[c] = wantKeep
				}
			}
			keep := make([]bool, n)
			before := make([]bool, n)
			for i := range keep {
				keep[i] = rng.IntN(4) != 0
				before[i] = keep[i]
			}
			if !matchPacked(keep, packed, width, want) {
				t.Fatalf("width %d, %d rows: a good code called bad", width, n)
			}
			for i := range keep {
				if w := before[i] && want[codes[i]] == wantKeep; keep[i] != w {
					t.Fatalf("width %d, %d rows: row %d (code %d) kept %v, want %v", width, n, i, codes[i], keep[i], w)
				}
			}
			if ndict < 1<<width {
				// A code past the dictionary is an error, wherever it is
				// (the last row, or any other).
				q := newPacker(nil, width)
				badRow := n - 1
				if rng.IntN(2) == 0 {
					badRow = rng.IntN(n)
				}
				for i := range n {
					c := codes[i]
					if i == badRow {
						c = uint64(ndict)
					}
					q.add(c)
				}
				if matchPacked(make([]bool, n), q.done(), width, want) {
					t.Fatalf("width %d, %d rows: code %d past a dictionary of %d accepted", width, n, ndict, ndict)
				}
			}
		}
	}
}
