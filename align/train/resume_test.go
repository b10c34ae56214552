package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// resumeCases are the configurations the resume tests run: each optimizer,
// schedule, accumulation, TR-DPO (the reference changes and is saved) and
// precomputed reference log-probs.
var resumeCases = []struct {
	name string
	edit func(c *Config)
}{
	{"rmsprop warmup", func(c *Config) {}},
	{"adamw cosine accumulation", func(c *Config) {
		c.Optimizer, c.Scheduler, c.GradientAccumulationSteps, c.WeightDecay = OptimizerAdamW, SchedulerCosine, 2, 0.1
	}},
	{"tr-dpo", func(c *Config) { c.SyncRefModel, c.RefModelSyncSteps, c.RefModelMixupAlpha = true, 2, 0.5 }},
	{"precomputed reference", func(c *Config) { c.PrecomputeRefLogProbs = true }},
}

// resumeConfig is the run of the resume tests: 9 training pairs (the last
// step of each epoch is short), 3 epochs, evaluation every 6 examples and a
// checkpoint every 8.
func resumeConfig(out string) Config {
	cfg := tinyTrainConfig(out)
	cfg.Epochs = 3
	cfg.EvalEvery = 6
	cfg.SaveEvery = 8
	return cfg
}

func resumeData() Data { return tinyData(tinyPairs(21, 9), tinyPairs(22, 4)) }

// TestResumeIsBitForBit trains N steps straight, and N/2 steps, stops
// (cancelling the context, which writes a checkpoint), builds a new trainer
// from the same initial model, resumes from LATEST and trains the rest. The
// final policy weights (and, under TR-DPO, the reference weights) must be
// identical bit for bit, and so must metrics.jsonl.
func TestResumeIsBitForBit(t *testing.T) {
	for _, tc := range resumeCases {
		t.Run(tc.name, func(t *testing.T) {
			straightDir, stoppedDir := t.TempDir(), t.TempDir()
			cfgA := resumeConfig(straightDir)
			tc.edit(&cfgA)
			a := newTiny(t, cfgA, resumeData())
			if err := a.Train(context.Background()); err != nil {
				t.Fatal(err)
			}
			n := a.Step()

			cfgB := resumeConfig(stoppedDir)
			tc.edit(&cfgB)
			b := newTiny(t, cfgB, resumeData())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.OnStep = func(r Record) {
				if int(r[KeyStep]) == n/2 {
					cancel()
				}
			}
			if err := b.Train(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("stopped run: %v, want context.Canceled", err)
			}
			if b.Step() != n/2 {
				t.Fatalf("stopped at step %d, want %d", b.Step(), n/2)
			}
			c := newTiny(t, cfgB, resumeData())
			if err := c.Resume(stoppedDir); err != nil {
				t.Fatal(err)
			}
			if c.Step() != n/2 {
				t.Fatalf("resumed at step %d, want %d", c.Step(), n/2)
			}
			if err := c.Train(context.Background()); err != nil {
				t.Fatal(err)
			}
			if c.Step() != n {
				t.Fatalf("resumed run ended at step %d, straight run at %d", c.Step(), n)
			}
			if name := sameBits(a.policy, c.policy); name != "" {
				t.Errorf("policy weights differ after resuming (first: %s)", name)
			}
			if cfgA.SyncRefModel {
				if name := sameBits(a.refModel, c.refModel); name != "" {
					t.Errorf("reference weights differ after resuming (first: %s)", name)
				}
			}
			if ma, mc := readFile(t, straightDir, MetricsFile), readFile(t, stoppedDir, MetricsFile); ma != mc {
				t.Errorf("metrics.jsonl differs:\nstraight:\n%s\nresumed:\n%s", ma, mc)
			}
			if la, lc := readFile(t, straightDir, LatestFile), readFile(t, stoppedDir, LatestFile); la != lc {
				t.Errorf("LATEST: straight %q, resumed %q", la, lc)
			}
			t.Logf("%d steps, stopped and resumed at %d", n, n/2)
		})
	}
}

// TestResumeChecks checks that Resume refuses a checkpoint that cannot
// continue identically, naming the reason, and that a fresh run refuses an
// output directory holding another run.
func TestResumeChecks(t *testing.T) {
	dir := t.TempDir()
	cfg := resumeConfig(dir)
	cfg.MaxSteps = 2
	if err := newTiny(t, cfg, resumeData()).Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := newTiny(t, cfg, resumeData()).Train(context.Background()); err == nil {
		t.Error("a fresh run in a directory holding LATEST did not fail")
	}
	for _, tc := range []struct {
		name string
		edit func(c *Config, d *Data)
		want string
	}{
		{"other seed", func(c *Config, d *Data) { c.Seed = 7 }, "seed"},
		{"other batch size", func(c *Config, d *Data) { c.BatchSize = 3 }, "batch_size"},
		{"other data", func(c *Config, d *Data) { d.Train = tinyPairs(99, 9) }, "train_data_hash"},
		{"other truncation", func(c *Config, d *Data) { c.MaxPromptLength = 3 }, "train_data_hash"},
		{"other optimizer", func(c *Config, d *Data) { c.Optimizer = OptimizerAdamW }, "optimizer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, d := cfg, resumeData()
			tc.edit(&c, &d)
			err := newTiny(t, c, d).Resume(dir)
			if err == nil || !contains(err.Error(), tc.want) {
				t.Errorf("Resume: %v; want an error naming %s", err, tc.want)
			}
		})
	}
	if err := newTiny(t, cfg, resumeData()).Resume(t.TempDir()); err == nil {
		t.Error("Resume from an empty directory did not fail")
	}
	latest, err := LatestCheckpoint(dir)
	if err != nil || filepath.Base(latest) != "checkpoint-2" {
		t.Fatalf("LatestCheckpoint = %q, %v", latest, err)
	}
	if err := os.WriteFile(filepath.Join(dir, LatestFile), []byte("../elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LatestCheckpoint(dir); err == nil {
		t.Error("LatestCheckpoint accepted a LATEST naming a path outside the output directory")
	}
}
