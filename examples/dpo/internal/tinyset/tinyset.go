// Package tinyset writes a tiny, self-contained DPO setup that needs no
// download: a random GPT-NeoX model directory with a byte-level BPE
// tokenizer learned from the data, and preference pairs in TRL's JSONL
// format whose preference is easy to learn (the chosen completion praises
// its subject with one vocabulary, the rejected one disparages it with
// another).
package tinyset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/tokenizer"
	"github.com/daalab/daa/tensor"
)

// Options size the generated set.
type Options struct {
	TrainPairs, EvalPairs int
	Merges                int    // BPE merges learned for the tokenizer
	Seed                  uint64 // seeds the pairs and the model's weights
}

// DefaultOptions returns 256 training pairs, 32 held-out pairs, 96 merges
// and seed 1.
func DefaultOptions() Options { return Options{TrainPairs: 256, EvalPairs: 32, Merges: 96, Seed: 1} }

// Files written by Write, relative to its directory.
const (
	ModelDir  = "model" // config.json, model.safetensors, tokenizer.json
	TrainFile = "train.jsonl"
	EvalFile  = "eval.jsonl"
)

var (
	subjects = []string{"cats", "dogs", "birds", "rivers", "mountains", "cities", "trees", "stars", "boats", "gardens"}
	praise   = []string{"kind", "calm", "bright", "gentle", "warm", "clear", "lovely", "brave"}
	scorn    = []string{"rude", "dull", "harsh", "cold", "grim", "noisy", "bleak", "sour"}
)

// pair is one JSONL row.
type pair struct {
	Prompt   string `json:"prompt"`
	Chosen   string `json:"chosen"`
	Rejected string `json:"rejected"`
}

// pairs draws n pairs: prompt "Tell me about S.", chosen " S are A and B."
// with A, B from praise, rejected " S are C." or " S are C and D." from
// scorn.
func pairs(rng *rand.Rand, n int) []pair {
	pick := func(words []string) string { return words[rng.IntN(len(words))] }
	out := make([]pair, n)
	for i := range out {
		s := pick(subjects)
		subject := strings.ToUpper(s[:1]) + s[1:]
		rejected := " " + subject + " are " + pick(scorn)
		if rng.IntN(2) == 0 {
			rejected += " and " + pick(scorn)
		}
		out[i] = pair{
			Prompt:   "Tell me about " + s + ".",
			Chosen:   " " + subject + " are " + pick(praise) + " and " + pick(praise) + ".",
			Rejected: rejected + ".",
		}
	}
	return out
}

// Write creates dir with the model directory and the train and eval pairs.
// The model has hidden size 32, 2 layers, 4 heads, an MLP of 128 and a
// vocabulary of the tokenizer's size rounded up to a multiple of 16, with
// <|endoftext|> as BOS and EOS; its weights are Hugging Face's random
// initialisation. Write checks that the tokenizer it wrote loads and
// round-trips every text.
func Write(dir string, o Options) error {
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	train, eval := pairs(rng, o.TrainPairs), pairs(rng, o.EvalPairs)
	var corpus []string
	for _, p := range append(append([]pair{}, train...), eval...) {
		corpus = append(corpus, p.Prompt, p.Chosen, p.Rejected)
	}
	tokJSON, size, err := tokenizerJSON(corpus, o.Merges)
	if err != nil {
		return fmt.Errorf("tinyset: tokenizer: %w", err)
	}
	tok, err := tokenizer.Parse(tokJSON)
	if err != nil {
		return fmt.Errorf("tinyset: the generated tokenizer: %w", err)
	}
	for _, text := range corpus {
		if back, err := tok.Decode(tok.Encode(text)); err != nil || back != text {
			return fmt.Errorf("tinyset: the generated tokenizer does not round-trip %q (%q, %v)", text, back, err)
		}
	}
	eos, _ := tok.EOS()

	cfg, err := pythia.Preset("pythia-14m")
	if err != nil {
		return err
	}
	cfg.VocabSize = (size + 15) / 16 * 16
	cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 32, 2, 4, 128
	cfg.BOSTokenID, cfg.EOSTokenID = eos, eos
	m, err := pythia.NewRandom(cfg, tensor.Float32, o.Seed)
	if err != nil {
		return err
	}
	modelDir := filepath.Join(dir, ModelDir)
	if err := m.Save(modelDir); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(modelDir, "tokenizer.json"), tokJSON, 0o644); err != nil {
		return fmt.Errorf("tinyset: %w", err)
	}
	if err := writeJSONL(filepath.Join(dir, TrainFile), train); err != nil {
		return err
	}
	return writeJSONL(filepath.Join(dir, EvalFile), eval)
}

// writeJSONL writes one JSON object per pair.
func writeJSONL(path string, ps []pair) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("tinyset: %w", err)
	}
	return nil
}
