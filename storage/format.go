package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/armorlake/armorlake/sqlerr"
)

// storeVersion is the version of the store-wide format record. It changes
// only with the key layout or the meaning of the record; block layouts
// carry their own version (blockVersion). Version 2 grouped each column's
// chunks; a version 1 store is migrated when opened (migrate.go).
const storeVersion = 2

// The format record, under formatKey, is written when the store is created
// and checked at every Open:
//
//	record := version:u8 partitionWidth:i64 (µs, little-endian) crc:u32
func appendFormatRecord(dst []byte, width int64) []byte {
	dst = append(dst, storeVersion)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(width))
	dst, _ = appendChecksum(dst, 0)
	return dst
}

// checkFormat writes the format record of a new store, or checks that of
// an existing one against this build and the options.
func checkFormat(db *pebble.DB, width int64, logger *slog.Logger) error {
	val, closer, err := db.Get(formatKey)
	if errors.Is(err, pebble.ErrNotFound) {
		if err := db.Set(formatKey, appendFormatRecord(nil, width), pebble.Sync); err != nil {
			return fmt.Errorf("write format record: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read format record: %w", err)
	}
	defer func(c io.Closer) { _ = c.Close() }(closer)
	body, _, err := splitChecksum(val)
	if err == nil && len(body) != 1+8 {
		err = errLengths
	}
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.DataCorrupted, "decode format record")
	}
	version := body[0]
	if version != 1 && version != storeVersion {
		return sqlerr.New(sqlerr.FeatureNotSupported,
			"store format version %d unknown (this build reads versions 1 and %d)", version, storeVersion)
	}
	stored := int64(binary.LittleEndian.Uint64(body[1:]))
	if stored != width {
		return fmt.Errorf("partition width %s differs from the store's %s, fixed when it was created",
			time.Duration(width)*time.Microsecond, time.Duration(stored)*time.Microsecond)
	}
	if version == 1 {
		if err := migrateV1(db, width, logger); err != nil {
			return fmt.Errorf("migrate store from format 1: %w", err)
		}
	}
	return nil
}
