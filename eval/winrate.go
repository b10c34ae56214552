package eval

import "fmt"

// WinRateFromRewards returns the win rate of candidate responses against
// reference responses judged by a gold reward, from precomputed rewards:
// candidate[i][s] is the reward of candidate sample s for prompt i and
// reference[i][r] that of reference response r for prompt i. Every candidate
// sample is compared with every reference of its prompt, scoring
//
//	win = 1 if c > r, 0.5 if c == r, 0 if c < r,
//
// so the mean is P(win) + 0.5 P(tie). The standard error is clustered by
// prompt (see MeanSE), since comparisons on one prompt share its difficulty
// and its references. A prompt with no candidates or no references adds no
// comparisons. WinRateFromRewards panics if candidate and reference differ
// in length (number of prompts).
func WinRateFromRewards(candidate, reference [][]float64) Estimate {
	if len(candidate) != len(reference) {
		panic(fmt.Sprintf("eval: WinRateFromRewards: %d prompts of candidate rewards but %d of reference rewards", len(candidate), len(reference)))
	}
	var scores []float64
	var clusters []int
	for i := range candidate {
		for _, c := range candidate[i] {
			for _, r := range reference[i] {
				scores = append(scores, PairScore(c, r))
				clusters = append(clusters, i)
			}
		}
	}
	return MeanSE(scores, clusters)
}

// PairScore returns 1 if c > r, 0.5 if c == r and 0 if c < r: the score of a
// candidate with reward c against a reference with reward r.
func PairScore(c, r float64) float64 {
	switch {
	case c > r:
		return 1
	case c == r:
		return 0.5
	default:
		return 0
	}
}

// TokenRewards applies a gold reward defined on token ids to every response:
// out[i][s] = reward(prompts[i], responses[i][s]). It is the bridge from a
// token-level gold reward (such as the flagship's key-recall reward) to
// WinRateFromRewards. TokenRewards panics if prompts and responses differ in
// length.
func TokenRewards(reward func(prompt, response []int) float64, prompts [][]int, responses [][][]int) [][]float64 {
	if len(prompts) != len(responses) {
		panic(fmt.Sprintf("eval: TokenRewards: %d prompts but responses for %d prompts", len(prompts), len(responses)))
	}
	out := make([][]float64, len(prompts))
	for i := range prompts {
		out[i] = make([]float64, len(responses[i]))
		for s, y := range responses[i] {
			out[i][s] = reward(prompts[i], y)
		}
	}
	return out
}
