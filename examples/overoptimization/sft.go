package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// reference is a supervised fine-tuned model and the reference log-probs of
// every preference pair under it, computed once and shared by all the DAA
// runs that start from it (the recipe precomputes them).
type reference struct {
	size  string
	seed  uint64
	model *pythia.Model
	// trainChosen[i], trainRejected[i]: log ref(y|x) of training pair i,
	// summed over the response tokens and EOS; likewise for held-out pairs.
	trainChosen, trainRejected     []float64
	heldOutChosen, heldOutRejected []float64
}

// trainSFT fits a fresh model of the given size to the noisy summaries:
// AdamW, linear warmup then linear decay to SFTFloor of the rate, clipping,
// mean negative log-likelihood over the response tokens and EOS only (the
// prompt is context). step is called after every optimizer step.
func trainSFT(o Options, size string, seed uint64, ds *task.Dataset, step func()) (*reference, error) {
	m, err := pythia.NewRandom(modelConfig(size), tensor.Float32, seed)
	if err != nil {
		return nil, err
	}
	cfg := optim.DefaultAdamW()
	cfg.LR = o.SFTLR
	cfg.Schedule = optim.LinearWarmupDecayToFloor(o.SFTWarmup, o.SFTSteps, o.SFTFloor)
	opt, err := optim.NewAdamW(m.Params(), cfg)
	if err != nil {
		return nil, err
	}
	sc, err := newScorer(m, o.SFTBatch, true)
	if err != nil {
		return nil, err
	}
	deal := newShuffler(len(ds.SFT), rand.New(rand.NewPCG(seed, 0x5f7)))
	prompts := make([][]int, o.SFTBatch)
	responses := make([][]int, o.SFTBatch)
	for range o.SFTSteps {
		tokens := 0
		for j, i := range deal.take(o.SFTBatch) {
			ex := ds.SFT[i]
			prompts[j], responses[j] = ex.Doc.Prompt(), withEOS(ex.Summary)
			tokens += len(responses[j])
		}
		sums, _ := sc.sums(prompts, responses, false)
		// loss = -(sum of response log-probs) / (number of response tokens)
		grad := make([]float64, len(sums))
		for j := range grad {
			grad[j] = -1 / float64(tokens)
		}
		sc.backward(grad)
		if _, err := optim.ClipGradNorm(m.Params(), o.SFTClip, true); err != nil {
			return nil, fmt.Errorf("SFT size %s seed %d: %w", size, seed, err)
		}
		opt.Step()
		opt.ZeroGrad()
		step()
	}
	ref := &reference{size: size, seed: seed, model: m}
	frozen, err := newScorer(m, 2*evalPairs, false)
	if err != nil {
		return nil, err
	}
	ref.trainChosen, ref.trainRejected = pairSums(frozen, ds.Train, evalPairs)
	ref.heldOutChosen, ref.heldOutRejected = pairSums(frozen, ds.HeldOut, evalPairs)
	return ref, nil
}

// pairSums scores the chosen and rejected responses of every pair, in
// batches of at most batch pairs.
func pairSums(sc *scorer, pairs []task.Pair, batch int) (chosen, rejected []float64) {
	for lo := 0; lo < len(pairs); lo += batch {
		part := pairs[lo:min(lo+batch, len(pairs))]
		prompts, responses := pairBatch(part)
		sums, _ := sc.sums(prompts, responses, false)
		chosen = append(chosen, sums[:len(part)]...)
		rejected = append(rejected, sums[len(part):]...)
	}
	return chosen, rejected
}
