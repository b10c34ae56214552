package train

import (
	"math"
	"os"
	"strings"
	"testing"

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
		if err != nil {
			t.Fatal(err)
		}
		c := tr.ReferenceCaches()
		if len(c) != 2 || c[0].Split != "train" || c[1].Split != "eval" {
			t.Fatalf("ReferenceCaches = %+v; want train and eval", c)
		}
		return c, tr
	}
	first, a := caches(cfg, 1, d)
	if first[0].Reused || first[1].Reused {
		t.Fatalf("first run reused a cache: %+v", first)
	}
	second, b := caches(cfg, 1, d)
	if !second[0].Reused || !second[1].Reused || second[0].Path != first[0].Path || second[1].Path != first[1].Path {
		t.Fatalf("second run: %+v; want the first run's files %+v reused", second, first)
	}
	if !equalFloats(a.train.ref.chosen, b.train.ref.chosen) || !equalFloats(a.eval.ref.rejected, b.eval.ref.rejected) {
		t.Error("reused values differ from the computed ones")
	}

	// Live reference sums on the same batches (EvalBatchSize) and on single pairs.
	live := cfg
	live.PrecomputeRefLogProbs = false
	lt, err := New(live, tinyModel(t, tensor.Float32, 1), nil, d)
	if err != nil {
		t.Fatal(err)
	}
	n := len(lt.train.set.Pairs)
	for _, size := range []int{cfg.EvalBatchSize, 1} {
		for lo := 0; lo < n; lo += size {
			idx := span(lo, min(n, lo+size))
			pb, err := lt.collate(&lt.train, idx)
			if err != nil {
				t.Fatal(err)
			}
			c, r, err := lt.refSums(&lt.train, idx, pb)
			if err != nil {
				t.Fatal(err)
			}
			for k, i := range idx {
				for _, v := range [][2]float64{{c.Data.At(k), a.train.ref.chosen[i]}, {r.Data.At(k), a.train.ref.rejected[i]}} {
					exact := size == cfg.EvalBatchSize
					if exact && v[0] != v[1] || !exact && math.Abs(v[0]-v[1]) > 1e-6*math.Abs(v[1]) {
						t.Errorf("pair %d in batches of %d: live reference %v, cached %v", i, size, v[0], v[1])
					}
				}
			}
		}
	}

	// Another training pair: a new train file, the eval file reused.
	changed := resumeData()
	changed.Train.Pairs[4].Chosen = append([]int{5}, changed.Train.Pairs[4].Chosen...)
	c, _ := caches(cfg, 1, changed)
	if c[0].Reused || c[0].Path == first[0].Path || !c[1].Reused {
		t.Errorf("changed training data: %+v", c)
	}
	// Another reference weight: both new.
	policy := tinyModel(t, tensor.Float32, 1)
	policy.Layers[1].MLP.UpBias.Data.Set(1e-3, 7)
	tr, err := New(cfg, policy, nil, d)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range tr.ReferenceCaches() {
		if c.Reused || c.Path == first[i].Path {
			t.Errorf("changed reference weights: %+v", c)
		}
	}
	// Another ld_alpha: both new.
	ld := cfg
	half := 0.5
	ld.Loss.LDAlpha = &half
	c, _ = caches(ld, 1, d)
	if c[0].Reused || c[1].Reused {
		t.Errorf("changed ld_alpha: %+v", c)
	}

	// A corrupt file is an error naming it.
	if err := os.WriteFile(first[1].Path, []byte("not safetensors"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, tinyModel(t, tensor.Float32, 1), nil, d); err == nil || !strings.Contains(err.Error(), first[1].Path) {
		t.Errorf("corrupt cache: %v; want an error naming %s", err, first[1].Path)
	}
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
