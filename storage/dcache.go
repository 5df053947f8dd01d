package storage

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// A decodedCache keeps decompressed zstd payloads of column chunks (a
// text chunk's values, a dictionary's values) for later scans. Pebble's
// block cache holds chunks as stored, still compressed, so without it a
// scan decompressed a chunk again each time it read it: a fifth of a
// top-N over the newest events, of count(DISTINCT path) over a day.
//
// An entry is named by the chunk's block sequence number, its column and
// the CRC32C its metadata gives it (the one chunkBody verified): a block
// is never rewritten under its sequence number, so an entry never goes
// stale, and the CRC guards against reading one chunk as another. The
// payloads are read-only once cached. Eviction is least recently used
// within each of a few shards, by bytes.
type decodedCache struct {
	shards [decodedShards]decodedShard
	hits   atomic.Int64
	misses atomic.Int64
}

const decodedShards = 16

type decodedShard struct {
	mu    sync.Mutex
	m     map[chunkRef]*decodedEntry
	lru   decodedEntry // sentinel: lru.next is the most recent
	size  int64
	limit int64
}

// chunkRef names one column chunk of a store.
type chunkRef struct {
	seq uint64
	col uint16
	crc uint32
}

type decodedEntry struct {
	ref        chunkRef
	val        []byte
	prev, next *decodedEntry
}

// newDecodedCache returns a cache of about size bytes, or nil when size
// is too small to be of use.
func newDecodedCache(size int64) *decodedCache {
	if size < 1<<20 {
		return nil
	}
	c := &decodedCache{}
	for i := range c.shards {
		s := &c.shards[i]
		s.m = map[chunkRef]*decodedEntry{}
		s.lru.next, s.lru.prev = &s.lru, &s.lru
		s.limit = size / decodedShards
	}
	return c
}

func (c *decodedCache) shard(r chunkRef) *decodedShard {
	return &c.shards[(r.seq*0x9E3779B97F4A7C15+uint64(r.col))>>60]
}

// get returns the cached payload of r.
func (c *decodedCache) get(r chunkRef) ([]byte, bool) {
	s := c.shard(r)
	s.mu.Lock()
	e, ok := s.m[r]
	if ok {
		s.unlink(e)
		s.pushFront(e)
	}
	s.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.val, true
}

// put caches val, which the caller must not change afterwards, as r's
// payload. A payload over an eighth of a shard is not kept: one chunk
// would push out many.
func (c *decodedCache) put(r chunkRef, val []byte) {
	s := c.shard(r)
	size := int64(len(val)) + 64
	if size > s.limit/8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[r]; ok {
		return
	}
	e := &decodedEntry{ref: r, val: val}
	s.m[r] = e
	s.pushFront(e)
	s.size += size
	for s.size > s.limit {
		old := s.lru.prev
		s.unlink(old)
		delete(s.m, old.ref)
		s.size -= int64(len(old.val)) + 64
	}
}

func (s *decodedShard) unlink(e *decodedEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (s *decodedShard) pushFront(e *decodedEntry) {
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

// within reports whether p lies inside body: a payload the decoder is
// asked to decompress belongs to the chunk chunkBody last returned only
// if it does.
func within(p, body []byte) bool {
	if len(p) == 0 || len(body) == 0 {
		return false
	}
	b := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
	q := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return q >= b && q+uintptr(len(p)) <= b+uintptr(len(body))
}
