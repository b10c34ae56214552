package judge

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/daalab/daa/eval"
)

// WinRateOptions configures WinRate.
type WinRateOptions struct {
	// Seed seeds the position flips: with the same seed and inputs, every
	// comparison presents its responses in the same order.
	Seed uint64
	// Concurrency is the number of comparisons in flight; values below 1
	// mean 1. A ChatJudge applies its own limit as well.
	Concurrency int
	// Cache, when non-nil, is consulted before calling the judge and
	// receives every new verdict.
	Cache *Cache
}

// Comparison is one candidate-versus-reference judgement.
type Comparison struct {
	Prompt, Candidate, Reference int  // indices into the inputs of WinRate
	CandidateFirst               bool // the candidate was presented as A
	Verdict                      Verdict
	Score                        float64 // 1 candidate wins, 0.5 tie, 0 reference wins
	Cached                       bool    // the verdict came from the cache
	Err                          error   // the judge failed: no verdict, no score
}

// WinRateResult is the outcome of WinRate.
type WinRateResult struct {
	// WinRate is P(win) + 0.5 P(tie) of the candidate over the comparisons
	// that succeeded, with the standard error clustered by prompt.
	WinRate            eval.Estimate
	Wins, Ties, Losses int
	Errors             int   // comparisons for which the judge returned an error
	FirstError         error // the error of the first failed comparison (in input order)
	CacheHits          int
	// FirstPositionShare is the share of decisive (non-tie) verdicts that
	// chose the response shown first: far from 0.5 means position bias. NaN
	// when no verdict was decisive.
	FirstPositionShare float64
	Comparisons        []Comparison
}

// WinRate compares every candidates[i][s] with every references[i][r] on
// prompts[i] using judge j. Each comparison presents the two responses in an
// order drawn from a PCG seeded by opt.Seed (drawn in input order, so results
// do not depend on scheduling), which cancels the judge's position bias on
// average. Failed comparisons are counted in Errors and left out of the win
// rate; WinRate returns an error only when ctx is done, with the comparisons
// finished so far. WinRate panics if prompts, candidates and references do not
// have the same length.
func WinRate(ctx context.Context, j Judge, prompts []string, candidates, references [][]string, opt WinRateOptions) (WinRateResult, error) {
	if len(candidates) != len(prompts) || len(references) != len(prompts) {
		panic(fmt.Sprintf("judge: WinRate: %d prompts, candidates for %d, references for %d", len(prompts), len(candidates), len(references)))
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	var cmp []Comparison
	for i := range prompts {
		for s := range candidates[i] {
			for r := range references[i] {
				cmp = append(cmp, Comparison{Prompt: i, Candidate: s, Reference: r, CandidateFirst: rng.IntN(2) == 0})
			}
		}
	}
	workers := max(opt.Concurrency, 1)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := range next {
				c := &cmp[k]
				judgeOne(ctx, j, opt.Cache, prompts[c.Prompt], candidates[c.Prompt][c.Candidate], references[c.Prompt][c.Reference], c)
			}
		})
	}
	sent := 0
send:
	for ; sent < len(cmp); sent++ {
		select {
		case next <- sent:
		case <-ctx.Done():
			break send
		}
	}
	close(next)
	wg.Wait()
	res := summarize(cmp[:sent])
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("judge: WinRate stopped after %d of %d comparisons: %w", sent, len(cmp), err)
	}
	return res, nil
}

// judgeOne fills in c's verdict and score, from the cache when possible.
func judgeOne(ctx context.Context, j Judge, cache *Cache, prompt, candidate, reference string, c *Comparison) {
	a, b := reference, candidate
	if c.CandidateFirst {
		a, b = candidate, reference
	}
	key := CacheKey(j.ID(), prompt, a, b)
	v, ok := Verdict(0), false
	if cache != nil {
		v, ok = cache.Get(key)
	}
	if ok {
		c.Cached = true
	} else {
		var err error
		if v, err = j.Judge(ctx, prompt, a, b); err != nil {
			c.Err = err
			return
		}
		if _, valid := parseVerdictName(v.String()); !valid {
			c.Err = fmt.Errorf("judge %s returned invalid verdict %v without an error", j.ID(), v)
			return
		}
		if cache != nil {
			if err := cache.Put(key, j.ID(), v); err != nil {
				c.Err = err
				return
			}
		}
	}
	c.Verdict = v
	switch {
	case v == Tie:
		c.Score = 0.5
	case (v == A) == c.CandidateFirst:
		c.Score = 1
	default:
		c.Score = 0
	}
}

// summarize counts the outcomes of cmp and computes the clustered win rate.
func summarize(cmp []Comparison) WinRateResult {
	res := WinRateResult{Comparisons: cmp, FirstPositionShare: math.NaN()}
	var scores []float64
	var clusters []int
	var decisive, first int
	for _, c := range cmp {
		if c.Err != nil {
			if res.Errors == 0 {
				res.FirstError = c.Err
			}
			res.Errors++
			continue
		}
		if c.Cached {
			res.CacheHits++
		}
		switch c.Score {
		case 1:
			res.Wins++
		case 0.5:
			res.Ties++
		default:
			res.Losses++
		}
		if c.Verdict != Tie {
			decisive++
			if c.Verdict == A {
				first++
			}
		}
		scores = append(scores, c.Score)
		clusters = append(clusters, c.Prompt)
	}
	res.WinRate = eval.MeanSE(scores, clusters)
	if decisive > 0 {
		res.FirstPositionShare = float64(first) / float64(decisive)
	}
	return res
}
