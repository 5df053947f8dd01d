package ingest

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/armorlake/armorlake/schema"
)

// docs/schema.md lists every column of every KubeArmor table, in order,
// with its type.
func TestSchemaDocMatchesTables(t *testing.T) {
	f, err := os.Open("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	documented := map[string][][2]string{} // table → (column, type)
	table := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "## "); ok {
			table = name
			continue
		}
		cells := strings.Split(line, "|")
		if table == "" || len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`") {
			continue
		}
		col := strings.Trim(strings.TrimSpace(cells[2]), "`")
		documented[table] = append(documented[table], [2]string{col, strings.TrimSpace(cells[3])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range schema.KubeArmor() {
		doc := documented[tbl.Name]
		if len(doc) != len(tbl.Columns) {
			t.Errorf("%s: docs list %d columns, schema has %d", tbl.Name, len(doc), len(tbl.Columns))
		}
		for i, c := range tbl.Columns {
			if i < len(doc) && (doc[i][0] != c.Name || doc[i][1] != c.Type.String()) {
				t.Errorf("%s column %d: docs say %s %s, schema %s %s", tbl.Name, i+1, doc[i][0], doc[i][1], c.Name, c.Type)
			}
		}
	}
}
