package planner

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// COPY … TO STDOUT: bulk export of a query's rows, streamed, in
// PostgreSQL's text, CSV and binary formats. The query is planned as any
// SELECT (COPY table [(columns)] is SELECT columns FROM table); the wire
// layer frames its rows (server/copy.go).

// CopyOptions are the options of COPY … TO STDOUT, checked and with
// PostgreSQL's defaults filled in.
type CopyOptions struct {
	Format    string // "text", "csv" or "binary"
	Delimiter byte   // text: tab, csv: comma
	Null      string // text: \N, csv: empty
	Header    bool
	Quote     byte // csv
	Escape    byte // csv
	// ForceQuote quotes every non-NULL value (FORCE_QUOTE *), or those
	// of the named columns.
	ForceQuoteAll bool
	ForceQuote    []string
}

func (p *Planner) prepareCopy(c *pg.CopyStmt, text string, sess *Session, paramTypes []coldata.Type) (*Statement, error) {
	if c.IsFrom {
		return nil, sqlerr.New(sqlerr.ReadOnlySQLTransaction, "cannot execute COPY FROM in a read-only transaction").
			WithHint("armorlake stores what KubeArmor sends; its tables are read-only to SQL.")
	}
	if c.Filename != "" || c.IsProgram {
		return nil, sqlerr.New(sqlerr.InsufficientPrivilege, "COPY to a file or program is not allowed: use COPY … TO STDOUT").
			WithHint("psql's \\copy writes a file on the client's side.")
	}
	opts, err := copyOptions(c.Options)
	if err != nil {
		return nil, err
	}
	var query *pg.Node
	switch {
	case c.Query != nil:
		if c.Query.GetSelectStmt() == nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY of a statement other than SELECT is not supported")
		}
		query = c.Query
	case c.Relation != nil:
		// COPY table [(columns)] TO STDOUT reads the table's columns.
		var targets []*pg.Node
		if len(c.Attlist) == 0 {
			targets = append(targets, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
				ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}}}})
		}
		for _, a := range c.Attlist {
			targets = append(targets, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
				ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{a}}}}}}})
		}
		sel := &pg.SelectStmt{TargetList: targets, FromClause: []*pg.Node{{Node: &pg.Node_RangeVar{RangeVar: c.Relation}}},
			WhereClause: c.WhereClause}
		query = &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: sel}}
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "COPY needs a table or a query")
	}
	st, err := p.prepareOne(query, text, sess, paramTypes)
	if err != nil {
		return nil, err
	}
	for _, name := range opts.ForceQuote {
		found := false
		for _, col := range st.Columns {
			found = found || col.Name == name
		}
		if !found {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", name)
		}
	}
	st.Kind, st.Tag, st.Copy = KindCopy, "COPY", opts
	return st, nil
}

// copyOptions checks COPY's options as PostgreSQL does.
func copyOptions(list []*pg.Node) (*CopyOptions, error) {
	o := &CopyOptions{Format: "text"}
	var delim, null, quote, escape *string
	seen := map[string]bool{}
	for _, n := range list {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		if seen[d.Defname] {
			return nil, sqlerr.New(sqlerr.SyntaxError, "conflicting or redundant options")
		}
		seen[d.Defname] = true
		val := ""
		switch {
		case d.Arg == nil, d.Arg.GetList() != nil, d.Arg.GetAStar() != nil:
		case d.Arg.GetString_() != nil:
			val = d.Arg.GetString_().Sval // FORMAT csv: an identifier
		default:
			v, err := settingValue(d.Arg)
			if err != nil {
				return nil, err
			}
			val = v
		}
		switch d.Defname {
		case "format":
			o.Format = strings.ToLower(val)
			if o.Format != "text" && o.Format != "csv" && o.Format != "binary" {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY format \"%s\" not recognized", val)
			}
		case "delimiter":
			delim = &val
		case "null":
			null = &val
		case "quote":
			quote = &val
		case "escape":
			escape = &val
		case "header":
			switch strings.ToLower(val) {
			case "", "true", "on", "1":
				o.Header = true
			case "false", "off", "0":
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "header requires a Boolean value")
			}
		case "force_quote":
			if d.Arg.GetAStar() != nil {
				o.ForceQuoteAll = true
			}
			for _, c := range d.Arg.GetList().GetItems() {
				o.ForceQuote = append(o.ForceQuote, c.GetString_().Sval)
			}
		case "encoding":
			if !strings.EqualFold(strings.ReplaceAll(val, "-", ""), "utf8") {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY encodings other than UTF8 are not supported")
			}
		case "freeze", "force_not_null", "force_null", "default":
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s is only available with COPY FROM", strings.ToUpper(d.Defname))
		default:
			return nil, sqlerr.New(sqlerr.SyntaxError, "option \"%s\" not recognized", d.Defname)
		}
	}
	binary, csv := o.Format == "binary", o.Format == "csv"
	if binary && delim != nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	if binary && null != nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot specify NULL in BINARY mode")
	}
	if binary && o.Header {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot specify HEADER in BINARY mode")
	}
	if !csv && (quote != nil || escape != nil || o.ForceQuoteAll || len(o.ForceQuote) > 0) {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode")
	}
	o.Delimiter, o.Null, o.Quote = '\t', `\N`, '"'
	if csv {
		o.Delimiter, o.Null = ',', ""
	}
	one := func(name string, v *string, dst *byte) error {
		if v == nil {
			return nil
		}
		if len(*v) != 1 {
			return sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s must be a single one-byte character", name)
		}
		*dst = (*v)[0]
		return nil
	}
	if err := one("delimiter", delim, &o.Delimiter); err != nil {
		return nil, err
	}
	if err := one("quote", quote, &o.Quote); err != nil {
		return nil, err
	}
	o.Escape = o.Quote
	if err := one("escape", escape, &o.Escape); err != nil {
		return nil, err
	}
	if null != nil {
		o.Null = *null
	}
	if o.Delimiter == '\n' || o.Delimiter == '\r' {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if !csv && strings.ContainsRune(`\.abcdefghijklmnopqrstuvwxyz0123456789`, rune(o.Delimiter)) {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter cannot be \"%c\"", o.Delimiter)
	}
	if csv && o.Delimiter == o.Quote {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter and quote must be different")
	}
	if strings.IndexByte(o.Null, o.Delimiter) >= 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter must not appear in the NULL specification")
	}
	return o, nil
}
