package align_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// BenchmarkComputeTokens measures the loss layer alone on float32 per-token
// log-probs of B = 32 pairs by T = 512 tokens (summing, loss, Backward to
// the tokens), reporting pairs/s: the overhead the losses add to a training
// step.
func BenchmarkComputeTokens(b *testing.B) {
	const pairs, tokens = 32, 512
	rng := tensor.NewRNG(1)
	for _, lc := range []lossCase{
		{"sigmoid", "sigmoid", nil},
		{"sigmoid/ld", "sigmoid", func(c *align.Config) { c.LDAlpha = ptr(0.5) }},
		{"multi/mpo", "multi", func(c *align.Config) {
			c.LossTypes, c.LossWeights = []string{"sigmoid", "bco_pair", "nll"}, []float64{0.8, 0.2, 1}
		}},
	} {
		b.Run(lc.label, func(b *testing.B) {
			loss := lc.loss(b)
			in := randomTokens(rng, pairs, pairs, tokens)
			chosen, rejected := in.chosen.Cast(tensor.Float32), in.rejected.Cast(tensor.Float32)
			in.refChosen, in.refRejected = in.refChosen.Cast(tensor.Float32), in.refRejected.Cast(tensor.Float32)
			b.ResetTimer()
			for b.Loop() {
				tb := in.batch(autograd.Param(chosen), autograd.Param(rejected), false)
				out, err := loss.ComputeTokens(tb)
				require.NoError(b, err)
				out.Loss.Backward()
			}
			b.ReportMetric(float64(pairs*b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
