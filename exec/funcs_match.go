package exec

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// LIKE, ILIKE and the regular expression operators. A constant pattern is
// compiled once; a pattern that varies by row is compiled per distinct
// pattern, remembered for the batch.

// matcher tests one value.
type matcher interface{ match(s []byte) bool }

// likeSegments matches a LIKE pattern made of literal runs between %
// wildcards, the common shape ('/etc/%', '%shadow%'), without a regexp.
type likeSegments struct {
	parts          [][]byte
	anchoredStart  bool // no leading %
	anchoredEnd    bool // no trailing %
	caseInsensitve bool
}

func (m *likeSegments) match(s []byte) bool {
	parts := m.parts
	if m.anchoredStart {
		if !bytes.HasPrefix(s, parts[0]) {
			return false
		}
		s, parts = s[len(parts[0]):], parts[1:]
		if len(parts) == 0 {
			return !m.anchoredEnd || len(s) == 0
		}
	}
	if m.anchoredEnd {
		last := parts[len(parts)-1]
		if !bytes.HasSuffix(s, last) {
			return false
		}
		s, parts = s[:len(s)-len(last)], parts[:len(parts)-1]
	}
	for _, p := range parts {
		k := bytes.Index(s, p)
		if k < 0 {
			return false
		}
		s = s[k+len(p):]
	}
	return true
}

type regexpMatcher struct{ re *regexp.Regexp }

func (m regexpMatcher) match(s []byte) bool { return m.re.Match(s) }

// compileLike turns a LIKE pattern (escape character \) into a matcher.
func compileLike(pattern string, fold bool) (matcher, error) {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	if !strings.ContainsAny(pattern, "_\\") {
		segs := strings.Split(pattern, "%")
		m := &likeSegments{anchoredStart: segs[0] != "", anchoredEnd: segs[len(segs)-1] != ""}
		for _, s := range segs {
			if s != "" {
				m.parts = append(m.parts, []byte(s))
			}
		}
		if len(m.parts) == 0 {
			if !strings.Contains(pattern, "%") {
				m.parts = [][]byte{nil} // '' matches only ''
				m.anchoredStart, m.anchoredEnd = true, true
			}
		}
		return m, nil
	}
	var re strings.Builder
	re.WriteString(`(?s)^`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '%':
			re.WriteString(`.*`)
		case '_':
			re.WriteString(`.`)
		case '\\':
			if i+1 == len(pattern) {
				return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	re.WriteString(`$`)
	r, err := regexp.Compile(re.String())
	if err != nil {
		return nil, sqlerr.New(sqlerr.InternalError, "LIKE pattern %q: %v", pattern, err)
	}
	return regexpMatcher{r}, nil
}

// compileRegex compiles a POSIX regular expression as PostgreSQL's ~
// takes it; Go's RE2 syntax covers the common subset (no backreferences
// or lookaround, which fail as invalid).
func compileRegex(pattern string, fold bool) (matcher, error) {
	// PostgreSQL's . matches a newline unless asked not to.
	flags := "(?s)"
	if fold {
		flags = "(?si)"
	}
	pattern = flags + pattern
	r, err := regexp.Compile(pattern)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid regular expression: %v", err)
	}
	return regexpMatcher{r}, nil
}

func compileMatch(e *funcExpr) error {
	negate := strings.HasPrefix(e.name, "not_")
	base := strings.TrimPrefix(e.name, "not_")
	fold := base == "ilike" || base == "iregex"
	compile := compileLike
	if base == "regex" || base == "iregex" {
		compile = compileRegex
	}
	var fixed matcher
	if c := e.consts[1]; c != nil && !c.IsNull(0) {
		m, err := compile(c.Bytes.GetString(0), fold)
		if err != nil {
			return err
		}
		fixed = m
	}
	// ILIKE folds the value too; a case-insensitive regexp does not need to.
	foldValue := base == "ilike"
	cache := map[string]matcher{}
	var lower []byte
	e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
		e.out.Bool = resizeBools(e.out.Bool, n)
		for i := range n {
			if e.interrupted(i) {
				return errInterrupted
			}
			if e.null(i) {
				e.out.Bool[i] = false
				continue
			}
			m := fixed
			if m == nil {
				p := in[1].Bytes.GetString(i)
				if m = cache[p]; m == nil {
					var err error
					if m, err = compile(p, fold); err != nil {
						return err
					}
					if len(cache) > 1000 {
						clear(cache)
					}
					cache[p] = m
				}
			}
			s := in[0].Bytes.Get(i)
			if foldValue {
				lower = bytes.ToLower(s)
				s = lower
			}
			e.out.Bool[i] = m.match(s) != negate
		}
		return nil
	}
	return nil
}

// compileRegexpFunc sets the kernel of regexp_replace(source, pattern,
// replacement [, flags]) and regexp_match(string, pattern [, flags]).
// Flags: g (every match, regexp_replace only) and i (ignore case); the
// replacement's \1 … \9 name groups and \& the whole match. The pattern
// and flags must be constants.
func compileRegexpFunc(e *funcExpr) error {
	pattern, err := constText(e, 1, "pattern")
	if err != nil {
		return err
	}
	flags := ""
	if k := len(e.args) - 1; (e.name == "regexp_replace" && k == 3) || (e.name == "regexp_match" && k == 2) {
		if flags, err = constText(e, k, "flags"); err != nil {
			return err
		}
	}
	global, fold := false, false
	for _, f := range flags {
		switch f {
		case 'g':
			global = e.name == "regexp_replace"
			if !global {
				return sqlerr.New(sqlerr.InvalidParameterValue, "regexp_match() does not support the \"global\" option").
					WithHint("Use the regexp_matches function instead.")
			}
		case 'i':
			fold = true
		default:
			return sqlerr.New(sqlerr.InvalidParameterValue, "invalid regular expression option: %q", f)
		}
	}
	m, err := compileRegex(pattern, fold)
	if err != nil {
		return err
	}
	re := m.(regexpMatcher).re
	if e.name == "regexp_match" {
		e.kernel = func(e *funcExpr, in []*coldata.Vec, n int) error {
			e.out.Arr = append(e.out.Arr[:0], 0)
			for i := range n {
				if e.interrupted(i) {
					return errInterrupted
				}
				if !e.null(i) {
					sub := re.FindSubmatch(in[0].Bytes.Get(i))
					switch {
					case sub == nil:
						e.setNull(i)
					case len(sub) == 1:
						e.out.Bytes.Append(sub[0])
					default:
						for _, g := range sub[1:] {
							e.out.Bytes.Append(g)
						}
					}
				}
				e.out.Arr = append(e.out.Arr, int32(e.out.Bytes.Len()))
			}
			return nil
		}
		return nil
	}
	e.kernel = textKernel(func(_ *funcExpr, in []*coldata.Vec, i int, dst []byte) ([]byte, error) {
		src, repl := in[0].Bytes.Get(i), in[2].Bytes.Get(i)
		matches := re.FindAllSubmatchIndex(src, -1)
		if !global && len(matches) > 1 {
			matches = matches[:1]
		}
		last := 0
		for _, mt := range matches {
			dst = append(dst, src[last:mt[0]]...)
			dst = expandReplacement(dst, repl, src, mt)
			last = mt[1]
		}
		return append(dst, src[last:]...), nil
	})
	return nil
}

// expandReplacement appends a regexp_replace replacement: \1 … \9 are
// groups, \& the match, \\ a backslash.
func expandReplacement(dst, repl, src []byte, mt []int) []byte {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' || i+1 == len(repl) {
			dst = append(dst, c)
			continue
		}
		i++
		switch d := repl[i]; {
		case d >= '1' && d <= '9':
			if g := int(d - '0'); 2*g+1 < len(mt) && mt[2*g] >= 0 {
				dst = append(dst, src[mt[2*g]:mt[2*g+1]]...)
			}
		case d == '&':
			dst = append(dst, src[mt[0]:mt[1]]...)
		default:
			dst = append(dst, d)
		}
	}
	return dst
}

// SimilarToRegex translates a SQL SIMILAR TO pattern into the regular
// expression PostgreSQL's similar_to_escape produces, anchored at both
// ends: % is .*, _ is ., ( groups without capturing, the regex
// metacharacters \ . ^ $ are literal, | * + ? {m,n} [...] keep their
// meaning, and escape (one character, or none when empty) quotes the next
// one. The escape-double-quote separators of SUBSTRING … SIMILAR are not
// supported.
func SimilarToRegex(pattern, escape string) (string, error) {
	esc := []rune(escape)
	if len(esc) > 1 {
		return "", sqlerr.New("22025", "invalid escape string").WithHint("Escape string must be empty or one character.")
	}
	var b strings.Builder
	b.WriteString("^(?:")
	afterEscape, inClass, classPos := false, false, 0
	for _, c := range pattern {
		switch {
		case afterEscape:
			if c == '"' && !inClass {
				return "", sqlerr.New(sqlerr.FeatureNotSupported, "escape-double-quote separators in SIMILAR TO are not supported")
			}
			b.WriteByte('\\')
			b.WriteRune(c)
			afterEscape = false
		case len(esc) == 1 && c == esc[0]:
			afterEscape = true
		case inClass:
			if c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
			classPos++
			// A ] first in the class (after an optional ^) is literal.
			if c == ']' && classPos > 1 {
				inClass = false
			} else if c == '^' && classPos == 1 {
				classPos = 0
			}
		case c == '[':
			b.WriteRune(c)
			inClass, classPos = true, 0
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteByte('.')
		case c == '(':
			b.WriteString("(?:")
		case c == '\\' || c == '.' || c == '^' || c == '$':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	// A trailing escape quotes nothing and is dropped, as in PostgreSQL.
	b.WriteString(")$")
	return b.String(), nil
}
