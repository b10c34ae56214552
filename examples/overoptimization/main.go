// Command overoptimization reproduces the findings of "Scaling Laws for Reward
// Model Overoptimization in Direct Alignment Algorithms" (Rafailov et al.
// 2024) at small scale, from training, on one CPU: GPT-NeoX models trained
// with DPO, IPO and SLiC on a synthetic summarisation task whose gold reward
// is known exactly. See README.md in this directory.
//
// Usage:
//
//	go run ./examples/overoptimization            # the full study (about 15 minutes on 2 cores)
//	go run ./examples/overoptimization -quick     # size S, two betas: a few minutes
//	go run ./examples/overoptimization -shard 0/2 -out out/a   # one slice of the run grid
//	go run ./examples/overoptimization -merge out/a -merge out/b -out out/all
//	go run ./examples/overoptimization -model DIR -data pairs.jsonl -judge llm   # a real SFT'd model and data
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "overoptimization:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if o.Verify != "" {
		if err := verifySummary(o.Verify); err != nil {
			return err
		}
		fmt.Printf("%s: complete\n", o.Verify)
		return nil
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.realMode() {
		return runReal(o) // -model and -data: realrun.go
	}
	start := time.Now()
	var results []runResult
	if len(o.Merge) > 0 {
		if results, err = readRuns(o.Merge); err != nil {
			return err
		}
	} else {
		specs := shardOf(grid(o), o.Shard, o.NumShards)
		total := 0
		for range cellsOf(specs) {
			total += o.SFTSteps
		}
		total += len(specs) * (o.Data.TrainPairs / o.DAABatch)
		p := newProgress(os.Stdout, total)
		fmt.Printf("overoptimization: %d runs (shard %d/%d) on %d workers, output in %s\n", len(specs), o.Shard, o.NumShards, o.Workers, o.Out)
		results, err = runStudy(o, specs, p)
		p.Finish()
		if err != nil {
			return err
		}
		if o.NumShards > 1 {
			fmt.Printf("shard %d/%d done in %s: %d runs in %s/runs; combine the shards with -merge\n", o.Shard, o.NumShards, time.Since(start).Round(time.Second), len(results), o.Out)
			return nil
		}
	}
	s, err := writeReport(o, results)
	if err != nil {
		return err
	}
	fmt.Printf("done in %s: %d runs, %d checkpoints; report %s/report.md\n", time.Since(start).Round(time.Second), s.Runs, s.Points, o.Out)
	for _, f := range s.Findings {
		fmt.Printf("  %-44s %s\n", f.Name, heldWord(f.Held))
	}
	return nil
}

// cellsOf returns the distinct (size, seed) cells of the runs.
func cellsOf(specs []runSpec) map[string]bool {
	cells := map[string]bool{}
	for _, s := range specs {
		cells[fmt.Sprintf("%s/%d", s.Size, s.Seed)] = true
	}
	return cells
}
