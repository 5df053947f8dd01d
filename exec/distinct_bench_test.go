package exec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/armorlake/armorlake/coldata"
)

// BenchmarkCountDistinctPaths is count(DISTINCT path) by group over sets
// far larger than the cache: 60 groups, 1M distinct paths, 4M rows.
func BenchmarkCountDistinctPaths(b *testing.B) {
	const rows, distinct, groups, batch = 4 << 20, 1 << 20, 60, 1024
	rng := rand.New(rand.NewPCG(1, 2))
	paths := make([]string, distinct)
	for i := range paths {
		paths[i] = fmt.Sprintf("/var/lib/app-%d/data/file-%08x.log", i%97, rng.Uint32())
	}
	var batches [][]uint32
	var vecs []*coldata.Vec
	for r := 0; r < rows; r += batch {
		v := coldata.NewVec(coldata.Text, batch)
		gids := make([]uint32, batch)
		for i := range batch {
			p := rng.IntN(distinct)
			v.Bytes.Append([]byte(paths[p]))
			gids[i] = uint32(p % groups)
		}
		vecs, batches = append(vecs, v), append(batches, gids)
	}
	def, err := LookupDistinctAgg("count", coldata.Text)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		a := def.newAcc(def).(*distinctAcc)
		a.grow(groups)
		for k, v := range vecs {
			a.update(batches[k], v)
		}
	}
}
