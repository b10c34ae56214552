package study

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergeRejectsBadShards builds shard directories from the tiny study's
// run files, each broken one way, and checks that Merge refuses every one
// with an error naming the culprit (issue 16: a missing, duplicate,
// truncated or mismatched run).
func TestMergeRejectsBadShards(t *testing.T) {
	whole := tinyStudy(t)
	o := tinyOptions("")
	ids := []string{"dpo_b0.1_XS_s5", "dpo_b1_XS_s5"}
	all := func(string) bool { return true }
	only := func(id string) func(string) bool { return func(n string) bool { return n == id+".json" } }
	// edit rewrites one run file of dir through f.
	edit := func(dir, id string, f func(r *RunResult)) {
		path := filepath.Join(dir, "runs", id+".json")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var r RunResult
		require.NoError(t, json.Unmarshal(b, &r))
		f(&r)
		require.NoError(t, writeJSON(path, r))
	}
	for _, c := range []struct {
		name  string
		setup func(dir string) []string // returns the directories to merge
		opts  func(o *Options)
		want  []string
	}{
		{"whole", func(dir string) []string { copyRuns(t, whole, dir, all); return []string{dir} }, nil, nil},
		{"missing shard", func(dir string) []string {
			copyRuns(t, whole, dir, only(ids[0]))
			return []string{dir}
		}, nil, []string{"1 of 2 runs of the grid missing", ids[1]}},
		{"empty shard", func(dir string) []string { return []string{dir} }, nil, []string{"holds no runs/*.json"}},
		{"duplicate", func(dir string) []string {
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			copyRuns(t, whole, a, all)
			copyRuns(t, whole, b, only(ids[1]))
			return []string{a, b}
		}, nil, []string{"appears in both", filepath.Join("a", "runs", ids[1]+".json"), filepath.Join("b", "runs", ids[1]+".json")}},
		{"truncated", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			edit(dir, ids[0], func(r *RunResult) { r.Points = r.Points[:2] })
			return []string{dir}
		}, nil, []string{ids[0] + ".json", "has 2 points, want 3", "truncated"}},
		{"points out of order", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			edit(dir, ids[0], func(r *RunResult) { r.Points[1], r.Points[2] = r.Points[2], r.Points[1] })
			return []string{dir}
		}, nil, []string{ids[0] + ".json", "point 1 is checkpoint 2"}},
		{"other settings", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			edit(dir, ids[1], func(r *RunResult) { r.Settings.DAALR = 1e-3 })
			return []string{dir}
		}, nil, []string{ids[1] + ".json", "other settings", "DAALR: run 0.001, want 0.0003"}},
		{"quick shard into the full study", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			return []string{dir}
		}, func(o *Options) { o.ApplyQuick(map[string]bool{"sizes": true, "betas": true, "seeds": true}) },
			[]string{"other settings", "Quick: run false, want true", "SFTSteps: run 20, want 1500"}},
		{"no settings", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			edit(dir, ids[0], func(r *RunResult) { r.Settings = nil })
			return []string{dir}
		}, nil, []string{ids[0] + ".json", "records no settings"}},
		{"not in the grid", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			edit(dir, ids[1], func(r *RunResult) {
				r.Spec.Beta = 0.5
				for k := range r.Points {
					r.Points[k].Beta = 0.5
				}
			})
			require.NoError(t, os.Rename(filepath.Join(dir, "runs", ids[1]+".json"), filepath.Join(dir, "runs", "dpo_b0.5_XS_s5.json")))
			return []string{dir}
		}, nil, []string{"dpo_b0.5_XS_s5.json", "run dpo beta=0.5 size=XS seed=5 is not in the grid"}},
		{"other grid", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			return []string{dir}
		}, func(o *Options) { o.Betas = []float64{0.1} }, []string{ids[0] + ".json", "other settings", "Betas: run [0.1,1], want [0.1]"}},
		{"renamed file", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			require.NoError(t, os.Rename(filepath.Join(dir, "runs", ids[0]+".json"), filepath.Join(dir, "runs", "x.json")))
			return []string{dir}
		}, nil, []string{"x.json holds run dpo beta=0.1"}},
		{"corrupt JSON", func(dir string) []string {
			copyRuns(t, whole, dir, all)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "runs", ids[0]+".json"), []byte(`{"spec": `), 0o644))
			return []string{dir}
		}, nil, []string{ids[0] + ".json", "unexpected end of JSON"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mo := o
			if c.opts != nil {
				c.opts(&mo)
			}
			results, err := Merge(mo, c.setup(t.TempDir()))
			if c.want == nil {
				require.NoError(t, err)
				assert.Len(t, results, 2)
				return
			}
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "merge: "), err.Error())
		})
	}
}

// TestVerifySummaryChecksTheGrid checks that VerifySummary passes the tiny
// study's output and fails, naming the file and the checkpoint, when
// points.csv lacks a row, holds an extra or a repeated one, or summary.json
// counts other runs than its grid has.
func TestVerifySummaryChecksTheGrid(t *testing.T) {
	whole := tinyStudy(t)
	require.NoError(t, VerifySummary(filepath.Join(whole, "summary.json")))
	points, err := os.ReadFile(filepath.Join(whole, "points.csv"))
	require.NoError(t, err)
	summary, err := os.ReadFile(filepath.Join(whole, "summary.json"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(points), "\n")
	require.Len(t, lines, 1+6+1) // header, 2 runs x 3 checkpoints, final ""
	for _, c := range []struct {
		name            string
		points, summary string
		want            []string
	}{
		{"row missing", strings.Join(append(lines[:3:3], lines[4:]...), ""), string(summary),
			[]string{"points.csv", "1 checkpoints of the grid missing", "dpo beta=0.1 size=XS seed=5 checkpoint 2"}},
		{"row repeated", strings.Join(append(lines[:4:4], lines[3:]...), ""), string(summary), []string{"points.csv:5", "appears twice"}},
		{"foreign row", string(points) + strings.Replace(lines[1], "dpo", "ipo", 1), string(summary), []string{"points.csv:8", "ipo beta=0.1", "not a checkpoint of the grid"}},
		{"wrong header", strings.Replace(string(points), "winrate", "win", 1), string(summary), []string{"header"}},
		{"runs miscounted", string(points), strings.Replace(string(summary), `"runs": 2`, `"runs": 1`, 1), []string{"summary.json", "1 runs with 6 points", "has 2 runs"}},
		{"seeds changed", string(points), strings.Replace(string(summary), `"Seeds": 1`, `"Seeds": 2`, 1), []string{"has 4 runs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "points.csv"), []byte(c.points), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.json"), []byte(c.summary), 0o644))
			err := VerifySummary(filepath.Join(dir, "summary.json"))
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
