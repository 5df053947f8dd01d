// Package storage is an operator's event store: typed column chunks of
// time-partitioned blocks, kept in Pebble.
//
// An Append turns a coldata.Batch into blocks: the rows of one time
// partition (Options.PartitionWidth, 1h by default), at most
// Options.MaxBlockRows of them. A block is one Pebble value per column
// chunk, one metadata value and a bloom filter value per text column with
// many distinct values, all written in one synced Pebble batch. A Scan
// seeks to the partitions its time range overlaps, skips partitions and
// blocks whose summaries rule its filters out, and reads and decodes only
// the chunks of the columns asked for. Pebble is never asked for one key
// per row.
//
// # Keys
//
// Time comes first, so that new data never interleaves with old, pruning by
// time is a choice of key range, and retention is a range delete. Within a
// partition the kind of value and the column come before the block, so a
// scan reads the metadata as one sequence and each needed column as
// another. Integers in keys are big-endian; a timestamp t is stored as
// uint64(t) XOR 1<<63 so that its bytes sort like the signed value.
//
//	format record:  0x00 "format"
//	block metadata: 0x02 len(table):uvarint table partition:8 0x00 stream:8 seq:8
//	column chunk:   0x02 len(table):uvarint table partition:8 0x01 column:u16 stream:8 seq:8
//	bloom filter:   0x02 len(table):uvarint table partition:8 0x02 column:u16 stream:8 seq:8
//
// partition is the start of the block's time partition: its rows' times
// rounded down to a multiple of the partition width (µs since the epoch).
// stream groups a partition's blocks by event source: Append orders its
// rows by partition, stream (an xxhash of the table's StreamColumns) and
// time, and a block's stream is its first row's; readers accept any value.
// seq is a store-wide block sequence number, unique per block, so a block
// is named by table, partition and seq ("block 42 of alerts partition
// 2026-05-19T10:00:00Z"). column is the index of the column in the table.
// Store format 1 kept a block's values together under key space 0x01;
// Open migrates such a store (migrate.go).
//
// # Values
//
// Every value ends with the CRC32C (Castagnoli) of the bytes before it, as a
// little-endian u32. Fixed-width numbers are little-endian; uvarint is
// encoding/binary's; zigzag maps n to (n << 1) ^ (n >> 63).
//
// The format record is written when the store is created and checked at
// every Open, which refuses another version or another partition width:
//
//	record := version:u8 (2) partitionWidth:i64 (µs) crc:u32
//
// Block metadata is all a scan needs to prune a block, count its rows and
// find and verify its chunks:
//
//	meta    := version:u8 (3) rows:uvarint minTs:i64 maxTs:i64 ncols:uvarint column* crc:u32
//	column  := type:u8 encoding:u8 nulls:uvarint size:uvarint crc:u32 [min:i64 max:i64]
//	           [summaryLen:uvarint summary]   text, numeric and jsonb columns
//	summary := flags:u8 [bounds] [values] [bloom]   (meta.go)
//
// minTs and maxTs bound the block's time column, both inclusive. For each
// column: its coldata.Type, the encoding of its chunk, the number of NULL
// rows, the size of the chunk's value and its CRC32C (the one the value
// ends with, so a chunk from another block or an older write is caught).
// min and max, inclusive, are present for integer and timestamp columns
// with at least one non-NULL row. A text column's summary gives byte-wise
// bounds of its values, or the values themselves with their row counts
// when there are few, and the size and CRC of its bloom filter (bloom.go)
// when there are many. Versions 1 and 2 are read too; any other version is
// refused with SQLSTATE 0A000.
//
// A column chunk holds one column of one block:
//
//	chunk  := type:u8 encoding:u8 rows:uvarint nulls:uvarint [bitmap] payload crc:u32
//	bitmap := ceil(rows/8) bytes; bit i%8 of byte i/8 set when row i is NULL;
//	          present only when 0 < nulls < rows
//
// The payload holds the rows-nulls non-NULL values in row order; NULL rows
// have no slot. By encoding:
//
//	1 const  every non-NULL value is equal: the payload is that value alone in
//	         the plain layout; empty when every row is NULL.
//	2 plain  bool                   ceil(n/8) bytes, bit i%8 of byte i/8 is value i
//	         smallint, integer,
//	         bigint, timestamptz    n × i64
//	         real, double           n × u64, the IEEE 754 bits of the float64
//	         text, numeric, jsonb   n × len:uvarint, then the bytes of every value
//	         text[]                 n × count:uvarint (elements per row),
//	                                m × len:uvarint (m = Σ count), then the bytes
//	                                of every element
//	3 delta  integers and timestamps: n × zigzag(value - previous):uvarint, the
//	         previous value of the first one being 0. Differences wrap around
//	         like int64 arithmetic. Read, no longer written.
//	4 zstd   text, numeric, jsonb, text[]: len:uvarint then one zstd frame that
//	         decompresses to the plain payload of len bytes.
//	5 dict   text, numeric, jsonb (version 2): ndict:uvarint width:u8
//	         layout:u8 dictEnc:u8 dictLen:uvarint dict codes. dict holds the
//	         ndict (≥ 2) distinct values in the plain layout (dictEnc 2) or as
//	         a zstd payload of it (dictEnc 4). Codes are width = bitlen(ndict-1)
//	         bits, packed least significant first: layout 0, one per row;
//	         layout 1, nruns:uvarint, the runs' lengths as uvarints, then one
//	         code per run.
//	6 for    integers and timestamps (version 2): ref:zigzag-uvarint width:u8
//	         then n values of value-ref in width (≤ 56) bits, packed least
//	         significant first.
//	7 delta-for  integers and timestamps (version 2): first:zigzag-uvarint
//	         ref:zigzag-uvarint width:u8 then the n-1 differences to the
//	         previous value minus ref (the smallest), packed as for.
//	8 patched-delta  integers and timestamps (version 3): first:zigzag-uvarint
//	         width:u8 nexc:uvarint, the low width bits of the n-1 zigzagged
//	         differences packed as for, then per exception (a difference
//	         wider than width) gap:uvarint high:uvarint.
//
// The writer picks the encoding per chunk from the data: const when it can,
// else for integers the smallest of plain, for, delta-for and
// patched-delta; for strings dict when at most one value in four of at
// least 16 is distinct, else zstd when the plain payload is at least 128
// bytes and zstd saves an eighth of it, else plain. Floats and bools are
// const or plain.
//
// # Errors and limits
//
// A value whose checksum does not match, or whose bytes do not parse
// exactly (lengths, counts, bitmap population, trailing bytes), is an error
// with SQLSTATE XX001 naming the table, partition, block and column; it is
// never a panic and never a wrong row. A block holds at most 65536 rows and
// a chunk at most 2 GiB of string data, which bounds what a decoder
// allocates before the data is checked.
//
// docs/storage-format.md specifies the same format for readers outside Go.
package storage
