package study

import (
	"math"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/pythia"
)

// Point is the evaluation of one checkpoint: the columns of points.csv.
type Point struct {
	RunSpec
	Checkpoint   int     `json:"checkpoint"`    // 0 = the reference, Checkpoints = the end of the run
	Step         int     `json:"step"`          // optimizer steps taken
	ExamplesSeen int     `json:"examples_seen"` // preference pairs seen
	KL           float64 `json:"kl"`            // k1 estimate of KL(policy || reference), nats per response
	KLSE         Num     `json:"kl_se"`         // its standard error, clustered by prompt
	KLK3         float64 `json:"kl_k3"`         // k3 estimate (a check; heavy-tailed here)
	SqrtKL       float64 `json:"sqrt_kl"`       // sqrt(max(k1, 0)), the x axis of the paper's plots
	WinRate      float64 `json:"winrate"`       // the judge's win rate against the references, ties one half
	WinRateSE    Num     `json:"winrate_se"`    // clustered by prompt
	GoldReward   float64 `json:"gold_reward"`   // mean gold reward of the samples (0 without one)
	MeanLength   float64 `json:"mean_length"`   // tokens before EOS
	FracOverMax  float64 `json:"frac_over_max"` // share longer than the data's longest response
	NoEOSRate    float64 `json:"no_eos_rate"`   // share that never emitted EOS
	Junk         float64 `json:"junk"`          // junk tokens per sample (see the task's judge)
	ImplicitAcc  float64 `json:"implicit_acc"`  // held-out pairs with Delta > 0 (strict)
	LengthR2     Num     `json:"length_r2"`     // R^2 of implicit reward on length, held-out responses
	LengthSlope  Num     `json:"length_slope"`  // nats of implicit reward per token
	// Out-of-distribution mass (see Support; NaN without the cell's Support).
	OODShare      Num `json:"ood_share"`       // share of samples found nowhere in the data
	InSupportMass Num `json:"in_support_mass"` // probability of the data's responses to a training prompt
}

// evaluator scores checkpoints against one cell's reference. Every
// checkpoint of a seed samples with the same seed (common random numbers),
// so that checkpoints differ by the policy only.
type evaluator struct {
	o    Options
	c    *Cell
	seed uint64
	// Fixed: the prompts, each repeated SamplesPerEval times, and the
	// prompt index of each row.
	prompts [][]int
	cluster []int
}

func newEvaluator(o Options, c *Cell, seed uint64) *evaluator {
	e := &evaluator{o: o, c: c, seed: seed ^ 0xe7a1}
	for i, p := range c.Prompts {
		for range o.SamplesPerEval {
			e.prompts = append(e.prompts, p)
			e.cluster = append(e.cluster, i)
		}
	}
	return e
}

// engines are the inference engines of one run's evaluations (an engine
// is not safe for concurrent use; runs evaluate in parallel).
type engines struct{ policy, ref *scorer }

// scorers returns inference scorers on policy and on the reference.
func (e *evaluator) scorers(en *engines, policy *pythia.Model) (pol, ref *scorer, err error) {
	if en.ref == nil {
		if en.ref, err = newScorer(e.c.Reference, e.c.EvalRows, e.c.EvalSeq); err != nil {
			return nil, nil, err
		}
	}
	if policy == e.c.Reference {
		return en.ref, en.ref, nil
	}
	if en.policy == nil || en.policy.eng.Model() != policy {
		en.policy = nil // let a previous policy's buffers go first
		if en.policy, err = newScorer(policy, e.c.EvalRows, e.c.EvalSeq); err != nil {
			return nil, nil, err
		}
	}
	return en.policy, en.ref, nil
}

// evaluate samples from the policy at temperature 1 (pythia/fast's
// KV-cached batched sampler) and measures the KL to the reference, the
// judge's verdict, length, no-EOS rate and out-of-distribution mass, then
// the implicit reward on held-out pairs.
func (e *evaluator) evaluate(policy *pythia.Model, en *engines) (Point, error) {
	var p Point
	pol, ref, err := e.scorers(en, policy)
	if err != nil {
		return p, err
	}
	gen, err := pol.eng.Generate(e.prompts, pythia.GenerateOptions{
		SampleOptions: pythia.SampleOptions{Temperature: 1},
		MaxNewTokens:  e.c.MaxNewTokens,
		StopTokens:    []int{e.c.EOS},
		Seed:          e.seed,
	})
	if err != nil {
		return p, err
	}
	// Reference log-probs of the sampled tokens, per token (EOS included).
	var refTok [][]float64
	for lo := 0; lo < len(e.prompts); lo += e.c.EvalRows {
		hi := min(lo+e.c.EvalRows, len(e.prompts))
		_, tok := ref.sums(e.prompts[lo:hi], gen.Tokens[lo:hi], true)
		refTok = append(refTok, tok...)
	}
	kl := eval.SampledKL(gen.ModelLogProbs, refTok, e.cluster)
	p.KL, p.KLSE, p.KLK3 = kl.K1.Mean, Num(kl.K1.SE), kl.K3.Mean
	p.SqrtKL = eval.SqrtKL(p.KL)

	samples := make([][]Sample, len(e.c.Prompts))
	responses := make([][]int, len(gen.Tokens)) // tokens before EOS
	var length, over, noEOS float64
	for r, toks := range gen.Tokens {
		y := toks
		if gen.Stopped[r] {
			y = toks[:len(toks)-1]
		} else {
			noEOS++
		}
		responses[r] = y
		length += float64(len(y))
		if len(y) > e.c.MaxResponse {
			over++
		}
		samples[e.cluster[r]] = append(samples[e.cluster[r]], Sample{Tokens: y, Stopped: gen.Stopped[r]})
	}
	n := float64(len(gen.Tokens))
	p.MeanLength, p.FracOverMax, p.NoEOSRate = length/n, over/n, noEOS/n
	p.OODShare, p.InSupportMass = Num(oodShare(e.c.Support, responses)), Num(inSupportMass(pol, e.c.Support))
	j, err := e.c.Judge.Judge(samples)
	if err != nil {
		return p, err
	}
	p.WinRate, p.WinRateSE, p.GoldReward, p.Junk = j.WinRate, Num(j.WinRateSE), j.GoldReward, j.Junk

	// Implicit reward log pi/pi_ref on held-out pairs.
	held := pairSums(pol, e.c.HeldOut)
	lc, lr := make([]int, len(e.c.HeldOut)), make([]int, len(e.c.HeldOut))
	for i, h := range e.c.HeldOut {
		lc[i], lr[i] = len(h.Chosen), len(h.Rejected)
	}
	p.ImplicitAcc, p.LengthR2, p.LengthSlope = implicitRewardStats(held, *e.c.RefHeldOut, lc, lr)
	return p, nil
}

// implicitRewardStats returns, for held-out pairs with policy log-probs pol,
// reference log-probs ref and response lengths lc, lr (each [N]), the
// accuracy of the implicit reward r = log pi/pi_ref (margin r_c - r_r > 0,
// strict) and the R^2 and slope (nats per token) of r regressed on length
// over all 2N responses (NaN when undefined).
func implicitRewardStats(pol, ref PairSums, lc, lr []int) (acc float64, r2, slope Num) {
	margins := make([]float64, len(pol.Chosen))
	var rewards []float64
	var lengths []int
	for i := range pol.Chosen {
		rc, rr := pol.Chosen[i]-ref.Chosen[i], pol.Rejected[i]-ref.Rejected[i]
		margins[i] = rc - rr
		rewards = append(rewards, rc, rr)
		lengths = append(lengths, lc[i], lr[i])
	}
	acc = eval.ImplicitRewardAccuracy(margins).Mean
	fit, err := eval.RegressOnLength(rewards, lengths)
	if err != nil {
		return acc, Num(math.NaN()), Num(math.NaN())
	}
	return acc, Num(fit.R2), Num(fit.Slope)
}
