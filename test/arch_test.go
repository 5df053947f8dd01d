package test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/armorlake/armorlake/"

// allowedImports is docs/ARCHITECTURE.md's picture as data: for each
// package, the armorlake packages it may import. Imports point one way,
// from the roles (cmd) through the wire layer and the planner down to the
// leaves; storage and exec never see each other, nor do ingest and
// storage: each declares the interface it consumes and cmd wires them.
var allowedImports = map[string][]string{
	"sqlerr":    {},
	"coldata":   {"sqlerr"},
	"rpcpb":     {},
	"schema":    {"coldata"},
	"kawire":    {},
	"sim":       {"kawire"},
	"storage":   {"coldata", "schema", "sqlerr"},
	"ingest":    {"coldata", "schema", "sqlerr", "kawire"},
	"catalog":   {"coldata", "schema", "sqlerr"},
	"pgcatalog": {"coldata", "schema"},
	"exec":      {"coldata", "schema", "sqlerr", "rpcpb", "pgcatalog"},
	"planner":   {"exec", "coldata", "schema", "sqlerr", "rpcpb", "pgcatalog"},
	"rpc":       {"exec", "coldata", "schema", "sqlerr", "rpcpb"},
	"server":    {"planner", "exec", "coldata", "schema", "sqlerr", "pgcatalog"},
	"export":    {"coldata", "schema", "sqlerr", "ingest", "sim"},
}

// testImports are further imports allowed only in a package's _test.go
// files: ingest's tests stream from the real simulator.
var testImports = map[string][]string{
	"ingest": {"sim"},
	"export": {"test"},
}

// unrestricted packages may import anything: the binary's wiring and the
// whole-system tests.
var unrestricted = map[string]bool{"cmd": true, "test": true}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin" || d.Name() == "data" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || !strings.Contains(rel, string(filepath.Separator)) {
			return nil
		}
		top := strings.Split(rel, string(filepath.Separator))[0]
		seen[top] = true
		if unrestricted[top] {
			return nil
		}
		allowed, known := allowedImports[top]
		if !known {
			t.Errorf("package %s is not in the architecture's import table (test/arch_test.go, docs/ARCHITECTURE.md)", top)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			dep := strings.Split(strings.TrimPrefix(p, module), "/")[0]
			if dep == top {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || a == dep
			}
			if strings.HasSuffix(path, "_test.go") {
				for _, a := range testImports[top] {
					ok = ok || a == dep
				}
			}
			if !ok {
				t.Errorf("%s imports %s: %s may import only %v", rel, p, top, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for pkg := range allowedImports {
		if !seen[pkg] {
			missing = append(missing, pkg)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("packages in the import table but not in the tree: %v", missing)
	}
}
