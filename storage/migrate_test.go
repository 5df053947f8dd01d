package storage

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/schema"
)

// v1Key is the format 1 key of a block value (migrate.go).
func v1Key(table string, id blockID, kind byte, col int) []byte {
	key := []byte{keySpaceBlockV1}
	key = binary.AppendUvarint(key, uint64(len(table)))
	key = append(key, table...)
	key = appendPartition(key, id.partition)
	key = binary.BigEndian.AppendUint64(key, id.stream)
	key = binary.BigEndian.AppendUint64(key, id.seq)
	key = append(key, kind)
	if kind != kindMeta {
		key = binary.BigEndian.AppendUint16(key, uint16(col))
	}
	return key
}

// TestMigrateV1 turns a store into one of format 1, keys in the old
// layout, and checks that Open moves every block back, in batches and
// after an interruption, and that scans return what they did.
func TestMigrateV1(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, MaxBlockRows: 100})
	rng := rand.New(rand.NewPCG(31, 31))
	t0 := int64(1779184800e6)
	for i := range 4 {
		if err := s.Append(schema.Alerts, alertsBatch(rng, 700, t0+int64(i)*2000e6)); err != nil {
			t.Fatal(err)
		}
	}
	req := unbounded
	req.Table = schema.Alerts
	req.Columns = allColumns(schema.Alerts)
	want := scanRows(t, s, req)
	wantStats := s.Stats(schema.AlertsTable)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Rewrite the store in format 1: every block key in the old layout,
	// the format record saying 1.
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	iter, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{keySpaceBlock}, UpperBound: []byte{keySpaceBlock + 1}})
	if err != nil {
		t.Fatal(err)
	}
	batch := db.NewBatch()
	var old [][]byte
	values := map[string][]byte{}
	for ok := iter.First(); ok; ok = iter.Next() {
		table, plen, err := parseTable(iter.Key())
		if err != nil {
			t.Fatal(err)
		}
		id, kind, col, err := parseBlockKey(iter.Key(), plen)
		if err != nil {
			t.Fatal(err)
		}
		batch.Delete(iter.Key(), nil)
		if kind == kindBloom {
			continue // format 1 had no filters; no scan here reads them
		}
		k := v1Key(table, id, kind, col)
		old = append(old, k)
		values[string(k)] = slices.Clone(iter.Value())
		batch.Set(k, iter.Value(), nil)
		batch.Delete(iter.Key(), nil)
	}
	iter.Close()
	record := appendFormatRecord(nil, DefaultPartitionWidth.Microseconds())
	record[0] = 1
	record, _ = appendChecksum(record[:len(record)-4], 0)
	batch.Set(formatKey, record, nil)
	// An interrupted migration: a few blocks' values already moved.
	slices.SortFunc(old, bytes.Compare)
	for _, k := range old[:len(old)/3] {
		table, plen, _ := parseTable(k)
		id, kind, col, err := parseBlockKeyV1(k, plen)
		if err != nil {
			t.Fatal(err)
		}
		batch.Set(blockKey(tablePrefix(nil, table), nil, id, kind, col), values[string(k)], nil)
		batch.Delete(k, nil)
	}
	if err := batch.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, Options{Dir: dir})
	defer s.Close()
	if got := scanRows(t, s, req); !slices.Equal(got, want) {
		t.Fatalf("after migration %d rows, want %d; %s", len(got), len(want), firstDiff(got, want))
	}
	if got := s.Stats(schema.AlertsTable); got != wantStats {
		t.Fatalf("stats %+v, want %+v", got, wantStats)
	}
	iter, err = s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{keySpaceBlockV1}, UpperBound: []byte{keySpaceBlockV1 + 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer iter.Close()
	if iter.First() {
		t.Fatalf("format 1 key %x left after migration", iter.Key())
	}
	val, closer, err := s.db.Get(formatKey)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if val[0] != storeVersion {
		t.Fatalf("format record says %d", val[0])
	}
}
