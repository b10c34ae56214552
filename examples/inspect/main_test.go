package main

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tiny checkpoint pythia/testdata/padded with the PyTorch reference's
// outputs (pythia/testdata/gen.sh): row 0 of its batch is the unpadded
// sequence 5,7,11,13,17,19,23 and pair 0 scores 11,13,17 given 5,7.
const model = "../../pythia/testdata/padded"

type result struct {
	Logits        [][]float64 `json:"logits"`
	TokenLogProbs []float64   `json:"token_logprobs"`
	LogProbSum    *float64    `json:"logprob_sum"`
}

func runJSON(t *testing.T, args ...string) result {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(args, &out))
	var r result
	require.NoError(t, json.Unmarshal(out.Bytes(), &r), "output is not JSON:\n%s", out.String())
	return r
}

func reference(t *testing.T, name string) []float64 {
	t.Helper()
	f, err := safetensors.Open(model + "/expected.safetensors")
	require.NoError(t, err)
	defer f.Close()
	v, _, err := f.Float64(name)
	require.NoError(t, err)
	return v
}

// maxRelDiff is max |got - want| / max |want|.
func maxRelDiff(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, s float64
	for i := range got {
		d, s = math.Max(d, math.Abs(got[i]-want[i])), math.Max(s, math.Abs(want[i]))
	}
	return d / s
}

// Logits and response log-probs equal the PyTorch reference's, normwise
// relative 1e-5 (float32) and 1e-12 (float64).
func TestInspectMatchesReference(t *testing.T) {
	refLogits := reference(t, "logits")[:7*48] // row 0: [7, 48]
	refLP := reference(t, "pair.0.logprobs")
	for _, c := range []struct {
		dtype string
		tol   float64
	}{{"float32", 1e-5}, {"float64", 1e-12}} {
		r := runJSON(t, "-model", model, "-ids", "5,7,11,13,17,19,23", "-dtype", c.dtype)
		require.Len(t, r.Logits, 7, c.dtype)
		require.Len(t, r.Logits[0], 48, c.dtype)
		require.Nil(t, r.TokenLogProbs, c.dtype)
		var flat []float64
		for _, row := range r.Logits {
			flat = append(flat, row...)
		}
		assert.LessOrEqual(t, maxRelDiff(flat, refLogits), c.tol, "%s logits: relative error", c.dtype)
		r = runJSON(t, "-model", model, "-ids", "5, 7, 11, 13, 17", "-response-from", "2", "-dtype", c.dtype)
		assert.LessOrEqual(t, maxRelDiff(r.TokenLogProbs, refLP), c.tol, "%s token_logprobs %v, reference %v", c.dtype, r.TokenLogProbs, refLP)
		want := refLP[0] + refLP[1] + refLP[2]
		if assert.NotNil(t, r.LogProbSum, c.dtype) {
			assert.InDelta(t, want, *r.LogProbSum, c.tol*math.Abs(want), "%s logprob_sum", c.dtype)
		}
	}
}

func TestInspectErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-ids", "1"}, "-model and -ids are required"},
		{[]string{"-model", model, "-ids", "1,x"}, `item 1 "x"`},
		{[]string{"-model", model, "-ids", "1,48"}, "outside the model's vocabulary [0, 48)"},
		{[]string{"-model", model, "-ids", "1,2", "-response-from", "0"}, "-response-from 0"},
		{[]string{"-model", model, "-ids", "1,2", "-response-from", "2"}, "-response-from 2"},
		{[]string{"-model", model, "-ids", "1", "-dtype", "float16"}, "-dtype"},
		{[]string{"-model", "/nonexistent", "-ids", "1"}, `"/nonexistent" is not a directory`},
		{[]string{"-model", "../../pythia", "-ids", "1"}, "pythia/config.json"},
	}
	for _, c := range cases {
		err := run(c.args, &bytes.Buffer{})
		if assert.Error(t, err, "%v", c.args) {
			assert.Contains(t, err.Error(), c.want, "%v", c.args)
		}
	}
}
