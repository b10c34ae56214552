// Command exportdata writes the overoptimization dataset of one seed as JSON,
// so that an independent implementation (../recipe.py, PyTorch) trains and
// evaluates on exactly the data the Go example uses:
//
//	go run ./examples/overoptimization/crosscheck/exportdata -seed 1 -out /tmp/xchk/data_s1.json
//
// The dataset is synth.Build(seed, synth.DefaultSizes, synth.DefaultNoise, T)
// with T = 0.15, the recipe's labeller temperature. Token lists never hold
// EOS: consumers append it to responses themselves.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/daalab/daa/eval/study/synth"
)

// example is one SFT example: the prompt (PromptLen tokens, left-padded
// document then SEP) and the noisy summary.
type example struct {
	Prompt  []int `json:"prompt"`
	Summary []int `json:"summary"`
}

// pair is one preference pair with the document's keys (for gold rewards).
type pair struct {
	Prompt   []int `json:"prompt"`
	Keys     []int `json:"keys"`
	Chosen   []int `json:"chosen"`
	Rejected []int `json:"rejected"`
}

// evalPrompt is one evaluation document with its fixed reference summaries.
type evalPrompt struct {
	Prompt     []int   `json:"prompt"`
	Keys       []int   `json:"keys"`
	References [][]int `json:"references"`
}

// dataset is the file's top-level object.
type dataset struct {
	Seed        uint64       `json:"seed"`
	Temperature float64      `json:"temperature"`
	Noise       synth.Noise  `json:"noise"`
	Vocab       vocab        `json:"vocab"`
	SFT         []example    `json:"sft"`
	Train       []pair       `json:"train"`
	HeldOut     []pair       `json:"held_out"`
	Eval        []evalPrompt `json:"eval"`
}

// vocab records the task's special tokens and limits.
type vocab struct {
	Size         int `json:"size"`
	NumKeys      int `json:"num_keys"`
	SEP          int `json:"sep"`
	EOS          int `json:"eos"`
	PAD          int `json:"pad"`
	PromptLen    int `json:"prompt_len"`
	MaxNewTokens int `json:"max_new_tokens"`
}

func main() {
	seed := flag.Uint64("seed", 1, "dataset seed (the example's -seed)")
	temperature := flag.Float64("temperature", 0.15, "Bradley-Terry labeller temperature")
	out := flag.String("out", "/tmp/xchk/data_s1.json", "output JSON file")
	flag.Parse()
	if err := write(*out, export(*seed, *temperature)); err != nil {
		fmt.Fprintln(os.Stderr, "exportdata:", err)
		os.Exit(1)
	}
}

// export converts the dataset of a seed to the file's layout.
func export(seed uint64, temperature float64) dataset {
	ds := synth.Build(seed, synth.DefaultSizes, synth.DefaultNoise, temperature)
	out := dataset{
		Seed: seed, Temperature: temperature, Noise: synth.DefaultNoise,
		Vocab: vocab{Size: synth.VocabSize, NumKeys: synth.NumKeys, SEP: synth.SEP, EOS: synth.EOS, PAD: synth.PAD,
			PromptLen: synth.PromptLen, MaxNewTokens: synth.MaxNewTokens},
	}
	for _, ex := range ds.SFT {
		out.SFT = append(out.SFT, example{Prompt: ex.Doc.Prompt(), Summary: nonNil(ex.Summary)})
	}
	out.Train = pairs(ds.Train)
	out.HeldOut = pairs(ds.HeldOut)
	for _, ep := range ds.Eval {
		e := evalPrompt{Prompt: ep.Doc.Prompt(), Keys: ep.Doc.Keys}
		for _, r := range ep.References {
			e.References = append(e.References, nonNil(r))
		}
		out.Eval = append(out.Eval, e)
	}
	return out
}

func pairs(ps []synth.Pair) []pair {
	out := make([]pair, len(ps))
	for i, p := range ps {
		out[i] = pair{Prompt: p.Doc.Prompt(), Keys: p.Doc.Keys, Chosen: nonNil(p.Chosen), Rejected: nonNil(p.Rejected)}
	}
	return out
}

// nonNil makes empty responses encode as [] rather than null.
func nonNil(y []int) []int {
	if y == nil {
		return []int{}
	}
	return y
}

// write encodes d to path atomically (temporary file, then rename).
func write(path string, d dataset) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := json.NewEncoder(tmp).Encode(d); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
