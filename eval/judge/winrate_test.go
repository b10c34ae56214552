package judge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/daalab/daa/eval"
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
	if err != nil {
		t.Fatal(err)
	}
	want := eval.WinRateFromRewards(rewardsOf(cand), rewardsOf(ref))
	if math.Abs(res.WinRate.Mean-want.Mean) > 1e-15 || math.Abs(res.WinRate.SE-want.SE) > 1e-15 || res.WinRate.N != 180 {
		t.Errorf("WinRate %v, WinRateFromRewards %v", res.WinRate, want)
	}
	if res.Wins+res.Ties+res.Losses != 180 || res.Errors != 0 || res.Ties == 0 {
		t.Errorf("counts %d/%d/%d errors %d; want 180 comparisons with some ties", res.Wins, res.Ties, res.Losses, res.Errors)
	}
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
		if err != nil {
			t.Fatal(err)
		}
		if z := (res.WinRate.Mean - 0.5) / res.WinRate.SE; math.Abs(z) > 3 {
			t.Errorf("concurrency %d: win rate %v under pure position bias, z = %.2f", conc, res.WinRate, z)
		}
		if res.FirstPositionShare != 1 {
			t.Errorf("FirstPositionShare = %v, want 1", res.FirstPositionShare)
		}
		var flips []bool
		for _, c := range res.Comparisons {
			flips = append(flips, c.CandidateFirst)
			if (c.Score == 1) != c.CandidateFirst {
				t.Fatalf("comparison %+v: the candidate must win exactly when shown first", c)
			}
		}
		if first == nil {
			first = flips
		} else if fmt.Sprint(first) != fmt.Sprint(flips) {
			t.Error("flips differ between concurrency 1 and 8 with the same seed")
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
		if err != nil {
			t.Fatal(err)
		}
		j := &countingJudge{RewardJudge: RewardJudge{Name: "len", Reward: lengthReward}}
		res, err := WinRate(context.Background(), j, prompts, cand, ref, WinRateOptions{Seed: 3, Cache: cache})
		cache.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantCalls, wantHits := int64(5), 0
		if run > 0 {
			wantCalls, wantHits = 0, 5
		}
		if j.calls.Load() != wantCalls || res.CacheHits != wantHits {
			t.Errorf("run %d: %d judge calls, %d cache hits; want %d, %d", run, j.calls.Load(), res.CacheHits, wantCalls, wantHits)
		}
		results = append(results, res)
	}
	if results[0].WinRate != results[2].WinRate {
		t.Errorf("cached run %v differs from first run %v", results[2].WinRate, results[0].WinRate)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 12 || !errors.Is(res.FirstError, ErrUnparseable) || res.Ties != 36 || res.WinRate.N != 36 || res.WinRate.Mean != 0.5 {
		t.Errorf("errors %d (first %v), ties %d, win rate %v; want 12 errors, 36 ties, 0.5 over 36", res.Errors, res.FirstError, res.Ties, res.WinRate)
	}
	if !math.IsNaN(res.FirstPositionShare) {
		t.Errorf("FirstPositionShare = %v with only ties, want NaN", res.FirstPositionShare)
	}
	if j.peak > 3 {
		t.Errorf("%d judge calls in flight, limit 3", j.peak)
	}
}

// TestWinRateContextCanceled: a cancelled context stops the run with an error.
func TestWinRateContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := WinRate(ctx, &alwaysA{}, []string{"p"}, [][]string{{"c"}}, [][]string{{"r"}}, WinRateOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestRewardJudge(t *testing.T) {
	j := RewardJudge{Name: "len", Reward: lengthReward}
	for _, c := range []struct {
		a, b string
		want Verdict
	}{{"xx", "x", A}, {"x", "xx", B}, {"ab", "cd", Tie}} {
		if v, err := j.Judge(context.Background(), "p", c.a, c.b); err != nil || v != c.want {
			t.Errorf("Judge(%q, %q) = %v, %v; want %v", c.a, c.b, v, err, c.want)
		}
	}
	nan := RewardJudge{Name: "nan", Reward: func(p, r string) float64 { return math.NaN() }}
	if _, err := nan.Judge(context.Background(), "p", "a", "b"); err == nil {
		t.Error("NaN reward: no error")
	}
	if j.ID() != "reward:len" {
		t.Errorf("ID = %q", j.ID())
	}
}
