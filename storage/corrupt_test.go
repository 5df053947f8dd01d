package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// TestCorruption damages stored values through Pebble directly and checks
// that scans report SQLSTATE XX001 naming the block, or 0A000 for a format
// version from the future, and never panic or return rows.
func TestCorruption(t *testing.T) {
	const hostName = 3 // column host_name of alerts
	t0 := int64(1779184800e6)
	for _, tc := range []struct {
		name   string
		col    int // chunk to damage, or -1 for the metadata
		damage func(value []byte, other []byte) []byte
		// other is the same value of the table's other block.
		code, want string
	}{
		{"chunk byte flipped", hostName, flip(10), sqlerr.DataCorrupted,
			"column host_name of block 1 of alerts partition 2026-05-19T10:00:00Z: checksum mismatch"},
		{"chunk checksum flipped", hostName, flip(-1), sqlerr.DataCorrupted,
			"column host_name of block 1 of alerts partition 2026-05-19T10:00:00Z: checksum mismatch"},
		{"chunk truncated", hostName, func(v, _ []byte) []byte { return v[:3] }, sqlerr.DataCorrupted,
			"column host_name of block 1 of alerts partition 2026-05-19T10:00:00Z: chunk is 3 bytes"},
		// Caught by its size or by its checksum, whichever differs.
		{"chunk of another block", hostName, func(_, o []byte) []byte { return o }, sqlerr.DataCorrupted,
			"column host_name of block 1 of alerts partition 2026-05-19T10:00:00Z: chunk "},
		{"chunk valid but wrong", hostName, reseal(func(b []byte) { b[len(b)-1] ^= 1 }), sqlerr.DataCorrupted,
			"column host_name of block 1 of alerts partition 2026-05-19T10:00:00Z: chunk checksum differs from block metadata"},
		{"metadata byte flipped", -1, flip(5), sqlerr.DataCorrupted,
			"decode metadata of block 1 of alerts partition 2026-05-19T10:00:00Z: checksum mismatch"},
		{"metadata empty", -1, func([]byte, []byte) []byte { return nil }, sqlerr.DataCorrupted,
			"decode metadata of block 1 of alerts partition 2026-05-19T10:00:00Z: value too short"},
		{"metadata version 4", -1, reseal(func(b []byte) { b[0] = 4 }), sqlerr.FeatureNotSupported,
			"decode metadata of block 1 of alerts partition 2026-05-19T10:00:00Z: block format version 4 unknown (this build reads versions 1 to 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, Options{Dir: dir})
			rng := rand.New(rand.NewPCG(9, 9))
			if err := s.Append(schema.Alerts, alertsBatch(rng, 100, t0)); err != nil {
				t.Fatal(err)
			}
			if err := s.Append(schema.Alerts, alertsBatch(rng, 100, t0+4000e6)); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{slog.New(slog.DiscardHandler)}})
			if err != nil {
				t.Fatal(err)
			}
			prefix := tablePrefix(nil, schema.AlertsTable)
			// Block seq's id: its stream comes from its rows, so look it
			// up among the stored keys.
			key := func(seq uint64) []byte {
				it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
				if err != nil {
					t.Fatal(err)
				}
				defer it.Close()
				for ok := it.First(); ok; ok = it.Next() {
					id, kind, _, err := parseBlockKey(it.Key(), len(prefix))
					if err == nil && kind == kindMeta && id.seq == seq {
						if tc.col < 0 {
							return metaKey(nil, prefix, id)
						}
						return chunkKey(nil, prefix, id, tc.col)
					}
				}
				t.Fatalf("no block %d", seq)
				return nil
			}
			value, other := get(t, db, key(1)), get(t, db, key(2))
			if err := db.Set(key(1), tc.damage(value, other), pebble.Sync); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			var logs bytes.Buffer
			s = openTest(t, Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			defer s.Close()
			if tc.col < 0 {
				// Open leaves the unreadable block out of the stats and says so.
				if st := s.Stats(schema.AlertsTable); st.Rows != 100 || st.Blocks != 1 {
					t.Fatalf("stats %+v", st)
				}
				if !strings.Contains(logs.String(), "unreadable block metadata") {
					t.Fatalf("open logged %q", logs.String())
				}
			}
			rows, err := scanRowsErr(s, ScanRequest{Table: schema.Alerts, Columns: []int{0, hostName},
				MinTs: math.MinInt64, MaxTs: math.MaxInt64})
			if err == nil || sqlerr.Code(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("scan: %v (code %s), want %s %q", err, sqlerr.Code(err), tc.code, tc.want)
			}
			if len(rows) != 0 {
				t.Fatalf("scan returned %d rows before the damaged block", len(rows))
			}
			// A scan that reads neither the damaged chunk nor the damaged
			// block succeeds.
			req := ScanRequest{Table: schema.Alerts, Columns: []int{5}, MinTs: math.MinInt64, MaxTs: math.MaxInt64}
			if tc.col < 0 {
				req.MinTs = t0 + 3600e6
			}
			if n := len(scanRows(t, s, req)); n != 100 && n != 200 {
				t.Fatalf("undamaged scan: %d rows", n)
			}
		})
	}
}

func get(t *testing.T, db *pebble.DB, key []byte) []byte {
	v, closer, err := db.Get(key)
	if err != nil {
		t.Fatalf("get %x: %v", key, err)
	}
	defer closer.Close()
	return append([]byte(nil), v...)
}

// flip returns a damage that inverts byte i of the value, counting from the
// end when negative.
func flip(i int) func(v, _ []byte) []byte {
	return func(v, _ []byte) []byte {
		if i < 0 {
			i += len(v)
		}
		v[i] ^= 0xff
		return v
	}
}

// reseal returns a damage that edits the body and recomputes the checksum,
// as a bug in a writer would.
func reseal(edit func(body []byte)) func(v, _ []byte) []byte {
	return func(v, _ []byte) []byte {
		body := v[:len(v)-4]
		edit(body)
		out, _ := appendChecksum(body, 0)
		return out
	}
}

func TestFormatRecord(t *testing.T) {
	for _, tc := range []struct {
		name       string
		value      []byte
		code, want string
	}{
		{"future version", func() []byte { v, _ := appendChecksum([]byte{3, 0, 0, 0, 0, 0, 0, 0, 0}, 0); return v }(),
			sqlerr.FeatureNotSupported, "store format version 3 unknown (this build reads versions 1 and 2)"},
		{"damaged", []byte{1, 2, 3}, sqlerr.DataCorrupted, "decode format record: value too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{slog.New(slog.DiscardHandler)}})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Set(formatKey, tc.value, pebble.Sync); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			_, err = Open(Options{Dir: dir})
			if sqlerr.Code(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open: %v (code %s)", err, sqlerr.Code(err))
			}
		})
	}
}

// TestBlockVersion1 reads version 1 metadata (no dictionary encoding) and
// refuses a version 1 block that claims one.
func TestBlockVersion1(t *testing.T) {
	m := blockMeta{rows: 3, minTs: 1, maxTs: 2, cols: []colMeta{{typ: coldata.Text, enc: encPlain, size: 10}}}
	v3 := appendMeta(nil, &m)
	asV1 := func(enc encoding) []byte {
		// Version 3 ends a text column with its summary: here its
		// length 1 and flags 0, which version 1 does not have.
		b := append([]byte(nil), v3[:len(v3)-4-2]...)
		b[0] = 1
		// version, rows, minTs, maxTs, ncols, then column 0's type and
		// encoding.
		const encAt = 1 + 1 + 8 + 8 + 1 + 1
		if b[encAt] != byte(encPlain) {
			t.Fatalf("encoding not at byte %d of %x", encAt, b)
		}
		b[encAt] = byte(enc)
		v, _ := appendChecksum(b, 0)
		return v
	}
	var got blockMeta
	if err := decodeMeta(&got, asV1(encPlain)); err != nil || got.rows != 3 {
		t.Fatalf("version 1 block: %v %+v", err, got)
	}
	if err := decodeMeta(&got, asV1(encDict)); err == nil {
		t.Fatal("version 1 block with a dictionary chunk decodes")
	}
}

// FuzzScanCorrupt damages one stored value of a small store (a block's
// metadata or one of its column chunks) and scans every column. With
// reseal set the value's own checksum, and for a chunk the checksum and
// size in its block's metadata, are recomputed, so the damage reaches the
// decoders instead of stopping at a checksum. The scan must end in an
// error with SQLSTATE XX001 or 0A000, or return well-formed batches;
// never panic. The value is restored after each input.
func FuzzScanCorrupt(f *testing.F) {
	s := openTest(f, Options{Dir: f.TempDir(), MaxBlockRows: 128, Logger: slog.New(slog.DiscardHandler)})
	f.Cleanup(func() { s.Close() })
	rng := rand.New(rand.NewPCG(21, 22))
	if err := s.Append(schema.Alerts, alertsBatch(rng, 300, int64(1779184800e6))); err != nil {
		f.Fatal(err)
	}
	prefix := tablePrefix(nil, schema.AlertsTable)
	type kv struct{ key, value []byte }
	var stored []kv
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		f.Fatal(err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		stored = append(stored, kv{slices.Clone(it.Key()), slices.Clone(it.Value())})
	}
	it.Close()
	for i := range 12 {
		f.Add(uint16(i*37), uint16(i*5), byte(1<<(i%8)), i%2 == 0, uint16(0))
	}
	f.Add(uint16(3), uint16(0), byte(0), false, uint16(9))
	cols := make([]int, len(schema.Alerts.Columns))
	for i := range cols {
		cols[i] = i
	}
	req := ScanRequest{Table: schema.Alerts, Columns: cols, MinTs: math.MinInt64, MaxTs: math.MaxInt64}

	f.Fuzz(func(t *testing.T, which, pos uint16, xor byte, reseal bool, cut uint16) {
		target := stored[int(which)%len(stored)]
		v := slices.Clone(target.value)
		if len(v) > 4 {
			v[int(pos)%(len(v)-4)] ^= xor
		}
		if cut > 0 {
			v = v[:len(v)-int(cut)%len(v)]
		}
		restore := []kv{target}
		if reseal && len(v) > 4 {
			v, _ = appendChecksum(v[:len(v)-4], 0)
			id, kind, col, err := parseBlockKey(target.key, len(prefix))
			if err == nil && kind != kindMeta {
				// Make the block's metadata vouch for the damaged chunk.
				mk := metaKey(nil, prefix, id)
				for _, e := range stored {
					if bytes.Equal(e.key, mk) {
						var m blockMeta
						if decodeMeta(&m, e.value) == nil && col < len(m.cols) {
							m.cols[col].size = len(v)
							m.cols[col].crc = binary.LittleEndian.Uint32(v[len(v)-4:])
							if err := s.db.Set(mk, appendMeta(nil, &m), pebble.NoSync); err != nil {
								t.Fatal(err)
							}
							restore = append(restore, e)
						}
					}
				}
			}
		}
		if err := s.db.Set(target.key, v, pebble.NoSync); err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, e := range restore {
				if err := s.db.Set(e.key, e.value, pebble.NoSync); err != nil {
					t.Fatal(err)
				}
			}
		}()
		ctx := context.Background()
		it, err := s.Scan(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for {
			b, err := it.Next(ctx)
			if err != nil {
				if c := sqlerr.Code(err); c != sqlerr.DataCorrupted && c != sqlerr.FeatureNotSupported {
					t.Fatalf("error with SQLSTATE %s: %v", c, err)
				}
				return
			}
			if b == nil {
				return
			}
			for i, vec := range b.Vecs {
				if err := checkVec(vec, b.Len); err != nil {
					t.Fatalf("column %d of a %d-row batch: %v", i, b.Len, err)
				}
			}
		}
	})
}

// TestBloomCorruption damages a block's bloom filter: a scan matching the
// column reports XX001 naming the filter and the block; scans that do not
// match on it are unaffected.
func TestBloomCorruption(t *testing.T) {
	resource := schema.Alerts.ColumnIndex("resource")
	t0 := int64(1779184800e6)
	for _, tc := range []struct {
		name   string
		damage func(db *pebble.DB, key []byte) error
		want   string
	}{
		{"byte flipped", func(db *pebble.DB, key []byte) error {
			return db.Set(key, flip(3)(get(t, db, key), nil), pebble.Sync)
		}, "checksum mismatch"},
		{"valid but wrong", func(db *pebble.DB, key []byte) error {
			return db.Set(key, reseal(func(b []byte) { b[0] ^= 1 })(get(t, db, key), nil), pebble.Sync)
		}, "filter checksum differs from block metadata"},
		{"missing", func(db *pebble.DB, key []byte) error { return db.Delete(key, pebble.Sync) }, "bloom filter missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, Options{Dir: dir})
			if err := s.Append(schema.Alerts, alertsBatch(rand.New(rand.NewPCG(9, 9)), 100, t0)); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{slog.New(slog.DiscardHandler)}})
			if err != nil {
				t.Fatal(err)
			}
			prefix := tablePrefix(nil, schema.AlertsTable)
			var key []byte
			it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
			if err != nil {
				t.Fatal(err)
			}
			for ok := it.First(); ok; ok = it.Next() {
				if _, kind, col, err := parseBlockKey(it.Key(), len(prefix)); err == nil && kind == kindBloom && col == resource {
					key = slices.Clone(it.Key())
				}
			}
			it.Close()
			if key == nil {
				t.Fatal("no bloom filter of column resource stored")
			}
			if err := tc.damage(db, key); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s = openTest(t, Options{Dir: dir})
			defer s.Close()
			_, err = scanRowsErr(s, ScanRequest{Table: schema.Alerts, Columns: []int{0}, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
				// Inside the block's bounds, so that only the filter can rule it out.
				Match: []Match{{Col: resource, Values: [][]byte{[]byte("/var/lib/app/3/file-99999.log")}}}})
			want := "bloom filter of column resource of block 1 of alerts partition 2026-05-19T10:00:00Z: " + tc.want
			if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), want) {
				t.Fatalf("scan: %v, want XX001 %q", err, want)
			}
			if n := len(scanRows(t, s, ScanRequest{Table: schema.Alerts, Columns: []int{0, resource}, MinTs: math.MinInt64, MaxTs: math.MaxInt64})); n != 100 {
				t.Fatalf("scan without a match: %d rows", n)
			}
		})
	}
}
