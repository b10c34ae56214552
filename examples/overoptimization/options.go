package main

import (
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/daalab/daa/examples/overoptimization/task"
)

// Options are every setting of the study; the defaults are the recipe's
// (../shared/reference/overoptimization-recipe.md).
type Options struct {
	Out     string
	Quick   bool
	Losses  []string  // dpo, ipo, slic
	Betas   []float64 // 0.03, 0.1, 0.3, 1.0
	Sizes   []string  // S, M (XS also available)
	Seeds   int       // seeds per cell (data, SFT and DAA all reseeded)
	Seed    uint64    // base seed
	Workers int       // runs in parallel

	// Data.
	Noise       task.Noise
	Data        task.Sizes
	Temperature float64 // Bradley-Terry labeller temperature

	// SFT of the reference policy.
	SFTSteps  int
	SFTBatch  int
	SFTLR     float64
	SFTWarmup int
	SFTFloor  float64 // final LR as a fraction of SFTLR (linear decay)
	SFTClip   float64

	// DAA training.
	DAALR          float64
	DAABatch       int     // pairs per step
	DAAWarmupFrac  float64 // linear warmup over this share of the steps, then constant
	RMSPropAlpha   float64
	RMSPropEps     float64
	Checkpoints    int // evaluations per epoch (plus step 0)
	SamplesPerEval int // samples per evaluation prompt

	// Sharding.
	Shard, NumShards int
	Merge            []string

	Verify     string // check a summary.json and exit
	CPUProfile string // write a CPU profile here

	Real *realOptions `json:",omitempty"` // real models and data (-model, -data; realoptions.go); nil in the synthetic study
}

// defaultOptions returns the recipe's settings.
func defaultOptions() Options {
	return Options{
		Out:     "out/overoptimization",
		Losses:  []string{"dpo", "ipo", "slic"},
		Betas:   []float64{0.03, 0.1, 0.3, 1.0},
		Sizes:   []string{"S", "M"},
		Seeds:   4,
		Seed:    1,
		Workers: runtime.GOMAXPROCS(0),

		Noise:       task.DefaultNoise,
		Data:        task.DefaultSizes,
		Temperature: 0.15,

		SFTSteps:  3000,
		SFTBatch:  64,
		SFTLR:     3e-3,
		SFTWarmup: 100,
		SFTFloor:  0.1,
		SFTClip:   1.0,

		DAALR:          3e-4,
		DAABatch:       16,
		DAAWarmupFrac:  0.1,
		RMSPropAlpha:   0.99,
		RMSPropEps:     1e-8,
		Checkpoints:    8,
		SamplesPerEval: 2,
		NumShards:      1,
	}
}

// applyQuick shrinks the study to size S, two betas, one seed and fewer
// prompts and training steps: a smoke run of every stage in minutes.
func (o *Options) applyQuick(set map[string]bool) {
	if !set["sizes"] {
		o.Sizes = []string{"S"}
	}
	if !set["betas"] {
		o.Betas = []float64{0.03, 0.3}
	}
	if !set["seeds"] {
		o.Seeds = 1
	}
	if !set["sft-steps"] {
		o.SFTSteps = 1500
	}
	if !set["eval-prompts"] {
		o.Data.EvalPrompts = 256
	}
	if !set["heldout-pairs"] {
		o.Data.HeldOut = 256
	}
	if !set["sft-examples"] {
		o.Data.SFT = 20000
	}
	if !set["checkpoints"] {
		o.Checkpoints = 4
	}
}

// parseFlags fills Options from the command line.
func parseFlags(args []string) (Options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("overoptimization", flag.ContinueOnError)
	fs.StringVar(&o.Out, "out", o.Out, "output directory")
	fs.BoolVar(&o.Quick, "quick", false, "size S, betas 0.03 and 0.3, one seed, 256 prompts: a run of a few minutes")
	losses := fs.String("losses", strings.Join(o.Losses, ","), "objectives: dpo, ipo (the paper's (beta*Delta-1)^2), slic")
	betas := fs.String("betas", "0.03,0.1,0.3,1.0", "betas, comma-separated")
	sizes := fs.String("sizes", strings.Join(o.Sizes, ","), "model sizes: XS (hidden 16), S (32), M (64)")
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

	fs.Float64Var(&o.DAALR, "lr", o.DAALR, "DAA RMSProp learning rate")
	fs.IntVar(&o.DAABatch, "batch", o.DAABatch, "DAA pairs per step")
	fs.Float64Var(&o.DAAWarmupFrac, "warmup", o.DAAWarmupFrac, "DAA linear warmup as a share of the epoch")
	fs.Float64Var(&o.RMSPropAlpha, "rmsprop-alpha", o.RMSPropAlpha, "RMSProp square-average decay")
	fs.Float64Var(&o.RMSPropEps, "rmsprop-eps", o.RMSPropEps, "RMSProp epsilon")
	fs.IntVar(&o.Checkpoints, "checkpoints", o.Checkpoints, "evaluated checkpoints per epoch (plus the SFT start)")
	fs.IntVar(&o.SamplesPerEval, "samples", o.SamplesPerEval, "samples per evaluation prompt")

	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile to this file")
	fs.StringVar(&o.Verify, "verify", "", "check that a summary.json is complete and exit (CI)")
	shard := fs.String("shard", "", "i/n: run only slice i (0-based) of n of the run grid and write partial results")
	fs.Func("merge", "merge the run results of shard output directories into -out (repeatable)", func(s string) error {
		o.Merge = append(o.Merge, s)
		return nil
	})
	realOpts := addRealFlags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		o.Merge = append(o.Merge, fs.Args()...)
		if len(o.Merge) == len(fs.Args()) {
			return o, fmt.Errorf("unexpected arguments %v (directories to merge go after -merge)", fs.Args())
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.Losses = splitList(*losses)
	o.Sizes = splitList(*sizes)
	var err error
	if o.Betas, err = parseFloats(*betas); err != nil {
		return o, fmt.Errorf("-betas: %w", err)
	}
	if *shard != "" {
		if _, err := fmt.Sscanf(*shard, "%d/%d", &o.Shard, &o.NumShards); err != nil || o.NumShards < 1 || o.Shard < 0 || o.Shard >= o.NumShards {
			return o, fmt.Errorf("-shard %q: want i/n with 0 <= i < n", *shard)
		}
	}
	if o.Quick {
		o.applyQuick(set)
	}
	if err := o.checkModeFlags(realOpts, set); err != nil {
		return o, err
	}
	if realOpts.Model != "" {
		o.applyReal(realOpts, set)
	}
	return o, o.validate()
}

func (o Options) validate() error {
	for _, l := range o.Losses {
		if _, ok := objectives[l]; !ok {
			return fmt.Errorf("-losses: unknown objective %q (want dpo, ipo or slic)", l)
		}
	}
	for _, s := range o.Sizes {
		if _, ok := modelSizes[s]; !ok && !o.realMode() {
			return fmt.Errorf("-sizes: unknown size %q (want XS, S or M)", s)
		}
	}
	switch {
	case len(o.Losses) == 0 || len(o.Betas) == 0 || len(o.Sizes) == 0:
		return fmt.Errorf("-losses, -betas and -sizes must each name at least one value")
	case o.Seeds < 1:
		return fmt.Errorf("-seeds %d: want at least 1", o.Seeds)
	case o.Workers < 1:
		return fmt.Errorf("-workers %d: want at least 1", o.Workers)
	case o.DAABatch < 1 || !o.realMode() && o.Data.TrainPairs < o.DAABatch:
		return fmt.Errorf("-batch %d with -train-pairs %d: want 1 <= batch <= pairs", o.DAABatch, o.Data.TrainPairs)
	case o.Checkpoints < 1:
		return fmt.Errorf("-checkpoints %d: want at least 1", o.Checkpoints)
	case o.Data.EvalPrompts < 2 || o.Data.HeldOut < 2 || o.Data.References < 1 || o.SamplesPerEval < 1:
		return fmt.Errorf("-eval-prompts, -heldout-pairs (>= 2), -references and -samples (>= 1) are too small")
	case o.SFTSteps < 1 || o.SFTBatch < 1 || o.Data.SFT < 1:
		return fmt.Errorf("-sft-steps, -sft-batch and -sft-examples must be positive")
	case o.SFTWarmup < 0 || o.SFTWarmup > o.SFTSteps:
		return fmt.Errorf("-sft-warmup %d: want 0 <= warmup <= -sft-steps (%d)", o.SFTWarmup, o.SFTSteps)
	case o.SFTFloor < 0 || o.SFTFloor > 1:
		return fmt.Errorf("-sft-floor %v: want a fraction in [0, 1]", o.SFTFloor)
	case o.DAAWarmupFrac < 0 || o.DAAWarmupFrac > 1:
		return fmt.Errorf("-warmup %v: want a share of the epoch in [0, 1]", o.DAAWarmupFrac)
	}
	for _, b := range o.Betas {
		if !(b > 0) {
			return fmt.Errorf("-betas: beta %v must be positive", b)
		}
	}
	return o.validateReal()
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
