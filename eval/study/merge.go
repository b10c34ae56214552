package study

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Merge reads the runs/*.json of shard output directories and checks them
// against the grid of o: every run file must parse, name a run of the grid
// in its file name and spec, record the settings of o (the same study: a
// -quick shard does not merge into the full study), hold the checkpoints
// 0..o.Checkpoints, and appear once; every run of the grid must be
// present. The error names each culprit: the missing runs, the duplicate's
// two files, the truncated or mismatched file and the settings that differ.
// It returns the results in grid order.
func Merge(o Options, dirs []string) ([]RunResult, error) {
	grid := map[string]bool{}
	for _, s := range Grid(o) {
		grid[s.ID()] = true
	}
	want := settingsOf(o)
	seen := map[string]string{}
	var out []RunResult
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join(d, "runs", "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("merge: %s holds no runs/*.json (is it a shard's -out directory?)", d)
		}
		sort.Strings(files)
		for _, f := range files {
			r, err := readRun(f, o, grid, want)
			if err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			if prev, dup := seen[r.Spec.ID()]; dup {
				return nil, fmt.Errorf("merge: run %s appears in both %s and %s", r.Spec, prev, f)
			}
			seen[r.Spec.ID()] = f
			out = append(out, r)
		}
	}
	var missing []string
	for _, s := range Grid(o) {
		if seen[s.ID()] == "" {
			missing = append(missing, s.ID())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: %d of %d runs of the grid missing from %s: %s",
			len(missing), len(grid), strings.Join(dirs, ", "), strings.Join(missing, ", "))
	}
	SortResults(out)
	return out, nil
}

// readRun reads and checks one run file (see Merge).
func readRun(path string, o Options, grid map[string]bool, want Options) (RunResult, error) {
	var r RunResult
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	id := r.Spec.ID()
	switch {
	case filepath.Base(path) != id+".json":
		return r, fmt.Errorf("%s holds run %s (file name %s.json expected)", path, r.Spec, id)
	case !grid[id]:
		return r, fmt.Errorf("%s: run %s is not in the grid of these options (objectives %v, betas %v, sizes %v, %d seed(s) from %d)",
			path, r.Spec, o.Losses, o.Betas, o.Sizes, o.Seeds, o.Seed)
	case r.Settings == nil:
		return r, fmt.Errorf("%s: run %s records no settings (written by an older version); rerun its shard", path, r.Spec)
	}
	if diff := settingsDiff(*r.Settings, want); len(diff) > 0 {
		return r, fmt.Errorf("%s: run %s was run with other settings than these: %s", path, r.Spec, strings.Join(diff, "; "))
	}
	if len(r.Points) != o.Checkpoints+1 {
		return r, fmt.Errorf("%s: run %s has %d points, want %d (checkpoints 0..%d): truncated", path, r.Spec, len(r.Points), o.Checkpoints+1, o.Checkpoints)
	}
	for k, p := range r.Points {
		if p.Checkpoint != k || p.RunSpec != r.Spec {
			return r, fmt.Errorf("%s: run %s: point %d is checkpoint %d of %s, want checkpoint %d of this run", path, r.Spec, k, p.Checkpoint, p.RunSpec, k)
		}
	}
	return r, nil
}

// settingsDiff lists the settings that differ between a run's recorded
// settings and want, as "Name: run's value, want value", comparing their
// JSON forms field by field.
func settingsDiff(got, want Options) []string {
	var g, w map[string]json.RawMessage
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if json.Unmarshal(gb, &g) != nil || json.Unmarshal(wb, &w) != nil {
		return []string{"unreadable settings"}
	}
	var diff []string
	for k := range union(g, w) {
		if string(g[k]) != string(w[k]) {
			diff = append(diff, fmt.Sprintf("%s: run %s, want %s", k, orNone(g[k]), orNone(w[k])))
		}
	}
	sort.Strings(diff)
	return diff
}

func union(a, b map[string]json.RawMessage) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func orNone(m json.RawMessage) string {
	if len(m) == 0 {
		return "none"
	}
	return string(m)
}
