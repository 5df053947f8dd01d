package storage

import "bytes"

// A partition's rollup is its blocks' summaries combined: per column, the
// NULLs, the range of an integer or timestamp column, and the values or
// bounds of a text-like one. Scans use it to skip a whole partition
// before reading any of its metadata. It is kept in memory, rebuilt from
// the block metadata at Open and extended by every Append before its
// batch is applied, so that it always covers at least what a scan's
// snapshot can see: it may only claim more values than there are, which
// costs a skip, never a row.

// maxRollupValues bounds the distinct values a rollup lists per column.
const maxRollupValues = 64

type partRollup struct {
	rows int64
	cols []colRollup
}

type colRollup struct {
	nulls int64
	// Integer and timestamp columns with a non-NULL value.
	hasRange bool
	min, max int64
	// Text-like columns: the values (owned), while every block with a
	// non-NULL value listed them and there are at most maxRollupValues;
	// the bounds, while every such block had them.
	valuesLost bool
	values     map[string]struct{}
	boundsLost bool
	hasBounds  bool
	low, high  []byte
}

// add rolls a block's metadata into r.
func (r *partRollup) add(m *blockMeta) {
	for len(r.cols) < len(m.cols) {
		// A column new to the partition: NULL in the rows before.
		r.cols = append(r.cols, colRollup{nulls: r.rows})
	}
	for c := range r.cols {
		cr := &r.cols[c]
		if c >= len(m.cols) {
			cr.nulls += int64(m.rows) // the block predates the column
			continue
		}
		cm := &m.cols[c]
		cr.nulls += int64(cm.nulls)
		if cm.nulls == m.rows {
			continue
		}
		if cm.hasMinMax(m.rows) {
			if !cr.hasRange {
				cr.hasRange, cr.min, cr.max = true, cm.min, cm.max
			} else {
				cr.min, cr.max = min(cr.min, cm.min), max(cr.max, cm.max)
			}
		}
		if !cm.typ.IsBytes() {
			continue
		}
		sm := &cm.summary
		switch {
		case sm.hasValues:
			for _, v := range sm.values {
				cr.addBounds(v, v)
				if !cr.valuesLost {
					if cr.values == nil {
						cr.values = make(map[string]struct{})
					}
					cr.values[string(v)] = struct{}{}
					if len(cr.values) > maxRollupValues {
						cr.valuesLost, cr.values = true, nil
					}
				}
			}
		case sm.hasBounds:
			cr.valuesLost, cr.values = true, nil
			cr.addBounds(sm.low, sm.high)
		default:
			cr.valuesLost, cr.values = true, nil
			cr.boundsLost, cr.low, cr.high = true, nil, nil
		}
	}
	r.rows += int64(m.rows)
}

func (cr *colRollup) addBounds(low, high []byte) {
	switch {
	case cr.boundsLost:
	case !cr.hasBounds:
		cr.hasBounds = true
		cr.low, cr.high = bytes.Clone(low), bytes.Clone(high)
	default:
		if bytes.Compare(low, cr.low) < 0 {
			cr.low = bytes.Clone(low)
		}
		if bytes.Compare(high, cr.high) > 0 {
			cr.high = bytes.Clone(high)
		}
	}
}

// excludes reports whether no row of the partition can pass every Match
// and Range.
func (r *partRollup) excludes(match []Match, ranges []IntRange) bool {
	allNull := func(col int) bool { return col >= len(r.cols) || r.cols[col].nulls == r.rows }
	for _, mt := range match {
		if allNull(mt.Col) {
			return true
		}
		cr := &r.cols[mt.Col]
		if !cr.valuesLost {
			found := false
			for _, v := range mt.Values {
				if _, ok := cr.values[string(v)]; ok {
					found = true
					break
				}
			}
			if !found {
				return true
			}
		}
		if cr.hasBounds && !cr.boundsLost {
			inside := false
			for _, v := range mt.Values {
				if bytes.Compare(v, cr.low) >= 0 && bytes.Compare(v, cr.high) <= 0 {
					inside = true
					break
				}
			}
			if !inside {
				return true
			}
		}
	}
	for _, rg := range ranges {
		if rg.Min > rg.Max || allNull(rg.Col) {
			return true
		}
		if cr := &r.cols[rg.Col]; cr.hasRange && (cr.max < rg.Min || cr.min > rg.Max) {
			return true
		}
	}
	return false
}
