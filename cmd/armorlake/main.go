// Command armorlake is the single binary of armorlake: master, operator,
// query node, the one-process dev topology and the KubeArmor simulator.
// Run `armorlake --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	// Time zone names (SET TimeZone, timestamptz input) resolve even on
	// machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/armorlake/armorlake/cmd"
)

func main() {
	os.Exit(run())
}

// run is main with deferred calls that happen before the exit.
// ARMORLAKE_CPUPROFILE=FILE writes a CPU profile of the whole run (for
// benchmarks; a running node also serves /debug/pprof on its HTTP port).
func run() int {
	if path := os.Getenv("ARMORLAKE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "armorlake: ARMORLAKE_CPUPROFILE:", err)
			return 1
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	return cmd.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
}
