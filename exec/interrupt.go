package exec

import (
	"context"
	"errors"
	"sync/atomic"
)

// Cancellation reaches operators between batches, but one batch of an
// expensive expression (a hash or a regular expression over long strings,
// thousands of rows) can take seconds. So the operators that evaluate
// expressions (Filter, Project, HashAgg) arm their expressions with a
// flag that their context's end sets, and the row-by-row kernels of
// string functions and pattern matches look at it at every row: a
// canceled query stops within a row's work, not a batch's. (One row of
// regexp_replace over 9 kB takes milliseconds; a load of the flag costs
// less than any such kernel's row.)

// errInterrupted is what a kernel returns when its flag is set; the
// operator reports its context's error instead.
var errInterrupted = errors.New("interrupted")

// armInterrupt makes the expressions' kernels stop once ctx is done. It
// returns the flag, for operators that loop themselves.
func armInterrupt(ctx context.Context, exprs ...Expr) *atomic.Bool {
	if ctx.Done() == nil {
		return nil
	}
	// Only function kernels look at the flag: expressions without any
	// (constants, columns, comparisons) need no callback on the context,
	// which costs a registration and, on cancel, a goroutine.
	var funcs []*funcExpr
	for _, e := range exprs {
		setInterrupt(e, &funcs)
	}
	if len(funcs) == 0 {
		return nil
	}
	flag := new(atomic.Bool)
	context.AfterFunc(ctx, func() { flag.Store(true) })
	for _, f := range funcs {
		f.stop = flag
	}
	return flag
}

// setInterrupt collects the function kernels of e.
func setInterrupt(e Expr, flag *[]*funcExpr) {
	switch x := e.(type) {
	case *funcExpr:
		*flag = append(*flag, x)
		for _, a := range x.args {
			setInterrupt(a, flag)
		}
	case *caseExpr:
		for _, a := range x.conds {
			setInterrupt(a, flag)
		}
		for _, a := range x.vals {
			setInterrupt(a, flag)
		}
		if x.els != nil {
			setInterrupt(x.els, flag)
		}
	case *compareExpr:
		setInterrupt(x.l, flag)
		setInterrupt(x.r, flag)
	case *arithExpr:
		setInterrupt(x.l, flag)
		setInterrupt(x.r, flag)
	case *logicExpr:
		for _, a := range x.args {
			setInterrupt(a, flag)
		}
	case *notExpr:
		setInterrupt(x.arg, flag)
	case *isNullExpr:
		setInterrupt(x.arg, flag)
	case *castExpr:
		setInterrupt(x.arg, flag)
	case *textCastExpr:
		setInterrupt(x.arg, flag)
	case *toTextExpr:
		setInterrupt(x.arg, flag)
	case *boolToIntExpr:
		setInterrupt(x.arg, flag)
	}
}

// interrupted reports whether e's query has been canceled; kernels ask
// before each row, whose number they pass.
func (e *funcExpr) interrupted(int) bool {
	return e.stop != nil && e.stop.Load()
}

// interruptErr turns a kernel's errInterrupted into ctx's error.
func interruptErr(ctx context.Context, err error) error {
	if err == errInterrupted && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
