package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestHoldersPrunesByTimeAndNamesTheMissing(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	ca := newTestCache(t, c)
	// op-a holds [100, 200], op-b [150, 400], op-c [500, 600] but is not
	// registered, op-d has no rows.
	for _, p := range []Placement{
		{Table: "alerts", NodeID: "op-a", MinTs: 100, MaxTs: 200, Rows: 5},
		{Table: "alerts", NodeID: "op-b", MinTs: 150, MaxTs: 400, Rows: 5},
		{Table: "alerts", NodeID: "op-c", MinTs: 500, MaxTs: 600, Rows: 5},
		{Table: "alerts", NodeID: "op-d", MinTs: 0, MaxTs: 0, Rows: 0},
		{Table: "logs", NodeID: "op-a", MinTs: 0, MaxTs: 1000, Rows: 5},
	} {
		if err := c.PutPlacement(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"op-a", "op-b", "op-d"} {
		if _, err := c.Register(ctx, Node{ID: id, Role: RoleOperator, Addr: id + ":7070"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "cache sees placements and nodes", func() bool {
		return len(ca.Placements("alerts")) == 4 && len(ca.Nodes()) == 3
	})
	for _, c := range []struct {
		lo, hi int64
		want   string
	}{
		{0, 1 << 62, "[op-a op-b] [op-c]"},
		{0, 100, "[] []"},            // hi is exclusive
		{200, 201, "[op-a op-b] []"}, // MaxTs is inclusive
		{201, 500, "[op-b] []"},
		{450, 1 << 62, "[] [op-c]"},
	} {
		live, missing := ca.Holders("alerts", c.lo, c.hi)
		var ids []string
		for _, n := range live {
			ids = append(ids, n.ID)
		}
		if got := fmt.Sprintf("%v %v", fmtList(ids), fmtList(missing)); got != c.want {
			t.Errorf("[%d, %d): got %s, want %s", c.lo, c.hi, got, c.want)
		}
	}
}

func fmtList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	return fmt.Sprint(s)
}

// TestHolderGroups: operators of one cluster form one group, its live
// members ordered by rows held then ID; a group with no live member is
// missing by its cluster and members, an operator alone by its ID.
func TestHolderGroups(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	ca := newTestCache(t, c)
	for _, n := range []Node{{ID: "a1", Role: RoleOperator, Cluster: "a"}, {ID: "a2", Role: RoleOperator, Cluster: "a"},
		{ID: "solo", Role: RoleOperator}} {
		if _, err := c.Register(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []Placement{
		{Table: "alerts", NodeID: "a1", Cluster: "a", MinTs: 0, MaxTs: 100, Rows: 10},
		{Table: "alerts", NodeID: "a2", Cluster: "a", MinTs: 0, MaxTs: 100, Rows: 12},
		{Table: "alerts", NodeID: "solo", MinTs: 0, MaxTs: 100, Rows: 5},
		{Table: "alerts", NodeID: "b1", Cluster: "b", MinTs: 0, MaxTs: 100, Rows: 5},
		{Table: "alerts", NodeID: "b2", Cluster: "b", MinTs: 0, MaxTs: 100, Rows: 5},
		{Table: "alerts", NodeID: "gone", MinTs: 0, MaxTs: 100, Rows: 5},
		{Table: "alerts", NodeID: "late", Cluster: "a", MinTs: 200, MaxTs: 300, Rows: 5},
	} {
		if err := c.PutPlacement(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "cache sees placements and nodes", func() bool {
		return len(ca.Placements("alerts")) == 7 && len(ca.Nodes()) == 3
	})
	groups, missing := ca.HolderGroups("alerts", 0, 150)
	var got []string
	for _, g := range groups {
		var ids []string
		for _, n := range g.Live {
			ids = append(ids, n.ID)
		}
		got = append(got, g.Cluster+"="+strings.Join(ids, ","))
	}
	if strings.Join(got, " ") != "a=a2,a1 =solo" || strings.Join(missing, " | ") != "b: b1, b2 | gone" {
		t.Errorf("groups %q, missing %q", got, missing)
	}
}
