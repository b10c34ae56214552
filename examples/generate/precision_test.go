package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
)

// -precision bf16 decodes greedily the same tokens as the float32 model
// on the tiny model (weights of std 0.5, vocabulary 50k), with model
// log-probs within 0.1 nats (measured 0.040: weights, embeddings and
// LayerNorm parameters rounded to bfloat16, and the products' inputs) but
// not float32-exact.
func TestGenerateBF16(t *testing.T) {
	tok := shareddata.Path(t, "pythia", "tokenizer.json")
	dir := tinyModel(t)
	f32, bf16 := generateJSON(t, dir, tok), generateJSON(t, dir, tok, "-precision", "bf16")
	require.Equal(t, f32.Tokens, bf16.Tokens, "greedy tokens")
	assert.InDeltaSlice(t, f32.ModelLogProbs, bf16.ModelLogProbs, 0.1, "model log-probs")
	assert.NotEqual(t, f32.ModelLogProbs, bf16.ModelLogProbs, "float32-exact: -precision bf16 ignored")
	t.Logf("float32 %v\nbf16    %v", f32.ModelLogProbs, bf16.ModelLogProbs)

	err := run([]string{"-model", dir, "-tokenizer", tok, "-prompt", "x", "-precision", "fp8"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, `-precision "fp8"`)
}
