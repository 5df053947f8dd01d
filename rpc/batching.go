package rpc

import (
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
)

// Batches on the wire: an operator's fragment yields batches of whatever
// size its operators produce (a block's rows, a partial aggregation's few
// groups). The stream coalesces them into messages of at least MinMessage
// encoded bytes and splits any past MaxMessage, so that per-message costs
// are amortized without one message holding up the stream; and it
// compresses a message with zstd when that saves at least a fifth of it
// (text columns of KubeArmor events shrink 3-10×; counts do not), unless
// the query node is on the same host (loopback), where bytes are cheap.
const (
	MinMessage = 64 << 10
	MaxMessage = 1 << 20
	// compressFrom is the smallest message worth trying to compress.
	compressFrom = 4 << 10
	// maxDecoded bounds what one compressed message may expand to: as
	// much as an uncompressed message may hold (the client accepts up to
	// 2 GiB), since one row, the distinct values of a group, can be
	// hundreds of megabytes and cannot be split.
	maxDecoded = 2 << 30
)

var (
	encoderOnce sync.Once
	encoder     *zstd.Encoder
	decoderOnce sync.Once
	decoder     *zstd.Decoder
)

func zstdEncoder() *zstd.Encoder {
	encoderOnce.Do(func() {
		encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	})
	return encoder
}

func zstdDecoder() *zstd.Decoder {
	decoderOnce.Do(func() {
		decoder, _ = zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxDecoded), zstd.WithDecoderConcurrency(0))
	})
	return decoder
}

// batcher gathers a stream's batches into messages.
type batcher struct {
	send    func(*rpcpb.ExecuteResponse) error
	pending *coldata.Batch
	size    int // estimated encoded bytes pending
	buf     []byte
	zbuf    []byte
	// plain sends messages uncompressed: the peer is on this host.
	plain bool
}

// add takes a batch and sends what has grown to MinMessage. It copies
// the batch, unless it sends it at once.
func (b *batcher) add(in *coldata.Batch) error {
	if (b.pending == nil || b.pending.Len == 0) && encodedSize(in) >= MinMessage {
		// Large enough alone: sent as it is, not copied (a partial
		// aggregation's distinct values can be hundreds of megabytes).
		return b.sendBatch(in)
	}
	if b.pending == nil {
		b.pending = coldata.NewBatch(in.Types(), in.Len)
	}
	for c, v := range in.Vecs {
		b.pending.Vecs[c].AppendRows(v, in.Len)
	}
	b.pending.Len += in.Len
	b.size += encodedSize(in)
	if b.size >= MinMessage {
		return b.flush()
	}
	return nil
}

// flush sends everything pending, in messages of at most MaxMessage.
func (b *batcher) flush() error {
	if b.pending == nil || b.pending.Len == 0 {
		return nil
	}
	err := b.sendBatch(b.pending)
	b.pending.Reset()
	b.size = 0
	return err
}

func (b *batcher) sendBatch(batch *coldata.Batch) error {
	if batch.Len > 1 && encodedSize(batch) > MaxMessage {
		// Split by the rows' own sizes, each row copied and encoded
		// once: a few rows may hold megabytes (the distinct values of
		// a group).
		sizes := rowSizes(batch)
		for from := 0; from < batch.Len; {
			to, n := from+1, sizes[from]
			for to < batch.Len && n+sizes[to] <= MaxMessage {
				n += sizes[to]
				to++
			}
			if err := b.sendOne(batch.Slice(from, to)); err != nil {
				return err
			}
			from = to
		}
		return nil
	}
	return b.sendOne(batch)
}

// rowSizes estimates each row's encoded bytes, as encodedSize does for a
// whole batch.
func rowSizes(b *coldata.Batch) []int {
	sizes := make([]int, b.Len)
	for _, v := range b.Vecs {
		for i := range sizes {
			switch {
			case v.Type == coldata.Bool:
				sizes[i]++
			case v.Type == coldata.TextArray:
				lo, hi := v.Arr[i], v.Arr[i+1]
				sizes[i] += int(v.Bytes.Offs[hi]-v.Bytes.Offs[lo]) + 4*int(hi-lo) + 4
			case v.Type.IsBytes():
				sizes[i] += int(v.Bytes.Offs[i+1]-v.Bytes.Offs[i]) + 4
			default:
				sizes[i] += 8
			}
		}
	}
	return sizes
}

// sendOne sends a batch as one message, compressed when that pays.
func (b *batcher) sendOne(batch *coldata.Batch) error {
	b.buf = coldata.AppendEncoded(b.buf[:0], batch)
	msg := &rpcpb.ExecuteResponse{Batch: b.buf}
	if !b.plain && len(b.buf) >= compressFrom {
		b.zbuf = zstdEncoder().EncodeAll(b.buf, b.zbuf[:0])
		if len(b.zbuf) <= len(b.buf)*4/5 {
			msg = &rpcpb.ExecuteResponse{Batch: b.zbuf, Zstd: true}
		}
	}
	return b.send(msg)
}

// encodedSize estimates a batch's encoded bytes.
func encodedSize(b *coldata.Batch) int {
	n := 0
	for _, v := range b.Vecs {
		switch {
		case v.Type == coldata.Bool:
			n += b.Len
		case v.Type.IsBytes() || v.Type == coldata.TextArray:
			n += len(v.Bytes.Data) + 4*b.Len
		default:
			n += 8 * b.Len
		}
	}
	return n
}

// decodeMessage reads a message's batch, decompressing it if need be.
func decodeMessage(msg *rpcpb.ExecuteResponse) (*coldata.Batch, error) {
	data := msg.Batch
	if msg.Zstd {
		var err error
		if data, err = zstdDecoder().DecodeAll(data, nil); err != nil {
			return nil, err
		}
	}
	return coldata.Decode(data)
}
