package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/examples/dpo/internal/tinyset"
)

// tinyArgs are the flags of an 8-step run on the tiny setup in dir, writing
// to out, followed by extra.
func tinyArgs(dir, out string, extra ...string) []string {
	return append([]string{
		"-model", filepath.Join(dir, tinyset.ModelDir), "-data", filepath.Join(dir, tinyset.TrainFile),
		"-eval", filepath.Join(dir, tinyset.EvalFile), "-out", out,
		"-loss", "sigmoid", "-beta", "0.1", "-learning_rate", "1e-3", "-warmup_steps", "4",
		"-batch_size", "4", "-max_length", "40", "-max_prompt_length", "16",
		"-max_steps", "8", "-eval_every", "32", "-save_every", "32",
	}, extra...)
}

// tinyEvals runs the 8-step tiny run with extra flags into a new directory
// and returns its evaluation records (at least one).
func tinyEvals(t *testing.T, dir string, extra ...string) []train.Record {
	t.Helper()
	out := filepath.Join(t.TempDir(), "run")
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), tinyArgs(dir, out, extra...), &stdout), stdout.String())
	evals := evalRecords(t, out)
	require.NotEmpty(t, evals)
	return evals
}

// TestBackendFlag trains the tiny setup for 8 steps with -backend engine
// (the float32 default) and -backend autograd: the held-out metrics agree
// to float32 rounding (relative 1e-4 after 8 updates); -backend engine
// with -dtype float64 is an error naming the backend.
func TestBackendFlag(t *testing.T) {
	dir := tinySetup(t)
	e, a := tinyEvals(t, dir, "-backend", "engine"), tinyEvals(t, dir, "-backend", "autograd")
	require.Len(t, e, len(a))
	for i := range a {
		for _, k := range []string{"eval_loss", "eval_rewards/margins", "eval_logps/chosen", "eval_logits/chosen"} {
			assert.InDelta(t, a[i][k], e[i][k], 1e-6+1e-4*math.Abs(a[i][k]), "evaluation %d %s", i, k)
		}
	}
	var stdout bytes.Buffer
	err := run(context.Background(), tinyArgs(dir, filepath.Join(t.TempDir(), "f64"), "-backend", "engine", "-dtype", "float64"), &stdout)
	assert.ErrorContains(t, err, `backend "engine" needs a float32 policy`)
}
