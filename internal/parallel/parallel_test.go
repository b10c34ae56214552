package parallel

import (
	"sync/atomic"
	"testing"
)

// TestForCoversRange checks that every index in [0, n) is visited exactly once
// for sizes around the chunk boundaries.
func TestForCoversRange(t *testing.T) {
	for _, tc := range []struct{ n, grain int }{
		{0, 1}, {1, 1}, {2, 1}, {7, 3}, {100, 1}, {100, 1000}, {1001, 16}, {5, 0},
	} {
		seen := make([]int32, tc.n)
		var calls atomic.Int32
		For(tc.n, tc.grain, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d grain=%d: index %d visited %d times", tc.n, tc.grain, i, s)
			}
		}
		if tc.n > 0 && int(calls.Load()) != Chunks(tc.n, tc.grain) {
			t.Fatalf("n=%d grain=%d: %d calls, Chunks says %d", tc.n, tc.grain, calls.Load(), Chunks(tc.n, tc.grain))
		}
	}
}

// TestChunkRangeContiguous checks that chunks tile [0, n) in order.
func TestChunkRangeContiguous(t *testing.T) {
	for n := 1; n < 50; n++ {
		for chunks := 1; chunks <= n; chunks++ {
			next := 0
			for c := 0; c < chunks; c++ {
				lo, hi := ChunkRange(n, chunks, c)
				if lo != next || hi <= lo {
					t.Fatalf("n=%d chunks=%d c=%d: [%d,%d) after %d", n, chunks, c, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("n=%d chunks=%d: ends at %d", n, chunks, next)
			}
		}
	}
}

// TestForNested checks that a For inside a For body finishes (the caller runs
// a chunk itself, so a full queue cannot deadlock while workers are busy).
func TestForNested(t *testing.T) {
	var total atomic.Int64
	For(8, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			For(100, 1, func(a, b int) { total.Add(int64(b - a)) })
		}
	})
	if total.Load() != 800 {
		t.Fatalf("nested total %d, want 800", total.Load())
	}
}

var sink atomic.Int64

// TestForDoesNotAllocate checks that For's own bookkeeping (pending count,
// completion signal) is pooled: a body that captures nothing costs no
// allocation per call.
func TestForDoesNotAllocate(t *testing.T) {
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	For(1000, 1, body) // start the workers and fill the pool
	if allocs := testing.AllocsPerRun(100, func() { For(1000, 1, body) }); allocs != 0 {
		t.Fatalf("For allocates %v times per call, want 0", allocs)
	}
}
