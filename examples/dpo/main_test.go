package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/examples/dpo/internal/tinyset"
	"github.com/daalab/daa/pythia"
)

// tinySetup writes the generated model and pairs once per test.
func tinySetup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	o := tinyset.DefaultOptions()
	o.TrainPairs, o.EvalPairs = 96, 16
	require.NoError(t, tinyset.Write(dir, o))
	return dir
}

// evalRecords returns the evaluation records of OUT/metrics.jsonl.
func evalRecords(t *testing.T, out string) []train.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(out, train.MetricsFile))
	require.NoError(t, err)
	defer f.Close()
	var recs []train.Record
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var r train.Record
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		if _, ok := r["eval_loss"]; ok {
			recs = append(recs, r)
		}
	}
	return recs
}

// TestTrainTiny runs the program on the generated tiny setup: 24 DPO steps
// must take the held-out loss from ln 2 (policy = reference) well below
// it with most held-out pairs ranked right, and write a checkpoint that is
// a complete model directory (it loads, with the tokenizer beside it);
// -resume continues the run to 32 steps; a second fresh run in the same
// directory is refused.
func TestTrainTiny(t *testing.T) {
	dir := tinySetup(t)
	out := filepath.Join(t.TempDir(), "run")
	args := []string{
		"-model", filepath.Join(dir, tinyset.ModelDir), "-data", filepath.Join(dir, tinyset.TrainFile),
		"-eval", filepath.Join(dir, tinyset.EvalFile), "-out", out,
		"-loss", "sigmoid", "-beta", "0.1", "-learning_rate", "1e-3", "-warmup_steps", "4",
		"-batch_size", "4", "-max_length", "40", "-max_prompt_length", "16",
		"-max_steps", "24", "-eval_every", "48", "-save_every", "48",
	}
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), args, &stdout), stdout.String())
	evals := evalRecords(t, out)
	require.NotEmpty(t, evals, "no evaluation records")
	first, last := evals[0], evals[len(evals)-1]
	assert.InDelta(t, math.Ln2, first["eval_loss"], 1e-6, "first evaluation %v", first)
	assert.Equal(t, 24.0, last["step"], "last evaluation %v", last)
	assert.LessOrEqual(t, last["eval_loss"], 0.5, "after 24 steps: eval_loss; the easy preference was not learned")
	assert.GreaterOrEqual(t, last["eval_rewards/accuracies"], 0.8, "after 24 steps: eval_rewards/accuracies; the easy preference was not learned")
	t.Logf("held-out loss %.4f -> %.4f, accuracy %.2f -> %.2f", first["eval_loss"], last["eval_loss"], first["eval_rewards/accuracies"], last["eval_rewards/accuracies"])
	latest, err := train.LatestCheckpoint(out)
	require.NoError(t, err, "LATEST")
	require.Equal(t, "checkpoint-24", filepath.Base(latest), "LATEST")
	_, err = pythia.LoadDir(latest, pythia.LoadOptions{})
	assert.NoError(t, err)
	assert.FileExists(t, filepath.Join(latest, "tokenizer.json"))

	stdout.Reset()
	more := append(append([]string{}, args...), "-resume", "-max_steps", "32")
	require.NoError(t, run(context.Background(), more, &stdout), stdout.String())
	assert.Contains(t, stdout.String(), "resumed from", "resumed run")
	assert.Contains(t, stdout.String(), "done: 32 steps", "resumed run")
	assert.ErrorContains(t, run(context.Background(), args, &stdout), "already holds a run", "a fresh run over an existing one")
}

// TestBadInput checks that bad data and flags are errors naming the file,
// line and field, or the flag.
func TestBadInput(t *testing.T) {
	dir := tinySetup(t)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"prompt": "a", "chosen": "b", "rejected": "c"}`+"\n"+`{"prompt": "a", "chosen": "b"}`+"\n"), 0o644))
	model := filepath.Join(dir, tinyset.ModelDir)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-model", model, "-data", bad, "-out", t.TempDir()}, []string{"bad.jsonl:2", "rejected"}},
		{[]string{"-model", model, "-out", t.TempDir()}, []string{"-data"}},
		{[]string{"-model", model, "-data", filepath.Join(dir, tinyset.TrainFile), "-out", t.TempDir(), "-optimizer", "lion"}, []string{"optimizer"}},
		{[]string{"-model", model, "-data", filepath.Join(dir, tinyset.TrainFile), "-out", t.TempDir(), "-eval_holdout", "1000"}, []string{"-eval_holdout"}},
	} {
		var stdout bytes.Buffer
		err := run(context.Background(), tc.args, &stdout)
		for _, w := range tc.want {
			assert.ErrorContains(t, err, w, "run %v", tc.args)
		}
	}
}

// TestTLDR trains one step on summarize_from_feedback comparisons read
// with -tldr (one CNN/Daily Mail row is skipped by the reader).
func TestTLDR(t *testing.T) {
	dir := tinySetup(t)
	rows := []string{
		`{"info": {"post": "My cat sleeps all day.", "title": "Cat", "subreddit": "cats"}, "summaries": [{"text": " cat sleeps"}, {"text": " dogs bark"}], "choice": 0}`,
		`{"info": {"post": "Rivers are calm.", "title": "River", "subreddit": "nature"}, "summaries": [{"text": " loud city"}, {"text": " calm river"}], "choice": 1}`,
		`{"info": {"article": "News.", "title": "News"}, "summaries": [{"text": " a"}, {"text": " b"}], "choice": 0}`,
	}
	path := filepath.Join(t.TempDir(), "comparisons.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644))
	var stdout bytes.Buffer
	args := []string{"-model", filepath.Join(dir, tinyset.ModelDir), "-data", path, "-tldr", "-out", t.TempDir(),
		"-batch_size", "2", "-max_steps", "1", "-max_length", "64", "-max_prompt_length", "48"}
	require.NoError(t, run(context.Background(), args, &stdout), stdout.String())
	assert.Contains(t, stdout.String(), "training 2 pairs")
	assert.Contains(t, stdout.String(), "done: 1 steps, 2 examples")
}
