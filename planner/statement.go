package planner

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
)

// NewStatement returns a KindQuery statement whose Run calls run. Used by
// the planner and by tests of the layers above.
func NewStatement(sql, tag string, cols []Column, paramTypes []coldata.Type, run func(ctx context.Context, params *coldata.Batch) (exec.Operator, error)) *Statement {
	return &Statement{
		Kind:       KindQuery,
		SQL:        sql,
		Tag:        tag,
		Columns:    cols,
		ParamTypes: paramTypes,
		run:        run,
		budget:     func() int64 { return DefaultMemoryBudget },
	}
}
