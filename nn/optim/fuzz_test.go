package optim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// fuzzModel returns the small float32 parameters "w" [4 5] and "b" [5].
func fuzzModel() []nn.Param {
	return []nn.Param{
		{Name: "w", Value: autograd.Param(tensor.Ones(tensor.Float32, 4, 5))},
		{Name: "b", Value: autograd.Param(tensor.Ones(tensor.Float32, 5))},
	}
}

// FuzzLoad feeds corrupted state files to AdamW.Load, seeded with real state
// files (plain and amsgrad). Load must return an error or succeed, never
// panic, and after a successful Load a Step must not panic.
func FuzzLoad(f *testing.F) {
	dir := f.TempDir()
	for i, amsgrad := range []bool{false, true} {
		ps := fuzzModel()
		opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, AMSGrad: amsgrad, Decay: DecayRank2})
		if err != nil {
			f.Fatal(err)
		}
		for k := range 2 {
			resumeGrads(ps, k)
			opt.Step()
		}
		path := filepath.Join(dir, "seed.safetensors")
		if err := opt.Save(path); err != nil {
			f.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		if i == 0 {
			f.Add(raw[:len(raw)/2])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "state.safetensors")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ps := fuzzModel()
		opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decay: DecayRank2})
		if err != nil {
			t.Fatal(err)
		}
		if opt.Load(path) != nil {
			return
		}
		resumeGrads(ps, 0)
		opt.Step()
	})
}
