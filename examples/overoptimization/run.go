package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/pythia"
)

// grid returns every run of the study in a fixed order.
func grid(o Options) []runSpec {
	var specs []runSpec
	for s := 0; s < o.Seeds; s++ {
		for _, size := range o.Sizes {
			for _, obj := range o.Losses {
				for _, beta := range o.Betas {
					specs = append(specs, runSpec{Objective: obj, Beta: beta, Size: size, Seed: o.Seed + uint64(s)})
				}
			}
		}
	}
	return specs
}

// shardOf returns the runs of shard i of n: every n-th run from i.
func shardOf(specs []runSpec, i, n int) []runSpec {
	var out []runSpec
	for k, s := range specs {
		if k%n == i {
			out = append(out, s)
		}
	}
	return out
}

// runResult is what one finished run writes to runs/<id>.json.
type runResult struct {
	Spec    runSpec `json:"spec"`
	Points  []point `json:"points"`
	Seconds float64 `json:"seconds"`
}

// cell is the reference model and evaluator shared by the runs of one
// (size, seed).
type cell struct {
	size string
	seed uint64
	ds   *task.Dataset

	once     sync.Once
	ref      *reference
	ev       *evaluator
	sftPoint point
	err      error
}

// runStudy trains and evaluates the runs of this shard in parallel and
// writes one JSON file per finished run under out/runs.
func runStudy(o Options, specs []runSpec, p *progress) ([]runResult, error) {
	datasets := map[uint64]*task.Dataset{}
	cells := map[string]*cell{}
	for _, s := range specs {
		if datasets[s.Seed] == nil {
			datasets[s.Seed] = task.Build(s.Seed, o.Data, o.Noise, o.Temperature)
		}
		key := fmt.Sprintf("%s/%d", s.Size, s.Seed)
		if cells[key] == nil {
			cells[key] = &cell{size: s.Size, seed: s.Seed, ds: datasets[s.Seed]}
		}
	}
	runDir := filepath.Join(o.Out, "runs")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	// Cells first (SFT), most expensive sizes first, then the DAA runs.
	work := make(chan func() error)
	errs := make(chan error, len(specs)+len(cells))
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
	var results []runResult
	var mu sync.Mutex
	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := cells[k]
		work <- func() error { return c.prepare(o, p) }
	}
	for _, s := range specs {
		c := cells[fmt.Sprintf("%s/%d", s.Size, s.Seed)]
		work <- func() error {
			if err := c.prepare(o, p); err != nil {
				return nil // reported once by the cell's own task
			}
			r, err := runOne(o, s, c, p)
			if err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
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
	sortResults(results)
	return results, nil
}

// prepare trains the cell's reference model once and evaluates it.
func (c *cell) prepare(o Options, p *progress) error {
	c.once.Do(func() {
		start := time.Now()
		c.ref, c.err = trainSFT(o, c.size, c.seed, c.ds, func() { p.Add(1) })
		if c.err != nil {
			return
		}
		c.ev = newEvaluator(o, c.ref, c.ds)
		c.sftPoint, c.err = c.ev.evaluate(c.ref.model)
		if c.err == nil {
			p.Logf("SFT size %s seed %d in %.1fs: win rate %.3f, mean length %.2f", c.size, c.seed, time.Since(start).Seconds(), c.sftPoint.WinRate, c.sftPoint.MeanLength)
		}
	})
	if c.err != nil {
		return fmt.Errorf("SFT size %s seed %d: %w", c.size, c.seed, c.err)
	}
	return nil
}

// runOne trains one DAA run from its cell's reference and evaluates every
// checkpoint (the step-0 checkpoint is the cell's SFT evaluation).
func runOne(o Options, s runSpec, c *cell, p *progress) (runResult, error) {
	start := time.Now()
	r := runResult{Spec: s}
	k := 0
	err := trainDAA(o, s, c.ref, c.ds, func(policy *pythia.Model, step, examples int) error {
		var pt point
		if step == 0 {
			pt = c.sftPoint
		} else {
			var err error
			if pt, err = c.ev.evaluate(policy); err != nil {
				return err
			}
		}
		pt.runSpec, pt.Checkpoint, pt.Step, pt.ExamplesSeen = s, k, step, examples
		k++
		r.Points = append(r.Points, pt)
		return nil
	}, func() { p.Add(1) })
	r.Seconds = time.Since(start).Seconds()
	return r, err
}

// sortResults orders results as the grid does.
func sortResults(rs []runResult) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].Spec, rs[j].Spec
		if a.Seed != b.Seed {
			return a.Seed < b.Seed
		}
		if a.Size != b.Size {
			return a.Size < b.Size
		}
		if a.Objective != b.Objective {
			return a.Objective < b.Objective
		}
		return a.Beta < b.Beta
	})
}
