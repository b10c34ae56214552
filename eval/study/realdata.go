package study

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/hub"
	"github.com/daalab/daa/pythia/tokenizer"
	"github.com/daalab/daa/tensor"
)

// realPair is one preference pair of the real data: token ids after
// truncation (responses end with EOS unless it was cut), with the text of
// the prompt and of the chosen response for the judge.
type realPair struct {
	Prompt, Chosen, Rejected []int
	PromptText, ChosenText   string
}

// realEvalPrompt is an evaluation prompt: a held-out prompt with the human
// chosen response of its first held-out pair as the reference response.
type realEvalPrompt struct {
	Prompt          []int
	Text, Reference string
}

// realSet is the data of the real mode.
type realSet struct {
	Train, HeldOut []realPair
	Eval           []realEvalPrompt
	// MaxResponse is the longest training response in tokens before EOS:
	// the "data's maximum" that frac_over_max compares samples with.
	MaxResponse int
	// What loading did: pairs read, TL;DR comparisons skipped (CNN/Daily
	// Mail), pairs dropped because the prompt fills -max-length or because
	// chosen and rejected became identical, pairs whose prompt or a response
	// was cut.
	Read, SkippedTLDR, DroppedPrompt, DroppedIdentical, Truncated int
}

// realModel is the loaded reference model with its tokenizer.
type realModel struct {
	name  string
	model *pythia.Model
	tok   *tokenizer.Tokenizer
	eos   int
}

// loadRealModel loads -model (a directory, or a hub id resolved in the local
// Hugging Face cache) as float32 and its tokenizer (-tokenizer, else the
// model directory's tokenizer.json).
func loadRealModel(r RealOptions) (*realModel, error) {
	dir, err := modelDir(r.Model)
	if err != nil {
		return nil, err
	}
	tokPath := r.Tokenizer
	if tokPath == "" {
		tokPath = filepath.Join(dir, "tokenizer.json")
		if _, err := os.Stat(tokPath); err != nil {
			return nil, fmt.Errorf("-model %s: no tokenizer.json in %s; pass -tokenizer FILE", r.Model, dir)
		}
	}
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return nil, fmt.Errorf("-tokenizer: %w", err)
	}
	m, err := pythia.LoadDir(dir, pythia.LoadOptions{DType: tensor.Float32})
	if err != nil {
		return nil, fmt.Errorf("-model %s: %w", r.Model, err)
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("%s has %d tokens but the model in %s only %d embeddings: not this model's tokenizer", tokPath, tok.VocabSize(), dir, m.Config.VocabSize)
	}
	eos, ok := tok.EOS()
	if !ok {
		eos = m.Config.EOSTokenID
	}
	if eos < 0 || eos >= m.Config.VocabSize {
		return nil, fmt.Errorf("%s has no <|endoftext|> and %s/config.json no usable eos_token_id (%d)", tokPath, dir, m.Config.EOSTokenID)
	}
	return &realModel{name: ModelName(r.Model), model: m, tok: tok, eos: eos}, nil
}

// modelDir returns -model itself when it is a directory, else the snapshot
// directory of the hub id it names in the local cache (no network).
func modelDir(model string) (string, error) {
	fi, err := os.Stat(model)
	switch {
	case err == nil && fi.IsDir():
		return model, nil
	case err == nil:
		return "", fmt.Errorf("-model %s: not a directory", model)
	}
	if _, _, idErr := hub.ParseID(model); idErr != nil {
		return "", fmt.Errorf("-model %s: no such directory (nor a hub id: %v)", model, idErr)
	}
	dir, err := hub.Resolve(model)
	if err != nil {
		return "", fmt.Errorf("-model %s: not a directory, and not in the local Hugging Face cache: %w", model, err)
	}
	return dir, nil
}

// loadRealData reads -data, tokenizes every pair (prompt and responses
// separately, as TRL does; EOS appended to each response), truncates it and
// splits off the held-out pairs and evaluation prompts (see splitReal).
func loadRealData(o Options, rm *realModel) (*realSet, error) {
	r := o.Real
	var pairs []data.Pair
	var skipped int
	var err error
	if r.TLDR {
		pairs, skipped, err = data.ReadTLDR(r.Data)
	} else {
		pairs, err = data.ReadPairs(r.Data)
	}
	if err != nil {
		return nil, fmt.Errorf("-data: %w", err)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("-data %s: no preference pairs", r.Data)
	}
	tokenized, err := train.Tokenize(r.Data, pairs, rm.tok.Encode)
	if err != nil {
		return nil, fmt.Errorf("-data: %w", err)
	}
	set := &realSet{Read: len(pairs), SkippedTLDR: skipped}
	var kept []realPair
	for i, tp := range tokenized.Pairs {
		p, cut := truncatePair(tp, rm.eos, r.MaxLength, r.MaxPromptLength)
		switch {
		case p.Prompt == nil:
			set.DroppedPrompt++
			continue
		case slices.Equal(p.Chosen, p.Rejected):
			set.DroppedIdentical++
			continue
		}
		if cut {
			set.Truncated++
		}
		p.PromptText, p.ChosenText = pairs[i].Prompt, pairs[i].Chosen
		kept = append(kept, p)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("-data %s: no pair left after truncation to -max-length %d, -max-prompt-length %d (%d dropped: prompt fills the budget; %d: chosen and rejected identical)",
			r.Data, r.MaxLength, r.MaxPromptLength, set.DroppedPrompt, set.DroppedIdentical)
	}
	if err := splitReal(o, set, kept); err != nil {
		return nil, err
	}
	for _, p := range set.Train {
		set.MaxResponse = max(set.MaxResponse, responseLen(p.Chosen, rm.eos), responseLen(p.Rejected, rm.eos))
	}
	return set, nil
}

// truncatePair applies TRL's truncation: the prompt keeps its last
// maxPrompt tokens (0: all), then prompt + response + EOS keeps its first
// maxLength tokens. A pair whose prompt alone has maxLength tokens or more
// is dropped: the result's Prompt is nil. cut reports whether anything was
// removed.
func truncatePair(tp data.TokenizedPair, eos, maxLength, maxPrompt int) (p realPair, cut bool) {
	prompt := tp.Prompt
	if maxPrompt > 0 && len(prompt) > maxPrompt {
		prompt, cut = prompt[len(prompt)-maxPrompt:], true
	}
	if len(prompt) >= maxLength {
		return realPair{}, true
	}
	room := maxLength - len(prompt)
	response := func(y []int) []int {
		full := append(append(make([]int, 0, len(y)+1), y...), eos)
		if len(full) > room {
			full, cut = full[:room], true
		}
		return full
	}
	p = realPair{Prompt: slices.Clone(prompt), Chosen: response(tp.Chosen), Rejected: response(tp.Rejected)}
	return p, cut
}

// responseLen is the number of tokens before EOS.
func responseLen(y []int, eos int) int {
	if len(y) > 0 && y[len(y)-1] == eos {
		return len(y) - 1
	}
	return len(y)
}

// splitReal puts whole prompts, in a random order seeded by -seed, into the
// held-out set until it holds at least -heldout-pairs pairs and
// -eval-prompts distinct prompts, so that no evaluation prompt is trained
// on; the rest are the training pairs (at most -train-pairs of them, when
// given). Implicit-reward accuracy uses the first -heldout-pairs held-out
// pairs, sampling the first -eval-prompts held-out prompts.
func splitReal(o Options, set *realSet, pairs []realPair) error {
	groups := map[string][]int{}
	var order []string
	for i, p := range pairs {
		if groups[p.PromptText] == nil {
			order = append(order, p.PromptText)
		}
		groups[p.PromptText] = append(groups[p.PromptText], i)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5b117))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	k := 0
	for ; k < len(order) && (len(set.HeldOut) < o.Data.HeldOut || len(set.Eval) < o.Data.EvalPrompts); k++ {
		first := pairs[groups[order[k]][0]]
		set.Eval = append(set.Eval, realEvalPrompt{Prompt: first.Prompt, Text: first.PromptText, Reference: first.ChosenText})
		for _, i := range groups[order[k]] {
			set.HeldOut = append(set.HeldOut, pairs[i])
		}
	}
	if len(set.HeldOut) < o.Data.HeldOut || len(set.Eval) < o.Data.EvalPrompts {
		return fmt.Errorf("-data %s: %d pairs on %d distinct prompts cannot hold out %d pairs (-heldout-pairs) and %d prompts (-eval-prompts) and leave pairs to train on",
			o.Real.Data, len(pairs), len(order), o.Data.HeldOut, o.Data.EvalPrompts)
	}
	set.HeldOut, set.Eval = set.HeldOut[:o.Data.HeldOut], set.Eval[:o.Data.EvalPrompts]
	for ; k < len(order); k++ {
		for _, i := range groups[order[k]] {
			set.Train = append(set.Train, pairs[i])
		}
	}
	// Training pairs in the file's order within the shuffled prompt order;
	// each run visits them in its own permutation.
	if o.Data.TrainPairs > 0 && len(set.Train) > o.Data.TrainPairs {
		set.Train = set.Train[:o.Data.TrainPairs]
	}
	if len(set.Train) < o.DAABatch {
		return fmt.Errorf("-data %s: %d training pairs left after holding out whole prompts, fewer than -batch %d", o.Real.Data, len(set.Train), o.DAABatch)
	}
	return nil
}
