package storage

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/armorlake/armorlake/schema"
)

func TestDecodedCacheEvictsLeastRecent(t *testing.T) {
	if newDecodedCache(1<<20-1) != nil {
		t.Fatal("a cache under 1 MiB should be none")
	}
	c := newDecodedCache(16 << 20) // 1 MiB per shard
	// Refs of one shard, so that their order of use decides.
	var refs []chunkRef
	for seq := uint64(1); len(refs) < 40; seq++ {
		r := chunkRef{seq: seq, col: 3, crc: 7}
		if c.shard(r) == c.shard(chunkRef{seq: 1, col: 3, crc: 7}) {
			refs = append(refs, r)
		}
	}
	val := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100<<10) } // 100 KiB
	for i, r := range refs[:8] {
		c.put(r, val(i))
	}
	if _, ok := c.get(refs[0]); !ok { // now the most recent
		t.Fatal("entry 0 missing")
	}
	for i, r := range refs[8:12] {
		c.put(r, val(8+i)) // past 1 MiB: the least recent go
	}
	if _, ok := c.get(refs[1]); ok {
		t.Error("entry 1, the least recently used, still cached")
	}
	if v, ok := c.get(refs[0]); !ok || !bytes.Equal(v, val(0)) {
		t.Error("entry 0, used since, evicted or changed")
	}
	if v, ok := c.get(refs[11]); !ok || !bytes.Equal(v, val(11)) {
		t.Error("the newest entry missing or changed")
	}
	// Another CRC names another chunk.
	if _, ok := c.get(chunkRef{seq: refs[0].seq, col: 3, crc: 8}); ok {
		t.Error("a chunk found under another CRC")
	}
	// A payload over an eighth of a shard is not kept.
	c.put(refs[20], make([]byte, 200<<10))
	if _, ok := c.get(refs[20]); ok {
		t.Error("an oversized payload was cached")
	}
	sh := c.shard(refs[0])
	if sh.size > sh.limit {
		t.Errorf("shard holds %d bytes, limit %d", sh.size, sh.limit)
	}
}

// Scans through the decoded cache return what scans without it return,
// however often and with whatever selection they read the same chunks:
// a cached payload is never changed by the decoding that reads it.
func TestDecodedCacheScansAgree(t *testing.T) {
	with := openTest(t, Options{CacheSize: 64 << 20, MaxBlockRows: 1000})
	defer with.Close()
	without := openTest(t, Options{CacheSize: 2 << 20, MaxBlockRows: 1000}) // a quarter under 1 MiB: none
	defer without.Close()
	if without.decoded != nil || with.decoded == nil {
		t.Fatal("cache sizes did not decide")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	b := alertsBatch(rng, 20000, 1779184800e6)
	for _, s := range []*Store{with, without} {
		if err := s.Append(schema.Alerts, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	cols := allColumns(schema.Alerts)
	reqs := []ScanRequest{}
	for k := range 6 {
		req := unbounded
		req.Table = schema.Alerts
		req.Columns = cols
		if k%2 == 1 {
			// A narrower time range: the blocks cut by it select rows.
			req.MinTs, req.MaxTs = 1779184800e6+int64(k)*1e9, 1779184800e6+int64(k+20)*3e9
		}
		if k >= 4 {
			req.Order, req.Bound = OrderNewest, nil
		}
		reqs = append(reqs, req)
	}
	for round := range 3 {
		for k, req := range reqs {
			got, want := scanRows(t, with, req), scanRows(t, without, req)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, scan %d: %d rows, want %d; first difference:\n%s", round, k, len(got), len(want), firstDiff(got, want))
			}
		}
	}
	size, hits, misses := with.DecodedCacheStats()
	if size == 0 || hits == 0 || misses == 0 {
		t.Fatalf("decoded cache: %d bytes, %d hits, %d misses; want some of each", size, hits, misses)
	}
	if _, h, m := without.DecodedCacheStats(); h != 0 || m != 0 {
		t.Fatalf("no cache, yet %d hits, %d misses", h, m)
	}
}
