package storage

import (
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
)

// Store format 1 kept a block's metadata and chunks together, under
//
//	key := 0x01 table partition:u64be stream:u64be seq:u64be kind:u8 [col:u16be]
//
// so that reading one column of a block meant stepping over the others.
// Format 2 groups each column's chunks (key.go). The values are the same;
// only the keys move, from key space 0x01 to 0x02.

// migrateBatchBytes bounds the values moved by one batch of a migration.
const migrateBatchBytes = 32 << 20

// migrateV1 moves every block of a format 1 store to the format 2 layout,
// a synced batch at a time, and then records format 2. Each batch writes
// the new keys and deletes the old ones together, so a crash leaves every
// block in exactly one of the two layouts, and the next Open carries on
// where this one stopped. Keys it cannot parse are left where they are and
// logged.
func migrateV1(db *pebble.DB, width int64, logger *slog.Logger) error {
	iter, err := db.NewIter(&pebble.IterOptions{
		LowerBound: []byte{keySpaceBlockV1},
		UpperBound: []byte{keySpaceBlockV1 + 1},
	})
	if err != nil {
		return err
	}
	defer func() { _ = iter.Close() }()
	batch := db.NewBatch()
	defer func() { _ = batch.Close() }()
	var (
		key          []byte
		moved, bytes int64
	)
	commit := func(final bool) error {
		if final {
			if err := batch.Set(formatKey, appendFormatRecord(nil, width), nil); err != nil {
				return err
			}
		}
		if err := batch.Commit(pebble.Sync); err != nil {
			return err
		}
		batch.Reset()
		bytes = 0
		return nil
	}
	for valid := iter.First(); valid; valid = iter.Next() {
		old := iter.Key()
		table, plen, err := parseTable(old)
		var (
			id   blockID
			kind byte
			col  int
		)
		if err == nil {
			id, kind, col, err = parseBlockKeyV1(old, plen)
		}
		if err != nil {
			logger.Warn("migration: leaving a malformed block key", "key", fmt.Sprintf("%x", old))
			continue
		}
		value, err := iter.ValueAndErr()
		if err != nil {
			return fmt.Errorf("read %s: %w", blockName(table, id), err)
		}
		key = blockKey(tablePrefix(key[:0], table), nil, id, kind, col)
		if err := batch.Set(key, value, nil); err != nil {
			return err
		}
		if err := batch.Delete(old, nil); err != nil {
			return err
		}
		moved++
		if bytes += int64(len(value)); bytes >= migrateBatchBytes {
			if err := commit(false); err != nil {
				return err
			}
		}
	}
	if err := iter.Error(); err != nil {
		return err
	}
	if err := commit(true); err != nil {
		return err
	}
	logger.Info("store migrated to format 2", "values", moved)
	return nil
}

// parseBlockKeyV1 splits a block key of store format 1.
func parseBlockKeyV1(key []byte, prefixLen int) (id blockID, kind byte, col int, err error) {
	rest := key[min(prefixLen, len(key)):]
	if len(rest) < blockIDLen+1 {
		return id, 0, 0, errBadKey
	}
	id.partition = int64(binary.BigEndian.Uint64(rest) ^ (1 << 63))
	id.stream = binary.BigEndian.Uint64(rest[8:])
	id.seq = binary.BigEndian.Uint64(rest[16:])
	kind, rest = rest[blockIDLen], rest[blockIDLen+1:]
	switch {
	case kind == kindMeta && len(rest) == 0:
		return id, kind, 0, nil
	case kind == kindChunk && len(rest) == 2:
		return id, kind, int(binary.BigEndian.Uint16(rest)), nil
	}
	return id, 0, 0, errBadKey
}
