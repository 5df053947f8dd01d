package cmd

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/armorlake/armorlake/schema"
)

// options parses one subcommand's settings from, in order of precedence,
// command-line flags, ARMORLAKE_* environment variables, and a JSON
// config file (--config), whose keys are the flag names.
type options struct {
	fs     *flag.FlagSet
	name   string
	config string
	about  string
}

func newOptions(name, about string, stderr io.Writer) *options {
	o := &options{fs: flag.NewFlagSet(name, flag.ContinueOnError), name: name, about: about}
	o.fs.SetOutput(stderr)
	o.fs.StringVar(&o.config, "config", "", "JSON file of settings, keyed by flag name (flags and environment win)")
	o.fs.Usage = func() { o.usage(stderr) }
	return o
}

// envName is the environment variable of a flag: --sim-rate is
// ARMORLAKE_SIM_RATE.
func envName(flagName string) string {
	return "ARMORLAKE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (o *options) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: armorlake %s [flags]\n\n%s\n\nFlags (each also settable as the environment variable shown, or as a key of --config):\n", o.name, o.about)
	o.fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "[]" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s\n        %s%s  [%s]\n", f.Name, f.Usage, def, envName(f.Name))
	})
}

// parse applies flags, then fills every flag not given on the command
// line from the environment, then from the config file.
func (o *options) parse(args []string) error {
	if err := o.fs.Parse(args); err != nil {
		return err
	}
	if o.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", o.fs.Arg(0))
	}
	set := map[string]bool{}
	o.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["config"] {
		if v, ok := os.LookupEnv(envName("config")); ok {
			o.config = v
		}
	}
	var file map[string]any
	if o.config != "" {
		data, err := os.ReadFile(o.config)
		if err != nil {
			return fmt.Errorf("read config: %w", err)
		}
		if err := json.Unmarshal(data, &file); err != nil {
			return fmt.Errorf("parse config %s: %w", o.config, err)
		}
		var unknown []string
		for k := range file {
			if o.fs.Lookup(k) == nil {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return fmt.Errorf("config %s: unknown settings %s", o.config, strings.Join(unknown, ", "))
		}
	}
	var errs []error
	o.fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || f.Name == "config" {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := o.fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(f.Name), err))
			}
			return
		}
		if v, ok := file[f.Name]; ok {
			s := fmt.Sprint(v)
			if list, isList := v.([]any); isList {
				parts := make([]string, len(list))
				for i, x := range list {
					parts[i] = fmt.Sprint(x)
				}
				s = strings.Join(parts, ",")
			}
			if err := o.fs.Set(f.Name, s); err != nil {
				errs = append(errs, fmt.Errorf("config %s: %w", f.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// listFlag is a comma-separated list flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// timeFlag is an RFC 3339 time flag.
type timeFlag struct{ t *time.Time }

func (f timeFlag) String() string {
	if f.t == nil || f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-11-01T00:00:00Z: %w", err)
	}
	*f.t = t
	return nil
}

// retentionFlag is --retention: a comma-separated list of TABLE=AGE, and
// optionally a bare AGE for every KubeArmor table not listed. AGE is a Go
// duration, or a whole number of days with a "d" suffix ("14d").
type retentionFlag struct{ m *map[string]time.Duration }

func (f retentionFlag) String() string {
	if f.m == nil || len(*f.m) == 0 {
		return ""
	}
	var parts []string
	for t, d := range *f.m {
		parts = append(parts, t+"="+d.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func (f retentionFlag) Set(s string) error {
	m, err := parseRetention(s)
	if err != nil {
		return err
	}
	*f.m = m
	return nil
}

func parseRetention(s string) (map[string]time.Duration, error) {
	known := map[string]bool{}
	for _, t := range schema.KubeArmor() {
		known[t.Name] = true
	}
	m := map[string]time.Duration{}
	var all time.Duration
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		table, age, hasTable := strings.Cut(p, "=")
		if !hasTable {
			table, age = "", p
		}
		d, err := parseAge(age)
		if err != nil {
			return nil, fmt.Errorf("retention %q: %w", p, err)
		}
		switch {
		case !hasTable:
			all = d
		case !known[table]:
			return nil, fmt.Errorf("retention %q: no table %q (tables: alerts, logs, messages)", p, table)
		default:
			m[table] = d
		}
	}
	if all > 0 {
		for t := range known {
			if _, ok := m[t]; !ok {
				m[t] = all
			}
		}
	}
	return m, nil
}

func parseAge(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, err
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("age %s is not positive", s)
	}
	return d, nil
}
