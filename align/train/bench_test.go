package train

import (
	"testing"

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
// reference (a copy of the initial policy) scored without a graph; AdamW.
func benchTrainer(b *testing.B, preset string) *Trainer {
	b.Helper()
	c, err := pythia.Preset(preset)
	if err != nil {
		b.Fatal(err)
	}
	policy, err := pythia.NewRandom(c, tensor.Float32, 1)
	if err != nil {
		b.Fatal(err)
	}
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
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkDPOStep measures the gradient of one DPO step as the PyTorch
// baseline's "DPO step" column does: policy forward and backward on the 8
// sequences, reference forward without a graph, sigmoid loss (no optimizer
// update). It reports pairs/s.
func BenchmarkDPOStep(b *testing.B) {
	for _, name := range benchPresets {
		b.Run(name, func(b *testing.B) {
			tr := benchTrainer(b, name)
			idx := span(0, 4)
			b.ResetTimer()
			for range b.N {
				if _, err := tr.accumulate(idx); err != nil {
					b.Fatal(err)
				}
				tr.opt.ZeroGrad()
			}
			b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// BenchmarkDPOStepAdamW is BenchmarkDPOStep with gradient clipping and an
// AdamW update (the baseline's "DPO + AdamW" column).
func BenchmarkDPOStepAdamW(b *testing.B) {
	for _, name := range benchPresets {
		b.Run(name, func(b *testing.B) {
			tr := benchTrainer(b, name)
			idx := span(0, 4)
			b.ResetTimer()
			for range b.N {
				if _, err := tr.accumulate(idx); err != nil {
					b.Fatal(err)
				}
				if _, _, err := tr.update(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
