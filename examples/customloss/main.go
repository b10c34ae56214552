// Command customloss shows how to add a direct-alignment loss to daa: a
// smoothed-hinge DPO variant written with package align's building blocks,
// run on a small batch, registered by name and combined with the SFT term
// through a loss specification. With -study it runs the over-optimization
// study (package eval/study) on the registered loss next to DPO.
// main_test.go checks its gradient with autograd.CheckGrad and its values
// with package aligntest.
//
//	go run ./examples/customloss
//	go run ./examples/customloss -study -quick -out out/customloss   # about 25 seconds on 2 cores
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// SmoothHinge returns the smoothed-hinge DPO loss with sharpness s > 0:
//
//	ℓ = softplus(s (1 - β Δ)) / s
//
// a smooth version of SLiC's max(0, 1 - β Δ) (the "hinge" loss), which it
// approaches as s grows; its gradient -β σ(s (1 - β Δ)) never vanishes
// abruptly. Δ = r_w - r_l is the DPO margin of log-ratios.
func SmoothHinge(s float64) align.SequenceFunc {
	return func(b *align.Batch, cfg align.Config) (*align.Output, error) {
		z := autograd.Scale(align.Margin(b), cfg.Beta)                 // β Δ      [B]
		u := autograd.Scale(autograd.AddScalar(autograd.Neg(z), 1), s) // s(1 - βΔ)
		perPair := autograd.Scale(autograd.Softplus(u), 1/s)           // softplus(u)/s, stable at any u
		return align.NewPairOutput(b, cfg.Beta, perPair), nil          // mean, TRL reward metrics
	}
}

// smallBatch returns two pairs of per-token log-probs: the policy's as
// trainable leaves, the reference's as constants. Rows are right-padded;
// the lengths say how many tokens each completion has.
func smallBatch() *align.TokenBatch {
	tokens := func(param bool, vals []float64, lengths []int) *align.TokenLogProbs {
		t := tensor.FromValues(tensor.Float64, vals, len(lengths), len(vals)/len(lengths))
		v := autograd.Const(t)
		if param {
			v = autograd.Param(t)
		}
		return align.TokensFromLengths(v, lengths)
	}
	chosenLen, rejectedLen := []int{3, 2}, []int{2, 3}
	return &align.TokenBatch{
		PolicyChosen:   tokens(true, []float64{-1.0, -0.5, -2.0, -1.5, -0.25, 0}, chosenLen),
		PolicyRejected: tokens(true, []float64{-2.5, -1.0, 0, -0.75, -3.0, -1.0}, rejectedLen),
		RefChosen:      tokens(false, []float64{-1.25, -0.5, -2.5, -1.0, -0.5, 0}, chosenLen),
		RefRejected:    tokens(false, []float64{-2.0, -1.0, 0, -1.0, -2.5, -1.5}, rejectedLen),
	}
}

var registerOnce sync.Once

// register adds smooth_hinge (sharpness 5) to align's registry (once:
// align.Register panics on a second registration of a name).
func register() {
	registerOnce.Do(func() {
		align.Register("smooth_hinge", align.ValidatingConstructor("smooth_hinge", SmoothHinge(5)))
	})
}

func main() {
	studyMode := flag.Bool("study", false, "run the over-optimization study on smooth_hinge next to DPO (see eval/study)")
	quick := flag.Bool("quick", false, "with -study: size S, betas 0.03 and 0.3, one seed: about 25 seconds on 2 cores")
	out := flag.String("out", "out/customloss-study", "with -study: output directory (points.csv, summary.json, report.md, figures, runs/)")
	flag.Parse()
	register()
	if *studyMode {
		if err := runStudy(studyOptions(*out, *quick), os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	demo()
}

// demo runs the loss on a small batch, then the registered loss combined
// with the SFT term.
func demo() {
	cfg := align.DefaultConfig()
	loss := &align.Loss{Name: "smooth_hinge", Config: cfg, Func: SmoothHinge(5)}
	batch := smallBatch()
	out, err := loss.ComputeTokens(batch)
	if err != nil {
		log.Fatal(err)
	}
	out.Loss.Backward()
	fmt.Printf("smooth_hinge loss %.6f, per pair %v\n", out.Loss.Item(), out.PerPair.Data.ToFloat64s())
	fmt.Printf("metrics %v\n", out.Metrics)
	fmt.Printf("dL/d(chosen token log-probs) %v\n", batch.PolicyChosen.Values.Grad.ToFloat64s())

	// Registered, the loss has a name that configs, flags and multi-loss
	// specifications can use, here with TRL's SFT term.
	cfg.LossTypes, cfg.LossWeights, err = align.ParseLossSpec("smooth_hinge:1,sft:0.1")
	if err != nil {
		log.Fatal(err)
	}
	combined, err := align.NewFromConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	out, err = combined.ComputeTokens(smallBatch())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("smooth_hinge:1,sft:0.1 loss %.6f, components %v\n", out.Loss.Item(), out.Components)
}
