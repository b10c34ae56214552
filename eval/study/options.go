package study

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/daalab/daa/eval/study/synth"
)

// Options are every setting of a study; DefaultOptions are the recipe's
// (reference/overoptimization-recipe.md in the shared reference data). The
// comments name the command-line flag of examples/overoptimization that
// sets each field; error messages use those names.
type Options struct {
	Out    string    // -out: output directory
	Quick  bool      // -quick: see ApplyQuick
	Losses []string  // -losses: objectives (dpo, ipo, slic or any registered align loss; see NewLoss)
	Betas  []float64 // -betas: 0.03, 0.1, 0.3, 1.0
	Sizes  []string  // -sizes: S, M, L (XS also available); the model's name in the real mode
	Seeds  int       // -seeds: seeds per cell (data, SFT and DAA all reseeded)
	// SizeLosses is -size-losses ("M=dpo;L=dpo"): the objectives of the
	// sizes it lists (a subset of Losses, run in Losses' order); a size it
	// does not list runs every objective of Losses. The grid's design lever:
	// a size's SFT is its fixed cost, its runs the cost per objective.
	SizeLosses map[string][]string `json:",omitempty"`
	// SizeSFTSteps is -size-sft-steps ("L=1000"): SFT steps of the sizes it
	// lists, in place of SFTSteps (the same warmup, then the decay to the
	// floor ends at the size's last step).
	SizeSFTSteps map[string]int `json:",omitempty"`
	// SizeSFTLR is -size-sft-lr ("L=1e-3"): the SFT learning rate of the
	// sizes it lists, in place of SFTLR.
	SizeSFTLR map[string]float64 `json:",omitempty"`
	Seed      uint64             // -seed: base seed
	Workers   int                // -workers: runs in parallel
	// RDPOAlpha is -rdpo-alpha: R-DPO's length coefficient alpha (the rdpo
	// objective; see DefaultOptions for the choice).
	RDPOAlpha float64

	// Data of the synthetic task.
	Noise       synth.Noise
	Data        synth.Sizes
	Temperature float64 // -bt-temperature: Bradley-Terry labeller temperature

	// SFT of the synthetic task's reference policy.
	SFTSteps  int
	SFTBatch  int
	SFTLR     float64
	SFTWarmup int
	SFTFloor  float64 // final LR as a fraction of SFTLR (linear decay)
	SFTClip   float64

	// DAA training.
	DAALR float64 // -lr: the rate at hidden width DAALRBaseWidth (see DAALROf)
	// DAALRBaseWidth is -lr-base-width: a synthetic size of hidden width w
	// trains its DAA runs at DAALR * DAALRBaseWidth / w (0: every size at
	// DAALR). See DAALROf and DefaultOptions.
	DAALRBaseWidth int
	DAABatch       int     // -batch: pairs per step
	DAAWarmupFrac  float64 // -warmup: linear warmup over this share of the steps, then constant
	RMSPropAlpha   float64
	RMSPropEps     float64
	Checkpoints    int // -checkpoints: evaluations per run (plus step 0)
	SamplesPerEval int // -samples: samples per evaluation prompt
	// Precision is -precision: the DAA runs' engine products, "float32"
	// (or "", the default) or "bf16" (align/train's Config.Precision).
	Precision string `json:",omitempty"`

	// Sharding.
	Shard, NumShards int      // -shard i/n
	Merge            []string // -merge: shard output directories

	Verify     string // -verify: check a summary.json and exit
	CPUProfile string // -cpuprofile: write a CPU profile here

	Real *RealOptions `json:",omitempty"` // real models and data (-model, -data); nil in the synthetic study
}

// DefaultOptions returns the recipe's settings of the synthetic study.
func DefaultOptions() Options {
	return Options{
		Out:    "out/overoptimization",
		Losses: []string{"dpo", "ipo", "slic", "rdpo"},
		Betas:  []float64{0.03, 0.1, 0.3, 1.0},
		// Every objective on S (the humps, R-DPO, IPO and OOD findings) and
		// DPO alone on L (the size finding compares the runs every size
		// has): the two ends of the ladder, what fits in 10 minutes on 2
		// cores (7m8s). L's SFT is the largest cost; at 1500 steps and rate
		// 1e-3 its references (win rate 0.424-0.453 over the 4 seeds) match
		// M's (0.426-0.450 at the recipe's 3000 steps and 3e-3; at 3e-3 L's
		// reference is worse than M's). 3000 steps at 1e-3 give 0.458-0.479
		// but double L's SFT, past the budget. M is the ladder's middle
		// (-sizes S,M,L -size-losses 'M=dpo;L=dpo', 10m25s).
		Sizes:        []string{"S", "L"},
		SizeLosses:   map[string][]string{"L": {"dpo"}},
		SizeSFTSteps: map[string]int{"L": 1500},
		SizeSFTLR:    map[string]float64{"L": 1e-3},
		Seeds:        4,
		Seed:         1,
		Workers:      runtime.GOMAXPROCS(0),
		// R-DPO's alpha is log-odds per token of length difference. The
		// data's responses are at most Noise.MaxLen = 6 tokens, so at 0.2 the
		// length term moves a pair's log-odds by at most 1.2, about the width
		// of the sigmoid's linear range: it can offset a length difference
		// but not decide a pair by length alone. (Chosen before any rdpo run.)
		RDPOAlpha: 0.2,

		Noise:       synth.DefaultNoise,
		Data:        synth.DefaultSizes,
		Temperature: 0.15,

		SFTSteps:  3000,
		SFTBatch:  64,
		SFTLR:     3e-3,
		SFTWarmup: 100,
		SFTFloor:  0.1,
		SFTClip:   1.0,

		// The recipe's RMSProp rate 3e-4 was set on S (hidden 32). RMSProp
		// moves every weight by about the rate whatever the gradient's
		// scale, so a unit summing w inputs moves about w times the rate:
		// at one rate a wider model takes larger steps in function space.
		// The rate therefore falls as 1/width (M 1.5e-4, L 7.5e-5), as in
		// muP's rule for Adam-like optimizers on hidden matrices and as
		// Pythia's own pre-training rates fall with width (1e-3 at 70M,
		// 3e-4 at 410M, 1.6e-4 at 2.8B). Chosen on this principle, before
		// any size-finding run with it; at one shared rate (-lr-base-width 0)
		// L over-optimizes far more than S (examples/overoptimization/README.md).
		DAALR:          3e-4,
		DAALRBaseWidth: 32,
		DAABatch:       16,
		DAAWarmupFrac:  0.1,
		RMSPropAlpha:   0.99,
		RMSPropEps:     1e-8,
		Checkpoints:    8,
		SamplesPerEval: 2,
		NumShards:      1,
	}
}

// ApplyQuick shrinks the study to size S, two betas, one seed and fewer
// prompts and training steps: a smoke run of every stage in minutes. given
// holds the flag names of the settings the user chose, which it leaves
// alone.
func (o *Options) ApplyQuick(given map[string]bool) {
	o.Quick = true
	if !given["sizes"] {
		o.Sizes = []string{"S"}
	}
	if !given["size-losses"] {
		o.SizeLosses = nil
	}
	if !given["betas"] {
		o.Betas = []float64{0.03, 0.3}
	}
	if !given["seeds"] {
		o.Seeds = 1
	}
	if !given["sft-steps"] {
		o.SFTSteps = 1500
	}
	if !given["eval-prompts"] {
		o.Data.EvalPrompts = 256
	}
	if !given["heldout-pairs"] {
		o.Data.HeldOut = 256
	}
	if !given["sft-examples"] {
		o.Data.SFT = 20000
	}
	if !given["checkpoints"] {
		o.Checkpoints = 4
	}
}

// RealMode reports whether the study runs on a real model and data.
func (o Options) RealMode() bool { return o.Real != nil }

// Validate checks the settings; the errors name the flags.
func (o Options) Validate() error {
	for _, l := range o.Losses {
		if _, err := NewLoss(l, 1, o.RDPOAlpha); err != nil {
			return fmt.Errorf("-losses: %w", err)
		}
	}
	for _, s := range o.Sizes {
		if _, ok := modelSizes[s]; !ok && !o.RealMode() {
			return fmt.Errorf("-sizes: unknown size %q (want XS, S, M or L)", s)
		}
	}
	switch {
	case len(o.Losses) == 0 || len(o.Betas) == 0 || len(o.Sizes) == 0:
		return fmt.Errorf("-losses, -betas and -sizes must each name at least one value")
	case o.Seeds < 1:
		return fmt.Errorf("-seeds %d: want at least 1", o.Seeds)
	case o.Workers < 1:
		return fmt.Errorf("-workers %d: want at least 1", o.Workers)
	case o.NumShards < 1 || o.Shard < 0 || o.Shard >= o.NumShards:
		return fmt.Errorf("-shard %d/%d: want i/n with 0 <= i < n", o.Shard, o.NumShards)
	case o.DAABatch < 1 || !o.RealMode() && o.Data.TrainPairs < o.DAABatch:
		return fmt.Errorf("-batch %d with -train-pairs %d: want 1 <= batch <= pairs", o.DAABatch, o.Data.TrainPairs)
	case o.Checkpoints < 1:
		return fmt.Errorf("-checkpoints %d: want at least 1", o.Checkpoints)
	case o.Data.EvalPrompts < 2 || o.Data.HeldOut < 2 || o.Data.References < 1 || o.SamplesPerEval < 1:
		return fmt.Errorf("-eval-prompts, -heldout-pairs (>= 2), -references and -samples (>= 1) are too small")
	case o.SFTSteps < 1 || o.SFTBatch < 1 || o.Data.SFT < 1:
		return fmt.Errorf("-sft-steps, -sft-batch and -sft-examples must be positive")
	case o.SFTWarmup < 0 || o.SFTWarmup > o.SFTSteps:
		return fmt.Errorf("-sft-warmup %d: want 0 <= warmup <= -sft-steps (%d)", o.SFTWarmup, o.SFTSteps)
	case !o.RealMode() && len(Grid(o)) == 0:
		return fmt.Errorf("-size-losses %v leaves no run of -losses %v", o.SizeLosses, o.Losses)
	case o.SFTFloor < 0 || o.SFTFloor > 1:
		return fmt.Errorf("-sft-floor %v: want a fraction in [0, 1]", o.SFTFloor)
	case o.DAAWarmupFrac < 0 || o.DAAWarmupFrac > 1:
		return fmt.Errorf("-warmup %v: want a share of the epoch in [0, 1]", o.DAAWarmupFrac)
	case o.Precision != "" && o.Precision != "float32" && o.Precision != "bf16":
		return fmt.Errorf("-precision %q: want float32 or bf16", o.Precision)
	}
	if o.DAALRBaseWidth < 0 {
		return fmt.Errorf("-lr-base-width %d: want a hidden width > 0, or 0 for one rate at every size", o.DAALRBaseWidth)
	}
	for size, lr := range o.SizeSFTLR {
		if !(lr > 0) || math.IsInf(lr, 1) {
			return fmt.Errorf("-size-sft-lr %s=%v: want a finite learning rate > 0", size, lr)
		}
	}
	for size, n := range o.SizeSFTSteps {
		if n < max(1, o.SFTWarmup) {
			return fmt.Errorf("-size-sft-steps %s=%d: want at least -sft-warmup (%d) and 1", size, n, o.SFTWarmup)
		}
	}
	for _, size := range o.Sizes {
		if len(o.LossesOf(size)) == 0 && !o.RealMode() {
			return fmt.Errorf("-size-losses %s=%s leaves size %s none of -losses %v", size, strings.Join(o.SizeLosses[size], ","), size, o.Losses)
		}
	}
	for size, ls := range o.SizeLosses {
		for _, l := range ls {
			if !slices.Contains(o.Losses, l) {
				return fmt.Errorf("-size-losses %s=%s: %s is not one of -losses %v", size, strings.Join(ls, ","), l, o.Losses)
			}
		}
	}
	for _, b := range o.Betas {
		if !(b > 0) {
			return fmt.Errorf("-betas: beta %v must be positive", b)
		}
	}
	return o.validateReal()
}

// validateReal checks the real mode's settings (nil in the synthetic study).
// A -judge llm without its API key fails here, before any model is loaded.
func (o Options) validateReal() error {
	if !o.RealMode() {
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
	case r.MicroBatch < 1 || o.DAABatch%r.MicroBatch != 0:
		return fmt.Errorf("-micro-batch %d: want a divisor of -batch (%d)", r.MicroBatch, o.DAABatch)
	case r.MaxGradNorm < 0:
		return fmt.Errorf("-max-grad-norm %v: want >= 0 (0: no clipping)", r.MaxGradNorm)
	case o.Data.TrainPairs != 0 && o.Data.TrainPairs < o.DAABatch:
		return fmt.Errorf("-train-pairs %d: want 0 (all) or at least -batch (%d)", o.Data.TrainPairs, o.DAABatch)
	case r.JudgeConcurrency < 1:
		return fmt.Errorf("-judge-concurrency %d: want at least 1", r.JudgeConcurrency)
	case r.LoRA.R < 0:
		return fmt.Errorf("-lora-r %d: want 0 (full fine-tuning) or a positive rank", r.LoRA.R)
	}
	if r.LoRA.R > 0 {
		if err := r.LoRA.Validate(); err != nil {
			return fmt.Errorf("-lora-*: %w", err)
		}
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
