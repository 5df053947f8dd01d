// Package cmd is the armorlake binary's command line: one subcommand per
// role, flags and environment, and the wiring of the packages into nodes.
// It is the only package that imports every other one; flags and
// environment variables live here and nowhere else.
package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Version is the armorlake version, set at build time with
// -ldflags "-X github.com/armorlake/armorlake/cmd.Version=...".
var Version = "0.1.0-dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"dev", "run the whole seed topology in one process: etcd, a query node, three operators and their simulators", runDev},
	{"master", "run the master: the etcd catalog, embedded", runMaster},
	{"operator", "run an operator: pull KubeArmor events, store them, answer plan fragments", runOperator},
	{"query", "run a query node: the PostgreSQL endpoint that plans and merges across operators", runQuery},
	{"user", "add, delete or list the users that log in to query nodes with a password", runUser},
	{"kubearmor-sim", "serve KubeArmor's gRPC LogService with seeded, realistic events", runSim},
	{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
		fmt.Fprintln(stdout, "armorlake", Version)
		return nil
	}},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `armorlake keeps KubeArmor security events at the edge and answers SQL over
all of them as one PostgreSQL database.

Usage: armorlake <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'armorlake <command> --help' for the flags of a command.\n")
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			return 0
		}
		fmt.Fprintf(stderr, "armorlake %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "armorlake: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// logFlags adds --log-level and --log-format to o.
type logFlags struct{ level, format string }

func (l *logFlags) add(o *options, level string) {
	o.fs.StringVar(&l.level, "log-level", level, "log level: debug, info, warn or error")
	o.fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: want text or json, not %q", l.format)
}

// parseWithLogger parses args, then builds the logger the log flags ask
// for.
func (o *options) parseWithLogger(args []string, lf *logFlags, w io.Writer) (*slog.Logger, error) {
	if err := o.parse(args); err != nil {
		return nil, err
	}
	return lf.logger(w)
}
