// Command gostep runs the Go side of the step-level cross-check: a DPO (or
// IPO, SLiC) run of the over-optimization study through align/train,
// configured as package eval/study configures it, started from a model on
// disk or from the study's SFT, and dumps after every step what
// ../stepcheck.py compares against PyTorch:
//
//	out/order.json        the pair order of the first epoch (the trainer's,
//	                      Trainer.EpochOrder)
//	out/steps.json        per step: pair indices (from the trainer's
//	                      OnPreOptimizerStep hook), policy sums before the
//	                      update and reference sums (pythia.Scorer), d loss /
//	                      d sums and the loss (align's loss on those sums),
//	                      the trainer's own loss, and the learning rate used
//	out/grad_<k>/         the parameter gradients of step k (a checkpoint whose
//	                      weights are the gradients), k = 1..dump
//	out/step_<k>/         the parameters after step k, k = 1..dump, and at the
//	                      steps listed in -save (for evaluation by recipe.py)
//
// With -sft it first trains the reference with the study's SFT
// (study.Synthetic.Prepare: align/train.NewSFT on a fresh model of -size)
// and saves it to out/sft. gostep has no training loop of its own: the DPO
// steps are align/train's, and the dumps are read from its hooks.
//
//	go run ./examples/overoptimization/crosscheck/gostep -init /tmp/xchk/sft_torch_s1 -out /tmp/xchk/go5 -steps 5
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study"
	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// options are the command's flags. The study's settings (batch, learning
// rate, warmup, RMSProp, SFT steps) live in s.
type options struct {
	s                       study.Options
	seed                    uint64
	init, out, size, engine string
	objective               string
	beta                    float64
	sft                     bool
	steps, dump             int
	save                    map[int]bool
}

func main() {
	o := options{s: study.DefaultOptions(), save: map[int]bool{}}
	flag.Uint64Var(&o.seed, "seed", 1, "dataset, SFT and run seed (the study's RunSpec.Seed)")
	flag.StringVar(&o.init, "init", "", "start from this model directory (HF format)")
	flag.BoolVar(&o.sft, "sft", false, "train the reference with the study's SFT (a fresh model of -size) and save it to out/sft")
	sftSteps := flag.Int("sft-steps", 0, "SFT steps with -sft (0: the study's for -size, Options.SFTStepsOf)")
	flag.StringVar(&o.size, "size", "S", "model size: of the -sft model, and the run's RunSpec.Size (it seeds the pair order)")
	flag.StringVar(&o.out, "out", "/tmp/xchk/go", "output directory")
	flag.StringVar(&o.engine, "engine", train.BackendEngine, "align/train backend: engine (pythia/fast) or autograd (pythia.Model)")
	flag.IntVar(&o.steps, "steps", 5, "DPO steps to run (0: SFT only)")
	flag.IntVar(&o.dump, "dump", 5, "dump parameters and gradients at each of the first dump steps")
	flag.IntVar(&o.s.DAABatch, "batch", o.s.DAABatch, "pairs per step")
	flag.Float64Var(&o.beta, "beta", 0.03, "the objective's beta")
	flag.Float64Var(&o.s.DAALR, "lr", o.s.DAALR, "RMSProp learning rate")
	flag.Float64Var(&o.s.DAAWarmupFrac, "warmup-frac", o.s.DAAWarmupFrac, "linear warmup over this share of the epoch's steps")
	flag.Float64Var(&o.s.RMSPropAlpha, "alpha", o.s.RMSPropAlpha, "RMSProp alpha")
	flag.Float64Var(&o.s.RMSPropEps, "eps", o.s.RMSPropEps, "RMSProp eps")
	flag.StringVar(&o.objective, "objective", "dpo", "a study objective: dpo (align sigmoid), ipo (ipo_paper), slic (hinge), rdpo or an align loss name (study.NewLoss)")
	flag.Float64Var(&o.s.RDPOAlpha, "rdpo-alpha", o.s.RDPOAlpha, "R-DPO's length coefficient (objective rdpo)")
	saveList := flag.String("save", "", "comma-separated steps after which to save the model")
	flag.Parse()
	if *sftSteps > 0 {
		o.s.SizeSFTSteps = map[string]int{o.size: *sftSteps}
	}
	for _, s := range strings.Split(*saveList, ",") {
		if s == "" {
			continue
		}
		k, err := strconv.Atoi(s)
		if err != nil {
			fail(fmt.Errorf("-save %q: %w", *saveList, err))
		}
		o.save[k] = true
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gostep:", err)
	os.Exit(1)
}

// run builds the seed's data as the study does, gets the reference (the
// study's SFT, or -init) in the study's cell of the seed, and runs the DPO
// phase.
func run(o options) error {
	ds := synth.Build(o.seed, o.s.Data, o.s.Noise, o.s.Temperature)
	var cell *study.Cell
	switch {
	case o.sft:
		o.s.Sizes = []string{o.size}
		if err := o.s.Validate(); err != nil {
			return err
		}
		var err error
		if cell, err = study.NewSynthetic(o.s).Prepare(o.size, o.seed, func() {}); err != nil {
			return err
		}
		if err := cell.Reference.Save(filepath.Join(o.out, "sft")); err != nil {
			return err
		}
	case o.init != "":
		ref, err := pythia.LoadDir(o.init, pythia.LoadOptions{DType: tensor.Float32})
		if err != nil {
			return err
		}
		cell = study.NewSynthetic(o.s).Cell(o.seed, ref)
	default:
		return fmt.Errorf("give -init DIR or -sft")
	}
	if o.steps == 0 {
		return nil
	}
	return runDAA(o, ds, cell)
}
