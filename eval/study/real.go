package study

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/daalab/daa/eval/judge"
	"github.com/daalab/daa/pythia"
)

// RealOptions are the settings of the real mode: a Hugging Face GPT-NeoX
// model (the SFT reference the user brings), preference data and a judge in
// place of the synthetic task's gold reward. The comments name the flags.
type RealOptions struct {
	Model     string // -model: checkpoint directory, or a hub id in the local Hugging Face cache
	Data      string // -data: preference pairs (.jsonl or .parquet), or TL;DR comparisons with TLDR
	TLDR      bool   // -tldr: Data holds summarize_from_feedback comparisons
	Tokenizer string // -tokenizer: tokenizer.json; default the model directory's

	MaxLength       int     // prompt + response + EOS, in tokens (the response is cut)
	MaxPromptLength int     // the prompt's last tokens kept; 0 keeps whole prompts
	MaxNewTokens    int     // sampled tokens per evaluation response
	Epochs          int     // passes over the training pairs
	MicroBatch      int     // pairs per forward/backward pass (gradient accumulation)
	MaxGradNorm     float64 // global gradient-norm clipping; 0 = none

	// LoRA, with LoRA.R > 0, trains PEFT-style LoRA adapters on the frozen
	// model instead of every weight (-lora-r, -lora-alpha, -lora-dropout,
	// -lora-targets): align/train's LoRA mode, whose reference is the model
	// with its adapters off. R 0 fine-tunes the whole model.
	LoRA pythia.LoRAConfig

	Judge            string // llm or length
	JudgeURL         string // OpenAI-compatible base URL
	JudgeModel       string
	JudgeKeyEnv      string // environment variable holding the API key; empty: no key
	JudgeConcurrency int
}

// DefaultRealOptions are the real mode's defaults: sequences of 512 tokens
// with prompts cut to their last 256, 128 sampled tokens, one epoch in
// micro-batches of 2 pairs with clipping at norm 10, and gpt-4o-mini on
// OpenAI's API as the judge (key in OPENAI_API_KEY), 4 requests in flight.
func DefaultRealOptions() RealOptions {
	return RealOptions{
		MaxLength: 512, MaxPromptLength: 256, MaxNewTokens: 128, Epochs: 1, MicroBatch: 2, MaxGradNorm: 10,
		Judge: "llm", JudgeURL: "https://api.openai.com/v1", JudgeModel: "gpt-4o-mini", JudgeKeyEnv: "OPENAI_API_KEY", JudgeConcurrency: 4,
	}
}

// The real mode's method defaults where the synthetic recipe's do not fit
// a released model: the DPO reference code's learning rate (5e-7), the batch
// of its TL;DR command (64 pairs) and its gradient clipping (norm 10).
const (
	RealDefaultLR    = 5e-7
	RealDefaultBatch = 64
)

// UseReal switches o to the real mode with the settings r: the single
// "size" is the model's name (ModelName), runs go one at a time (the engine
// uses every core), one reference response per prompt, and, unless given
// (flag names in given), all training pairs and the method defaults of a
// released model (RealDefaultLR, RealDefaultBatch).
func (o *Options) UseReal(r *RealOptions, given map[string]bool) {
	o.Real = r
	o.Sizes = []string{ModelName(r.Model)}
	o.Workers = 1
	o.Data.References = 1
	if !given["train-pairs"] {
		o.Data.TrainPairs = 0
	}
	if !given["lr"] {
		o.DAALR = RealDefaultLR
	}
	if !given["batch"] {
		o.DAABatch = RealDefaultBatch
	}
}

// ModelName names a real model in points.csv (the size column) and in file
// names: the last element of -model, "pythia-70m" for EleutherAI/pythia-70m
// or /models/pythia-70m/.
func ModelName(model string) string {
	return filepath.Base(filepath.Clean(model))
}

// Real is the real mode as a Task: the loaded model is the reference of
// every run, the data are split into training pairs, held-out pairs and
// evaluation prompts once, and each seed's cell judges samples with its own
// position flips.
type Real struct {
	o     Options
	rm    *realModel
	set   *realSet
	j     judge.Judge
	cache *judge.Cache // nil for the length judge
	log   io.Writer

	train, heldOut    []Pair
	refHeldOut        PairSums
	prompts           [][]int
	evalRows          int // sequences per scoring or sampling pass: 8 * MicroBatch
	trainSeq, evalSeq int
}

// NewReal loads o.Real's model and data, opens its judge, scores the
// held-out pairs under the reference and sets o.Data's TrainPairs, HeldOut
// and EvalPrompts to the numbers it kept. It describes what it loaded on
// log. Close the task when done.
func NewReal(o *Options, log io.Writer) (*Real, error) {
	r := o.Real
	rm, err := loadRealModel(*r)
	if err != nil {
		return nil, err
	}
	set, err := loadRealData(*o, rm)
	if err != nil {
		return nil, err
	}
	o.Data.TrainPairs, o.Data.HeldOut, o.Data.EvalPrompts = len(set.Train), len(set.HeldOut), len(set.Eval)
	fmt.Fprintf(log, "real mode: model %s (%d parameters), %s: %d pairs read, %d dropped (prompt fills -max-length %d), %d dropped (chosen = rejected after truncation), %d truncated",
		rm.name, pythia.NumParams(rm.model.Config), r.Data, set.Read, set.DroppedPrompt, r.MaxLength, set.DroppedIdentical, set.Truncated)
	if set.SkippedTLDR > 0 {
		fmt.Fprintf(log, ", %d CNN/Daily Mail comparisons skipped", set.SkippedTLDR)
	}
	fmt.Fprintf(log, "\n  %d training pairs, %d held-out pairs, %d evaluation prompts x %d samples; judge %s\n",
		len(set.Train), len(set.HeldOut), len(set.Eval), o.SamplesPerEval, judgeLabel(*r))
	t := &Real{o: *o, rm: rm, set: set, log: log, evalRows: 8 * r.MicroBatch}
	if t.j, t.cache, err = newRealJudge(*r, o.Out); err != nil {
		return nil, err
	}
	if t.cache != nil {
		fmt.Fprintf(log, "  judge verdict cache %s: %d verdicts\n", filepath.Join(o.Out, judgeCacheFile), t.cache.Len())
	}
	for _, p := range set.Train {
		t.train = append(t.train, Pair{Prompt: p.Prompt, Chosen: p.Chosen, Rejected: p.Rejected})
		t.trainSeq = max(t.trainSeq, len(p.Prompt)+max(len(p.Chosen), len(p.Rejected)))
	}
	t.evalSeq = t.trainSeq
	for _, p := range set.HeldOut {
		t.heldOut = append(t.heldOut, Pair{Prompt: p.Prompt, Chosen: p.Chosen, Rejected: p.Rejected})
		t.evalSeq = max(t.evalSeq, len(p.Prompt)+max(len(p.Chosen), len(p.Rejected)))
	}
	for _, e := range set.Eval {
		t.prompts = append(t.prompts, e.Prompt)
		t.evalSeq = max(t.evalSeq, len(e.Prompt)+r.MaxNewTokens)
	}
	sc, err := newScorer(rm.model, t.evalRows, t.evalSeq)
	if err != nil {
		t.Close()
		return nil, err
	}
	t.refHeldOut = pairSums(sc, t.heldOut)
	return t, nil
}

// Close closes the judge's verdict cache.
func (t *Real) Close() error {
	if t.cache == nil {
		return nil
	}
	return t.cache.Close()
}

// Prepare returns the cell of a seed: the loaded model and data, judged
// with the seed's position flips. size is the model's name. The cell has
// no Support, so ood_share and in_support_mass are NaN: the loaded model's
// SFT data is not known to the study, and exact matches of sampled free
// text with the preference pairs' responses do not happen, so the share
// would be 1 at every checkpoint and measure nothing.
func (t *Real) Prepare(size string, seed uint64, step func()) (*Cell, error) {
	r := t.o.Real
	refHeldOut := t.refHeldOut
	return &Cell{
		Reference: t.rm.model, Train: t.train, HeldOut: t.heldOut, RefHeldOut: &refHeldOut,
		Prompts: t.prompts, Judge: t.newJudge(seed), EOS: t.rm.eos, MaxNewTokens: r.MaxNewTokens, MaxResponse: t.set.MaxResponse,
		EvalRows: t.evalRows, TrainSeq: t.trainSeq, EvalSeq: t.evalSeq,
		Epochs: r.Epochs, MicroBatch: r.MicroBatch, MaxGradNorm: r.MaxGradNorm,
	}, nil
}

// PrepareSteps is 0: the reference is loaded, not trained.
func (t *Real) PrepareSteps(string) int { return 0 }

// TrainPairs is the number of training pairs kept.
func (t *Real) TrainPairs() int { return len(t.train) }

// SortSizes returns sizes as they are (one model).
func (t *Real) SortSizes(sizes []string) []string { return sizes }

// ReportNote says what a real-mode run measured differently from the
// synthetic study the rest of the report's wording describes.
func (t *Real) ReportNote() string {
	o, set := t.o, t.set
	var b strings.Builder
	b.WriteString("## Real model and data\n\n")
	fmt.Fprintf(&b, "This run used the real-model mode: the reference is %s (`-model %s`, brought SFT'd by the user) and the data `%s` (%d training pairs, %d held-out pairs, %d evaluation prompts, whole prompts held out). ",
		t.rm.name, o.Real.Model, o.Real.Data, len(set.Train), len(set.HeldOut), len(set.Eval))
	fmt.Fprintf(&b, "There is no gold reward: every \"win rate\" below is the judge's, %s, of %d samples per prompt against the human chosen response of the prompt's first held-out pair. ",
		judgeLabel(*o.Real), o.SamplesPerEval)
	b.WriteString("The gold_reward column is 0 (not measured), junk counts the tokens that repeat an earlier trigram of the same sample, and frac_over_max is the share of samples longer than the longest training response")
	clip := "no gradient clipping"
	if o.Real.MaxGradNorm > 0 {
		clip = fmt.Sprintf("gradient clipping at norm %g", o.Real.MaxGradNorm)
	}
	fmt.Fprintf(&b, " (%d tokens). Training: %d epoch(s) of %d pairs per RMSProp step (lr %g, %s), sequences cut to %d tokens.",
		set.MaxResponse, o.Real.Epochs, o.DAABatch, o.DAALR, clip, o.Real.MaxLength)
	return b.String()
}

// llmJudge judges decoded samples against the human chosen response of
// each evaluation prompt with the real mode's judge. The same seed flips
// the same positions at every checkpoint (common random numbers).
type llmJudge struct {
	t           *Real
	seed        uint64
	decoder     textDecoder
	promptTexts []string
	references  [][]string
}

func (t *Real) newJudge(seed uint64) *llmJudge {
	j := &llmJudge{t: t, seed: seed, decoder: newTextDecoder(t.rm.tok)}
	for _, ep := range t.set.Eval {
		j.promptTexts = append(j.promptTexts, ep.Text)
		j.references = append(j.references, []string{strings.TrimSpace(ep.Reference)})
	}
	return j
}

// Judge returns the judge's win rate and the repeated trigrams per sample
// (degenerate repetition, the real-text analogue of the synthetic task's
// junk); there is no gold reward. Comparisons the judge could not decide
// are left out and logged; more than maxJudgeFailures of them is an error.
func (j *llmJudge) Judge(samples [][]Sample) (Judgement, error) {
	var out Judgement
	candidates := make([][]string, len(samples))
	var junk, n float64
	for i, ss := range samples {
		for _, s := range ss {
			junk += float64(repeatedTrigrams(s.Tokens))
			n++
			text, err := j.decoder.decode(s.Tokens)
			if err != nil {
				return out, fmt.Errorf("decoding a sample: %w", err)
			}
			candidates[i] = append(candidates[i], text)
		}
	}
	out.Junk = junk / n
	res, err := judge.WinRate(context.Background(), j.t.j, j.promptTexts, candidates, j.references,
		judge.WinRateOptions{Seed: j.seed, Concurrency: j.t.o.Real.JudgeConcurrency, Cache: j.t.cache})
	if err != nil {
		return out, err
	}
	total := len(res.Comparisons)
	if res.Errors > 0 {
		if float64(res.Errors) > maxJudgeFailures*float64(total) {
			return out, fmt.Errorf("the judge failed %d of %d comparisons (first: %v); its verdicts so far are cached", res.Errors, total, res.FirstError)
		}
		fmt.Fprintf(j.t.log, "judge: %d of %d comparisons undecided and left out (first: %v)\n", res.Errors, total, res.FirstError)
	}
	out.WinRate, out.WinRateSE = res.WinRate.Mean, res.WinRate.SE
	return out, nil
}

// repeatedTrigrams counts the tokens of y that end a trigram already seen
// earlier in y.
func repeatedTrigrams(y []int) int {
	seen := map[[3]int]bool{}
	n := 0
	for t := 2; t < len(y); t++ {
		g := [3]int{y[t-2], y[t-1], y[t]}
		if seen[g] {
			n++
		}
		seen[g] = true
	}
	return n
}
