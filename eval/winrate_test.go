package eval

import (
	"math"
	"testing"
)

// TestWinRateFromRewards checks a case worked by hand: prompt 0 scores
// 1 + 0.5 + 0 + 0 over 4 comparisons, prompt 1 scores 1 + 0 over 2, so the win
// rate is 2.5/6 = 5/12; per-prompt deviation sums are -1/6 and +1/6, so the
// clustered SE is sqrt(2 * 2/36) / 6 = 1/18.
func TestWinRateFromRewards(t *testing.T) {
	cand := [][]float64{{1, 0}, {2}}
	ref := [][]float64{{0.5, 1}, {1, 3}}
	e := WinRateFromRewards(cand, ref)
	if math.Abs(e.Mean-5.0/12) > 1e-15 || math.Abs(e.SE-1.0/18) > 1e-15 || e.N != 6 || e.Units != 2 {
		t.Errorf("WinRateFromRewards = %+v, want mean 5/12, SE 1/18, N 6, 2 units (tolerance 1e-15)", e)
	}
}

func TestWinRateFromRewardsPanicsOnPromptMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic on 2 candidate prompts vs 1 reference prompt")
		}
	}()
	WinRateFromRewards([][]float64{{1}, {2}}, [][]float64{{1}})
}

func TestTokenRewards(t *testing.T) {
	count := func(prompt, response []int) float64 { return float64(len(prompt) + 10*len(response)) }
	got := TokenRewards(count, [][]int{{1, 2}, {3}}, [][][]int{{{5}, {}}, {{1, 2, 3}}})
	want := [][]float64{{12, 2}, {31}}
	for i := range want {
		for s := range want[i] {
			if got[i][s] != want[i][s] {
				t.Errorf("reward[%d][%d] = %v, want %v", i, s, got[i][s], want[i][s])
			}
		}
	}
}
