package main

import (
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/examples/dpo/internal/tinyset"
)

// TestTrainCommandLeavesWarmup parses the suggested command's trainer
// flags and checks that, on the default data, the run is at least ten times
// as long as its warmup (measured: 128 steps, warmup over 10, loss 0.693 ->
// 0.02).
func TestTrainCommandLeavesWarmup(t *testing.T) {
	cmd := trainCommand("/tmp/tiny")
	args := strings.Fields(strings.ReplaceAll(cmd, "\\\n", " "))
	require.Equal(t, []string{"go", "run", "./examples/dpo"}, args[:3])
	cfg := train.DefaultConfig()
	fs := flag.NewFlagSet("dpo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.AddFlags(fs)
	model, data, eval := fs.String("model", "", ""), fs.String("data", "", ""), fs.String("eval", "", "")
	require.NoError(t, fs.Parse(args[3:]))
	assert.Equal(t, "/tmp/tiny/model", *model)
	assert.Equal(t, "/tmp/tiny/train.jsonl", *data)
	assert.Equal(t, "/tmp/tiny/eval.jsonl", *eval)
	assert.Equal(t, "/tmp/tiny/run", cfg.OutputDir)

	steps := cfg.Epochs * tinyset.DefaultOptions().TrainPairs / (cfg.BatchSize * cfg.GradientAccumulationSteps)
	assert.Equal(t, 128, steps)
	assert.LessOrEqual(t, 10*cfg.WarmupSteps, steps, "warmup_steps %d of %d steps", cfg.WarmupSteps, steps)
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "/tmp/tiny/model", shellQuote("/tmp/tiny/model"))
	assert.Equal(t, "'/tmp/my data/model'", shellQuote("/tmp/my data/model"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, "''", shellQuote(""))
}
