package exec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Gather runs one fragment on many operator nodes in parallel and yields
// their batches as they arrive, in no particular order. The first error
// from any node cancels the others and is returned; so is the consumer's
// cancellation, which reaches every remote stream through the context.
type Gather struct {
	remote      Remote
	targets     []Target
	frag        *rpcpb.Fragment
	concurrency int
	// Partial (armorlake.partial_results) keeps the query going when a
	// target is unreachable or fails in transport (SQLSTATE 58000): each
	// target's batches are held until its stream ends well, a failed
	// one's are dropped whole, and a notice names it.
	Partial bool

	started bool
	profile *GatherProfile // EXPLAIN ANALYZE, else nil
	cancel  context.CancelFunc
	results chan *coldata.Batch
	errOnce sync.Once
	err     error
	wg      sync.WaitGroup
}

// NewGather returns a Gather over targets, running at most concurrency
// fragments at once (all when concurrency <= 0).
func NewGather(remote Remote, targets []Target, frag *rpcpb.Fragment, concurrency int) *Gather {
	if concurrency <= 0 || concurrency > len(targets) {
		concurrency = len(targets)
	}
	return &Gather{remote: remote, targets: targets, frag: frag, concurrency: concurrency}
}

func (g *Gather) start(ctx context.Context) {
	g.started = true
	if p := profileOf(ctx); p != nil {
		g.profile = p.gather(g.frag.Table)
	}
	ctx, g.cancel = context.WithCancel(ctx)
	g.results = make(chan *coldata.Batch, 2*len(g.targets)+1)
	sem := make(chan struct{}, max(g.concurrency, 1))
	for _, t := range g.targets {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if err := g.runReplicas(ctx, t); err != nil {
				if g.Partial && ctx.Err() == nil && sqlerr.Code(err) == sqlerr.SystemError {
					if n := NoticesFrom(ctx); n != nil {
						n.Add(PartialNotice, fmt.Sprintf("partial results: the rows of %s that %s holds are missing: %s",
							g.frag.Table, t.NodeID, sqlerr.As(err).Message))
					}
					return
				}
				g.fail(err)
			}
		}()
	}
	go func() {
		g.wg.Wait()
		close(g.results)
	}()
}

func (g *Gather) fail(err error) {
	g.errOnce.Do(func() {
		g.err = err
		g.cancel()
	})
}

// runReplicas runs the fragment on t, or, when t fails in transport
// (58000) before sending anything, on its alternates in turn: replicas
// hold the same rows, so any one answers for the group.
func (g *Gather) runReplicas(ctx context.Context, t Target) error {
	err := g.run(ctx, t)
	for _, alt := range t.Alternates {
		var sent *partialSend
		if !errors.As(err, &sent) && sqlerr.Code(err) == sqlerr.SystemError && ctx.Err() == nil {
			err = g.run(ctx, alt)
			continue
		}
		break
	}
	var sent *partialSend
	if errors.As(err, &sent) {
		return sent.err
	}
	return err
}

// partialSend marks a failure after the target had already sent batches
// on: no replica can take over for it then.
type partialSend struct{ err error }

func (p *partialSend) Error() string { return p.err.Error() }
func (p *partialSend) Unwrap() error { return p.err }

func (g *Gather) run(ctx context.Context, t Target) (err error) {
	began := time.Now()
	op, err := g.remote.Execute(ctx, t, g.frag)
	if err != nil {
		return err
	}
	defer op.Close()
	var rows, batches int64
	var held []*coldata.Batch // Partial: the target's batches, until its stream ends well
	budget := budgetOf(ctx)
	var charged int64
	defer func() { budget.Release(charged) }()
	if g.profile != nil {
		defer func() {
			tp := TargetProfile{Target: t, Time: time.Since(began), Ended: time.Now(), Err: err}
			if s, ok := op.(RemoteStatser); ok {
				tp.Stats = s.RemoteStats()
			}
			tp.Stats.Rows, tp.Stats.Batches = rows, batches
			g.profile.add(tp)
		}()
	}
	forwarded := false
	for {
		b, err := op.Next(ctx)
		if err != nil {
			if forwarded {
				return &partialSend{err}
			}
			return err
		}
		if b == nil {
			for _, h := range held {
				select {
				case g.results <- h:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}
		rows += int64(b.Len)
		batches++
		if g.Partial {
			size := rowBytes(b.Vecs, b.Len)
			if err := budget.Grow(size); err != nil {
				return err
			}
			charged += size
			held = append(held, b.Slice(0, b.Len)) // the source may reuse b
			continue
		}
		forwarded = true
		select {
		case g.results <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Next implements Operator.
func (g *Gather) Next(ctx context.Context) (*coldata.Batch, error) {
	if !g.started {
		g.start(ctx)
	}
	select {
	case b, ok := <-g.results:
		if !ok {
			// Every node finished; report the first failure if any.
			return nil, g.firstErr(ctx)
		}
		return b, nil
	case <-ctx.Done():
		g.fail(ctx.Err())
		return nil, ctx.Err()
	}
}

func (g *Gather) firstErr(ctx context.Context) error {
	var err error
	g.errOnce.Do(func() {}) // no more failures can be recorded after this
	err = g.err
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// Close implements Operator: it cancels every remote stream and waits for
// them to stop.
func (g *Gather) Close() error {
	if g.started {
		g.cancel()
		for range g.results {
		}
	}
	return nil
}

var _ Operator = (*Gather)(nil)
