package parallel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkForOverhead measures the cost of one For call that hands a chunk
// to a worker and waits for it, with a body that does almost nothing (and
// checks afterwards that every call covered its range).
func BenchmarkForOverhead(b *testing.B) {
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	For(2, 1, body)
	start := sink.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		For(2, 1, body)
	}
	b.StopTimer()
	require.EqualValues(b, 2*b.N, sink.Load()-start, "indices visited by %d calls", b.N)
}

// BenchmarkForHandoff runs For calls back to back whose chunks each busy-wait
// for 200 µs, and reports how much longer a call takes than one chunk: the
// time lost handing chunks to workers and collecting them.
func BenchmarkForHandoff(b *testing.B) {
	const chunk = 200 * time.Microsecond
	body := func(lo, hi int) {
		for t0 := time.Now(); time.Since(t0) < chunk; {
		}
	}
	w := Workers()
	For(w, 1, body)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		For(w, 1, body)
	}
	perCall := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perCall-chunk)/1e3, "µs-lost/op")
}
