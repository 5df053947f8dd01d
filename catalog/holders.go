package catalog

import "sort"

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
