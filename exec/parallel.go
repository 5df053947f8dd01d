package exec

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Parallel runs operators at once, each on a goroutine of its own, and
// returns their batches as they come, in no particular order: the shards
// of a fragment (BuildFragment), each scanning its share of the blocks.
// An input computes its next batch only once the consumer has asked for
// the batch after its last one, so batches need not be copied.
type Parallel struct {
	inputs  []Operator
	results chan parallelResult
	acks    []chan struct{}
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool
	running int // inputs not yet ended
	held    int // the input whose batch the consumer holds; -1 for none
	err     error
}

type parallelResult struct {
	from int
	b    *coldata.Batch
	err  error
}

// NewParallel returns a Parallel over inputs; it owns them.
func NewParallel(inputs []Operator) *Parallel {
	return &Parallel{inputs: inputs, held: -1}
}

func (p *Parallel) start(ctx context.Context) {
	p.started = true
	ctx, p.cancel = context.WithCancel(ctx)
	p.results = make(chan parallelResult)
	p.running = len(p.inputs)
	for k, in := range p.inputs {
		ack := make(chan struct{}, 1)
		p.acks = append(p.acks, ack)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				b, err := nextRecovered(ctx, in)
				select {
				case p.results <- parallelResult{from: k, b: b, err: err}:
				case <-ctx.Done():
					return
				}
				if b == nil || err != nil {
					return
				}
				select {
				case <-ack:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
}

// nextRecovered is in.Next, a panic turned into an internal error: it
// runs on a goroutine of its own, where no caller recovers it.
func nextRecovered(ctx context.Context, in Operator) (b *coldata.Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
		}
	}()
	return in.Next(ctx)
}

// Next implements Operator.
func (p *Parallel) Next(ctx context.Context) (*coldata.Batch, error) {
	if !p.started {
		p.start(ctx)
	}
	if p.held >= 0 {
		p.acks[p.held] <- struct{}{} // done with its batch: it may go on
		p.held = -1
	}
	for p.err == nil && p.running > 0 {
		select {
		case r := <-p.results:
			switch {
			case r.err != nil:
				p.err = r.err
				p.cancel()
			case r.b == nil:
				p.running--
			default:
				p.held = r.from
				return r.b, nil
			}
		case <-ctx.Done():
			p.err = ctx.Err()
		}
	}
	return nil, p.err
}

// Close stops the inputs, waits for their goroutines and closes them.
func (p *Parallel) Close() error {
	if p.started {
		p.cancel()
		p.wg.Wait()
		p.started, p.running = false, 0
	}
	var errs []error
	for _, in := range p.inputs {
		if err := in.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	p.inputs = nil
	return errors.Join(errs...)
}

// fragmentShards is how many shards a fragment's scan is split into:
// one per core, up to maxFragmentShards.
func fragmentShards() int { return min(runtime.GOMAXPROCS(0), maxFragmentShards) }

const maxFragmentShards = 4

// ShardedScanner is a ScanSource whose scans of a table can be split
// into shards (ScanSpec.Shard) that together return every row once
// (operators' storage can, by block).
type ShardedScanner interface {
	ShardedScans(table string) bool
}
