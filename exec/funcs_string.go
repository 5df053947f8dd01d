package exec

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// compileStringFunc sets the kernel of a string function. Lengths and
// positions count characters, as PostgreSQL's do in a UTF-8 database.
func compileStringFunc(e *funcExpr) error {
	switch e.name {
	case "lower", "upper":
		// Case maps ASCII letters only, as PostgreSQL does under the C
		// locale, whose byte-wise collation armorlake's comparisons
		// follow too.
		upper := e.name == "upper"
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			for _, c := range in[0].Bytes.Get(i) {
				if upper && 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				} else if !upper && 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = append(dst, c)
			}
			return dst, nil
		})
	case "length", "char_length", "character_length":
		e.kernel = intKernel(func(in []*coldata.Vec, i int) (int64, error) {
			return int64(utf8.RuneCount(in[0].Bytes.Get(i))), nil
		})
	case "octet_length":
		e.kernel = intKernel(func(in []*coldata.Vec, i int) (int64, error) {
			return int64(len(in[0].Bytes.Get(i))), nil
		})
	case "btrim", "ltrim", "rtrim":
		left, right := e.name != "rtrim", e.name != "ltrim"
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, set := in[0].Bytes.Get(i), " "
			if len(in) == 2 {
				set = string(in[1].Bytes.Get(i))
			}
			if left {
				s = bytes.TrimLeft(s, set)
			}
			if right {
				s = bytes.TrimRight(s, set)
			}
			return append(dst, s...), nil
		})
	case "substring", "substr":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, start := in[0].Bytes.Get(i), in[1].Int64[i]
			count := int64(-1)
			if len(in) == 3 {
				count = in[2].Int64[i]
				if count < 0 {
					return nil, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
				}
				// Characters before the first count against the length.
				if start < 1 {
					count += start - 1
					if count < 0 {
						count = 0
					}
				}
			}
			return append(dst, runeSlice(s, clampInt(max(start-1, 0)), clampInt(count))...), nil
		})
	case "left", "right":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, k := in[0].Bytes.Get(i), clampInt(in[1].Int64[i])
			chars := utf8.RuneCount(s)
			if k < 0 {
				k = max(chars+k, 0)
			}
			k = min(k, chars)
			if e.name == "left" {
				return append(dst, runeSlice(s, 0, k)...), nil
			}
			return append(dst, runeSlice(s, chars-k, -1)...), nil
		})
	case "repeat":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, k := in[0].Bytes.Get(i), in[1].Int64[i]
			if k > 0 && int64(len(s))*k > 1<<28 {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
			}
			for ; k > 0; k-- {
				dst = append(dst, s...)
			}
			return dst, nil
		})
	case "replace":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, from, to := in[0].Bytes.Get(i), in[1].Bytes.Get(i), in[2].Bytes.Get(i)
			if len(from) == 0 {
				return append(dst, s...), nil
			}
			for {
				k := bytes.Index(s, from)
				if k < 0 {
					return append(dst, s...), nil
				}
				dst = append(append(dst, s[:k]...), to...)
				s = s[k+len(from):]
			}
		})
	case "split_part":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s, sep, k := in[0].Bytes.Get(i), in[1].Bytes.Get(i), in[2].Int64[i]
			if k == 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
			}
			var parts [][]byte
			if len(sep) == 0 {
				parts = [][]byte{s}
			} else {
				parts = bytes.Split(s, sep)
			}
			if len(s) == 0 {
				parts = nil
			}
			if k < 0 {
				k += int64(len(parts)) + 1
			}
			if k < 1 || k > int64(len(parts)) {
				return dst, nil
			}
			return append(dst, parts[k-1]...), nil
		})
	case "strpos":
		e.kernel = intKernel(func(in []*coldata.Vec, i int) (int64, error) {
			s, sub := in[0].Bytes.Get(i), in[1].Bytes.Get(i)
			k := bytes.Index(s, sub)
			if k < 0 {
				return 0, nil
			}
			return int64(utf8.RuneCount(s[:k]) + 1), nil
		})
	case "starts_with":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Bool = resizeBools(e.out.Bool, n)
			for i := range n {
				e.out.Bool[i] = !e.null(i) && bytes.HasPrefix(in[0].Bytes.Get(i), in[1].Bytes.Get(i))
			}
			return nil
		}
	case "reverse":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			s := in[0].Bytes.Get(i)
			for len(s) > 0 {
				r, w := utf8.DecodeLastRune(s)
				dst = utf8.AppendRune(dst, r)
				s = s[:len(s)-w]
			}
			return dst, nil
		})
	case "initcap":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			word := false
			for _, c := range in[0].Bytes.Get(i) {
				lowerC, upperC := c, c
				if 'A' <= c && c <= 'Z' {
					lowerC = c + 'a' - 'A'
				}
				if 'a' <= c && c <= 'z' {
					upperC = c - ('a' - 'A')
				}
				if word {
					dst = append(dst, lowerC)
				} else {
					dst = append(dst, upperC)
				}
				word = ('a' <= lowerC && lowerC <= 'z') || ('0' <= c && c <= '9') || c >= utf8.RuneSelf
			}
			return dst, nil
		})
	case "md5":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			sum := md5.Sum(in[0].Bytes.Get(i))
			return hex.AppendEncode(dst, sum[:]), nil
		})
	case "||":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			dst = coldata.AppendText(dst, in[0], i, time.UTC)
			return coldata.AppendText(dst, in[1], i, time.UTC), nil
		})
	case "concat":
		// NULL arguments are skipped, not propagated.
		e.strict = false
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			for i := range n {
				e.buf = e.buf[:0]
				for _, v := range in {
					if !v.IsNull(i) {
						e.buf = coldata.AppendText(e.buf, v, i, time.UTC)
					}
				}
				e.out.Bytes.Append(e.buf)
			}
			return nil
		}
	}
	return nil
}
