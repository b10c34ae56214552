package study_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/eval/study"
)

// expLoss is a loss a user writes: exp(-beta*Delta) per pair, the
// exponential loss of boosting on the DPO margin.
func expLoss(b *align.Batch, cfg align.Config) (*align.Output, error) {
	perPair := autograd.Exp(autograd.Neg(autograd.Scale(align.Margin(b), cfg.Beta))) // [B]
	return align.NewPairOutput(b, cfg.Beta, perPair), nil
}

// Example runs a tiny study of a loss registered from Go next to DPO on the
// synthetic task: two betas on the smallest model, a few dozen training
// steps, three checkpoints per run, then the report.
func Example() {
	if _, err := align.Lookup("exp"); err != nil { // align.Register panics on a second registration
		align.Register("exp", align.ValidatingConstructor("exp", expLoss))
	}
	out, err := os.MkdirTemp("", "study-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	o := study.DefaultOptions()
	o.Out, o.Losses, o.Betas, o.Sizes, o.Seeds, o.Seed = out, []string{"dpo", "exp"}, []float64{0.1, 1}, []string{"XS"}, 1, 5
	o.SFTSteps, o.SFTWarmup, o.Data.SFT, o.Data.TrainPairs = 20, 2, 400, 64
	o.Data.EvalPrompts, o.Data.HeldOut, o.Checkpoints = 8, 8, 2
	if err := o.Validate(); err != nil {
		log.Fatal(err)
	}
	task := study.NewSynthetic(o)
	results, err := study.Run(o, task, io.Discard) // progress lines go to an io.Writer
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Printf("%s: %d checkpoints, %d pairs seen\n", r.Spec.ID(), len(r.Points), r.Points[len(r.Points)-1].ExamplesSeen)
	}
	if _, err := study.WriteReport(o, task, results); err != nil {
		log.Fatal(err)
	}
	fmt.Println(study.VerifySummary(filepath.Join(out, "summary.json")))
	// Output:
	// dpo_b0.1_XS_s5: 3 checkpoints, 64 pairs seen
	// dpo_b1_XS_s5: 3 checkpoints, 64 pairs seen
	// exp_b0.1_XS_s5: 3 checkpoints, 64 pairs seen
	// exp_b1_XS_s5: 3 checkpoints, 64 pairs seen
	// <nil>
}
