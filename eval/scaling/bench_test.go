package scaling

import "testing"

// BenchmarkFitRL measures one RL-form fit with intercept on 40 points, in
// fits/s (a 1000-resample bootstrap makes 1000 of them).
func BenchmarkFitRL(b *testing.B) {
	d, win := synthetic(truth{RL, 0.5, 0.2, 0.4, 8}, 40, 0.01, 1)
	for b.Loop() {
		if _, err := FitForm(RL, d, win, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fits/s")
}
