package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// tinyArgs is a study small enough for a test: one objective, two betas, the
// XS model, a few dozen steps. It exercises every stage of the pipeline.
var tinyArgs = []string{
	"-losses", "dpo", "-betas", "0.1,1", "-sizes", "XS", "-seeds", "1", "-seed", "5",
	"-sft-steps", "20", "-sft-warmup", "2", "-sft-examples", "400", "-train-pairs", "64", "-batch", "16",
	"-eval-prompts", "8", "-heldout-pairs", "8", "-checkpoints", "2", "-workers", "1",
}

// TestShardMergeMatchesSingleRun runs the tiny study once whole and once as
// two shards in two concurrent processes, merges the shards, and checks that
// the merged points.csv is byte-identical to the single run's (which also
// checks that a run's numbers do not depend on what runs beside it).
func TestShardMergeMatchesSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example three times")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "overoptimization")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	runBin := func(args ...string) error {
		cmd := exec.Command(bin, append(append([]string{}, tinyArgs...), args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("%v\n%s", cmd.Args, out)
		}
		return err
	}
	whole, s0, s1, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "s0"), filepath.Join(dir, "s1"), filepath.Join(dir, "merged")
	if err := runBin("-out", whole); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, out := range []string{s0, s1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = runBin("-shard", []string{"0/2", "1/2"}[i], "-out", out)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(s0, "report.md")); err == nil {
		t.Error("a shard wrote a report; shards should write only runs/*.json")
	}
	if err := runBin("-merge", s0, "-merge", s1, "-out", merged); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(filepath.Join(whole, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(merged, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("merged points.csv differs from the single run's:\n%s\nvs\n%s", a, b)
	}
	for _, f := range []string{"report.md", "summary.json", "winrate_vs_sqrt_kl_XS.png", "training_curves.png", "length_vs_kl.png", "accuracy_vs_winrate.png"} {
		if fi, err := os.Stat(filepath.Join(merged, f)); err != nil || fi.Size() == 0 {
			t.Errorf("merged output lacks %s (%v)", f, err)
		}
	}
	if err := verifySummary(filepath.Join(merged, "summary.json")); err != nil {
		t.Error(err)
	}
}

// TestParseFlags checks defaults, -quick and rejected values.
func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Betas, []float64{0.03, 0.1, 0.3, 1.0}) || len(o.Sizes) != 2 || o.Seeds != 4 || o.SFTSteps != 3000 || o.Checkpoints != 8 || o.DAALR != 3e-4 {
		t.Errorf("defaults differ from the recipe: %+v", o)
	}
	q, err := parseFlags([]string{"-quick", "-betas", "0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q.Sizes, []string{"S"}) || !reflect.DeepEqual(q.Betas, []float64{0.1}) || q.Seeds != 1 {
		t.Errorf("-quick with -betas 0.1 gave sizes %v betas %v seeds %d", q.Sizes, q.Betas, q.Seeds)
	}
	for _, bad := range [][]string{
		{"-losses", "kto"}, {"-sizes", "L"}, {"-betas", "0"}, {"-betas", "x"}, {"-shard", "2/2"}, {"-shard", "a"},
		{"-seeds", "0"}, {"-batch", "0"}, {"-sft-warmup", "5000"}, {"-checkpoints", "0"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%v) accepted", bad)
		}
	}
}

// TestShardOfCoversGrid checks that shards partition the grid.
func TestShardOfCoversGrid(t *testing.T) {
	o := defaultOptions()
	all := grid(o)
	if len(all) != 3*4*2*4 {
		t.Fatalf("grid has %d runs, want 96", len(all))
	}
	seen := map[string]int{}
	for i := 0; i < 5; i++ {
		for _, s := range shardOf(all, i, 5) {
			seen[s.ID()]++
		}
	}
	for _, s := range all {
		if seen[s.ID()] != 1 {
			t.Fatalf("run %s is in %d shards", s, seen[s.ID()])
		}
	}
}
