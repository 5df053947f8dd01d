package planner

import (
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
)

// Rewrites of bound expressions into cheaper ones that compute the same
// values.

// epochBucket rewrites floor(extract(epoch from t) / c), for t a
// timestamp and c a positive whole number of seconds, into
// epoch_div_floor(t, c·10^6) cast to numeric: the same value (exec's
// EpochDivFloor follows numeric's rounding), computed from the
// timestamp's integer µs instead of through numeric text. Grafana's
// $__timeGroup macros expand to this form. Any other s is returned as it
// is.
func epochBucket(s *scalar) *scalar {
	if s.kind != kindCall || s.op != "floor" || len(s.args) != 1 {
		return s
	}
	div := s.args[0]
	if div.kind != kindCall || div.op != "/" || len(div.args) != 2 {
		return s
	}
	ex := div.args[0]
	if ex.kind != kindCall || ex.op != "extract" || len(ex.args) < 2 {
		return s
	}
	unit, ok := constString(ex.args[0])
	src := ex.args[1]
	if !ok || !strings.EqualFold(unit, "epoch") || (src.typ != coldata.Timestamptz && src.typ != coldata.Timestamp) {
		return s
	}
	secs, ok := constWholeNumber(div.args[1])
	if !ok || secs <= 0 || secs > 1e12 {
		return s
	}
	bucket := callScalar("epoch_div_floor", coldata.Int64, src, intConst(coldata.Int64, secs*1_000_000))
	return callScalar("cast", coldata.Numeric, bucket)
}

// constString returns the value of a non-null text constant.
func constString(s *scalar) (string, bool) {
	if s.kind != kindConst || s.datum.Null || coldata.Type(s.datum.Type) != coldata.Text {
		return "", false
	}
	return s.datum.GetS(), true
}

// constWholeNumber returns the value of a non-null integer constant, or of
// a numeric constant written without a fraction, looking through casts.
func constWholeNumber(s *scalar) (int64, bool) {
	for s.kind == kindCall && s.op == "cast" && len(s.args) == 1 {
		s = s.args[0]
	}
	if s.kind != kindConst || s.datum.Null {
		return 0, false
	}
	switch t := coldata.Type(s.datum.Type); {
	case t.IsInteger():
		return s.datum.GetI(), true
	case t == coldata.Numeric:
		v, err := strconv.ParseInt(s.datum.GetS(), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// liftGroupKey finds, in a GROUP BY expression g, an integer-typed
// subexpression x that g is an injective function of through casts to
// numeric or text, and additions and multiplications by non-zero
// constants: floor(extract(epoch from ts) / 300) * 300 once epochBucket
// has rewritten it. Grouping by x instead of g forms the same groups, so
// the aggregation groups by the integer and g is computed once per group
// afterwards. It returns nil when g is not such a function.
func liftGroupKey(g *scalar) *scalar {
	if g.kind != kindCall {
		return nil
	}
	switch g.op {
	case "cast":
		if len(g.args) == 1 && g.args[0].typ.IsInteger() && (g.typ == coldata.Numeric || g.typ == coldata.Text) {
			if x := liftGroupKey(g.args[0]); x != nil {
				return x
			}
			return g.args[0]
		}
	case "+", "-", "*":
		if len(g.args) != 2 {
			return nil
		}
		for k, other := range []*scalar{g.args[1], g.args[0]} {
			if !isConstant(other) || (g.op == "*" && !nonZeroConstant(other)) {
				continue
			}
			if g.typ != coldata.Numeric && !g.typ.IsInteger() {
				return nil // float arithmetic can merge values
			}
			if x := liftGroupKey(g.args[k]); x != nil {
				return x
			}
		}
	}
	return nil
}

func isConstant(s *scalar) bool {
	for s.kind == kindCall && s.op == "cast" && len(s.args) == 1 {
		s = s.args[0]
	}
	return s.kind == kindConst && !s.datum.Null && s.param == 0
}

func nonZeroConstant(s *scalar) bool {
	for s.kind == kindCall && s.op == "cast" && len(s.args) == 1 {
		s = s.args[0]
	}
	switch t := coldata.Type(s.datum.Type); {
	case t.IsInteger():
		return s.datum.GetI() != 0
	case t == coldata.Numeric:
		return strings.Trim(s.datum.GetS(), "-+0.") != ""
	}
	return false
}

// replaceSub returns a copy of s with the subexpression old (by identity)
// replaced by repl.
func replaceSub(s, old, repl *scalar) *scalar {
	if s == old {
		return repl
	}
	if s.kind != kindCall {
		return s
	}
	c := *s
	c.args = make([]*scalar, len(s.args))
	for i, a := range s.args {
		c.args[i] = replaceSub(a, old, repl)
	}
	return &c
}
