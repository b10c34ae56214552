package optim

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
	"github.com/stretchr/testify/require"
)

// fuzzModel returns the small float32 parameters "w" [4 5] and "b" [5].
func fuzzModel() []nn.Param {
	return []nn.Param{
		{Name: "w", Value: autograd.Param(tensor.Ones(tensor.Float32, 4, 5))},
		{Name: "b", Value: autograd.Param(tensor.Ones(tensor.Float32, 5))},
	}
}

// boundMinimization caps how many runs the fuzzing engine spends minimising
// each new input at runs, unless -fuzzminimizetime was given. A state file
// is about 900 bytes, and with the default (60 s per input) the engine spent
// its whole budget shrinking inputs byte by byte at a few milliseconds a run
// on this binary: 0 execs/s (issue 16). With 200 runs it fuzzes at ~150
// execs/s on a loaded 2-core machine.
func boundMinimization(f *testing.F, runs string) {
	given := false
	flag.Visit(func(fl *flag.Flag) { given = given || fl.Name == "test.fuzzminimizetime" })
	if fl := flag.Lookup("test.fuzzminimizetime"); fl != nil && !given {
		require.NoError(f, fl.Value.Set(runs))
	}
}

// FuzzLoad feeds corrupted state files to AdamW.Load, seeded with real state
// files (plain and amsgrad). Load must return an error or succeed, never
// panic, and after a successful Load a Step must not panic.
func FuzzLoad(f *testing.F) {
	boundMinimization(f, "200x")
	dir := f.TempDir()
	for i, amsgrad := range []bool{false, true} {
		ps := fuzzModel()
		opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, AMSGrad: amsgrad, Decay: DecayRank2})
		require.NoError(f, err)
		for k := range 2 {
			resumeGrads(ps, k)
			opt.Step()
		}
		path := filepath.Join(dir, "seed.safetensors")
		require.NoError(f, opt.Save(path))
		raw, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(raw)
		if i == 0 {
			f.Add(raw[:len(raw)/2])
		}
	}
	// One file per process, rewritten by each run (runs within a process
	// are sequential): no directory is created and removed per run.
	path := filepath.Join(dir, "state.safetensors")
	f.Fuzz(func(t *testing.T, data []byte) {
		require.NoError(t, os.WriteFile(path, data, 0o644))
		ps := fuzzModel()
		opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decay: DecayRank2})
		require.NoError(t, err)
		if opt.Load(path) != nil {
			return
		}
		resumeGrads(ps, 0)
		opt.Step()
	})
}
