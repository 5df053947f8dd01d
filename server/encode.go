package server

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/sqlerr"
)

// Wire format codes of Bind and RowDescription.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// pgEpochMicros is 2000-01-01 00:00:00 UTC, PostgreSQL's timestamp epoch,
// in µs since the Unix epoch.
const pgEpochMicros = 946_684_800_000_000

// OIDs of element types in binary arrays.
const oidText = 25

// rowEncoder turns a batch into the column values of DataRow messages.
//
// It works column by column: one type switch per column per batch, then a
// tight typed loop appending every row's value to that column's arena.
// writer.dataRow then interleaves the arenas into rows. Text, and Jsonb in
// text format, need no conversion and are not copied: the column views the
// batch's own arena, which stays valid because the portal asks its operator
// for the next batch only after every row of this one has been sent.
//
// A rowEncoder is reused batch after batch, so that steady-state encoding
// allocates nothing.
type rowEncoder struct {
	cols []encodedColumn
	rows int
}

// encodedColumn is one encoded column: value i is data[offs[i]:offs[i+1]],
// NULL where nulls says so.
type encodedColumn struct {
	data  []byte
	offs  []int32
	nulls coldata.Nulls

	// Owned storage behind data and offs, unless they view the batch.
	buf     []byte
	bufOffs []int32
}

// encode encodes b, whose columns must be typed as cols, in the given
// per-column formats.
func (e *rowEncoder) encode(b *coldata.Batch, cols []planner.Column, formats []int16, loc *time.Location) error {
	if len(b.Vecs) != len(cols) {
		return sqlerr.New(sqlerr.InternalError, "batch has %d columns, statement declared %d", len(b.Vecs), len(cols))
	}
	if cap(e.cols) < len(cols) {
		e.cols = make([]encodedColumn, len(cols))
	}
	e.cols = e.cols[:len(cols)]
	e.rows = b.Len
	for i, v := range b.Vecs {
		if v.Type != cols[i].Type {
			return sqlerr.New(sqlerr.InternalError, "column %d is %s, statement declared %s", i+1, v.Type, cols[i].Type)
		}
		if v.Len() < b.Len {
			return sqlerr.New(sqlerr.InternalError, "column %d has %d rows, batch %d", i+1, v.Len(), b.Len)
		}
		c := &e.cols[i]
		c.nulls = v.Nulls
		var err error
		if formats[i] == binaryFormat {
			err = c.encodeBinary(v, b.Len)
		} else {
			err = c.encodeText(v, b.Len, loc)
		}
		if err != nil {
			return fmt.Errorf("encode column %d (%s): %w", i+1, cols[i].Name, err)
		}
	}
	return nil
}

// view points the column at a Bytes arena without copying.
func (c *encodedColumn) view(b *coldata.Bytes, n int) {
	c.data = b.Data
	c.offs = b.Offs[:n+1]
}

func (c *encodedColumn) encodeText(v *coldata.Vec, n int, loc *time.Location) error {
	if v.Type == coldata.Text || v.Type == coldata.Numeric || v.Type == coldata.Jsonb {
		c.view(&v.Bytes, n)
		return nil
	}
	if !v.Type.Valid() {
		return sqlerr.New(sqlerr.FeatureNotSupported, "no text output for type %s", v.Type)
	}
	d, offs := coldata.AppendTextColumn(c.buf[:0], append(c.bufOffs[:0], 0), v, n, loc)
	c.buf, c.bufOffs = d, offs
	c.data, c.offs = d, offs
	return nil
}

func (c *encodedColumn) encodeBinary(v *coldata.Vec, n int) error {
	if v.Type == coldata.Text {
		c.view(&v.Bytes, n)
		return nil
	}
	d, offs := c.buf[:0], append(c.bufOffs[:0], 0)
	switch v.Type {
	case coldata.Bool:
		for _, x := range v.Bool[:n] {
			if x {
				d = append(d, 1)
			} else {
				d = append(d, 0)
			}
			offs = append(offs, int32(len(d)))
		}
	case coldata.Int16:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint16(d, uint16(x))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Int32:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint32(d, uint32(x))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Int64:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint64(d, uint64(x))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Float32:
		for _, x := range v.Float64[:n] {
			d = binary.BigEndian.AppendUint32(d, math.Float32bits(float32(x)))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Float64:
		for _, x := range v.Float64[:n] {
			d = binary.BigEndian.AppendUint64(d, math.Float64bits(x))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Timestamptz:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint64(d, uint64(timestamptzToPG(x)))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Timestamp:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint64(d, uint64(timestamptzToPG(x)))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Date:
		for _, x := range v.Int64[:n] {
			d = binary.BigEndian.AppendUint32(d, uint32(dateToPG(x)))
			offs = append(offs, int32(len(d)))
		}
	case coldata.Interval:
		// int64 µs, int32 days, int32 months.
		for i := range n {
			if !v.Nulls.Get(i) {
				iv := v.IntervalAt(i)
				d = binary.BigEndian.AppendUint64(d, uint64(iv.Micros))
				d = binary.BigEndian.AppendUint32(d, uint32(iv.Days))
				d = binary.BigEndian.AppendUint32(d, uint32(iv.Months))
			}
			offs = append(offs, int32(len(d)))
		}
	case coldata.Jsonb:
		for i := range n {
			if !v.Nulls.Get(i) {
				d = append(d, 1) // jsonb binary format version
				d = append(d, v.Bytes.Get(i)...)
			}
			offs = append(offs, int32(len(d)))
		}
	case coldata.Numeric:
		for i := range n {
			if !v.Nulls.Get(i) {
				var err error
				if d, err = appendNumericBinary(d, v.Bytes.Get(i)); err != nil {
					return err
				}
			}
			offs = append(offs, int32(len(d)))
		}
	case coldata.TextArray:
		for i := range n {
			if !v.Nulls.Get(i) {
				d = appendTextArrayBinary(d, v, i)
			}
			offs = append(offs, int32(len(d)))
		}
	default:
		return sqlerr.New(sqlerr.FeatureNotSupported, "no binary output for type %s", v.Type)
	}
	c.buf, c.bufOffs = d, offs
	c.data, c.offs = d, offs
	return nil
}

// timestamptzToPG converts µs since the Unix epoch to µs since 2000-01-01,
// keeping the infinities (the extreme int64 values) infinite.
func timestamptzToPG(us int64) int64 {
	switch {
	case us == math.MaxInt64 || us > math.MaxInt64-pgEpochMicros:
		return math.MaxInt64
	case us == math.MinInt64 || us < math.MinInt64+pgEpochMicros:
		return math.MinInt64
	}
	return us - pgEpochMicros
}

// pgEpochDays is 2000-01-01, PostgreSQL's date epoch, in days since
// 1970-01-01.
const pgEpochDays = 10957

// dateToPG converts days since the Unix epoch to PostgreSQL's binary date,
// days since 2000-01-01 as int32, the infinities at the int32 extremes.
func dateToPG(days int64) int32 {
	switch {
	case days >= math.MaxInt32+pgEpochDays:
		return math.MaxInt32
	case days <= math.MinInt32+pgEpochDays:
		return math.MinInt32
	}
	return int32(days - pgEpochDays)
}

// dateFromPG is the inverse of dateToPG.
func dateFromPG(pg int32) int64 {
	switch pg {
	case math.MaxInt32:
		return math.MaxInt64
	case math.MinInt32:
		return math.MinInt64
	}
	return int64(pg) + pgEpochDays
}

// timestamptzFromPG is the inverse of timestamptzToPG.
func timestamptzFromPG(pg int64) int64 {
	switch {
	case pg == math.MaxInt64 || pg > math.MaxInt64-pgEpochMicros:
		return math.MaxInt64
	case pg == math.MinInt64:
		return math.MinInt64
	}
	return pg + pgEpochMicros
}

// appendTextArrayBinary appends row i of the text[] vector v in
// PostgreSQL's binary array format:
//
//	int32 ndim (1, or 0 when empty) | int32 flags (0: no NULLs) | uint32 element OID (25)
//	per dimension: int32 length | int32 lower bound (1)
//	per element:   int32 length | bytes
func appendTextArrayBinary(b []byte, v *coldata.Vec, i int) []byte {
	n := v.ArrayLen(i)
	ndim := uint32(1)
	if n == 0 {
		ndim = 0
	}
	b = binary.BigEndian.AppendUint32(b, ndim)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, oidText)
	if n == 0 {
		return b
	}
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint32(b, 1)
	for j := range n {
		e := v.ArrayElem(i, j)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

// Sign words of the binary numeric format.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000

	numericMaxDScale = 0x3FFF
)

// appendNumericBinary converts a decimal string ("-12.50", "NaN",
// "Infinity") to PostgreSQL's binary numeric format:
//
//	int16 ndigits | int16 weight | uint16 sign | int16 dscale | ndigits × int16 base-10000 digit
//
// The value is Σ digit[i] × 10000^(weight-i); dscale is the number of
// decimal digits after the point. Leading and trailing zero base-10000
// digits are not sent; zero has no digits and weight 0.
func appendNumericBinary(b, s []byte) ([]byte, error) {
	bad := func() ([]byte, error) {
		return b, sqlerr.New(sqlerr.DataCorrupted, "invalid numeric value %q", s)
	}
	switch string(s) {
	case "NaN":
		return appendNumericHeader(b, 0, 0, numericNaN, 0), nil
	case "Infinity":
		return appendNumericHeader(b, 0, 0, numericPInf, 0), nil
	case "-Infinity":
		return appendNumericHeader(b, 0, 0, numericNInf, 0), nil
	}
	sign := uint16(numericPos)
	switch {
	case len(s) > 0 && s[0] == '-':
		sign = numericNeg
		s = s[1:]
	case len(s) > 0 && s[0] == '+':
		s = s[1:]
	}
	intPart, frac := s, []byte(nil)
	for i, c := range s {
		if c == '.' {
			intPart, frac = s[:i], s[i+1:]
			break
		}
	}
	if len(intPart)+len(frac) == 0 || !allDigits(intPart) || !allDigits(frac) || len(frac) > numericMaxDScale {
		return bad()
	}
	for len(intPart) > 0 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	// Lay the digits out on base-10000 boundaries: pad the integer part
	// on the left and the fraction on the right to multiples of 4.
	lpad := (4 - len(intPart)%4) % 4
	rpad := (4 - len(frac)%4) % 4
	total := lpad + len(intPart) + len(frac) + rpad
	weight := (lpad+len(intPart))/4 - 1
	digitAt := func(k int) int {
		switch {
		case k < lpad:
			return 0
		case k < lpad+len(intPart):
			return int(intPart[k-lpad] - '0')
		case k < lpad+len(intPart)+len(frac):
			return int(frac[k-lpad-len(intPart)] - '0')
		}
		return 0
	}
	group := func(g int) int {
		k := g * 4
		return digitAt(k)*1000 + digitAt(k+1)*100 + digitAt(k+2)*10 + digitAt(k+3)
	}
	first, last := 0, total/4
	for first < last && group(first) == 0 {
		first++
		weight--
	}
	for last > first && group(last-1) == 0 {
		last--
	}
	ndigits := last - first
	if ndigits == 0 {
		weight, sign = 0, numericPos
	}
	if weight > math.MaxInt16 || weight < math.MinInt16 {
		return bad()
	}
	b = appendNumericHeader(b, ndigits, weight, sign, len(frac))
	for g := first; g < last; g++ {
		b = binary.BigEndian.AppendUint16(b, uint16(group(g)))
	}
	return b, nil
}

func appendNumericHeader(b []byte, ndigits, weight int, sign uint16, dscale int) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(ndigits))
	b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
	b = binary.BigEndian.AppendUint16(b, sign)
	return binary.BigEndian.AppendUint16(b, uint16(dscale))
}

func allDigits(s []byte) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
