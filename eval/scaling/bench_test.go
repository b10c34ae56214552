package scaling

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFitRL measures one RL-form fit with intercept on 40 points, in
// fits/s (a 1000-resample bootstrap makes 1000 of them).
func BenchmarkFitRL(b *testing.B) {
	d, win := synthetic(truth{RL, 0.5, 0.2, 0.4, 8}, 40, 0.01, 1)
	for b.Loop() {
		_, err := FitForm(RL, d, win, true)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fits/s")
}
