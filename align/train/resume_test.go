package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			require.NoError(t, a.Train(context.Background()))
			n := a.Step()

			cfgB := resumeConfig(stoppedDir)
			tc.edit(&cfgB)
			b := newTiny(t, cfgB, resumeData())
			trainUntil(t, b, n/2)
			c := newTiny(t, cfgB, resumeData())
			require.NoError(t, c.Resume(stoppedDir))
			require.Equal(t, n/2, c.Step(), "resumed at step")
			require.NoError(t, c.Train(context.Background()))
			require.Equal(t, n, c.Step(), "resumed run's last step vs the straight run's")
			assert.Empty(t, sameBits(a.policy, c.policy), "policy weights differ after resuming (first named)")
			if cfgA.SyncRefModel {
				assert.Empty(t, sameBits(a.refModel, c.refModel), "reference weights differ after resuming (first named)")
			}
			assert.Equal(t, readFile(t, straightDir, MetricsFile), readFile(t, stoppedDir, MetricsFile), "metrics.jsonl")
			assert.Equal(t, readFile(t, straightDir, LatestFile), readFile(t, stoppedDir, LatestFile), "LATEST")
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
	require.NoError(t, newTiny(t, cfg, resumeData()).Train(context.Background()))
	assert.Error(t, newTiny(t, cfg, resumeData()).Train(context.Background()), "a fresh run in a directory holding LATEST")
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
		{"other backend", func(c *Config, d *Data) { c.Backend = BackendAutograd }, "backend"},
		{"bf16 reference", func(c *Config, d *Data) { c.BF16Reference = true }, "bf16_reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, d := cfg, resumeData()
			tc.edit(&c, &d)
			assert.ErrorContains(t, newTiny(t, c, d).Resume(dir), tc.want)
		})
	}
	assert.Error(t, newTiny(t, cfg, resumeData()).Resume(t.TempDir()), "Resume from an empty directory")
	latest, err := LatestCheckpoint(dir)
	require.NoError(t, err)
	require.Equal(t, "checkpoint-2", filepath.Base(latest))
	require.NoError(t, os.WriteFile(filepath.Join(dir, LatestFile), []byte("../elsewhere\n"), 0o644))
	_, err = LatestCheckpoint(dir)
	assert.Error(t, err, "LatestCheckpoint accepted a LATEST naming a path outside the output directory")
}
