package eval

import (
	"math/rand/v2"
	"testing"
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
	b.ResetTimer()
	for b.Loop() {
		CategoricalKL(p, q)
	}
	rows := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rows, "rows/s")
	b.ReportMetric(rows*2*vocab*8/1e9, "GB/s")
}
