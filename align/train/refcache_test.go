package train

import (
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// TestReferenceCache checks the precomputed reference log-probs: a first
// run computes and writes one file per data set, a second run with the same
// data and reference reads them (same files, same values), and changing a
// training pair, a reference weight or ld_alpha makes a new file for what
// changed only. The cached sums equal the live reference's on the same
// batches bit for bit, and those of single-pair batches to float32
// rounding (relative 1e-6). A corrupt cache file is an error naming it.
func TestReferenceCache(t *testing.T) {
	cache := t.TempDir()
	cfg := tinyTrainConfig(t.TempDir())
	cfg.PrecomputeRefLogProbs, cfg.RefCacheDir = true, cache
	d := resumeData()
	caches := func(cfg Config, policy int, d Data) ([]RefCache, *Trainer) {
		t.Helper()
		tr, err := New(cfg, tinyModel(t, tensor.Float32, uint64(policy)), nil, d)
		require.NoError(t, err)
		c := tr.ReferenceCaches()
		require.Len(t, c, 2)
		require.Equal(t, "train", c[0].Split)
		require.Equal(t, "eval", c[1].Split)
		return c, tr
	}
	first, a := caches(cfg, 1, d)
	require.False(t, first[0].Reused || first[1].Reused, "first run reused a cache: %+v", first)
	second, b := caches(cfg, 1, d)
	require.True(t, second[0].Reused && second[1].Reused, "second run: %+v; want the first run's files reused", second)
	require.Equal(t, first[0].Path, second[0].Path)
	require.Equal(t, first[1].Path, second[1].Path)
	assert.True(t, equalFloats(a.train.ref.chosen, b.train.ref.chosen), "reused values differ from the computed ones")
	assert.True(t, equalFloats(a.eval.ref.rejected, b.eval.ref.rejected), "reused values differ from the computed ones")

	// Live reference sums on the same batches (EvalBatchSize) and on single pairs.
	live := cfg
	live.PrecomputeRefLogProbs = false
	lt, err := New(live, tinyModel(t, tensor.Float32, 1), nil, d)
	require.NoError(t, err)
	n := len(lt.train.set.Pairs)
	for _, size := range []int{cfg.EvalBatchSize, 1} {
		for lo := 0; lo < n; lo += size {
			idx := span(lo, min(n, lo+size))
			pb, err := lt.collate(&lt.train, idx)
			require.NoError(t, err)
			c, r, err := lt.refSums(&lt.train, idx, pb)
			require.NoError(t, err)
			for k, i := range idx {
				for _, v := range [][2]float64{{c.Data.At(k), a.train.ref.chosen[i]}, {r.Data.At(k), a.train.ref.rejected[i]}} {
					exact := size == cfg.EvalBatchSize
					if exact {
						assert.Equal(t, v[1], v[0], "pair %d in batches of %d: live reference vs cached", i, size)
					} else {
						assert.InDelta(t, v[1], v[0], 1e-6*math.Abs(v[1]), "pair %d in batches of %d: live reference vs cached", i, size)
					}
				}
			}
		}
	}

	// Another training pair: a new train file, the eval file reused.
	changed := resumeData()
	changed.Train.Pairs[4].Chosen = append([]int{5}, changed.Train.Pairs[4].Chosen...)
	c, _ := caches(cfg, 1, changed)
	assert.False(t, c[0].Reused, "changed training data: %+v", c)
	assert.NotEqual(t, first[0].Path, c[0].Path, "changed training data")
	assert.True(t, c[1].Reused, "changed training data, same eval data: %+v", c)
	// Another reference weight: both new.
	policy := tinyModel(t, tensor.Float32, 1)
	policy.Layers[1].MLP.UpBias.Data.Set(1e-3, 7)
	tr, err := New(cfg, policy, nil, d)
	require.NoError(t, err)
	for i, c := range tr.ReferenceCaches() {
		assert.False(t, c.Reused, "changed reference weights: %+v", c)
		assert.NotEqual(t, first[i].Path, c.Path, "changed reference weights")
	}
	// Another ld_alpha: both new.
	ld := cfg
	half := 0.5
	ld.Loss.LDAlpha = &half
	c, _ = caches(ld, 1, d)
	assert.False(t, c[0].Reused || c[1].Reused, "changed ld_alpha: %+v", c)

	// A corrupt file is an error naming it.
	require.NoError(t, os.WriteFile(first[1].Path, []byte("not safetensors"), 0o644))
	_, err = New(cfg, tinyModel(t, tensor.Float32, 1), nil, d)
	assert.ErrorContains(t, err, first[1].Path, "corrupt cache")
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
