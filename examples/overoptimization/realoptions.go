package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// realOptions are the settings of the real-model mode: a Hugging Face
// GPT-NeoX model (the SFT reference the user brings), preference data and a
// judge in place of the synthetic task's gold reward. They are zero in the
// synthetic study.
type realOptions struct {
	Model     string // checkpoint directory, or a hub id in the local Hugging Face cache
	Data      string // preference pairs (.jsonl or .parquet), or TL;DR comparisons with TLDR
	TLDR      bool   // Data holds summarize_from_feedback comparisons
	Tokenizer string // tokenizer.json; default the model directory's

	MaxLength       int     // prompt + response + EOS, in tokens (the response is cut)
	MaxPromptLength int     // the prompt's last tokens kept; 0 keeps whole prompts
	MaxNewTokens    int     // sampled tokens per evaluation response
	Epochs          int     // passes over the training pairs
	MicroBatch      int     // pairs per forward/backward pass (gradient accumulation)
	MaxGradNorm     float64 // global gradient-norm clipping; 0 = none

	Judge            string // llm or length
	JudgeURL         string // OpenAI-compatible base URL
	JudgeModel       string
	JudgeKeyEnv      string // environment variable holding the API key; empty: no key
	JudgeConcurrency int
}

// The real mode's method defaults where the synthetic recipe's do not fit
// a released model: the DPO reference code's learning rate (5e-7), the batch
// of its TL;DR command (64 pairs) and its gradient clipping (norm 10).
const (
	realDefaultLR    = 5e-7
	realDefaultBatch = 64
)

// addRealFlags defines the real mode's flags on fs and returns the options
// they fill.
func addRealFlags(fs *flag.FlagSet) *realOptions {
	r := &realOptions{}
	fs.StringVar(&r.Model, "model", "", "real mode: SFT'd GPT-NeoX checkpoint directory, or a hub id in the local Hugging Face cache (needs -data)")
	fs.StringVar(&r.Data, "data", "", "real mode: preference pairs (.jsonl or .parquet: prompt, chosen, rejected), or with -tldr summarize_from_feedback comparisons (needs -model)")
	fs.BoolVar(&r.TLDR, "tldr", false, "real mode: -data holds summarize_from_feedback comparisons (the DPO paper's TL;DR prompt)")
	fs.StringVar(&r.Tokenizer, "tokenizer", "", "real mode: tokenizer.json (default: the model directory's)")
	fs.IntVar(&r.MaxLength, "max-length", 512, "real mode: tokens of prompt + response + EOS; longer responses are cut")
	fs.IntVar(&r.MaxPromptLength, "max-prompt-length", 256, "real mode: keep the last N tokens of each prompt (0 keeps prompts whole and drops pairs whose prompt fills -max-length)")
	fs.IntVar(&r.MaxNewTokens, "max-new-tokens", 128, "real mode: tokens sampled per evaluation response")
	fs.IntVar(&r.Epochs, "epochs", 1, "real mode: passes over the training pairs")
	fs.IntVar(&r.MicroBatch, "micro-batch", 2, "real mode: pairs per forward/backward pass (bounds memory; -batch is reached by accumulation); scoring and sampling run 8x as many sequences")
	fs.Float64Var(&r.MaxGradNorm, "max-grad-norm", 10, "real mode: clip the global gradient norm (0: no clipping)")
	fs.StringVar(&r.Judge, "judge", "llm", "real mode: win-rate judge: llm (an OpenAI-compatible chat model with the TL;DR judging prompt) or length (SMOKE TEST ONLY: the shorter response wins)")
	fs.StringVar(&r.JudgeURL, "judge-url", "https://api.openai.com/v1", "real mode: base URL of the judge's chat-completions API")
	fs.StringVar(&r.JudgeModel, "judge-model", "gpt-4o-mini", "real mode: the judge's model name")
	fs.StringVar(&r.JudgeKeyEnv, "judge-key-env", "OPENAI_API_KEY", "real mode: environment variable holding the judge's API key (empty: send none, for local servers)")
	fs.IntVar(&r.JudgeConcurrency, "judge-concurrency", 4, "real mode: judge requests in flight")
	return r
}

// syntheticOnlyFlags are the flags that describe the synthetic task or its
// SFT stage; realOnlyFlags are those of the real mode.
var (
	syntheticOnlyFlags = []string{"sizes", "p-swap", "p-drop", "p-ins", "p-stop", "max-len", "bt-temperature", "sft-examples",
		"references", "sft-steps", "sft-batch", "sft-lr", "sft-warmup", "sft-floor", "sft-clip", "shard", "merge", "workers"}
	realOnlyFlags = []string{"tldr", "tokenizer", "max-length", "max-prompt-length", "max-new-tokens", "epochs", "micro-batch",
		"max-grad-norm", "judge", "judge-url", "judge-model", "judge-key-env", "judge-concurrency"}
)

// realMode reports whether the study runs on a real model and data.
func (o Options) realMode() bool { return o.Real != nil }

// checkModeFlags rejects a flag that does not apply to the chosen mode, so
// that no setting silently has no effect. r holds the real mode's flags,
// set the names of the flags given.
func (o Options) checkModeFlags(r *realOptions, set map[string]bool) error {
	switch {
	case r.Model != "" && r.Data == "":
		return fmt.Errorf("-model needs -data (the preference pairs to train on)")
	case r.Data != "" && r.Model == "":
		return fmt.Errorf("-data needs -model (the SFT'd model to start from)")
	}
	if r.Model != "" {
		for _, name := range syntheticOnlyFlags {
			if set[name] {
				return fmt.Errorf("-%s applies to the synthetic task only, not with -model", name)
			}
		}
		if len(o.Merge) > 0 {
			return fmt.Errorf("-merge applies to the synthetic task only, not with -model")
		}
		return nil
	}
	for _, name := range realOnlyFlags {
		if set[name] {
			return fmt.Errorf("-%s applies with -model and -data only", name)
		}
	}
	return nil
}

// applyReal switches o to the real mode with the settings r: the single
// "size" is the model's name, -train-pairs caps the pairs used (0: all,
// unless given), and the method defaults of a released model replace the
// tiny models' ones.
func (o *Options) applyReal(r *realOptions, set map[string]bool) {
	o.Real = r
	o.Sizes = []string{modelName(r.Model)}
	o.Workers = 1 // one run at a time; the engine uses every core
	o.Data.References = 1
	if !set["train-pairs"] {
		o.Data.TrainPairs = 0
	}
	if !set["lr"] {
		o.DAALR = realDefaultLR
	}
	if !set["batch"] {
		o.DAABatch = realDefaultBatch
	}
}

// modelName names the model in points.csv (the Size column) and in file
// names: the last element of -model, "pythia-70m" for
// EleutherAI/pythia-70m or /models/pythia-70m/.
func modelName(model string) string {
	return filepath.Base(filepath.Clean(model))
}

// validateReal checks the real mode's settings (nil in the synthetic study).
// A -judge llm without its API key fails here, before any model is loaded.
func (o Options) validateReal() error {
	if !o.realMode() {
		return nil
	}
	r := *o.Real
	switch {
	case r.MaxLength < 2:
		return fmt.Errorf("-max-length %d: want at least 2", r.MaxLength)
	case r.MaxPromptLength < 0 || r.MaxPromptLength >= r.MaxLength:
		return fmt.Errorf("-max-prompt-length %d: want 0 (whole prompts) or 1..%d (below -max-length)", r.MaxPromptLength, r.MaxLength-1)
	case r.MaxNewTokens < 1:
		return fmt.Errorf("-max-new-tokens %d: want at least 1", r.MaxNewTokens)
	case r.Epochs < 1:
		return fmt.Errorf("-epochs %d: want at least 1", r.Epochs)
	case r.MicroBatch < 1 || r.MicroBatch > o.DAABatch:
		return fmt.Errorf("-micro-batch %d: want 1 <= micro-batch <= -batch (%d)", r.MicroBatch, o.DAABatch)
	case r.MaxGradNorm < 0:
		return fmt.Errorf("-max-grad-norm %v: want >= 0 (0: no clipping)", r.MaxGradNorm)
	case o.Data.TrainPairs != 0 && o.Data.TrainPairs < o.DAABatch:
		return fmt.Errorf("-train-pairs %d: want 0 (all) or at least -batch (%d)", o.Data.TrainPairs, o.DAABatch)
	case r.JudgeConcurrency < 1:
		return fmt.Errorf("-judge-concurrency %d: want at least 1", r.JudgeConcurrency)
	}
	switch r.Judge {
	case "length":
	case "llm":
		if r.JudgeURL == "" || r.JudgeModel == "" {
			return fmt.Errorf("-judge llm needs -judge-url and -judge-model")
		}
		if r.JudgeKeyEnv != "" && os.Getenv(r.JudgeKeyEnv) == "" {
			return fmt.Errorf("-judge llm: the API key variable %s (-judge-key-env) is not set; set it, or pass -judge-key-env= for a server that needs no key", r.JudgeKeyEnv)
		}
	default:
		return fmt.Errorf("-judge %q: want llm or length", r.Judge)
	}
	return nil
}
