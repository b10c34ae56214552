package study

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/pythia"
)

// Run trains and evaluates this shard's runs (Shard(Grid(o), o.Shard,
// o.NumShards)) of task, o.Workers at a time, and writes each finished run
// to o.Out/runs/<ID>.json with the settings it was run with. It reports
// progress on w (a bar on a terminal, one line per finished run otherwise)
// and returns the results in grid order. o must be valid (Options.Validate).
//
// For the synthetic task Run puts the process's kernels in serial mode
// while it runs (see enterSerial): its results are then those of a
// GOMAXPROCS=1 run whatever the cores and o.Workers, so shards run with any
// -workers on any machine merge byte-identical to a whole run.
func Run(o Options, task Task, w io.Writer) ([]RunResult, error) {
	keys, specs := schedule(task.SortSizes(o.Sizes), Shard(Grid(o), o.Shard, o.NumShards))
	cells := map[string]*cell{}
	total := len(specs) * trainSteps(o, task)
	for _, s := range specs {
		if key := cellKey(s); cells[key] == nil {
			cells[key] = &cell{size: s.Size, seed: s.Seed}
			total += task.PrepareSteps(s.Size)
		}
	}
	p := newProgress(w, total)
	defer p.Finish()
	runDir := filepath.Join(o.Out, "runs")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	settings := settingsOf(o)
	// Cells first (their references), then the DAA runs.
	work := make(chan func() error)
	errs := make(chan error, len(specs)+len(cells))
	if !o.RealMode() {
		enterSerial()
		defer leaveSerial()
	}
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				if err := f(); err != nil {
					errs <- err
				}
			}
		}()
	}
	var results []RunResult
	var mu sync.Mutex
	for _, k := range keys {
		c := cells[k]
		work <- func() error { return c.prepare(o, task, p) }
	}
	for _, s := range specs {
		c := cells[cellKey(s)]
		work <- func() error {
			if err := c.prepare(o, task, p); err != nil {
				return nil // reported once by the cell's own task
			}
			r, err := runOne(o, s, c, p)
			if err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
			r.Settings = &settings
			if err := writeJSON(filepath.Join(runDir, s.ID()+".json"), r); err != nil {
				return err
			}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
			last := r.Points[len(r.Points)-1]
			p.Logf("finished %-28s in %5.1fs: KL %.2f, win rate %.3f (start %.3f)", s, r.Seconds, last.KL, last.WinRate, r.Points[0].WinRate)
			return nil
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	SortResults(results)
	return results, nil
}

// schedule orders the work of specs longest first, so that no worker idles
// at the end: the cells (cellKey) from the largest size down (sizes run
// from the smallest to the largest), seeds in order, then the runs in the
// order of their cells (a run waits for its cell, and the first cells are
// ready first), grid order within a cell.
func schedule(sizes []string, specs []RunSpec) (cells []string, runs []RunSpec) {
	rank := map[string]int{}
	for i, size := range sizes {
		rank[size] = -i
	}
	runs = append([]RunSpec(nil), specs...)
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if rank[a.Size] != rank[b.Size] {
			return rank[a.Size] < rank[b.Size]
		}
		return a.Seed < b.Seed
	})
	for _, s := range runs {
		if k := cellKey(s); len(cells) == 0 || cells[len(cells)-1] != k {
			cells = append(cells, k)
		}
	}
	return cells, runs
}

// trainSteps is the number of optimizer steps of one DAA run.
func trainSteps(o Options, task Task) int {
	epochs := 1
	if o.RealMode() {
		epochs = o.Real.Epochs
	}
	return epochs * (task.TrainPairs() / o.DAABatch)
}

// settingsOf returns o without the settings that may differ between the
// shards of one study (output, workers, shard, merge, verify, profile).
func settingsOf(o Options) Options {
	o.Out, o.Workers, o.Shard, o.NumShards, o.Merge, o.Verify, o.CPUProfile = "", 0, 0, 0, nil, "", ""
	return o
}

func cellKey(s RunSpec) string { return fmt.Sprintf("%s/%d", s.Size, s.Seed) }

// cell is the prepared reference, data and evaluator shared by the runs of
// one (size, seed).
type cell struct {
	size string
	seed uint64

	once  sync.Once
	c     *Cell
	ev    *evaluator
	start Point // the reference's evaluation: every run's checkpoint 0
	err   error
}

// prepare builds the cell once: the task's reference, its log-probs of the
// held-out pairs, and its evaluation.
func (c *cell) prepare(o Options, task Task, p *progress) error {
	c.once.Do(func() {
		began := time.Now()
		if c.c, c.err = task.Prepare(c.size, c.seed, func() { p.Add(1) }); c.err != nil {
			return
		}
		if c.c.RefHeldOut == nil {
			sc, err := newScorer(c.c.Reference, c.c.EvalRows, c.c.EvalSeq)
			if err != nil {
				c.err = err
				return
			}
			held := pairSums(sc, c.c.HeldOut)
			c.c.RefHeldOut = &held
		}
		c.ev = newEvaluator(o, c.c, c.seed)
		if c.start, c.err = c.ev.evaluate(c.c.Reference, &engines{}); c.err == nil {
			p.Logf("reference size %s seed %d in %.1fs: win rate %.3f, mean length %.2f, no EOS %.2f",
				c.size, c.seed, time.Since(began).Seconds(), c.start.WinRate, c.start.MeanLength, c.start.NoEOSRate)
		}
	})
	if c.err != nil {
		return fmt.Errorf("reference size %s seed %d: %w", c.size, c.seed, c.err)
	}
	return nil
}

// runOne trains one DAA run from its cell's reference and evaluates every
// checkpoint (the step-0 checkpoint is the cell's evaluation).
func runOne(o Options, s RunSpec, c *cell, p *progress) (RunResult, error) {
	began := time.Now()
	r := RunResult{Spec: s}
	en := &engines{}
	k := 0
	err := trainDAA(o, s, c.c, func(policy *pythia.Model, step, examples int) error {
		pt := c.start
		if step > 0 {
			var err error
			if pt, err = c.ev.evaluate(policy, en); err != nil {
				return err
			}
		}
		pt.RunSpec, pt.Checkpoint, pt.Step, pt.ExamplesSeen = s, k, step, examples
		k++
		r.Points = append(r.Points, pt)
		return nil
	}, func() { p.Add(1) })
	r.Seconds = time.Since(began).Seconds()
	return r, err
}

// serialRuns counts the synthetic studies running in this process.
var serialRuns struct {
	sync.Mutex
	n int
}

// enterSerial turns on the kernels' serial mode (parallel.SetSerial) for
// the first running synthetic study; leaveSerial turns it off after the
// last. The synthetic task's models are so small (hidden 16-128, sequences
// of at most 28 tokens) that a kernel's products are a few thousand flops:
// running them inline on each run's goroutine, with the runs themselves in
// parallel, gives about 1.6x the tokens per CPU-second of splitting every
// kernel across the cores, and results that do not depend on GOMAXPROCS or
// Options.Workers. Other work in the process that calls the kernels while a
// synthetic study runs runs serially too.
func enterSerial() {
	serialRuns.Lock()
	defer serialRuns.Unlock()
	if serialRuns.n == 0 {
		parallel.SetSerial(true)
	}
	serialRuns.n++
}

func leaveSerial() {
	serialRuns.Lock()
	defer serialRuns.Unlock()
	serialRuns.n--
	if serialRuns.n == 0 {
		parallel.SetSerial(false)
	}
}
