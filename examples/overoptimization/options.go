package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/daalab/daa/eval/study"
	"github.com/daalab/daa/pythia"
)

// parseFlags fills the study's options from the command line.
func parseFlags(args []string) (study.Options, error) {
	o := study.DefaultOptions()
	fs := flag.NewFlagSet("overoptimization", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of overoptimization (see README.md; the full study takes about 7 minutes on 2 cores, -quick about 25 seconds):\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Out, "out", o.Out, "output directory")
	quick := fs.Bool("quick", false, "size S, betas 0.03 and 0.3, one seed, 256 prompts: about 25 seconds on 2 cores")
	losses := fs.String("losses", strings.Join(o.Losses, ","), "objectives: dpo, ipo (the paper's (beta*Delta-1)^2), slic, or any registered align loss name")
	betas := fs.String("betas", "0.03,0.1,0.3,1.0", "betas, comma-separated")
	sizes := fs.String("sizes", strings.Join(o.Sizes, ","), "model sizes: XS (hidden 16), S (32, 28k parameters), M (64, 106k), L (128, 442k)")
	sizeLosses := fs.String("size-losses", joinSizeMap(o.SizeLosses, func(l []string) string { return strings.Join(l, ",") }), `objectives per size, e.g. "M=dpo;L=dpo,ipo" (unlisted sizes run every -losses objective; -losses without -size-losses runs them on every size)`)
	sizeSFT := fs.String("size-sft-steps", joinSizeMap(o.SizeSFTSteps, strconv.Itoa), `SFT steps per size in place of -sft-steps, e.g. "L=4000"`)
	sizeSFTLR := fs.String("size-sft-lr", joinSizeMap(o.SizeSFTLR, func(lr float64) string { return strconv.FormatFloat(lr, 'g', -1, 64) }), `SFT learning rate per size in place of -sft-lr, e.g. "L=1e-3"`)
	fs.Float64Var(&o.RDPOAlpha, "rdpo-alpha", o.RDPOAlpha, "R-DPO's length coefficient alpha (objective rdpo)")
	fs.IntVar(&o.Seeds, "seeds", o.Seeds, "seeds per (objective, beta, size)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "base seed")
	fs.IntVar(&o.Workers, "workers", o.Workers, "runs trained in parallel (one core each)")

	fs.Float64Var(&o.Noise.Swap, "p-swap", o.Noise.Swap, "generator: probability of swapping two adjacent keys")
	fs.Float64Var(&o.Noise.Drop, "p-drop", o.Noise.Drop, "generator: probability of dropping each key")
	fs.Float64Var(&o.Noise.Insert, "p-ins", o.Noise.Insert, "generator: probability of junk after an emitted key")
	fs.Float64Var(&o.Noise.Stop, "p-stop", o.Noise.Stop, "generator: probability of stopping after an emitted key")
	fs.IntVar(&o.Noise.MaxLen, "max-len", o.Noise.MaxLen, "generator: truncation length")
	fs.Float64Var(&o.Temperature, "bt-temperature", o.Temperature, "Bradley-Terry labeller temperature")
	fs.IntVar(&o.Data.SFT, "sft-examples", o.Data.SFT, "SFT examples")
	fs.IntVar(&o.Data.TrainPairs, "train-pairs", o.Data.TrainPairs, "preference pairs (one epoch)")
	fs.IntVar(&o.Data.HeldOut, "heldout-pairs", o.Data.HeldOut, "held-out pairs for implicit-reward accuracy")
	fs.IntVar(&o.Data.EvalPrompts, "eval-prompts", o.Data.EvalPrompts, "held-out prompts for sampling and win rates")
	fs.IntVar(&o.Data.References, "references", o.Data.References, "reference summaries per evaluation prompt")

	fs.IntVar(&o.SFTSteps, "sft-steps", o.SFTSteps, "SFT steps")
	fs.IntVar(&o.SFTBatch, "sft-batch", o.SFTBatch, "SFT batch size")
	fs.Float64Var(&o.SFTLR, "sft-lr", o.SFTLR, "SFT AdamW learning rate")
	fs.IntVar(&o.SFTWarmup, "sft-warmup", o.SFTWarmup, "SFT warmup steps")
	fs.Float64Var(&o.SFTFloor, "sft-floor", o.SFTFloor, "SFT final learning rate as a fraction of -sft-lr")
	fs.Float64Var(&o.SFTClip, "sft-clip", o.SFTClip, "SFT gradient clipping norm")

	fs.Float64Var(&o.DAALR, "lr", o.DAALR, "DAA RMSProp learning rate (synthetic: at hidden width -lr-base-width)")
	fs.IntVar(&o.DAALRBaseWidth, "lr-base-width", o.DAALRBaseWidth, "synthetic: a size of hidden width w trains at -lr * base / w (S 32, M 64, L 128); 0: every size at -lr")
	fs.IntVar(&o.DAABatch, "batch", o.DAABatch, "DAA pairs per step")
	fs.Float64Var(&o.DAAWarmupFrac, "warmup", o.DAAWarmupFrac, "DAA linear warmup as a share of the epoch")
	fs.Float64Var(&o.RMSPropAlpha, "rmsprop-alpha", o.RMSPropAlpha, "RMSProp square-average decay")
	fs.Float64Var(&o.RMSPropEps, "rmsprop-eps", o.RMSPropEps, "RMSProp epsilon")
	fs.IntVar(&o.Checkpoints, "checkpoints", o.Checkpoints, "evaluated checkpoints per epoch (plus the SFT start)")
	fs.IntVar(&o.SamplesPerEval, "samples", o.SamplesPerEval, "samples per evaluation prompt")
	fs.StringVar(&o.Precision, "precision", o.Precision, `DAA training's matrix products: "float32" (default) or "bf16" (bfloat16 inputs, float32 sums)`)

	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile to this file")
	fs.StringVar(&o.Verify, "verify", "", "check that a summary.json and the points.csv beside it hold the whole grid of its options, and exit (CI)")
	shard := fs.String("shard", "", "i/n: run only slice i (0-based) of n of the run grid and write partial results")
	fs.Func("merge", "merge the run results of shard output directories into -out (repeatable; give the shards' settings, e.g. -quick)", func(s string) error {
		o.Merge = append(o.Merge, s)
		return nil
	})
	r := addRealFlags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		o.Merge = append(o.Merge, fs.Args()...)
		if len(o.Merge) == len(fs.Args()) {
			return o, fmt.Errorf("unexpected arguments %v (directories to merge go after -merge)", fs.Args())
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	o.Losses, o.Sizes = splitList(*losses), splitList(*sizes)
	var err error
	if o.SizeLosses, err = parseSizeLosses(*sizeLosses); err != nil {
		return o, fmt.Errorf("-size-losses: %w", err)
	}
	if given["losses"] && !given["size-losses"] {
		o.SizeLosses = nil
	}
	if o.SizeSFTSteps, err = parseSizeSteps(*sizeSFT); err != nil {
		return o, fmt.Errorf("-size-sft-steps: %w", err)
	}
	if o.SizeSFTLR, err = parseSizeLR(*sizeSFTLR); err != nil {
		return o, fmt.Errorf("-size-sft-lr: %w", err)
	}
	if o.Betas, err = parseFloats(*betas); err != nil {
		return o, fmt.Errorf("-betas: %w", err)
	}
	if *shard != "" {
		if _, err := fmt.Sscanf(*shard, "%d/%d", &o.Shard, &o.NumShards); err != nil || o.NumShards < 1 || o.Shard < 0 || o.Shard >= o.NumShards {
			return o, fmt.Errorf("-shard %q: want i/n with 0 <= i < n", *shard)
		}
	}
	if *quick {
		o.ApplyQuick(given)
	}
	if err := checkModeFlags(o, r, given); err != nil {
		return o, err
	}
	if r.Model != "" {
		o.UseReal(r, given)
	}
	return o, o.Validate()
}

// addRealFlags defines the real mode's flags on fs and returns the options
// they fill.
func addRealFlags(fs *flag.FlagSet) *study.RealOptions {
	d := study.DefaultRealOptions()
	r := &d
	fs.StringVar(&r.Model, "model", "", "real mode: SFT'd GPT-NeoX checkpoint directory, or a hub id in the local Hugging Face cache (needs -data)")
	fs.StringVar(&r.Data, "data", "", "real mode: preference pairs (.jsonl or .parquet: prompt, chosen, rejected), or with -tldr summarize_from_feedback comparisons (needs -model)")
	fs.BoolVar(&r.TLDR, "tldr", false, "real mode: -data holds summarize_from_feedback comparisons (the DPO paper's TL;DR prompt)")
	fs.StringVar(&r.Tokenizer, "tokenizer", "", "real mode: tokenizer.json (default: the model directory's)")
	fs.IntVar(&r.MaxLength, "max-length", r.MaxLength, "real mode: tokens of prompt + response + EOS; longer responses are cut")
	fs.IntVar(&r.MaxPromptLength, "max-prompt-length", r.MaxPromptLength, "real mode: keep the last N tokens of each prompt (0 keeps prompts whole and drops pairs whose prompt fills -max-length)")
	fs.IntVar(&r.MaxNewTokens, "max-new-tokens", r.MaxNewTokens, "real mode: tokens sampled per evaluation response")
	fs.IntVar(&r.Epochs, "epochs", r.Epochs, "real mode: passes over the training pairs")
	fs.IntVar(&r.MicroBatch, "micro-batch", r.MicroBatch, "real mode: pairs per forward/backward pass, a divisor of -batch (bounds memory; -batch is reached by accumulation); scoring and sampling run 8x as many sequences")
	fs.Float64Var(&r.MaxGradNorm, "max-grad-norm", r.MaxGradNorm, "real mode: clip the global gradient norm (0: no clipping)")
	fs.StringVar(&r.Judge, "judge", r.Judge, "real mode: win-rate judge: llm (an OpenAI-compatible chat model with the TL;DR judging prompt) or length (SMOKE TEST ONLY: the shorter response wins)")
	fs.StringVar(&r.JudgeURL, "judge-url", r.JudgeURL, "real mode: base URL of the judge's chat-completions API")
	fs.StringVar(&r.JudgeModel, "judge-model", r.JudgeModel, "real mode: the judge's model name")
	fs.StringVar(&r.JudgeKeyEnv, "judge-key-env", r.JudgeKeyEnv, "real mode: environment variable holding the judge's API key (empty: send none, for local servers)")
	fs.IntVar(&r.JudgeConcurrency, "judge-concurrency", r.JudgeConcurrency, "real mode: judge requests in flight")
	fs.IntVar(&r.LoRA.R, "lora-r", 0, "real mode: train LoRA adapters of this rank on the frozen model, the reference being the model with its adapters off (0: full fine-tuning)")
	fs.Float64Var(&r.LoRA.Alpha, "lora-alpha", 16, "real mode: LoRA lora_alpha (scale lora_alpha/r)")
	fs.Float64Var(&r.LoRA.Dropout, "lora-dropout", 0, "real mode: LoRA dropout on the adapters' input in training")
	fs.Func("lora-targets", "real mode: LoRA target_modules, comma-separated (default all four: "+strings.Join(pythia.LoRATargets, ",")+")", func(v string) error {
		r.LoRA.Targets = strings.Split(v, ",")
		return nil
	})
	r.LoRA.Targets = slices.Clone(pythia.LoRATargets)
	return r
}

// syntheticOnlyFlags are the flags that describe the synthetic task or its
// SFT stage; realOnlyFlags are those of the real mode.
var (
	syntheticOnlyFlags = []string{"sizes", "p-swap", "p-drop", "p-ins", "p-stop", "max-len", "bt-temperature", "sft-examples",
		"references", "size-losses", "size-sft-steps", "size-sft-lr", "lr-base-width", "sft-steps", "sft-batch", "sft-lr", "sft-warmup", "sft-floor", "sft-clip", "shard", "merge", "workers"}
	realOnlyFlags = []string{"tldr", "tokenizer", "max-length", "max-prompt-length", "max-new-tokens", "epochs", "micro-batch",
		"max-grad-norm", "judge", "judge-url", "judge-model", "judge-key-env", "judge-concurrency", "lora-r", "lora-alpha", "lora-dropout", "lora-targets"}
)

// checkModeFlags rejects a flag that does not apply to the chosen mode, so
// that no setting silently has no effect. r holds the real mode's flags,
// given the names of the flags given.
func checkModeFlags(o study.Options, r *study.RealOptions, given map[string]bool) error {
	switch {
	case r.Model != "" && r.Data == "":
		return fmt.Errorf("-model needs -data (the preference pairs to train on)")
	case r.Data != "" && r.Model == "":
		return fmt.Errorf("-data needs -model (the SFT'd model to start from)")
	}
	if r.Model != "" {
		for _, name := range syntheticOnlyFlags {
			if given[name] {
				return fmt.Errorf("-%s applies to the synthetic task only, not with -model", name)
			}
		}
		if len(o.Merge) > 0 {
			return fmt.Errorf("-merge applies to the synthetic task only, not with -model")
		}
		return nil
	}
	for _, name := range realOnlyFlags {
		if given[name] {
			return fmt.Errorf("-%s applies with -model and -data only", name)
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range splitList(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseSizeLosses reads "M=dpo;L=dpo,ipo" (empty: nil).
func parseSizeLosses(s string) (map[string][]string, error) {
	return parseSizeMap(s, "objective,objective", func(v string) ([]string, bool) {
		l := splitList(v)
		return l, len(l) > 0
	})
}

// parseSizeSteps reads "L=4000;M=3000" (empty: nil).
func parseSizeSteps(s string) (map[string]int, error) {
	return parseSizeMap(s, "steps", func(v string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil
	})
}

// parseSizeLR reads "L=1e-3;M=3e-3" (empty: nil).
func parseSizeLR(s string) (map[string]float64, error) {
	return parseSizeMap(s, "rate", func(v string) (float64, bool) {
		lr, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return lr, err == nil
	})
}

// parseSizeMap reads "SIZE=value;SIZE=value" with parse reading each value
// (empty: nil); an entry without "=", a size or a value parse accepts is an
// error naming the entry and want, the value's form.
func parseSizeMap[V any](s, want string, parse func(string) (V, bool)) (map[string]V, error) {
	var out map[string]V
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		size, v, ok := strings.Cut(part, "=")
		val, valid := parse(v)
		if !ok || !valid || strings.TrimSpace(size) == "" {
			return nil, fmt.Errorf("%q: want SIZE=%s", part, want)
		}
		if out == nil {
			out = map[string]V{}
		}
		out[strings.TrimSpace(size)] = val
	}
	return out, nil
}

// joinSizeMap writes m as -size-losses reads it, sizes in order.
func joinSizeMap[V any](m map[string]V, format func(V) string) string {
	var parts []string
	for _, size := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, size+"="+format(m[size]))
	}
	return strings.Join(parts, ";")
}
