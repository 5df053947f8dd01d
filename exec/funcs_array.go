package exec

import (
	"bytes"
	"slices"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// text[] functions: = ANY, array_length, cardinality, array_to_string,
// string_to_array. armorlake's arrays are one-dimensional text arrays
// without NULL elements (KubeArmor's ATags).

func compileArrayFunc(e *funcExpr) error {
	switch e.name {
	case "array":
		// Not strict: a NULL element would be an element, which text[]
		// here cannot hold.
		e.strict = false
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Arr = append(e.out.Arr[:0], 0)
			for i := range n {
				for _, v := range in {
					if v.IsNull(i) {
						return sqlerr.New(sqlerr.FeatureNotSupported, "arrays with NULL elements are not supported yet")
					}
					e.out.Bytes.Append(v.Bytes.Get(i))
				}
				e.out.Arr = append(e.out.Arr, int32(e.out.Bytes.Len()))
			}
			return nil
		}
		return nil
	case "any_eq":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Bool = resizeBools(e.out.Bool, n)
			for i := range n {
				e.out.Bool[i] = false
				if e.null(i) {
					continue
				}
				x, arr := in[0].Bytes.Get(i), in[1]
				for j := range arr.ArrayLen(i) {
					if bytes.Equal(arr.ArrayElem(i, j), x) {
						e.out.Bool[i] = true
						break
					}
				}
			}
			return nil
		}
	case "array_elem":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			for i := range n {
				if !e.null(i) {
					if k := in[1].Int64[i]; k >= 1 && k <= int64(in[0].ArrayLen(i)) {
						e.out.Bytes.Append(in[0].ArrayElem(i, int(k-1)))
						continue
					}
					e.setNull(i)
				}
				e.out.Bytes.Append(nil)
			}
			return nil
		}
	case "array_length", "cardinality":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Int64 = slices.Grow(e.out.Int64[:0], n)[:n]
			for i := range n {
				e.out.Int64[i] = 0
				if e.null(i) {
					continue
				}
				k := in[0].ArrayLen(i)
				// array_length of an empty array, or of a dimension
				// other than the first, is NULL; cardinality counts.
				if e.name == "array_length" && (k == 0 || in[1].Int64[i] != 1) {
					e.setNull(i)
					continue
				}
				e.out.Int64[i] = int64(k)
			}
			return nil
		}
	case "array_to_string":
		e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
			arr, sep := in[0], in[1].Bytes.Get(i)
			for j := range arr.ArrayLen(i) {
				if j > 0 {
					dst = append(dst, sep...)
				}
				dst = append(dst, arr.ArrayElem(i, j)...)
			}
			return dst, nil
		})
	case "string_to_array":
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Arr = append(e.out.Arr[:0], 0)
			for i := range n {
				if !e.null(i) {
					s, sep := in[0].Bytes.Get(i), in[1].Bytes.Get(i)
					switch {
					case len(s) == 0:
					case len(sep) == 0:
						e.out.Bytes.Append(s)
					default:
						for _, part := range bytes.Split(s, sep) {
							e.out.Bytes.Append(part)
						}
					}
				}
				e.out.Arr = append(e.out.Arr, int32(e.out.Bytes.Len()))
			}
			return nil
		}
	}
	return nil
}
