package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// tinyModel saves a random 1-layer model with the GPT-NeoX vocabulary (so
// the real tokenizer's ids fit) and returns its directory.
func tinyModel(t *testing.T) string {
	t.Helper()
	cfg, err := pythia.Preset("pythia-14m")
	if err != nil {
		t.Fatal(err)
	}
	cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers, cfg.IntermediateSize = 16, 2, 1, 32
	cfg.InitializerRange = 0.5 // peaked distributions
	m, err := pythia.NewRandom(cfg, tensor.Float32, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGenerateText(t *testing.T) {
	tok := shareddata.Path(t, "pythia", "tokenizer.json")
	dir := tinyModel(t)
	gen := func(extra ...string) output {
		t.Helper()
		var out bytes.Buffer
		args := append([]string{"-model", dir, "-tokenizer", tok, "-prompt", "Hello world", "-max-new-tokens", "6", "-json"}, extra...)
		if err := run(args, &out); err != nil {
			t.Fatal(err)
		}
		var o output
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		return o
	}
	greedy := gen()
	// "Hello world" is [12092, 1533] in the GPT-NeoX tokenizer.
	if !slices.Equal(greedy.PromptIDs, []int{12092, 1533}) {
		t.Errorf("prompt ids %v; want [12092 1533]", greedy.PromptIDs)
	}
	if n := len(greedy.Tokens); n == 0 || n > 6 || (n < 6 && !greedy.StoppedAtEOS) {
		t.Errorf("%d tokens (stopped at EOS: %v)", n, greedy.StoppedAtEOS)
	}
	if len(greedy.LogProbs) != len(greedy.Tokens) || greedy.LogProbs[0] != 0 || greedy.ModelLogProbs[0] >= 0 {
		t.Errorf("greedy log-probs %v, model log-probs %v", greedy.LogProbs, greedy.ModelLogProbs)
	}
	sampled := gen("-temperature", "1.0", "-top-p", "0.9", "-seed", "7")
	if again := gen("-temperature", "1.0", "-top-p", "0.9", "-seed", "7"); !slices.Equal(sampled.Tokens, again.Tokens) || sampled.Text != again.Text {
		t.Errorf("same seed, different output: %v vs %v", sampled.Tokens, again.Tokens)
	}
	var text bytes.Buffer
	if err := run([]string{"-model", dir, "-tokenizer", tok, "-prompt", "Hello world", "-max-new-tokens", "6"}, &text); err != nil {
		t.Fatal(err)
	}
	if want := "Hello world" + greedy.Text + "\n"; text.String() != want {
		t.Errorf("text output %q; want %q", text.String(), want)
	}
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
		{[]string{"-model", "../../pythia/testdata/padded", "-tokenizer", tok, "-prompt", "!", "-top-p", "2"}, "TopP"},
	}
	for _, c := range cases {
		err := run(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v; want one containing %q", c.args, err, c.want)
		}
	}
}
