package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/eval/judge"
	"github.com/daalab/daa/pythia"
)

// realEvaluator scores checkpoints of the runs of one seed: the same
// sampling seed and the same position flips of the judge at every
// checkpoint (common random numbers), so that checkpoints differ by the
// policy only.
type realEvaluator struct {
	o       Options
	ref     *realReference
	judge   judge.Judge
	cache   *judge.Cache // nil for the length judge
	decoder textDecoder
	seed    uint64
	log     func(format string, args ...any)
	// Fixed: prompts (each repeated SamplesPerEval times), the prompt index
	// of each row, and the texts the judge sees.
	prompts     [][]int
	cluster     []int
	promptTexts []string
	references  [][]string
}

func newRealEvaluator(o Options, ref *realReference, j judge.Judge, cache *judge.Cache, seed uint64, log func(string, ...any)) *realEvaluator {
	e := &realEvaluator{o: o, ref: ref, judge: j, cache: cache, decoder: newTextDecoder(ref.tok), seed: seed, log: log}
	for i, ep := range ref.set.Eval {
		for range o.SamplesPerEval {
			e.prompts = append(e.prompts, ep.Prompt)
			e.cluster = append(e.cluster, i)
		}
		e.promptTexts = append(e.promptTexts, ep.Text)
		e.references = append(e.references, []string{strings.TrimSpace(ep.Reference)})
	}
	return e
}

// evaluate samples from the policy at temperature 1 and measures the KL to
// the reference, the judge's win rate against the human chosen responses,
// length, no-EOS rate and repetition, then the implicit reward on held-out
// pairs. gold_reward stays 0: real data have no gold reward. junk counts
// the tokens that repeat an earlier trigram of the same sample (degenerate
// repetition, the real-text analogue of the synthetic task's junk).
func (e *realEvaluator) evaluate(policy *pythia.Model) (point, error) {
	var p point
	eng, err := e.ref.engineFor(policy)
	if err != nil {
		return p, err
	}
	gen, err := eng.Generate(e.prompts, pythia.GenerateOptions{
		SampleOptions: pythia.SampleOptions{Temperature: 1},
		MaxNewTokens:  e.o.Real.MaxNewTokens,
		StopTokens:    []int{e.ref.eos},
		Seed:          e.seed ^ 0xe7a1,
	})
	if err != nil {
		return p, err
	}
	// Reference log-probs of the sampled tokens, per token (EOS included).
	refScorer := &scorer{eng: e.ref.refEng}
	var refTok [][]float64
	for lo := 0; lo < len(e.prompts); lo += e.ref.evalRows {
		hi := min(lo+e.ref.evalRows, len(e.prompts))
		_, tok := refScorer.sums(e.prompts[lo:hi], gen.Tokens[lo:hi], true)
		refTok = append(refTok, tok...)
	}
	kl := eval.SampledKL(gen.ModelLogProbs, refTok, e.cluster)
	p.KL, p.KLSE, p.KLK3 = kl.K1.Mean, num(kl.K1.SE), kl.K3.Mean
	p.SqrtKL = eval.SqrtKL(p.KL)

	candidates := make([][]string, len(e.promptTexts))
	var length, junk, over, noEOS float64
	for r, toks := range gen.Tokens {
		y := toks
		if gen.Stopped[r] {
			y = toks[:len(toks)-1]
		} else {
			noEOS++
		}
		length += float64(len(y))
		junk += float64(repeatedTrigrams(y))
		if len(y) > e.ref.set.MaxResponse {
			over++
		}
		text, err := e.decoder.decode(y)
		if err != nil {
			return p, fmt.Errorf("decoding a sample: %w", err)
		}
		candidates[e.cluster[r]] = append(candidates[e.cluster[r]], text)
	}
	n := float64(len(gen.Tokens))
	p.MeanLength, p.Junk, p.FracOverMax, p.NoEOSRate = length/n, junk/n, over/n, noEOS/n
	if p.WinRate, p.WinRateSE, err = e.winRate(candidates); err != nil {
		return p, err
	}

	// Implicit reward log pi/pi_ref on held-out pairs.
	held := e.ref.set.HeldOut
	pc, pr := realPairSums(&scorer{eng: eng}, held)
	lc, lr := make([]int, len(held)), make([]int, len(held))
	for i, h := range held {
		lc[i], lr[i] = len(h.Chosen), len(h.Rejected)
	}
	p.ImplicitAcc, p.LengthR2, p.LengthSlope = implicitRewardStats(pc, pr, e.ref.heldOutChosen, e.ref.heldOutRejected, lc, lr)
	return p, nil
}

// winRate judges every sample against its prompt's reference response.
// Comparisons the judge could not decide are left out and logged; more than
// maxJudgeFailures of them is an error.
func (e *realEvaluator) winRate(candidates [][]string) (float64, num, error) {
	res, err := judge.WinRate(context.Background(), e.judge, e.promptTexts, candidates, e.references,
		judge.WinRateOptions{Seed: e.seed, Concurrency: e.o.Real.JudgeConcurrency, Cache: e.cache})
	if err != nil {
		return 0, 0, err
	}
	total := len(res.Comparisons)
	if res.Errors > 0 {
		if float64(res.Errors) > maxJudgeFailures*float64(total) {
			return 0, 0, fmt.Errorf("the judge failed %d of %d comparisons (first: %v); its verdicts so far are cached", res.Errors, total, res.FirstError)
		}
		e.log("judge: %d of %d comparisons undecided and left out (first: %v)", res.Errors, total, res.FirstError)
	}
	return res.WinRate.Mean, num(res.WinRate.SE), nil
}

// repeatedTrigrams counts the tokens of y that end a trigram already seen
// earlier in y.
func repeatedTrigrams(y []int) int {
	seen := map[[3]int]bool{}
	n := 0
	for t := 2; t < len(y); t++ {
		g := [3]int{y[t-2], y[t-1], y[t]}
		if seen[g] {
			n++
		}
		seen[g] = true
	}
	return n
}
