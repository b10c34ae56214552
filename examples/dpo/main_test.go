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
	if err := tinyset.Write(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

// evalRecords returns the evaluation records of OUT/metrics.jsonl.
func evalRecords(t *testing.T, out string) []train.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(out, train.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []train.Record
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var r train.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
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
	if err := run(context.Background(), args, &stdout); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	evals := evalRecords(t, out)
	first, last := evals[0], evals[len(evals)-1]
	if math.Abs(first["eval_loss"]-math.Ln2) > 1e-6 || last["step"] != 24 {
		t.Errorf("first evaluation %v, last %v", first, last)
	}
	if last["eval_loss"] > 0.5 || last["eval_rewards/accuracies"] < 0.8 {
		t.Errorf("after 24 steps: eval_loss %v, eval_rewards/accuracies %v; the easy preference was not learned", last["eval_loss"], last["eval_rewards/accuracies"])
	}
	t.Logf("held-out loss %.4f -> %.4f, accuracy %.2f -> %.2f", first["eval_loss"], last["eval_loss"], first["eval_rewards/accuracies"], last["eval_rewards/accuracies"])
	latest, err := train.LatestCheckpoint(out)
	if err != nil || filepath.Base(latest) != "checkpoint-24" {
		t.Fatalf("LATEST: %q, %v", latest, err)
	}
	if _, err := pythia.LoadDir(latest, pythia.LoadOptions{}); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(latest, "tokenizer.json")); err != nil {
		t.Error(err)
	}

	stdout.Reset()
	more := append(append([]string{}, args...), "-resume", "-max_steps", "32")
	if err := run(context.Background(), more, &stdout); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "resumed from") || !strings.Contains(stdout.String(), "done: 32 steps") {
		t.Errorf("resumed run printed:\n%s", stdout.String())
	}
	if err := run(context.Background(), args, &stdout); err == nil || !strings.Contains(err.Error(), "already holds a run") {
		t.Errorf("a fresh run over an existing one: %v", err)
	}
}

// TestBadInput checks that bad data and flags are errors naming the file,
// line and field, or the flag.
func TestBadInput(t *testing.T) {
	dir := tinySetup(t)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"prompt": "a", "chosen": "b", "rejected": "c"}`+"\n"+`{"prompt": "a", "chosen": "b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
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
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("run %v: %v; want an error naming %q", tc.args, err, w)
			}
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
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	args := []string{"-model", filepath.Join(dir, tinyset.ModelDir), "-data", path, "-tldr", "-out", t.TempDir(),
		"-batch_size", "2", "-max_steps", "1", "-max_length", "64", "-max_prompt_length", "48"}
	if err := run(context.Background(), args, &stdout); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "training 2 pairs") || !strings.Contains(stdout.String(), "done: 1 steps, 2 examples") {
		t.Errorf("output:\n%s", stdout.String())
	}
}
