package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkCategoricalKL measures exact per-token KL over Pythia's vocabulary
// (50304 logits per row under each model), in rows/s and in GB/s of logits read.
func BenchmarkCategoricalKL(b *testing.B) {
	const vocab = 50304
	rng := rand.New(rand.NewPCG(1, 1))
	p, q := make([]float64, vocab), make([]float64, vocab)
	for v := range p {
		p[v], q[v] = 3*rng.NormFloat64(), 3*rng.NormFloat64()
	}
	kl := CategoricalKL(p, q)
	require.False(b, math.IsInf(kl, 0), "KL of the benchmark rows")
	require.Greater(b, kl, 0.0, "KL of the benchmark rows")
	b.ResetTimer()
	for b.Loop() {
		CategoricalKL(p, q)
	}
	rows := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rows, "rows/s")
	b.ReportMetric(rows*2*vocab*8/1e9, "GB/s")
}
