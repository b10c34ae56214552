// Command overoptimization reproduces the findings of "Scaling Laws for Reward
// Model Overoptimization in Direct Alignment Algorithms" (Rafailov et al.
// 2024) at small scale, from training, on one CPU: GPT-NeoX models trained
// with DPO, IPO and SLiC (or any registered align loss) on a synthetic
// summarisation task whose gold reward is known exactly. It is the
// command-line wiring of package eval/study; see README.md in this
// directory.
//
// Usage:
//
//	go run ./examples/overoptimization            # the full study (about 7 minutes on 2 cores)
//	go run ./examples/overoptimization -quick     # size S, two betas: about 25 seconds
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

	"github.com/daalab/daa/eval/study"
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
		if err := study.VerifySummary(o.Verify); err != nil {
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
	start := time.Now()
	var task study.Task = study.NewSynthetic(o)
	if o.RealMode() {
		real, err := study.NewReal(&o, os.Stdout)
		if err != nil {
			return err
		}
		defer real.Close()
		task = real
	}
	var results []study.RunResult
	if len(o.Merge) > 0 {
		if results, err = study.Merge(o, o.Merge); err != nil {
			return err
		}
	} else {
		fmt.Printf("overoptimization: %d runs (shard %d/%d) on %d workers, output in %s\n",
			len(study.Shard(study.Grid(o), o.Shard, o.NumShards)), o.Shard, o.NumShards, o.Workers, o.Out)
		if results, err = study.Run(o, task, os.Stdout); err != nil {
			return err
		}
		if o.NumShards > 1 {
			fmt.Printf("shard %d/%d done in %s: %d runs in %s/runs; combine the shards with -merge\n", o.Shard, o.NumShards, time.Since(start).Round(time.Second), len(results), o.Out)
			return nil
		}
	}
	s, err := study.WriteReport(o, task, results)
	if err != nil {
		return err
	}
	fmt.Printf("done in %s: %d runs, %d checkpoints; report %s/report.md\n", time.Since(start).Round(time.Second), s.Runs, s.Points, o.Out)
	for _, f := range s.Findings {
		fmt.Printf("  %-44s %s\n", f.Name, study.HeldWord(f.Held))
	}
	return nil
}
