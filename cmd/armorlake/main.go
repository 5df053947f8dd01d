// Command armorlake is the single binary of armorlake: master, operator,
// query node, the one-process dev topology and the KubeArmor simulator.
// Run `armorlake --help`.
package main

import (
	"context"
	"os"
	// Time zone names (SET TimeZone, timestamptz input) resolve even on
	// machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/armorlake/armorlake/cmd"
)

func main() {
	os.Exit(cmd.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
