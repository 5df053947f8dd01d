// Package planner turns SQL text into running plans.
//
// A statement goes through three steps:
//
//  1. parse: pg_query_go, the real PostgreSQL parser, yields the AST;
//  2. bind (bind.go): names resolve against the catalog, literals and
//     parameters take types the way PostgreSQL resolves them, and the
//     result is a tree of typed scalars;
//  3. plan (select.go): the query splits into a fragment that runs on
//     every operator holding the table's rows (scan, filter, partial
//     aggregation or projection, top-N) and a root that runs here (gather,
//     final aggregation, sort, limit, final projection). The time range
//     the WHERE clause implies goes into the fragment so that operators
//     and storage skip what cannot match, and the catalog prunes the
//     operators whose data lies outside it.
//
// The planner holds no state between statements; a prepared Statement is
// re-planned on each Run with its parameter values, so that targets come
// from the catalog as it is at that moment.
package planner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// Catalog is what the planner reads of the cluster's metadata. The query
// node's catalog cache implements it (wired in cmd).
type Catalog interface {
	// Table returns the named table's descriptor.
	Table(name string) (*schema.Table, bool)
	// Targets returns the live operators holding rows of table whose
	// time may lie in [lo, hi) (µs), and the IDs of those holding such
	// rows that are not available: the planner fails the query naming
	// one, rather than let it silently miss their rows, unless the
	// session allows partial results.
	Targets(table string, lo, hi int64) (live []exec.Target, missing []string, err error)
}

// PruneReporter is a Catalog that can also say which operators hold rows
// of a table only outside [lo, hi): those a query skips, for EXPLAIN.
type PruneReporter interface {
	Pruned(table string, lo, hi int64) []string
}

// Config configures a Planner.
type Config struct {
	// FanOut bounds how many operators one query talks to at once.
	// Default 64.
	FanOut int
	Logger *slog.Logger
}

// EnsureDefaults fills unset fields.
func (c *Config) EnsureDefaults() {
	if c.FanOut <= 0 {
		c.FanOut = 64
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Planner plans statements against the catalog and runs their fragments
// through remote.
type Planner struct {
	cfg    Config
	cat    Catalog
	remote exec.Remote
}

// New returns a Planner.
func New(cfg Config, cat Catalog, remote exec.Remote) *Planner {
	cfg.EnsureDefaults()
	return &Planner{cfg: cfg, cat: cat, remote: remote}
}

// Prepare parses sql, which may hold several statements, and plans each.
// paramTypes are the types the client declared for $1, $2, ...; Unknown
// entries (OID 0) are inferred.
//
// A syntax error anywhere returns no statement. An error planning
// statement k returns statements 0..k-1 with it, so that the caller runs
// those first, as PostgreSQL does with a multi-statement query.
// Statements read sess when they run, not only when prepared: a SET
// TimeZone earlier in the same string applies to the literals after it.
func (p *Planner) Prepare(ctx context.Context, sess *Session, sql string, paramTypes []coldata.Type) ([]*Statement, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, parseError(err)
	}
	if sess == nil {
		sess = &Session{}
	}
	var out []*Statement
	for _, raw := range tree.Stmts {
		text := statementText(sql, raw)
		if raw.Stmt == nil {
			out = append(out, &Statement{Kind: KindEmpty, SQL: text})
			continue
		}
		st, err := p.prepareOne(raw.Stmt, text, sess, paramTypes)
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		out = append(out, &Statement{Kind: KindEmpty, SQL: sql})
	}
	return out, nil
}

func parseError(err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		e := sqlerr.New(sqlerr.SyntaxError, "%s", pe.Message)
		if pe.Cursorpos > 0 {
			e.Position = int32(pe.Cursorpos)
		}
		return e
	}
	return sqlerr.Wrap(err, sqlerr.SyntaxError, "parse")
}

func statementText(sql string, raw *pg.RawStmt) string {
	start := int(raw.StmtLocation)
	end := len(sql)
	if raw.StmtLen > 0 {
		end = start + int(raw.StmtLen)
	}
	if start < 0 || start > end || end > len(sql) {
		return sql
	}
	return strings.TrimSpace(sql[start:end])
}

func (p *Planner) prepareOne(n *pg.Node, text string, sess *Session, paramTypes []coldata.Type) (*Statement, error) {
	switch {
	case n.GetSelectStmt() != nil:
		sel := n.GetSelectStmt()
		b := (&binder{sess: sess, loc: sess.TimeZone, start: time.Now(), paramTypes: append([]coldata.Type(nil), paramTypes...),
			planner: p, describe: true, noPushdown: sess.NoPushdown, partial: sess.PartialResults}).scanText(text)
		plan, err := p.planSelect(sel, b)
		if err != nil {
			return nil, err
		}
		types := b.paramTypes
		for i, t := range types {
			if t == coldata.Unknown {
				types[i] = coldata.Text
			}
		}
		run := func(ctx context.Context, params *coldata.Batch) (exec.Operator, error) {
			// now() is the time the statement runs, not when it was
			// prepared.
			rb := (&binder{sess: sess, loc: sess.TimeZone, start: time.Now(), paramTypes: append([]coldata.Type(nil), types...), params: params,
				planner: p, ctx: ctx, noPushdown: sess.NoPushdown, partial: sess.PartialResults}).scanText(text)
			if params == nil && len(types) > 0 {
				return nil, sqlerr.New(sqlerr.ProtocolViolation, "statement has %d parameters, none given", len(types))
			}
			plan, err := p.planSelect(sel, rb)
			if err != nil {
				return nil, err
			}
			return plan.start(ctx)
		}
		st := NewStatement(text, "SELECT", plan.columns, types, run)
		st.budget = func() int64 {
			if sess.MemoryBudget > 0 {
				return sess.MemoryBudget
			}
			return DefaultMemoryBudget
		}
		return st, nil
	case n.GetExplainStmt() != nil:
		return p.prepareExplain(n.GetExplainStmt(), text, sess, paramTypes)
	case n.GetVariableSetStmt() != nil:
		return prepareSet(n.GetVariableSetStmt(), text)
	case n.GetVariableShowStmt() != nil:
		name := strings.ToLower(n.GetVariableShowStmt().Name)
		return &Statement{Kind: KindShow, SQL: text, Tag: "SHOW", ShowName: name,
			Columns: []Column{{Name: name, Type: coldata.Text}}}, nil
	case n.GetTransactionStmt() != nil:
		return prepareTransaction(n.GetTransactionStmt(), text)
	case n.GetCopyStmt() != nil:
		return p.prepareCopy(n.GetCopyStmt(), text, sess, paramTypes)
	case n.GetDiscardStmt() != nil:
		tag := map[pg.DiscardMode]string{pg.DiscardMode_DISCARD_ALL: "DISCARD ALL", pg.DiscardMode_DISCARD_PLANS: "DISCARD PLANS",
			pg.DiscardMode_DISCARD_SEQUENCES: "DISCARD SEQUENCES", pg.DiscardMode_DISCARD_TEMP: "DISCARD TEMP"}[n.GetDiscardStmt().Target]
		return &Statement{Kind: KindUtility, SQL: text, Tag: tag}, nil
	case n.GetDeallocateStmt() != nil:
		d := n.GetDeallocateStmt()
		if d.Name == "" {
			return &Statement{Kind: KindUtility, SQL: text, Tag: "DEALLOCATE ALL"}, nil
		}
		return &Statement{Kind: KindUtility, SQL: text, Tag: "DEALLOCATE", Target: d.Name}, nil
	case n.GetUnlistenStmt() != nil:
		// armorlake has no notifications, so nothing is listened to.
		return &Statement{Kind: KindUtility, SQL: text, Tag: "UNLISTEN"}, nil
	case n.GetListenStmt() != nil, n.GetNotifyStmt() != nil:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "LISTEN and NOTIFY are not supported")
	}
	if verb := writeVerb(n); verb != "" {
		return nil, sqlerr.New(sqlerr.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", verb).
			WithHint("armorlake stores what KubeArmor sends; its tables are read-only to SQL.")
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %s is not supported", nodeName(n))
}

// writeVerb names the statements that would change data or schema.
func writeVerb(n *pg.Node) string {
	switch {
	case n.GetInsertStmt() != nil:
		return "INSERT"
	case n.GetUpdateStmt() != nil:
		return "UPDATE"
	case n.GetDeleteStmt() != nil:
		return "DELETE"
	case n.GetMergeStmt() != nil:
		return "MERGE"
	case n.GetCreateStmt() != nil, n.GetCreateTableAsStmt() != nil:
		return "CREATE TABLE"
	case n.GetDropStmt() != nil:
		return "DROP"
	case n.GetTruncateStmt() != nil:
		return "TRUNCATE"
	case n.GetAlterTableStmt() != nil:
		return "ALTER TABLE"
	case n.GetIndexStmt() != nil:
		return "CREATE INDEX"
	}
	return ""
}

func prepareSet(s *pg.VariableSetStmt, text string) (*Statement, error) {
	st := &Statement{Kind: KindSet, SQL: text, Tag: "SET", SetName: strings.ToLower(s.Name)}
	switch s.Kind {
	case pg.VariableSetKind_VAR_SET_VALUE:
		var vals []string
		for _, a := range s.Args {
			v, err := settingValue(a)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		st.SetValue = strings.Join(vals, ", ")
	case pg.VariableSetKind_VAR_SET_DEFAULT:
	case pg.VariableSetKind_VAR_RESET:
		st.Tag = "RESET"
	case pg.VariableSetKind_VAR_RESET_ALL:
		st.Tag, st.SetName = "RESET", "all"
	case pg.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION … and SET SESSION CHARACTERISTICS AS
		// TRANSACTION …: the isolation level is kept as a setting;
		// every armorlake transaction is read-only whatever is asked.
		prefix := ""
		if s.Name == "SESSION CHARACTERISTICS" {
			prefix = "default_"
		}
		for _, a := range s.Args {
			d := a.GetDefElem()
			if d == nil {
				continue
			}
			v, err := settingValue(d.Arg)
			if err != nil {
				return nil, err
			}
			switch d.Defname {
			case "transaction_isolation":
				st.SetName, st.SetValue = prefix+"transaction_isolation", v
			case "transaction_read_only", "transaction_deferrable":
				if st.SetName == "" {
					st.SetName, st.SetValue = prefix+d.Defname, map[string]string{"1": "on", "0": "off"}[v]
				}
			}
		}
		if st.SetName == "" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SET %s is not supported", s.Name)
		}
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SET %s is not supported", s.Name)
	}
	return st, nil
}

func settingValue(n *pg.Node) (string, error) {
	if c := n.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg.A_Const_Sval:
			return v.Sval.Sval, nil
		case *pg.A_Const_Ival:
			return fmt.Sprint(v.Ival.Ival), nil
		case *pg.A_Const_Fval:
			return v.Fval.Fval, nil
		case *pg.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "on", nil
			}
			return "off", nil
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return settingValue(tc.Arg)
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "this form of SET value is not supported")
}

func prepareTransaction(t *pg.TransactionStmt, text string) (*Statement, error) {
	st := &Statement{Kind: KindTransaction, SQL: text}
	switch t.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN:
		st.Tag = "BEGIN"
	case pg.TransactionStmtKind_TRANS_STMT_START:
		st.Tag = "START TRANSACTION"
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		st.Tag = "COMMIT"
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		st.Tag = "ROLLBACK"
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		st.Tag, st.Savepoint = "ROLLBACK", t.SavepointName
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		st.Tag, st.Savepoint = "SAVEPOINT", t.SavepointName
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		st.Tag, st.Savepoint = "RELEASE", t.SavepointName
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "two-phase commit is not supported")
	}
	return st, nil
}
