package catalog

import (
	"testing"
	"time"
)

func TestPlacementRoundTrip(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123000, time.UTC)
	ps := []Placement{
		{Table: "logs", NodeID: "op-2", MinTs: 100, MaxTs: 200, Rows: 10, Bytes: 1000, Updated: at},
		{Table: "logs", NodeID: "op-1", MinTs: 50, MaxTs: 300, Rows: 20, Bytes: 2000, Updated: at},
		// "logs2" shares a prefix with "logs" and must not leak into it.
		{Table: "logs2", NodeID: "op-1", MinTs: 1, MaxTs: 1, Rows: 1, Bytes: 1, Updated: at},
	}
	for _, p := range ps {
		if err := c.PutPlacement(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Placements(ctx, "logs")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != ps[1] || got[1] != ps[0] {
		t.Fatalf("Placements(logs) =\n%+v\nwant\n%+v", got, []Placement{ps[1], ps[0]})
	}

	// A rewrite replaces; a zero Updated becomes now.
	p := ps[0]
	p.MaxTs, p.Rows, p.Updated = 400, 11, time.Time{}
	if err := c.PutPlacement(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err = c.Placements(ctx, "logs")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].MaxTs != 400 || got[1].Rows != 11 || time.Since(got[1].Updated) > time.Minute {
		t.Fatalf("after rewrite, Placements(logs) = %+v", got)
	}

	if got, err := c.Placements(ctx, "nope"); err != nil || len(got) != 0 {
		t.Fatalf("Placements(nope) = %v, %v; want none", got, err)
	}
}

func TestPlacementOutlivesNode(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	r, err := c.Register(ctx, Node{ID: "op-1", Role: RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutPlacement(ctx, Placement{Table: "alerts", NodeID: "op-1", MinTs: 1, MaxTs: 2, Rows: 3}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Placements(ctx, "alerts")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].NodeID != "op-1" {
		t.Fatalf("after the node left, Placements = %+v, want op-1's", got)
	}
}

func TestPutPlacementRejects(t *testing.T) {
	c := openTest(t, Config{})
	for _, p := range []Placement{
		{Table: "", NodeID: "op-1"},
		{Table: "logs", NodeID: ""},
		{Table: "logs", NodeID: "op/1"},
		{Table: "logs", NodeID: "op-1", Rows: -1},
		{Table: "logs", NodeID: "op-1", Rows: 1, MinTs: 5, MaxTs: 4},
	} {
		if err := c.PutPlacement(testContext(t), p); err == nil {
			t.Errorf("PutPlacement(%+v) succeeded", p)
		}
	}
}
