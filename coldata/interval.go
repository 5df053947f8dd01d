package coldata

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"time"
)

// IntervalValue is PostgreSQL's interval: months, days and microseconds, kept
// apart because a month and a day have no fixed length until they are
// added to a timestamp in a time zone. A Vec of type Interval holds each
// value as 16 bytes in Bytes: months and days as little-endian int32,
// then µs as little-endian int64.
type IntervalValue struct {
	Months, Days int32
	Micros       int64
}

const intervalSize = 16

// AppendInterval appends iv to v, of type Interval.
func (v *Vec) AppendInterval(iv IntervalValue) {
	var b [intervalSize]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(iv.Months))
	binary.LittleEndian.PutUint32(b[4:], uint32(iv.Days))
	binary.LittleEndian.PutUint64(b[8:], uint64(iv.Micros))
	v.Bytes.Append(b[:])
}

// IntervalAt returns row i of v, of type Interval (zero for a NULL or a
// malformed value).
func (v *Vec) IntervalAt(i int) IntervalValue { return DecodeInterval(v.Bytes.Get(i)) }

// DecodeInterval reads an interval's 16 bytes.
func DecodeInterval(b []byte) IntervalValue {
	if len(b) != intervalSize {
		return IntervalValue{}
	}
	return IntervalValue{Months: int32(binary.LittleEndian.Uint32(b[0:])), Days: int32(binary.LittleEndian.Uint32(b[4:])),
		Micros: int64(binary.LittleEndian.Uint64(b[8:]))}
}

const (
	usPerDay      = 86400 * 1000000
	daysPerMonth  = 30
	usPerHour     = 3600 * 1000000
	usPerMinute   = 60 * 1000000
	usPerSecond   = 1000000
	monthsPerYear = 12
)

// Span returns the interval as PostgreSQL orders and groups intervals: a
// month counted as 30 days and a day as 24 hours, in µs, as a 128-bit
// integer (hi, lo). '1 mon' and '30 days' are equal under it.
func (iv IntervalValue) Span() (hi int64, lo uint64) {
	// days*usPerDay fits in int64; months*30*usPerDay does too (|months|
	// < 2^31, 30*usPerDay < 2^42, so < 2^73: it does not). Do it in
	// 128 bits.
	add := func(hi int64, lo uint64, x int64) (int64, uint64) {
		xhi := int64(0)
		if x < 0 {
			xhi = -1
		}
		l, c := bits.Add64(lo, uint64(x), 0)
		return hi + xhi + int64(c), l
	}
	mul := func(a, b int64) (int64, uint64) {
		neg := (a < 0) != (b < 0)
		ua, ub := uint64(a), uint64(b)
		if a < 0 {
			ua = uint64(-a)
		}
		if b < 0 {
			ub = uint64(-b)
		}
		h, l := bits.Mul64(ua, ub)
		if neg {
			l = ^l + 1
			h = ^h
			if l == 0 {
				h++
			}
		}
		return int64(h), l
	}
	hi, lo = mul(int64(iv.Months), daysPerMonth*usPerDay)
	hi, lo = add(hi, lo, int64(iv.Days)*usPerDay)
	return add(hi, lo, iv.Micros)
}

// CompareIntervals orders two intervals by Span.
func CompareIntervals(a, b IntervalValue) int {
	ah, al := a.Span()
	bh, bl := b.Span()
	switch {
	case ah < bh:
		return -1
	case ah > bh:
		return 1
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}

// AppendIntervalKey appends a key under which equal intervals (by Span)
// are equal bytes.
func AppendIntervalKey(b []byte, iv IntervalValue) []byte {
	hi, lo := iv.Span()
	b = binary.BigEndian.AppendUint64(b, uint64(hi))
	return binary.BigEndian.AppendUint64(b, lo)
}

// AppendIntervalText appends iv as PostgreSQL prints it with IntervalStyle
// postgres: "1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00",
// "00:00:00" for zero.
func AppendIntervalText(b []byte, iv IntervalValue) []byte {
	year, mon := iv.Months/monthsPerYear, iv.Months%monthsPerYear
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			b = append(b, ' ')
		}
		if isBefore && v > 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
		b = append(b, unit...)
		if v != 1 {
			b = append(b, 's')
		}
		isBefore, isZero = v < 0, false
	}
	part(int64(year), "year")
	part(int64(mon), "mon")
	part(int64(iv.Days), "day")
	t := iv.Micros
	hour := t / usPerHour
	t -= hour * usPerHour
	minute := t / usPerMinute
	t -= minute * usPerMinute
	sec := t / usPerSecond
	fsec := t - sec*usPerSecond
	if isZero || hour != 0 || minute != 0 || sec != 0 || fsec != 0 {
		minus := hour < 0 || minute < 0 || sec < 0 || fsec < 0
		if !isZero {
			b = append(b, ' ')
		}
		switch {
		case minus:
			b = append(b, '-')
		case isBefore:
			b = append(b, '+')
		}
		abs := func(x int64) int64 {
			if x < 0 {
				return -x
			}
			return x
		}
		b = appendPadded64(b, abs(hour), 2)
		b = append(b, ':')
		b = appendPadded64(b, abs(minute), 2)
		b = append(b, ':')
		b = appendPadded64(b, abs(sec), 2)
		if f := abs(fsec); f != 0 {
			width := 6
			for f%10 == 0 {
				f /= 10
				width--
			}
			b = append(b, '.')
			b = appendPadded64(b, f, width)
		}
	}
	return b
}

func appendPadded64(b []byte, v int64, width int) []byte {
	s := strconv.AppendInt(nil, v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// AppendDate appends a date (days since 1970-01-01) as PostgreSQL prints
// it with DateStyle ISO: 2026-11-01, 0044-03-15 BC; infinity and
// -infinity at the extremes.
func AppendDate(b []byte, days int64) []byte {
	switch days {
	case math.MaxInt64, math.MaxInt32:
		return append(b, "infinity"...)
	case math.MinInt64, math.MinInt32:
		return append(b, "-infinity"...)
	}
	t := time.Unix(days*86400, 0).UTC()
	year, month, day := t.Date()
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	b = appendPadded(b, year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(month), 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	if bc {
		b = append(b, " BC"...)
	}
	return b
}

// AppendTimestamp appends a timestamp without time zone (wall-clock µs
// since 1970-01-01) as PostgreSQL prints it: 2026-11-01 06:00:00.5.
func AppendTimestamp(b []byte, us int64) []byte {
	switch us {
	case math.MaxInt64:
		return append(b, "infinity"...)
	case math.MinInt64:
		return append(b, "-infinity"...)
	}
	// The UTC rendering of a timestamptz has exactly the wall-clock
	// fields; drop its "+00".
	b = AppendTimestamptz(b, us, time.UTC)
	if n := len(b); n >= 3 && string(b[n-3:]) == "+00" {
		return b[:n-3]
	}
	// "… BC": the offset sits before the era.
	if n := len(b); n >= 6 && string(b[n-6:]) == "+00 BC" {
		return append(b[:n-6], " BC"...)
	}
	return b
}

// FloorDiv returns ⌊a/b⌋ for b > 0.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// IntervalDatum is the text an interval constant travels as in a plan:
// "months days µs".
func IntervalDatum(iv IntervalValue) string {
	b := strconv.AppendInt(nil, int64(iv.Months), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(iv.Days), 10)
	b = append(b, ' ')
	return string(strconv.AppendInt(b, iv.Micros, 10))
}

// ParseIntervalDatum reads IntervalDatum's text.
func ParseIntervalDatum(s string) (IntervalValue, bool) {
	var f [3]int64
	for i := range f {
		j := 0
		for j < len(s) && s[j] != ' ' {
			j++
		}
		x, err := strconv.ParseInt(s[:j], 10, 64)
		if err != nil || (i < 2 && (x < math.MinInt32 || x > math.MaxInt32)) {
			return IntervalValue{}, false
		}
		f[i] = x
		if i < 2 {
			if j >= len(s) {
				return IntervalValue{}, false
			}
			s = s[j+1:]
		} else if j != len(s) {
			return IntervalValue{}, false
		}
	}
	return IntervalValue{Months: int32(f[0]), Days: int32(f[1]), Micros: f[2]}, true
}

// FormatScaledInt renders u / 10^scale with exactly scale decimals:
// (-1500, 3) is "-1.500".
func FormatScaledInt(u int64, scale int) string {
	neg := u < 0
	digits := strconv.FormatUint(uint64(u), 10)
	if neg {
		digits = strconv.FormatUint(uint64(-u), 10) // -MinInt64 wraps to 2^63, as wanted
	}
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}
