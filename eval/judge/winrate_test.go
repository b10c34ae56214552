package judge

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/daalab/daa/eval"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lengthReward scores a response by its length: a gold reward with ties.
func lengthReward(prompt, response string) float64 { return float64(len(response)) }

// randomResponses returns, for n prompts, k responses each of random length
// 0..5 made of the letter x.
func randomResponses(rng *rand.Rand, n, k int) [][]string {
	out := make([][]string, n)
	for i := range out {
		for range k {
			out[i] = append(out[i], strings.Repeat("x", rng.IntN(6)))
		}
	}
	return out
}

func rewardsOf(responses [][]string) [][]float64 {
	out := make([][]float64, len(responses))
	for i, rs := range responses {
		for _, r := range rs {
			out[i] = append(out[i], lengthReward("", r))
		}
	}
	return out
}

// TestWinRateMatchesRewards checks the judge runner against the independent
// reward path eval.WinRateFromRewards: with a RewardJudge, position flips
// must not change any outcome, so mean, SE and counts agree exactly.
func TestWinRateMatchesRewards(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	prompts := make([]string, 30)
	for i := range prompts {
		prompts[i] = fmt.Sprint("prompt ", i)
	}
	cand, ref := randomResponses(rng, 30, 2), randomResponses(rng, 30, 3)
	res, err := WinRate(context.Background(), RewardJudge{Name: "length", Reward: lengthReward}, prompts, cand, ref, WinRateOptions{Seed: 1, Concurrency: 3})
	require.NoError(t, err)
	want := eval.WinRateFromRewards(rewardsOf(cand), rewardsOf(ref))
	assert.InDelta(t, want.Mean, res.WinRate.Mean, 1e-15, "mean")
	assert.InDelta(t, want.SE, res.WinRate.SE, 1e-15, "SE")
	assert.Equal(t, 180, res.WinRate.N)
	assert.Equal(t, 180, res.Wins+res.Ties+res.Losses, "comparisons")
	assert.Zero(t, res.Errors)
	assert.Positive(t, res.Ties, "some ties")
}

// alwaysA is a judge with pure position bias.
type alwaysA struct{ calls atomic.Int64 }

func (j *alwaysA) ID() string { return "always-a" }
func (j *alwaysA) Judge(ctx context.Context, prompt, a, b string) (Verdict, error) {
	j.calls.Add(1)
	return A, nil
}

// TestWinRatePositionFlipCancelsBias: a judge that always prefers the first
// response gives the candidate a win exactly when it was shown first, so
// with seeded flips the win rate is within 3 SE of 0.5; the flips repeat for
// a given seed whatever the concurrency.
func TestWinRatePositionFlipCancelsBias(t *testing.T) {
	prompts := make([]string, 200)
	cand, ref := make([][]string, 200), make([][]string, 200)
	for i := range prompts {
		prompts[i], cand[i], ref[i] = fmt.Sprint(i), []string{"c"}, []string{"r1", "r2"}
	}
	var first []bool
	for _, conc := range []int{1, 8} {
		res, err := WinRate(context.Background(), &alwaysA{}, prompts, cand, ref, WinRateOptions{Seed: 42, Concurrency: conc})
		require.NoError(t, err)
		z := (res.WinRate.Mean - 0.5) / res.WinRate.SE
		assert.LessOrEqual(t, math.Abs(z), 3.0, "concurrency %d: win rate %v under pure position bias", conc, res.WinRate)
		assert.Equal(t, 1.0, res.FirstPositionShare)
		var flips []bool
		for _, c := range res.Comparisons {
			flips = append(flips, c.CandidateFirst)
			require.Equal(t, c.CandidateFirst, c.Score == 1, "comparison %+v: the candidate must win exactly when shown first", c)
		}
		if first == nil {
			first = flips
		} else {
			assert.Equal(t, first, flips, "flips differ between concurrency 1 and 8 with the same seed")
		}
	}
}

// TestWinRateCache: a second run with the same cache makes no judge calls
// and gives the same result; a file cache reopened in a new run does too.
func TestWinRateCache(t *testing.T) {
	prompts := []string{"p0", "p1", "p2"}
	cand := [][]string{{"a", "bb"}, {"c"}, {"dd"}}
	ref := [][]string{{"x"}, {"yy", "z"}, {"w"}}
	path := filepath.Join(t.TempDir(), "cache.jsonl")
	var results []WinRateResult
	for run := range 3 {
		cache, err := OpenCache(path)
		require.NoError(t, err)
		j := &countingJudge{RewardJudge: RewardJudge{Name: "len", Reward: lengthReward}}
		res, err := WinRate(context.Background(), j, prompts, cand, ref, WinRateOptions{Seed: 3, Cache: cache})
		require.NoError(t, cache.Close())
		require.NoError(t, err)
		wantCalls, wantHits := int64(5), 0
		if run > 0 {
			wantCalls, wantHits = 0, 5
		}
		assert.Equal(t, wantCalls, j.calls.Load(), "run %d judge calls", run)
		assert.Equal(t, wantHits, res.CacheHits, "run %d cache hits", run)
		results = append(results, res)
	}
	assert.Equal(t, results[0].WinRate, results[2].WinRate, "cached run differs from first run")
}

type countingJudge struct {
	RewardJudge
	calls atomic.Int64
}

func (j *countingJudge) Judge(ctx context.Context, prompt, a, b string) (Verdict, error) {
	j.calls.Add(1)
	return j.RewardJudge.Judge(ctx, prompt, a, b)
}

// failingJudge fails on prompts starting with "bad" and tracks the largest
// number of calls in flight.
type failingJudge struct {
	mu             sync.Mutex
	inFlight, peak int
}

func (j *failingJudge) ID() string { return "failing" }
func (j *failingJudge) Judge(ctx context.Context, prompt, a, b string) (Verdict, error) {
	j.mu.Lock()
	j.inFlight++
	j.peak = max(j.peak, j.inFlight)
	j.mu.Unlock()
	defer func() { j.mu.Lock(); j.inFlight--; j.mu.Unlock() }()
	if strings.HasPrefix(prompt, "bad") {
		return 0, fmt.Errorf("judge failed on %s: %w", prompt, ErrUnparseable)
	}
	return Tie, nil
}

// TestWinRateErrorsAndConcurrency: failed comparisons are counted, not scored
// (never a silent tie), and no more than Concurrency calls run at once.
func TestWinRateErrorsAndConcurrency(t *testing.T) {
	prompts := []string{"ok0", "bad1", "ok2", "bad3", "ok4", "ok5", "ok6", "ok7"}
	cand, ref := make([][]string, 8), make([][]string, 8)
	for i := range cand {
		cand[i], ref[i] = []string{"c1", "c2"}, []string{"r1", "r2", "r3"}
	}
	j := &failingJudge{}
	res, err := WinRate(context.Background(), j, prompts, cand, ref, WinRateOptions{Seed: 1, Concurrency: 3})
	require.NoError(t, err)
	assert.Equal(t, 12, res.Errors)
	assert.ErrorIs(t, res.FirstError, ErrUnparseable)
	assert.Equal(t, 36, res.Ties)
	assert.Equal(t, 36, res.WinRate.N)
	assert.Equal(t, 0.5, res.WinRate.Mean)
	assert.True(t, math.IsNaN(res.FirstPositionShare), "FirstPositionShare = %v with only ties, want NaN", res.FirstPositionShare)
	assert.LessOrEqual(t, j.peak, 3, "judge calls in flight")
}

// TestWinRateContextCanceled: a cancelled context stops the run with an error.
func TestWinRateContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := WinRate(ctx, &alwaysA{}, []string{"p"}, [][]string{{"c"}}, [][]string{{"r"}}, WinRateOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRewardJudge(t *testing.T) {
	j := RewardJudge{Name: "len", Reward: lengthReward}
	for _, c := range []struct {
		a, b string
		want Verdict
	}{{"xx", "x", A}, {"x", "xx", B}, {"ab", "cd", Tie}} {
		v, err := j.Judge(context.Background(), "p", c.a, c.b)
		if assert.NoError(t, err) {
			assert.Equal(t, c.want, v, "Judge(%q, %q)", c.a, c.b)
		}
	}
	nan := RewardJudge{Name: "nan", Reward: func(p, r string) float64 { return math.NaN() }}
	_, err := nan.Judge(context.Background(), "p", "a", "b")
	assert.Error(t, err, "NaN reward")
	assert.Equal(t, "reward:len", j.ID())
}
