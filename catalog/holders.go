package catalog

import (
	"slices"
	"sort"
	"strings"
)

// Holders returns the operators whose placements for table hold rows with
// a time in [lo, hi) (µs; placements bound their rows inclusively): live
// ones, and the IDs, sorted, of those that hold such rows but have no live
// registration. A query must not silently skip the latter: their rows
// exist, they just cannot be reached.
func (ca *Cache) Holders(table string, lo, hi int64) (live []Node, missing []string) {
	for _, p := range ca.Placements(table) {
		if p.Rows == 0 || p.MaxTs < lo || p.MinTs >= hi {
			continue
		}
		if n, ok := ca.Node(p.NodeID); ok {
			live = append(live, n)
		} else {
			missing = append(missing, p.NodeID)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i].ID < live[j].ID })
	sort.Strings(missing)
	return live, missing
}

// Replicas is one replica group holding rows a query needs: its live
// members, the preferred first (the one holding the most rows, then by
// ID), any of which can answer for the group.
type Replicas struct {
	Cluster string // empty for an operator that is a group of its own
	Live    []Node
}

// HolderGroups is Holders by replica group: operators of one cluster hold
// the same rows, so a query asks one live member of each group holding
// rows in [lo, hi), keeping the others to fall back on. missing names the
// groups that hold such rows and have no live member (a cluster as
// "cluster: a, b", an operator alone by its ID), sorted.
func (ca *Cache) HolderGroups(table string, lo, hi int64) (groups []Replicas, missing []string) {
	type member struct {
		node Node
		rows int64
	}
	byGroup := map[string][]member{}
	dead := map[string][]string{}
	cluster := map[string]string{}
	var order []string
	for _, p := range ca.Placements(table) {
		if p.Rows == 0 || p.MaxTs < lo || p.MinTs >= hi {
			continue
		}
		g := p.group()
		if _, seen := cluster[g]; !seen {
			cluster[g] = p.Cluster
			order = append(order, g)
		}
		if n, ok := ca.Node(p.NodeID); ok {
			byGroup[g] = append(byGroup[g], member{n, p.Rows})
		} else {
			dead[g] = append(dead[g], p.NodeID)
		}
	}
	sort.Strings(order)
	for _, g := range order {
		ms := byGroup[g]
		if len(ms) == 0 {
			ids := dead[g]
			slices.Sort(ids)
			if c := cluster[g]; c != "" {
				missing = append(missing, c+": "+strings.Join(ids, ", "))
			} else {
				missing = append(missing, ids[0])
			}
			continue
		}
		sort.Slice(ms, func(i, j int) bool {
			if ms[i].rows != ms[j].rows {
				return ms[i].rows > ms[j].rows
			}
			return ms[i].node.ID < ms[j].node.ID
		})
		r := Replicas{Cluster: cluster[g]}
		for _, m := range ms {
			r.Live = append(r.Live, m.node)
		}
		groups = append(groups, r)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Live[0].ID < groups[j].Live[0].ID })
	sort.Strings(missing)
	return groups, missing
}
