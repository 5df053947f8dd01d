package exec

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// jsonb operators: -> and ->> by key or array index, and ? for a key.
// jsonb values are kept as their canonical text (what PostgreSQL prints),
// so the text of a member is already that member's canonical text; these
// functions find it without decoding the document.

func compileJSONFunc(e *funcExpr) error {
	byIndex := e.args[1].Type().IsInteger()
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		if e.name == "jsonb_exists" {
			e.out.Bool = resizeBools(e.out.Bool, n)
		}
		for i := range n {
			if e.null(i) {
				if e.name == "jsonb_exists" {
					e.out.Bool[i] = false
				} else {
					e.out.Bytes.Append(nil)
				}
				continue
			}
			doc := in[0].Bytes.Get(i)
			var (
				v     []byte
				found bool
				err   error
			)
			switch {
			case e.name == "jsonb_exists":
				found, err = jsonHasKey(doc, in[1].Bytes.Get(i))
				if err != nil {
					return err
				}
				e.out.Bool[i] = found
				continue
			case byIndex:
				v, found, err = jsonIndex(doc, in[1].Int64[i])
			default:
				v, found, err = jsonMember(doc, in[1].Bytes.Get(i))
			}
			if err != nil {
				return err
			}
			if !found || (e.name == "jsonb_get_text" && string(v) == "null") {
				e.out.Bytes.Append(nil)
				e.setNull(i)
				continue
			}
			if e.name == "jsonb_get_text" && len(v) > 0 && v[0] == '"' {
				s, err := unquoteJSON(v)
				if err != nil {
					return err
				}
				e.out.Bytes.Append(s)
				continue
			}
			e.out.Bytes.Append(v)
		}
		return nil
	}
	return nil
}

var errJSON = sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type json")

func skipSpace(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at i.
func skipValue(s []byte, i int) (int, error) {
	if i >= len(s) {
		return 0, errJSON
	}
	switch s[i] {
	case '"':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errJSON
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				end, err := skipValue(s, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errJSON
	}
	j := i
	for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' {
		j++
	}
	if j == i {
		return 0, errJSON
	}
	return j, nil
}

// jsonMember returns the value of key in a JSON object (not found for
// other values).
func jsonMember(doc, key []byte) ([]byte, bool, error) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return nil, false, nil
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return nil, false, nil
	}
	for i < len(doc) {
		end, err := skipValue(doc, i)
		if err != nil || doc[i] != '"' {
			return nil, false, errJSON
		}
		k := doc[i:end]
		i = skipSpace(doc, end)
		if i >= len(doc) || doc[i] != ':' {
			return nil, false, errJSON
		}
		i = skipSpace(doc, i+1)
		vend, err := skipValue(doc, i)
		if err != nil {
			return nil, false, err
		}
		if keyEquals(k, key) {
			return doc[i:vend], true, nil
		}
		i = skipSpace(doc, vend)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
			continue
		}
		break
	}
	return nil, false, nil
}

// keyEquals compares a quoted JSON key with a raw key.
func keyEquals(quoted, key []byte) bool {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return bytes.Equal(inner, key)
	}
	s, err := unquoteJSON(quoted)
	return err == nil && bytes.Equal(s, key)
}

// jsonIndex returns element k of a JSON array (negative from the end).
func jsonIndex(doc []byte, k int64) ([]byte, bool, error) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return nil, false, nil
	}
	var elems [][]byte
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == ']' {
		return nil, false, nil
	}
	for i < len(doc) {
		end, err := skipValue(doc, i)
		if err != nil {
			return nil, false, err
		}
		elems = append(elems, doc[i:end])
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
			continue
		}
		break
	}
	if k < 0 {
		k += int64(len(elems))
	}
	if k < 0 || k >= int64(len(elems)) {
		return nil, false, nil
	}
	return elems[k], true, nil
}

// jsonHasKey is jsonb ? key: a top-level key of an object, a string
// element of an array, or the string itself.
func jsonHasKey(doc, key []byte) (bool, error) {
	i := skipSpace(doc, 0)
	if i >= len(doc) {
		return false, errJSON
	}
	switch doc[i] {
	case '{':
		_, found, err := jsonMember(doc, key)
		return found, err
	case '[':
		for k := int64(0); ; k++ {
			v, found, err := jsonIndex(doc, k)
			if err != nil || !found {
				return false, err
			}
			if len(v) > 0 && v[0] == '"' && keyEquals(v, key) {
				return true, nil
			}
		}
	case '"':
		end, err := skipValue(doc, i)
		if err != nil {
			return false, err
		}
		return keyEquals(doc[i:end], key), nil
	}
	return false, nil
}

// unquoteJSON decodes a JSON string literal.
func unquoteJSON(q []byte) ([]byte, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return nil, errJSON
	}
	s := q[1 : len(q)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, errJSON
		}
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := hex4(s, i+1)
			if err != nil {
				return nil, err
			}
			i += 4
			// A surrogate pair is two escapes: \uD83D\uDE00.
			if utf16.IsSurrogate(r) && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				r2, err := hex4(s, i+3)
				if err == nil {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, errJSON
		}
	}
	return out, nil
}

func hex4(s []byte, i int) (rune, error) {
	if i+4 > len(s) {
		return 0, errJSON
	}
	x, err := strconv.ParseUint(string(s[i:i+4]), 16, 32)
	if err != nil {
		return 0, errors.Join(errJSON, err)
	}
	return rune(x), nil
}
