package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// tinyModel saves a random 1-layer model with the GPT-NeoX vocabulary (so
// the real tokenizer's ids fit) and returns its directory.
func tinyModel(t *testing.T) string {
	t.Helper()
	cfg, err := pythia.Preset("pythia-14m")
	require.NoError(t, err)
	cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers, cfg.IntermediateSize = 16, 2, 1, 32
	cfg.InitializerRange = 0.5 // peaked distributions
	m, err := pythia.NewRandom(cfg, tensor.Float32, 3)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, m.Save(dir))
	return dir
}

// generateJSON runs the command on the model in dir with the real
// tokenizer tok: prompt "Hello world", 6 new tokens, JSON output, plus
// extra flags, and returns the decoded output.
func generateJSON(t *testing.T, dir, tok string, extra ...string) output {
	t.Helper()
	var out bytes.Buffer
	args := append([]string{"-model", dir, "-tokenizer", tok, "-prompt", "Hello world", "-max-new-tokens", "6", "-json"}, extra...)
	require.NoError(t, run(args, &out))
	var o output
	require.NoError(t, json.Unmarshal(out.Bytes(), &o), out.String())
	return o
}

func TestGenerateText(t *testing.T) {
	tok := shareddata.Path(t, "pythia", "tokenizer.json")
	dir := tinyModel(t)
	gen := func(extra ...string) output {
		t.Helper()
		return generateJSON(t, dir, tok, extra...)
	}
	greedy := gen()
	// "Hello world" is [12092, 1533] in the GPT-NeoX tokenizer.
	assert.Equal(t, []int{12092, 1533}, greedy.PromptIDs, "prompt ids")
	n := len(greedy.Tokens)
	assert.True(t, n > 0 && n <= 6 && (n == 6 || greedy.StoppedAtEOS), "%d tokens (stopped at EOS: %v)", n, greedy.StoppedAtEOS)
	require.Len(t, greedy.LogProbs, n)
	assert.Zero(t, greedy.LogProbs[0], "greedy log-prob under the sampling distribution")
	assert.Negative(t, greedy.ModelLogProbs[0], "model log-prob")
	sampled := gen("-temperature", "1.0", "-top-p", "0.9", "-seed", "7")
	again := gen("-temperature", "1.0", "-top-p", "0.9", "-seed", "7")
	assert.Equal(t, sampled.Tokens, again.Tokens, "same seed, same tokens")
	assert.Equal(t, sampled.Text, again.Text, "same seed, same text")

	// -fast runs the same loop and sampler on the float32 engine: the same
	// tokens, log-probabilities to float32 rounding.
	for _, want := range []struct {
		o     output
		extra []string
	}{{greedy, nil}, {sampled, []string{"-temperature", "1.0", "-top-p", "0.9", "-seed", "7"}}} {
		got := gen(append(want.extra, "-fast")...)
		assert.Equal(t, want.o.Tokens, got.Tokens, "-fast %v: tokens", want.extra)
		assert.InDeltaSlice(t, want.o.ModelLogProbs, got.ModelLogProbs, 1e-5, "-fast %v: model log-probs", want.extra)
	}

	var text bytes.Buffer
	require.NoError(t, run([]string{"-model", dir, "-tokenizer", tok, "-prompt", "Hello world", "-max-new-tokens", "6"}, &text))
	assert.Equal(t, "Hello world"+greedy.Text+"\n", text.String(), "text output")
}

func TestGenerateErrors(t *testing.T) {
	tok := shareddata.Path(t, "pythia", "tokenizer.json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-prompt", "x"}, "-model and -prompt are required"},
		{[]string{"-model", "/nonexistent", "-tokenizer", tok, "-prompt", "x"}, `"/nonexistent" is not a directory`},
		// The tiny testdata model's vocabulary (48) is smaller than the tokenizer's ids.
		{[]string{"-model", "../../pythia/testdata/padded", "-tokenizer", tok, "-prompt", "Hello"}, "outside the vocabulary"},
		{[]string{"-model", "../../pythia/testdata/padded", "-tokenizer", tok, "-prompt", "Hello", "-fast"}, "outside the vocabulary"},
		{[]string{"-model", "../../pythia/testdata/padded", "-tokenizer", tok, "-prompt", "!", "-top-p", "2"}, "TopP"},
	}
	for _, c := range cases {
		err := run(c.args, &bytes.Buffer{})
		assert.ErrorContains(t, err, c.want, "%v", c.args)
	}
}
