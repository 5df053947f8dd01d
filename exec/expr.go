package exec

import (
	"bytes"
	"cmp"
	"fmt"
	"math"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Expr is a compiled scalar expression. Eval computes it for every row of
// a batch. The returned Vec may alias an input column or a buffer the Expr
// reuses on the next call: callers must not modify it and must copy what
// they keep.
type Expr interface {
	Type() coldata.Type
	Eval(b *coldata.Batch) (*coldata.Vec, error)
}

// CompileExpr turns the wire form of an expression into an Expr over
// batches whose columns have the given types. Every type is checked here,
// so Eval never meets a type it does not expect.
func CompileExpr(e *rpcpb.Expr, input []coldata.Type) (Expr, error) {
	if e == nil {
		return nil, sqlerr.New(sqlerr.InternalError, "compile expression: missing expression")
	}
	typ := coldata.Type(e.Type)
	switch k := e.Kind.(type) {
	case *rpcpb.Expr_Column:
		i := int(k.Column)
		if i < 0 || i >= len(input) {
			return nil, sqlerr.New(sqlerr.InternalError, "compile expression: column %d of %d", i, len(input))
		}
		if input[i] != typ {
			return nil, sqlerr.New(sqlerr.InternalError, "compile expression: column %d is %s, not %s", i, input[i], typ)
		}
		return &colExpr{idx: i, typ: typ}, nil
	case *rpcpb.Expr_Const:
		v, err := DatumVec(k.Const)
		if err != nil {
			return nil, err
		}
		return &constExpr{val: v}, nil
	case *rpcpb.Expr_Call:
		args := make([]Expr, len(k.Call.Args))
		for i, a := range k.Call.Args {
			c, err := CompileExpr(a, input)
			if err != nil {
				return nil, err
			}
			args[i] = c
		}
		c, err := compileCall(k.Call.Op, typ, args)
		if l, ok := c.(*logicExpr); ok && err == nil {
			l.argInfo(k.Call.Args)
		}
		return c, err
	}
	return nil, sqlerr.New(sqlerr.InternalError, "compile expression: empty expression")
}

// DatumVec returns a one-row Vec holding d.
func DatumVec(d *rpcpb.Datum) (*coldata.Vec, error) {
	t := coldata.Type(d.Type)
	if !t.Valid() {
		return nil, sqlerr.New(sqlerr.InternalError, "constant of unknown type %d", d.Type)
	}
	v := coldata.NewVec(t, 1)
	if d.Null {
		v.AppendNull()
		return v, nil
	}
	switch {
	case t == coldata.Bool:
		v.Bool = append(v.Bool, d.GetB())
	case t.InInt64():
		v.Int64 = append(v.Int64, d.GetI())
	case t.IsFloat():
		v.Float64 = append(v.Float64, d.GetF())
	case t == coldata.Interval:
		iv, ok := coldata.ParseIntervalDatum(d.GetS())
		if !ok {
			return nil, sqlerr.New(sqlerr.InternalError, "interval constant %q", d.GetS())
		}
		v.AppendInterval(iv)
	case t.IsBytes():
		v.Bytes.AppendString(d.GetS())
	case t == coldata.TextArray:
		// A text[] constant travels as its literal.
		elems, err := coldata.ParseTextArray(d.GetS())
		if err != nil {
			return nil, sqlerr.New(sqlerr.InternalError, "text[] constant: %v", err)
		}
		v.AppendStrings(elems)
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "constants of type %s are not supported", t)
	}
	return v, nil
}

// VecDatum returns row i of v as a constant: DatumVec's inverse.
func VecDatum(v *coldata.Vec, i int) *rpcpb.Datum {
	d := &rpcpb.Datum{Type: uint32(v.Type)}
	if i >= v.Len() || v.IsNull(i) {
		d.Null = true
		return d
	}
	switch t := v.Type; {
	case t == coldata.Bool:
		d.Value = &rpcpb.Datum_B{B: v.Bool[i]}
	case t.InInt64():
		d.Value = &rpcpb.Datum_I{I: v.Int64[i]}
	case t.IsFloat():
		d.Value = &rpcpb.Datum_F{F: v.Float64[i]}
	case t == coldata.Interval:
		d.Value = &rpcpb.Datum_S{S: coldata.IntervalDatum(v.IntervalAt(i))}
	case t == coldata.TextArray:
		elems := make([]string, v.ArrayLen(i))
		for j := range elems {
			elems[j] = string(v.ArrayElem(i, j))
		}
		d.Value = &rpcpb.Datum_S{S: string(coldata.AppendTextArrayLiteral(nil, elems))}
	default:
		d.Value = &rpcpb.Datum_S{S: v.Bytes.GetString(i)}
	}
	return d
}

type colExpr struct {
	idx int
	typ coldata.Type
}

func (e *colExpr) Type() coldata.Type { return e.typ }

func (e *colExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) { return b.Vecs[e.idx], nil }

type constExpr struct {
	val  *coldata.Vec // one row
	full *coldata.Vec // val repeated for the longest batch so far
	view coldata.Vec  // full's first rows, as long as the batch
}

func (e *constExpr) Type() coldata.Type { return e.val.Type }

// Eval broadcasts the constant. Operators with a constant operand use the
// scalar kernels instead and never call this on a hot path.
func (e *constExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	// The value repeated once for the longest batch, each batch given a
	// prefix of it: batches of stored blocks differ in length, and
	// building the vector for each cost more than the functions it feeds.
	if e.full == nil {
		e.full = coldata.NewVec(e.val.Type, b.Len)
	}
	for e.full.Len() < b.Len {
		e.full.AppendFrom(e.val, 0)
	}
	nulls := e.view.Nulls[:0]
	e.view = *e.full
	e.view.Nulls = nulls
	if e.val.IsNull(0) {
		// Its own bitmap: cutting full's would clear bits full needs.
		for i := range b.Len {
			e.view.Nulls.Set(i)
		}
	}
	e.view.Truncate(b.Len)
	return &e.view, nil
}

func compileCall(op string, typ coldata.Type, args []Expr) (Expr, error) {
	arity := func(n int) error {
		if len(args) != n {
			return sqlerr.New(sqlerr.InternalError, "compile %s: %d arguments, want %d", op, len(args), n)
		}
		return nil
	}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		if err := arity(2); err != nil {
			return nil, err
		}
		return newCompare(op, args[0], args[1])
	case "and", "or":
		for _, a := range args {
			if a.Type() != coldata.Bool {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", op, a.Type())
			}
		}
		return &logicExpr{or: op == "or", args: args}, nil
	case "not":
		if err := arity(1); err != nil {
			return nil, err
		}
		if args[0].Type() != coldata.Bool {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of NOT must be type boolean, not type %s", args[0].Type())
		}
		return &notExpr{arg: args[0]}, nil
	case "is_null", "is_not_null":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &isNullExpr{arg: args[0], not: op == "is_not_null"}, nil
	case "+", "-", "*", "/", "%":
		if err := arity(2); err != nil {
			return nil, err
		}
		return newArith(op, typ, args[0], args[1])
	case "neg":
		if err := arity(1); err != nil {
			return nil, err
		}
		zero := coldata.NewVec(args[0].Type(), 1)
		switch {
		case zero.Type.IsInteger():
			zero.Int64 = append(zero.Int64, 0)
		case zero.Type.IsFloat():
			zero.Float64 = append(zero.Float64, 0)
		case zero.Type == coldata.Numeric:
			zero.Bytes.AppendString("0")
		default:
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: - %s", args[0].Type())
		}
		return newArith("-", typ, &constExpr{val: zero}, args[0])
	case "cast":
		if err := arity(1); err != nil {
			return nil, err
		}
		return newCast(args[0], typ)
	case "case":
		return newCase(typ, args)
	}
	return compileFunc(op, typ, args)
}

// unionNulls returns the bitmap of rows NULL in a or b.
func unionNulls(a, b coldata.Nulls, n int) coldata.Nulls {
	if !a.Any() && !b.Any() {
		return nil
	}
	out := make(coldata.Nulls, (n+63)/64)
	for i := range out {
		if i < len(a) {
			out[i] |= a[i]
		}
		if i < len(b) {
			out[i] |= b[i]
		}
	}
	return out
}

type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

var cmpOps = map[string]cmpOp{"=": opEQ, "<>": opNE, "<": opLT, "<=": opLE, ">": opGT, ">=": opGE}

// flip returns the operator with its operands swapped: a < b ⇔ b > a.
func (o cmpOp) flip() cmpOp {
	switch o {
	case opLT:
		return opGT
	case opLE:
		return opGE
	case opGT:
		return opLT
	case opGE:
		return opLE
	}
	return o
}

type compareExpr struct {
	op     cmpOp
	l, r   Expr
	scalar *coldata.Vec // set when r is a constant
	out    coldata.Vec
}

func newCompare(op string, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	comparable := lt == rt ||
		(lt.IsInteger() && rt.IsInteger()) || (lt.IsFloat() && rt.IsFloat())
	if !comparable {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
	}
	switch lt {
	case coldata.Jsonb, coldata.TextArray:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "comparison of %s values is not supported yet", lt)
	}
	c := &compareExpr{op: cmpOps[op], l: l, r: r}
	if k, ok := l.(*constExpr); ok {
		c.l, c.r, c.op = r, l, c.op.flip()
		c.scalar = k.val
	} else if k, ok := r.(*constExpr); ok {
		c.scalar = k.val
	}
	return c, nil
}

func (e *compareExpr) Type() coldata.Type { return coldata.Bool }

func (e *compareExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	a, err := e.l.Eval(b)
	if err != nil {
		return nil, err
	}
	n := b.Len
	e.out.Type = coldata.Bool
	e.out.Bool = resizeBools(e.out.Bool, n)
	out := e.out.Bool
	if e.scalar != nil {
		if e.scalar.IsNull(0) {
			e.out.Nulls = allNulls(n)
			return &e.out, nil
		}
		e.out.Nulls = a.Nulls
		switch {
		case a.Type.InInt64():
			cmpScalar(e.op, a.Int64[:n], e.scalar.Int64[0], out)
		case a.Type.IsFloat():
			cmpScalar(e.op, a.Float64[:n], e.scalar.Float64[0], out)
		case a.Type == coldata.Bool:
			s := e.scalar.Bool[0]
			for i, x := range a.Bool[:n] {
				out[i] = cmpResult(e.op, boolCmp(x, s))
			}
		case a.Type == coldata.Numeric:
			s := e.scalar.Bytes.Get(0)
			for i := range out {
				out[i] = !a.IsNull(i) && cmpResult(e.op, cmpDecimal(a.Bytes.Get(i), s))
			}
		case a.Type == coldata.Interval:
			s := e.scalar.IntervalAt(0)
			for i := range out {
				out[i] = !a.IsNull(i) && cmpResult(e.op, coldata.CompareIntervals(a.IntervalAt(i), s))
			}
		default:
			s := e.scalar.Bytes.Get(0)
			for i := range out {
				out[i] = cmpResult(e.op, bytes.Compare(a.Bytes.Get(i), s))
			}
		}
		return &e.out, nil
	}
	c, err := e.r.Eval(b)
	if err != nil {
		return nil, err
	}
	e.out.Nulls = unionNulls(a.Nulls, c.Nulls, n)
	switch {
	case a.Type.InInt64():
		cmpVecs(e.op, a.Int64[:n], c.Int64[:n], out)
	case a.Type.IsFloat():
		cmpVecs(e.op, a.Float64[:n], c.Float64[:n], out)
	case a.Type == coldata.Bool:
		for i := range out {
			out[i] = cmpResult(e.op, boolCmp(a.Bool[i], c.Bool[i]))
		}
	case a.Type == coldata.Numeric:
		for i := range out {
			out[i] = !e.out.Nulls.Get(i) && cmpResult(e.op, cmpDecimal(a.Bytes.Get(i), c.Bytes.Get(i)))
		}
	case a.Type == coldata.Interval:
		for i := range out {
			out[i] = !e.out.Nulls.Get(i) && cmpResult(e.op, coldata.CompareIntervals(a.IntervalAt(i), c.IntervalAt(i)))
		}
	default:
		for i := range out {
			out[i] = cmpResult(e.op, bytes.Compare(a.Bytes.Get(i), c.Bytes.Get(i)))
		}
	}
	return &e.out, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func cmpResult(op cmpOp, c int) bool {
	switch op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	}
	return c >= 0
}

// cmpScalar and cmpVecs switch on the operator once, outside the loop.
func cmpScalar[T cmp.Ordered](op cmpOp, a []T, s T, out []bool) {
	switch op {
	case opEQ:
		for i, x := range a {
			out[i] = x == s
		}
	case opNE:
		for i, x := range a {
			out[i] = x != s
		}
	case opLT:
		for i, x := range a {
			out[i] = x < s
		}
	case opLE:
		for i, x := range a {
			out[i] = x <= s
		}
	case opGT:
		for i, x := range a {
			out[i] = x > s
		}
	case opGE:
		for i, x := range a {
			out[i] = x >= s
		}
	}
}

func cmpVecs[T cmp.Ordered](op cmpOp, a, b []T, out []bool) {
	switch op {
	case opEQ:
		for i, x := range a {
			out[i] = x == b[i]
		}
	case opNE:
		for i, x := range a {
			out[i] = x != b[i]
		}
	case opLT:
		for i, x := range a {
			out[i] = x < b[i]
		}
	case opLE:
		for i, x := range a {
			out[i] = x <= b[i]
		}
	case opGT:
		for i, x := range a {
			out[i] = x > b[i]
		}
	case opGE:
		for i, x := range a {
			out[i] = x >= b[i]
		}
	}
}

func resizeBools(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

func allNulls(n int) coldata.Nulls {
	out := make(coldata.Nulls, (n+63)/64)
	for i := range out {
		out[i] = math.MaxUint64
	}
	return out
}

// logicExpr is AND / OR with SQL's three-valued logic: FALSE AND NULL is
// FALSE, TRUE OR NULL is TRUE, otherwise NULL wins.
type logicExpr struct {
	or   bool
	args []Expr
	out  coldata.Vec
	open []int // rows no argument has decided yet
	sub  coldata.Batch
	// Per argument, from its wire form: the input columns it reads
	// (nil: unknown, gather them all), and whether it cannot fail on
	// any row, so that it may be evaluated on every row of the batch
	// rather than on the undecided ones gathered.
	cols    [][]int
	total   []bool
	subVecs []*coldata.Vec // gathered columns, reused
}

// argInfo fills in what logicExpr learns from its arguments' wire forms.
func (e *logicExpr) argInfo(args []*rpcpb.Expr) {
	e.cols = make([][]int, len(args))
	e.total = make([]bool, len(args))
	for i, a := range args {
		seen := map[int]bool{}
		exprColumns(a, seen)
		for c := range seen {
			e.cols[i] = append(e.cols[i], c)
		}
		e.total[i] = cannotFail(a)
	}
}

// exprColumns adds the input columns e reads to seen.
func exprColumns(e *rpcpb.Expr, seen map[int]bool) {
	switch k := e.GetKind().(type) {
	case *rpcpb.Expr_Column:
		seen[int(k.Column)] = true
	case *rpcpb.Expr_Call:
		for _, a := range k.Call.Args {
			exprColumns(a, seen)
		}
	}
}

// cannotFail reports whether e is made of operations that give a value
// (or NULL) for any input row: comparisons, boolean logic, NULL tests and
// pattern matches against constant patterns over columns and constants.
// Evaluating such an expression on rows an AND or OR has already decided
// cannot raise an error PostgreSQL would not.
func cannotFail(e *rpcpb.Expr) bool {
	switch k := e.GetKind().(type) {
	case *rpcpb.Expr_Column, *rpcpb.Expr_Const:
		return true
	case *rpcpb.Expr_Call:
		args := k.Call.Args
		switch k.Call.Op {
		case "=", "<>", "<", "<=", ">", ">=", "and", "or", "not", "is_null", "is_not_null":
		case "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "iregex", "not_iregex":
			if len(args) != 2 || args[1].GetConst() == nil {
				return false
			}
		default:
			return false
		}
		for _, a := range args {
			if !cannotFail(a) {
				return false
			}
		}
		return true
	}
	return false
}

func (e *logicExpr) Type() coldata.Type { return coldata.Bool }

// gather returns the undecided rows of b, in the columns argument ai
// reads (all when unknown); the others keep b's Vecs, unread.
func (e *logicExpr) gather(b *coldata.Batch, ai int) *coldata.Batch {
	e.sub.Len = len(e.open)
	e.sub.Vecs = append(e.sub.Vecs[:0], b.Vecs...)
	for len(e.subVecs) < len(b.Vecs) {
		e.subVecs = append(e.subVecs, nil)
	}
	cols := e.cols
	gatherCol := func(c int) {
		if e.subVecs[c] == nil || e.subVecs[c].Type != b.Vecs[c].Type {
			e.subVecs[c] = coldata.NewVec(b.Vecs[c].Type, len(e.open))
		}
		b.Vecs[c].GatherInto(e.subVecs[c], e.open)
		e.sub.Vecs[c] = e.subVecs[c]
	}
	if cols == nil {
		for c := range b.Vecs {
			gatherCol(c)
		}
	} else {
		for _, c := range cols[ai] {
			if c < len(b.Vecs) {
				gatherCol(c)
			}
		}
	}
	return &e.sub
}

func (e *logicExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	n := b.Len
	e.out.Type = coldata.Bool
	e.out.Bool = resizeBools(e.out.Bool, n)
	val := e.out.Bool
	for i := range val {
		val[i] = !e.or
	}
	var nulls coldata.Nulls
	// Like PostgreSQL, an argument is evaluated only for the rows the
	// ones before it left undecided, so that pid > 0 AND 10 / pid > 1
	// never divides by zero and a cast guarded by a pattern match only
	// sees the rows that match.
	e.open = e.open[:0]
	for i := range n {
		e.open = append(e.open, i)
	}
	for ai, a := range e.args {
		if len(e.open) == 0 {
			break
		}
		in := b
		// An argument that cannot fail runs on every row when a good
		// part of them is undecided, which costs less than gathering
		// those; otherwise it runs on the undecided rows only, gathered
		// from the columns it reads.
		whole := len(e.open) == n || (e.total != nil && e.total[ai] && len(e.open)*4 >= n)
		if !whole {
			in = e.gather(b, ai)
		}
		v, err := a.Eval(in)
		if err != nil {
			return nil, err
		}
		anyNull := v.Nulls.Any()
		still := e.open[:0]
		for k, i := range e.open {
			if whole {
				k = i
			}
			if anyNull && v.Nulls.Get(k) {
				// NULL: the result is NULL unless decided by another arg.
				nulls.Set(i)
				still = append(still, i)
				continue
			}
			if v.Bool[k] == e.or {
				// TRUE decides OR, FALSE decides AND, whatever else is NULL.
				val[i] = e.or
				if nulls != nil && nulls.Get(i) {
					nulls[i>>6] &^= 1 << (uint(i) & 63)
				}
				continue
			}
			still = append(still, i)
		}
		e.open = still
	}
	e.out.Nulls = nulls
	return &e.out, nil
}

type notExpr struct {
	arg Expr
	out coldata.Vec
}

func (e *notExpr) Type() coldata.Type { return coldata.Bool }

func (e *notExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	e.out.Type = coldata.Bool
	e.out.Bool = resizeBools(e.out.Bool, b.Len)
	for i, x := range v.Bool[:b.Len] {
		e.out.Bool[i] = !x
	}
	e.out.Nulls = v.Nulls
	return &e.out, nil
}

type isNullExpr struct {
	arg Expr
	not bool
	out coldata.Vec
}

func (e *isNullExpr) Type() coldata.Type { return coldata.Bool }

func (e *isNullExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	e.out.Type = coldata.Bool
	e.out.Bool = resizeBools(e.out.Bool, b.Len)
	for i := range e.out.Bool {
		e.out.Bool[i] = v.Nulls.Get(i) != e.not
	}
	e.out.Nulls = nil
	return &e.out, nil
}

// arithExpr is + - * / % on integers (with overflow and division checks,
// as PostgreSQL errors rather than wraps) and on floats.
type arithExpr struct {
	op   byte
	typ  coldata.Type
	l, r Expr
}

func newArith(op string, typ coldata.Type, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	ok := (lt.IsInteger() && rt.IsInteger() && typ.IsInteger()) ||
		(lt.IsFloat() && rt.IsFloat() && typ.IsFloat() && op != "%") ||
		(lt == coldata.Numeric && rt == coldata.Numeric && typ == coldata.Numeric)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
	}
	return &arithExpr{op: op[0], typ: typ, l: l, r: r}, nil
}

func (e *arithExpr) Type() coldata.Type { return e.typ }

func (e *arithExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	a, err := e.l.Eval(b)
	if err != nil {
		return nil, err
	}
	c, err := e.r.Eval(b)
	if err != nil {
		return nil, err
	}
	n := b.Len
	out := &coldata.Vec{Type: e.typ, Nulls: unionNulls(a.Nulls, c.Nulls, n)}
	if e.typ == coldata.Numeric {
		return out, numericArith(e.op, a, c, n, out)
	}
	if e.typ.IsFloat() {
		out.Float64 = make([]float64, n)
		x, y := a.Float64[:n], c.Float64[:n]
		switch e.op {
		case '+':
			for i := range out.Float64 {
				out.Float64[i] = x[i] + y[i]
			}
		case '-':
			for i := range out.Float64 {
				out.Float64[i] = x[i] - y[i]
			}
		case '*':
			for i := range out.Float64 {
				out.Float64[i] = x[i] * y[i]
			}
		case '/':
			for i := range out.Float64 {
				if y[i] == 0 && !out.Nulls.Get(i) {
					return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
				}
				out.Float64[i] = x[i] / y[i]
			}
		}
		// PostgreSQL refuses a finite computation that overflows to
		// infinity, or underflows to zero from nonzero operands.
		for i, r := range out.Float64 {
			if math.IsInf(r, 0) && !math.IsInf(x[i], 0) && !math.IsInf(y[i], 0) && !out.Nulls.Get(i) {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			if r == 0 && (e.op == '*' || e.op == '/') && x[i] != 0 && !math.IsInf(y[i], 0) && (e.op == '/' || y[i] != 0) && !out.Nulls.Get(i) {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
			}
		}
		return out, nil
	}
	out.Int64 = make([]int64, n)
	lo, hi := intRange(e.typ)
	x, y := a.Int64[:n], c.Int64[:n]
	for i := range out.Int64 {
		var r int64
		switch e.op {
		case '+':
			r = x[i] + y[i]
			if (r > x[i]) != (y[i] > 0) {
				return nil, outOfRange(e.typ)
			}
		case '-':
			r = x[i] - y[i]
			if (r < x[i]) != (y[i] > 0) {
				return nil, outOfRange(e.typ)
			}
		case '*':
			r = x[i] * y[i]
			if x[i] != 0 && (r/x[i] != y[i] || (x[i] == -1 && y[i] == math.MinInt64)) {
				return nil, outOfRange(e.typ)
			}
		case '/', '%':
			if y[i] == 0 {
				if out.Nulls.Get(i) {
					continue
				}
				return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
			}
			if y[i] == -1 {
				// MinInt64 / -1 is the one quotient that does not fit.
				if e.op == '%' {
					r = 0
				} else if x[i] == math.MinInt64 {
					return nil, outOfRange(e.typ)
				} else {
					r = -x[i]
				}
			} else if e.op == '/' {
				r = x[i] / y[i]
			} else {
				r = x[i] % y[i]
			}
		}
		if r < lo || r > hi {
			return nil, outOfRange(e.typ)
		}
		out.Int64[i] = r
	}
	return out, nil
}

func intRange(t coldata.Type) (int64, int64) {
	switch t {
	case coldata.Int16:
		return math.MinInt16, math.MaxInt16
	case coldata.Int32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

func outOfRange(t coldata.Type) error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", t)
}

// castExpr converts between the number types.
type castExpr struct {
	arg Expr
	typ coldata.Type
}

func newCast(arg Expr, typ coldata.Type) (Expr, error) {
	from := arg.Type()
	if from == typ {
		return arg, nil
	}
	if from == coldata.Text && (typ.IsNumber() || typ == coldata.Bool) {
		return &textCastExpr{arg: arg, typ: typ}, nil
	}
	if typ == coldata.Text && from != coldata.Timestamptz {
		return &toTextExpr{arg: arg}, nil
	}
	if from == coldata.Bool && (typ == coldata.Int32 || typ == coldata.Int64) {
		return &boolToIntExpr{arg: arg, typ: typ}, nil
	}
	if !from.IsNumber() || !typ.IsNumber() {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, typ)
	}
	return &castExpr{arg: arg, typ: typ}, nil
}

func (e *castExpr) Type() coldata.Type { return e.typ }

func (e *castExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	v, err := e.arg.Eval(b)
	if err != nil {
		return nil, err
	}
	n := b.Len
	out := &coldata.Vec{Type: e.typ, Nulls: v.Nulls}
	from := v.Type
	if from == coldata.Numeric || e.typ == coldata.Numeric {
		return castNumeric(v, out, n)
	}
	switch {
	case from.IsInteger() && e.typ.IsFloat():
		out.Float64 = make([]float64, n)
		for i, x := range v.Int64[:n] {
			out.Float64[i] = float64(x)
		}
	case from.IsInteger() && e.typ.IsInteger():
		lo, hi := intRange(e.typ)
		out.Int64 = make([]int64, n)
		for i, x := range v.Int64[:n] {
			if x < lo || x > hi {
				return nil, outOfRange(e.typ)
			}
			out.Int64[i] = x
		}
	case from.IsFloat() && e.typ.IsFloat():
		out.Float64 = append([]float64(nil), v.Float64[:n]...)
	default: // float to integer rounds half to even, as PostgreSQL's rint
		lo, hi := intRange(e.typ)
		out.Int64 = make([]int64, n)
		for i, x := range v.Float64[:n] {
			r := math.RoundToEven(x)
			if v.Nulls.Get(i) {
				continue
			}
			if math.IsNaN(r) || r < float64(lo) || r >= -float64(lo) || r > float64(hi) {
				return nil, outOfRange(e.typ)
			}
			out.Int64[i] = int64(r)
		}
	}
	return out, nil
}

// ExprString renders a compiled expression's wire form for EXPLAIN and
// error messages.
func ExprString(e *rpcpb.Expr, names []string) string {
	if e == nil {
		return ""
	}
	switch k := e.Kind.(type) {
	case *rpcpb.Expr_Column:
		if int(k.Column) < len(names) {
			return names[k.Column]
		}
		return fmt.Sprintf("$col%d", k.Column)
	case *rpcpb.Expr_Const:
		if k.Const.Null {
			return "NULL"
		}
		switch v := k.Const.Value.(type) {
		case *rpcpb.Datum_B:
			return fmt.Sprint(v.B)
		case *rpcpb.Datum_I:
			return fmt.Sprint(v.I)
		case *rpcpb.Datum_F:
			return fmt.Sprint(v.F)
		case *rpcpb.Datum_S:
			return fmt.Sprintf("'%s'", v.S)
		}
	case *rpcpb.Expr_Call:
		args := k.Call.Args
		switch len(args) {
		case 1:
			return fmt.Sprintf("%s(%s)", k.Call.Op, ExprString(args[0], names))
		case 2:
			return fmt.Sprintf("(%s %s %s)", ExprString(args[0], names), k.Call.Op, ExprString(args[1], names))
		}
		s := k.Call.Op + "("
		for i, a := range args {
			if i > 0 {
				s += ", "
			}
			s += ExprString(a, names)
		}
		return s + ")"
	}
	return "?"
}
