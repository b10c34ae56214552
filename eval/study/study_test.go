package study

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShardMergeMatchesSingleRun runs the tiny study once whole and once as
// two shards at the same time, merges the shards, and checks that the
// merged points.csv is byte-identical to the single run's (which also
// checks that a run's numbers do not depend on what runs beside it, nor on
// the number of workers).
func TestShardMergeMatchesSingleRun(t *testing.T) {
	whole := tinyStudy(t)
	dir := t.TempDir()
	shards := []string{filepath.Join(dir, "s0"), filepath.Join(dir, "s1")}
	var wg sync.WaitGroup
	for i, out := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := tinyOptions(out)
			// Two workers where the whole run had one: the synthetic
			// study's kernels run serially, so its numbers do not depend
			// on the workers (or the cores).
			o.Shard, o.NumShards, o.Workers = i, 2, 2
			runTiny(t, o)
		}()
	}
	wg.Wait()
	require.False(t, t.Failed())
	_, err := os.Stat(filepath.Join(shards[0], "report.md"))
	assert.True(t, os.IsNotExist(err), "a shard wrote a report; shards write only runs/*.json")

	merged := tinyOptions(filepath.Join(dir, "merged"))
	results, err := Merge(merged, shards)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(merged.Out, 0o755))
	_, err = WriteReport(merged, NewSynthetic(merged), results)
	require.NoError(t, err)
	a, err := os.ReadFile(filepath.Join(whole, "points.csv"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(merged.Out, "points.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b), "merged points.csv differs from the single run's")
	assert.True(t, strings.HasPrefix(string(a), strings.Join(PointsHeader, ",")+"\n"))
	assert.True(t, strings.HasSuffix(PointsHeader[len(PointsHeader)-1], "in_support_mass") && PointsHeader[len(PointsHeader)-2] == "ood_share",
		"the out-of-distribution columns come last, after the older columns")
	for _, f := range []string{"report.md", "summary.json", "winrate_vs_sqrt_kl_XS.png", "training_curves.png", "length_vs_kl.png", "accuracy_vs_winrate.png"} {
		fi, err := os.Stat(filepath.Join(merged.Out, f))
		if assert.NoError(t, err, f) {
			assert.Positive(t, fi.Size(), f)
		}
	}
	assert.NoError(t, VerifySummary(filepath.Join(merged.Out, "summary.json")))
}

// TestTinyStudyNumbers checks the tiny study's points against what holds
// by construction: checkpoint 0 of every run is the reference itself (KL
// 0 to float32 rounding; every implicit-reward margin 0, so accuracy 0),
// rates lie in [0, 1], lengths within the sampling limit, and the runs
// move away from the reference.
func TestTinyStudyNumbers(t *testing.T) {
	o := tinyOptions(tinyStudy(t))
	results, err := Merge(o, []string{o.Out})
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		require.Len(t, r.Points, o.Checkpoints+1)
		start, last := r.Points[0], r.Points[len(r.Points)-1]
		assert.InDelta(t, 0, start.KL, 1e-4, "%s: KL at the start (policy = reference; float32 sums)", r.Spec)
		assert.Zero(t, start.ImplicitAcc, "%s: implicit accuracy at the start", r.Spec)
		assert.Positive(t, last.KL, "%s: final KL", r.Spec)
		assert.Equal(t, 4*16, last.ExamplesSeen, "%s: a run is one epoch of 64 pairs", r.Spec)
		for _, p := range r.Points {
			for name, v := range map[string]float64{"winrate": p.WinRate, "no_eos_rate": p.NoEOSRate, "frac_over_max": p.FracOverMax, "implicit_acc": p.ImplicitAcc} {
				assert.True(t, v >= 0 && v <= 1, "%s checkpoint %d: %s = %v outside [0, 1]", r.Spec, p.Checkpoint, name, v)
			}
			assert.True(t, p.MeanLength >= 0 && p.MeanLength <= 16, "%s: mean length %v outside [0, 16]", r.Spec, p.MeanLength)
			assert.True(t, p.OODShare >= 0 && p.OODShare <= 1, "%s checkpoint %d: ood_share %v outside [0, 1]", r.Spec, p.Checkpoint, p.OODShare)
			assert.True(t, p.InSupportMass > 0 && p.InSupportMass <= 1, "%s checkpoint %d: in_support_mass %v outside (0, 1]", r.Spec, p.Checkpoint, p.InSupportMass)
		}
		assert.Equal(t, results[0].Points[0].InSupportMass, start.InSupportMass, "%s: checkpoint 0 is the cell's reference", r.Spec)
	}
}

// TestShardPartitionsGrid checks that shards partition the grid, and the
// grid's size and order.
func TestShardPartitionsGrid(t *testing.T) {
	// The default: S with 4 objectives, M with DPO; 4 betas, 4 seeds.
	def := Grid(DefaultOptions())
	require.Len(t, def, (4*4+4)*4)
	// The size ladder with DPO alone on M and L.
	o := DefaultOptions()
	o.Sizes, o.SizeLosses = []string{"S", "M", "L"}, map[string][]string{"M": {"dpo"}, "L": {"dpo"}}
	all := Grid(o)
	// S: 4 objectives x 4 betas; M and L: DPO x 4 betas; 4 seeds.
	require.Len(t, all, (4*4+4+4)*4)
	assert.Equal(t, RunSpec{Objective: "dpo", Beta: 0.03, Size: "S", Seed: 1}, all[0])
	perSize := map[string]map[string]int{}
	for _, s := range all {
		if perSize[s.Size] == nil {
			perSize[s.Size] = map[string]int{}
		}
		perSize[s.Size][s.Objective]++
	}
	assert.Equal(t, map[string]int{"dpo": 16, "ipo": 16, "slic": 16, "rdpo": 16}, perSize["S"])
	assert.Equal(t, map[string]int{"dpo": 16}, perSize["M"])
	assert.Equal(t, map[string]int{"dpo": 16}, perSize["L"])
	seen := map[string]int{}
	for i := range 5 {
		for _, s := range Shard(all, i, 5) {
			seen[s.ID()]++
		}
	}
	for _, s := range all {
		assert.Equal(t, 1, seen[s.ID()], "run %s", s)
	}
	assert.Panics(t, func() { Shard(all, 2, 2) })
}

// TestScheduleLongestFirst checks the order of a study's work: the cells
// from the largest size down, then their runs in the same order, each run
// once.
func TestScheduleLongestFirst(t *testing.T) {
	o := DefaultOptions()
	o.Seeds, o.Sizes = 2, []string{"S", "M", "L"}
	grid := Grid(o)
	cells, runs := schedule(NewSynthetic(o).SortSizes(o.Sizes), grid)
	assert.Equal(t, []string{"L/1", "L/2", "M/1", "M/2", "S/1", "S/2"}, cells)
	require.Len(t, runs, len(grid))
	assert.ElementsMatch(t, grid, runs)
	assert.Equal(t, RunSpec{Objective: "dpo", Beta: 0.03, Size: "L", Seed: 1}, runs[0])
	assert.Equal(t, "S", runs[len(runs)-1].Size)
	for i := 1; i < len(runs); i++ {
		a, b := slices.Index(cells, cellKey(runs[i-1])), slices.Index(cells, cellKey(runs[i]))
		assert.LessOrEqual(t, a, b, "run %d (%s) comes before an earlier cell's run", i, runs[i])
	}
}
