package parallel

import "testing"

// BenchmarkForOverhead measures the cost of one For call that hands a chunk
// to a worker and waits for it, with a body that does almost nothing.
func BenchmarkForOverhead(b *testing.B) {
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	For(2, 1, body)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		For(2, 1, body)
	}
}
