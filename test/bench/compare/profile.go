package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// profileRun is one query profiled on one armorlake topology.
type profileRun struct {
	query, system string
	runs          int
	files         []string
}

// profileSlowest profiles, on each armorlake topology, the queries where
// it is slowest relative to the fastest system: every node's CPU profile
// (/debug/pprof/profile) taken while the query runs in a loop.
func profileSlowest(ctx context.Context, c *config, systems []*system, results [][]*outcome) ([]profileRun, error) {
	if err := os.MkdirAll(c.profiles, 0o755); err != nil {
		return nil, err
	}
	var out []profileRun
	for si, s := range systems {
		if len(s.nodes) == 0 {
			continue
		}
		type rel struct {
			qi    int
			ratio float64
		}
		var rels []rel
		for qi := range results {
			mine := results[qi][si].median()
			best := mine
			for _, o := range results[qi] {
				if d := o.median(); d > 0 && d < best {
					best = d
				}
			}
			if mine > 0 {
				rels = append(rels, rel{qi, float64(mine) / float64(best)})
			}
		}
		slices.SortStableFunc(rels, func(a, b rel) int {
			switch {
			case a.ratio > b.ratio:
				return -1
			case a.ratio < b.ratio:
				return 1
			}
			return 0
		})
		queries, _ := parseQueries(standardQueriesOr(c))
		for _, r := range rels[:min(c.profileTop, len(rels))] {
			q := queries[r.qi]
			logf("profiling %s on %s (%.1f× the fastest system) for %s", q.label, s.name, r.ratio, c.profileTime)
			pr, err := profileQuery(ctx, c, s, q)
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", q.label, s.name, err)
			}
			out = append(out, pr)
		}
	}
	return out, nil
}

func standardQueriesOr(c *config) string {
	if c.queriesFile != "" {
		if b, err := os.ReadFile(c.queriesFile); err == nil {
			return string(b)
		}
	}
	return standardQueries
}

func profileQuery(ctx context.Context, c *config, s *system, q query) (profileRun, error) {
	pr := profileRun{query: q.label, system: s.name}
	// The loop ends between two runs: canceling a run's context would
	// close the connection, which later queries use.
	var stop atomic.Bool
	var runs atomic.Int64
	var queryErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() && ctx.Err() == nil {
			if _, err := s.query(ctx, q.sql, false); err != nil {
				queryErr = err
				return
			}
			runs.Add(1)
		}
	})
	names := make([]string, 0, len(s.nodes))
	for n := range s.nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	errs := make([]error, len(names))
	files := make([]string, len(names))
	var pw sync.WaitGroup
	for i, node := range names {
		pw.Go(func() {
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.nodes[node], int(c.profileTime.Seconds()))
			resp, err := http.Get(url)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("%s: %s", url, resp.Status)
				return
			}
			name := fmt.Sprintf("%s-%s-%s.pprof", strings.ReplaceAll(s.short, " ×", "-x"), q.label, node)
			path := filepath.Join(c.profiles, name)
			f, err := os.Create(path)
			if err != nil {
				errs[i] = err
				return
			}
			_, err = io.Copy(f, resp.Body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			errs[i], files[i] = err, path
		})
	}
	pw.Wait()
	stop.Store(true)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return pr, err
		}
	}
	if queryErr != nil {
		return pr, queryErr
	}
	pr.runs, pr.files = int(runs.Load()), files
	return pr, nil
}
