// Package parallel runs loops across a persistent pool of worker goroutines.
//
// Kernels call For with a range and a body; the range is cut into at most
// Workers() contiguous chunks, so a reduction that each chunk computes and the
// caller combines in chunk order is deterministic for a given GOMAXPROCS.
// The workers are started once and reused: a kernel pays a channel send per
// chunk, not a goroutine start, and long assembly loops that cannot be
// preempted never compete with freshly spawned goroutines.
//
// Waiting spins briefly before it blocks, on both sides: a worker polls for
// its next chunk for spinWait after finishing one, and For polls for its
// chunks to finish. Handing a chunk to a parked goroutine puts it in the
// run queue of the sender's processor, where it waited about 90 µs for
// another processor to take it (measured on a 2-core KVM guest); kernels
// that follow each other closely thus keep both sides running.
//
// Callers that already run independent jobs on every core (the
// over-optimization study trains two models at once on two cores) turn
// on serial mode with SetSerial(true): every For then runs its whole range
// as one chunk on the calling goroutine, with no hand-off and no spinning.
// Code that sizes per-chunk scratch by Workers() or cuts ranges with
// Chunks keeps working, since Chunks returns 1. In serial mode a kernel
// computes what it computes with GOMAXPROCS=1, so its results do not
// depend on GOMAXPROCS (they may differ in the last bits from a parallel
// run, whose reductions combine Workers() partial results).
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinWait is how long a worker polls for its next chunk, and For for its
// chunks to finish, before blocking.
const spinWait = 200 * time.Microsecond

// task is one chunk [lo, hi) of a For call; the last chunk to finish
// signals its group.
type task struct {
	fn     func(lo, hi int)
	lo, hi int
	group  *group
}

// group tracks the chunks of one For call. Groups are pooled so that a For
// call does not allocate for its own bookkeeping.
type group struct {
	pending atomic.Int32
	done    chan struct{} // buffered: the last chunk sends, For receives
}

var groups = sync.Pool{New: func() any { return &group{done: make(chan struct{}, 1)} }}

func (t task) run() {
	t.fn(t.lo, t.hi)
	if t.group.pending.Add(-1) == 0 {
		t.group.done <- struct{}{}
	}
}

// serial is set by SetSerial: For runs inline and Chunks returns 1.
var serial atomic.Bool

// SetSerial turns serial mode on or off for the whole process: while on,
// For runs fn(0, n) on the calling goroutine, Chunks returns 1 and
// Parallelism returns 1. Switch it before starting work, not while For
// calls are in flight: a For already running keeps the chunks it cut.
func SetSerial(on bool) { serial.Store(on) }

// Serial reports whether serial mode is on (see SetSerial).
func Serial() bool { return serial.Load() }

var (
	startOnce sync.Once
	tasks     chan task
	nworkers  int
)

func start() {
	nworkers = runtime.GOMAXPROCS(0)
	tasks = make(chan task, 4*nworkers)
	// One fewer worker than GOMAXPROCS: the calling goroutine runs a chunk too.
	for i := 0; i < nworkers-1; i++ {
		go func() {
			for {
				nextTask().run()
			}
		}()
	}
}

// nextTask returns the next queued chunk, polling for spinWait first.
func nextTask() task {
	deadline := time.Now().Add(spinWait)
	for i := 0; ; i++ {
		select {
		case t := <-tasks:
			return t
		default:
		}
		if i%64 == 63 && time.Now().After(deadline) {
			return <-tasks
		}
	}
}

// Workers returns the size of the pool: GOMAXPROCS at the time of the
// first call, and the most chunks For ever cuts a range into, so it sizes
// per-chunk scratch. Decisions about splitting work use Parallelism.
func Workers() int {
	startOnce.Do(start)
	return nworkers
}

// Parallelism returns the number of chunks For splits a large range into
// now: Workers(), or 1 in serial mode.
func Parallelism() int {
	if serial.Load() {
		return 1
	}
	return Workers()
}

// For calls fn(lo, hi) on disjoint contiguous chunks that cover [0, n) and
// returns when all have finished. Each chunk holds at least grain items
// (grain < 1 means 1), so small loops run inline on the caller. The chunk
// boundaries depend only on n, grain and Parallelism(). fn must be safe to
// call concurrently on disjoint chunks. In serial mode fn(0, n) runs on the
// caller.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if serial.Load() {
		fn(0, n)
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := Chunks(n, grain)
	if chunks == 1 {
		fn(0, n)
		return
	}
	g := groups.Get().(*group)
	g.pending.Store(int32(chunks))
	for c := 1; c < chunks; c++ {
		lo, hi := ChunkRange(n, chunks, c)
		t := task{fn: fn, lo: lo, hi: hi, group: g}
		select {
		case tasks <- t:
		default:
			t.run() // queue full (nested calls): run it here rather than block
		}
	}
	lo, hi := ChunkRange(n, chunks, 0)
	task{fn: fn, lo: lo, hi: hi, group: g}.run()
	// While chunks are outstanding, help with queued work: a For nested in a
	// chunk would otherwise wait on a worker that is itself waiting.
	deadline := time.Now().Add(spinWait)
	for i := 0; ; i++ {
		select {
		case <-g.done:
			groups.Put(g) // every chunk has finished with g
			return
		case t := <-tasks:
			t.run()
		default:
			if i%64 == 63 && time.Now().After(deadline) {
				select {
				case <-g.done:
					groups.Put(g)
					return
				case t := <-tasks:
					t.run()
				}
			}
		}
	}
}

// Chunks returns how many chunks For cuts [0, n) into for a given grain:
// min(Parallelism(), ceil(n/grain)), at least 1.
func Chunks(n, grain int) int {
	w := Parallelism()
	if grain < 1 {
		grain = 1
	}
	c := (n + grain - 1) / grain
	if c > w {
		c = w
	}
	if c < 1 {
		c = 1
	}
	return c
}

// ChunkRange returns the bounds of chunk c of [0, n) cut into chunks nearly
// equal parts; the first n%chunks parts are one item longer.
func ChunkRange(n, chunks, c int) (lo, hi int) {
	size, rem := n/chunks, n%chunks
	lo = c*size + min(c, rem)
	hi = lo + size
	if c < rem {
		hi++
	}
	return lo, hi
}
