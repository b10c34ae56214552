package main

import (
	"math"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/pythia"
)

// point is the evaluation of one checkpoint: the columns of points.csv.
type point struct {
	runSpec
	Checkpoint   int     `json:"checkpoint"`    // 0 = the SFT start, Checkpoints = end of the epoch
	Step         int     `json:"step"`          // optimizer steps taken
	ExamplesSeen int     `json:"examples_seen"` // preference pairs seen
	KL           float64 `json:"kl"`            // k1 estimate of KL(policy || reference), nats per response
	KLSE         num     `json:"kl_se"`         // its standard error, clustered by prompt
	KLK3         float64 `json:"kl_k3"`         // k3 estimate (a check; heavy-tailed here)
	SqrtKL       float64 `json:"sqrt_kl"`       // sqrt(max(k1, 0)), the x axis of the paper's plots
	WinRate      float64 `json:"winrate"`       // P(gold(sample) > gold(reference)) + 0.5 P(tie)
	WinRateSE    num     `json:"winrate_se"`    // clustered by prompt
	GoldReward   float64 `json:"gold_reward"`   // mean gold reward of the samples
	MeanLength   float64 `json:"mean_length"`   // tokens before EOS
	FracOverMax  float64 `json:"frac_over_max"` // share longer than the data's maximum length
	NoEOSRate    float64 `json:"no_eos_rate"`   // share that never emitted EOS
	Junk         float64 `json:"junk"`          // junk tokens per sample (fillers, repeats)
	ImplicitAcc  float64 `json:"implicit_acc"`  // held-out pairs with Delta > 0 (strict)
	LengthR2     num     `json:"length_r2"`     // R^2 of implicit reward on length, held-out responses
	LengthSlope  num     `json:"length_slope"`  // nats of implicit reward per token
}

// evaluator scores checkpoints against one reference model on one dataset.
type evaluator struct {
	o    Options
	ref  *reference
	ds   *task.Dataset
	seed uint64 // sampling seed: the same for every checkpoint of a seed (common random numbers)
	// Fixed per dataset: prompts (each repeated SamplesPerEval times), the
	// prompt index of each row, and the gold rewards of the references.
	prompts    [][]int
	cluster    []int
	refRewards [][]float64
}

func newEvaluator(o Options, ref *reference, ds *task.Dataset) *evaluator {
	e := &evaluator{o: o, ref: ref, ds: ds, seed: ref.seed ^ 0xe7a1}
	for i, ep := range ds.Eval {
		for range o.SamplesPerEval {
			e.prompts = append(e.prompts, ep.Doc.Prompt())
			e.cluster = append(e.cluster, i)
		}
		rr := make([]float64, len(ep.References))
		for j, y := range ep.References {
			rr[j] = task.Gold(ep.Doc.Keys, withEOS(y))
		}
		e.refRewards = append(e.refRewards, rr)
	}
	return e
}

// evalBatch bounds the rows of one scoring pass; evalPairs = evalBatch/2.
const (
	evalBatch = 256
	evalPairs = evalBatch / 2
)

// evaluate samples from the policy at temperature 1 (pythia/fast's KV-cached
// batched sampler) and measures KL, gold win rate, length and junk, then the
// implicit reward on held-out pairs.
func (e *evaluator) evaluate(policy *pythia.Model) (point, error) {
	var p point
	polScorer, err := newScorer(policy, evalBatch, false)
	if err != nil {
		return p, err
	}
	gen, err := polScorer.eng.Generate(e.prompts, pythia.GenerateOptions{
		SampleOptions: pythia.SampleOptions{Temperature: 1},
		MaxNewTokens:  task.MaxNewTokens,
		StopTokens:    []int{task.EOS},
		Seed:          e.seed,
	})
	if err != nil {
		return p, err
	}
	// Reference log-probs of the sampled tokens, per token (EOS included).
	refScorer, err := newScorer(e.ref.model, evalBatch, false)
	if err != nil {
		return p, err
	}
	var refTok [][]float64
	for lo := 0; lo < len(e.prompts); lo += evalBatch {
		hi := min(lo+evalBatch, len(e.prompts))
		_, tok := refScorer.sums(e.prompts[lo:hi], gen.Tokens[lo:hi], true)
		refTok = append(refTok, tok...)
	}
	kl := eval.SampledKL(gen.ModelLogProbs, refTok, e.cluster)
	p.KL, p.KLSE, p.KLK3 = kl.K1.Mean, num(kl.K1.SE), kl.K3.Mean
	p.SqrtKL = eval.SqrtKL(p.KL)

	// Gold rewards, length and junk of each sample.
	cand := make([][]float64, len(e.ds.Eval))
	var gold, length, junk, over, noEOS float64
	for r, toks := range gen.Tokens {
		keys := e.ds.Eval[e.cluster[r]].Doc.Keys
		g := task.Gold(keys, toks)
		cand[e.cluster[r]] = append(cand[e.cluster[r]], g)
		y := toks
		if gen.Stopped[r] {
			y = toks[:len(toks)-1]
		} else {
			noEOS++
		}
		gold += g
		length += float64(len(y))
		junk += float64(task.GoldParts(keys, y).Junk)
		if len(y) > e.o.Noise.MaxLen {
			over++
		}
	}
	n := float64(len(gen.Tokens))
	p.GoldReward, p.MeanLength, p.Junk, p.FracOverMax, p.NoEOSRate = gold/n, length/n, junk/n, over/n, noEOS/n
	win := eval.WinRateFromRewards(cand, e.refRewards)
	p.WinRate, p.WinRateSE = win.Mean, num(win.SE)

	// Implicit reward log pi/pi_ref on held-out pairs.
	pc, pr := pairSums(polScorer, e.ds.HeldOut, evalPairs)
	lc, lr := make([]int, len(pc)), make([]int, len(pc))
	for i, pair := range e.ds.HeldOut {
		lc[i], lr[i] = len(pair.Chosen)+1, len(pair.Rejected)+1
	}
	p.ImplicitAcc, p.LengthR2, p.LengthSlope = implicitRewardStats(pc, pr, e.ref.heldOutChosen, e.ref.heldOutRejected, lc, lr)
	return p, nil
}

// implicitRewardStats returns, for held-out pairs with policy log-probs pc,
// pr, reference log-probs refC, refR and response lengths lc, lr (each
// [N]), the accuracy of the implicit reward r = log pi/pi_ref (margin
// r_c - r_r > 0, strict) and the R^2 and slope (nats per token) of r
// regressed on length over all 2N responses (NaN when undefined).
func implicitRewardStats(pc, pr, refC, refR []float64, lc, lr []int) (acc float64, r2, slope num) {
	margins := make([]float64, len(pc))
	var rewards []float64
	var lengths []int
	for i := range pc {
		rc, rr := pc[i]-refC[i], pr[i]-refR[i]
		margins[i] = rc - rr
		rewards = append(rewards, rc, rr)
		lengths = append(lengths, lc[i], lr[i])
	}
	acc = eval.ImplicitRewardAccuracy(margins).Mean
	fit, err := eval.RegressOnLength(rewards, lengths)
	if err != nil {
		return acc, num(math.NaN()), num(math.NaN())
	}
	return acc, num(fit.R2), num(fit.Slope)
}
