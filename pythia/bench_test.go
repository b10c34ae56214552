package pythia

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// benchModels are the presets benchmarked, with random weights.
var benchModels = []string{"pythia-14m", "pythia-70m", "pythia-160m"}

// benchBatch returns a batch of 8 sequences of 128 random token ids.
func benchBatch(vocab int) [][]int {
	rng := tensor.NewRNG(1)
	ids := make([][]int, 8)
	for i := range ids {
		ids[i] = make([]int, 128)
		for j := range ids[i] {
			ids[i][j] = rng.IntN(vocab)
		}
	}
	return ids
}

func benchModel(b *testing.B, name string) *Model {
	b.Helper()
	cfg, err := Preset(name)
	require.NoError(b, err)
	m, err := NewRandom(cfg, tensor.Float32, 1)
	require.NoError(b, err)
	return m
}

// BenchmarkForward measures the float32 forward pass to logits of a frozen
// model (no graph) on 8 x 128 tokens (the PyTorch baseline's shape).
func BenchmarkForward(b *testing.B) {
	for _, name := range benchModels {
		b.Run(name, func(b *testing.B) {
			m := benchModel(b, name).Frozen()
			ids := benchBatch(m.Config.VocabSize)
			b.ResetTimer()
			for range b.N {
				m.Forward(ids, nil)
			}
			b.ReportMetric(float64(8*128*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkTrainStep measures forward and backward of the mean next-token
// NLL on 8 x 128 tokens in float32 (no optimizer step).
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range benchModels {
		b.Run(name, func(b *testing.B) {
			m := benchModel(b, name)
			ids := benchBatch(m.Config.VocabSize)
			params := m.Params()
			b.ResetTimer()
			for range b.N {
				m.NextTokenLoss(ids, nil).Backward()
				for _, p := range params {
					p.Value.ZeroGrad()
				}
			}
			b.ReportMetric(float64(8*128*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
