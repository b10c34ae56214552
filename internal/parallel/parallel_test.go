package parallel

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			require.EqualValues(t, 1, s, "n=%d grain=%d: visits of index %d", tc.n, tc.grain, i)
		}
		if tc.n > 0 {
			require.EqualValues(t, Chunks(tc.n, tc.grain), calls.Load(), "n=%d grain=%d: calls vs Chunks", tc.n, tc.grain)
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
				require.Equal(t, next, lo, "n=%d chunks=%d c=%d: start of [%d,%d)", n, chunks, c, lo, hi)
				require.Greater(t, hi, lo, "n=%d chunks=%d c=%d: empty chunk", n, chunks, c)
				next = hi
			}
			require.Equal(t, n, next, "n=%d chunks=%d: end of the last chunk", n, chunks)
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
	assert.EqualValues(t, 800, total.Load(), "nested total")
}

var sink atomic.Int64

// TestForDoesNotAllocate checks that For's own bookkeeping (pending count,
// completion signal) is pooled: a body that captures nothing costs no
// allocation per call.
func TestForDoesNotAllocate(t *testing.T) {
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	For(1000, 1, body) // start the workers and fill the pool
	allocs := testing.AllocsPerRun(100, func() { For(1000, 1, body) })
	assert.Zero(t, allocs, "For allocations per call")
}

// TestSerialRunsInline checks that in serial mode For makes one call
// fn(0, n) on the calling goroutine (the body writes unsynchronised
// variables, which the race detector flags if a worker runs it), and that
// Chunks and Parallelism report one chunk while Workers keeps the pool
// size.
func TestSerialRunsInline(t *testing.T) {
	workers := Workers()
	SetSerial(true)
	defer SetSerial(false)
	require.True(t, Serial(), "Serial after SetSerial(true)")
	for _, n := range []int{1, 7, 1000, 1 << 20} {
		var calls, lo0, hi0 int // unsynchronised: written by the caller's goroutine only
		For(n, 1, func(lo, hi int) {
			calls++
			lo0, hi0 = lo, hi
		})
		assert.Equal(t, 1, calls, "n=%d: calls in serial mode", n)
		assert.Equal(t, 0, lo0, "n=%d: start of the one chunk", n)
		assert.Equal(t, n, hi0, "n=%d: end of the one chunk", n)
		assert.Equal(t, 1, Chunks(n, 1), "n=%d: Chunks in serial mode", n)
	}
	assert.Equal(t, 1, Parallelism(), "Parallelism in serial mode")
	assert.Equal(t, workers, Workers(), "Workers in serial mode (the pool size)")
	SetSerial(false)
	assert.Equal(t, workers, Parallelism(), "Parallelism after SetSerial(false)")
	assert.Equal(t, min(workers, 1000), Chunks(1000, 1), "Chunks after SetSerial(false)")
}

// TestSerialDoesNotAllocate checks that serial For costs no allocation.
func TestSerialDoesNotAllocate(t *testing.T) {
	SetSerial(true)
	defer SetSerial(false)
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	allocs := testing.AllocsPerRun(100, func() { For(1000, 1, body) })
	assert.Zero(t, allocs, "serial For allocations per call")
}
