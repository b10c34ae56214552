package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWinRateFromRewards checks a case worked by hand: prompt 0 scores
// 1 + 0.5 + 0 + 0 over 4 comparisons, prompt 1 scores 1 + 0 over 2, so the win
// rate is 2.5/6 = 5/12; per-prompt deviation sums are -1/6 and +1/6, so the
// clustered SE is sqrt(2 * 2/36) / 6 = 1/18.
func TestWinRateFromRewards(t *testing.T) {
	cand := [][]float64{{1, 0}, {2}}
	ref := [][]float64{{0.5, 1}, {1, 3}}
	e := WinRateFromRewards(cand, ref)
	assert.InDelta(t, 5.0/12, e.Mean, 1e-15, "win rate")
	assert.InDelta(t, 1.0/18, e.SE, 1e-15, "SE")
	assert.Equal(t, 6, e.N, "N")
	assert.Equal(t, 2, e.Units, "units")
}

func TestWinRateFromRewardsPanicsOnPromptMismatch(t *testing.T) {
	assert.Panics(t, func() { WinRateFromRewards([][]float64{{1}, {2}}, [][]float64{{1}}) }, "2 candidate prompts vs 1 reference prompt")
}

func TestTokenRewards(t *testing.T) {
	count := func(prompt, response []int) float64 { return float64(len(prompt) + 10*len(response)) }
	got := TokenRewards(count, [][]int{{1, 2}, {3}}, [][][]int{{{5}, {}}, {{1, 2, 3}}})
	want := [][]float64{{12, 2}, {31}}
	require.Len(t, got, len(want))
	for i := range want {
		require.Len(t, got[i], len(want[i]), "rewards of prompt %d", i)
		for s := range want[i] {
			assert.Equal(t, want[i][s], got[i][s], "reward[%d][%d]", i, s)
		}
	}
}
