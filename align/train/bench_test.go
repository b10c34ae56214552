package train

import (
	"math"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// benchPresets are the models of the DPO step benchmarks, with random
// weights (pythia.Preset + NewRandom, float32).
var benchPresets = []string{"pythia-14m", "pythia-70m"}

// benchTrainer returns a trainer for the PyTorch baseline's DPO step
// (../shared/reference/torch/bench_torch.py): 4 pairs, prompts of 64
// random tokens and completions of 63 random tokens + EOS, so 8 sequences
// of 128 tokens with 64 scored each; sigmoid loss, β = 0.1; a live
// reference (a copy of the initial policy) on an inference engine; AdamW.
func benchTrainer(b *testing.B, preset string) *Trainer {
	b.Helper()
	c, err := pythia.Preset(preset)
	require.NoError(b, err)
	policy, err := pythia.NewRandom(c, tensor.Float32, 1)
	require.NoError(b, err)
	rng := tensor.NewRNG(2)
	tokens := func(n int) []int {
		ids := make([]int, n)
		for i := range ids {
			ids[i] = 1 + rng.IntN(c.VocabSize-1)
		}
		return ids
	}
	ds := &Dataset{Name: "random"}
	for range 4 {
		ds.Pairs = append(ds.Pairs, data.TokenizedPair{Prompt: tokens(64), Chosen: tokens(63), Rejected: tokens(63)})
	}
	cfg := DefaultConfig()
	cfg.OutputDir = b.TempDir()
	cfg.BatchSize, cfg.MaxLength, cfg.MaxPromptLength = 4, 128, 64
	cfg.Optimizer = OptimizerAdamW
	tr, err := New(cfg, policy, nil, Data{Train: ds, EOS: 0, Pad: 1})
	require.NoError(b, err)
	return tr
}

// BenchmarkTrainerDPOStep measures a full optimizer step of the trainer
// on the engine backend, as pythia/fast's BenchmarkDPOStep/<preset>/adamw
// measures the bare engine (run the two back to back to compare):
// collation, policy scoring with the training engine and reference scoring
// with an inference engine, the sigmoid loss through autograd.Custom,
// backward, gradient clipping, AdamW and the step's metrics. It reports
// pairs/s and pairs per CPU-second (steadier on a loaded machine).
func BenchmarkTrainerDPOStep(b *testing.B) {
	for _, name := range benchPresets {
		b.Run(name, func(b *testing.B) {
			tr := benchTrainer(b, name)
			_, err := tr.trainStep() // untimed: first-use allocations
			require.NoError(b, err)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuSeconds()
			for range b.N {
				if _, err := tr.trainStep(); err != nil {
					require.NoError(b, err)
				}
			}
			b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(float64(4*b.N)/(cpuSeconds()-cpu0), "pairs/cpu-s")
		})
	}
}

// cpuSeconds returns the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
