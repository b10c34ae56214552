package align_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// wpoSequence computes WPO's sequence weight from logits [T][V] and
// targets with plain float64 loops (independent of the tensor code): the
// mean over the first n tokens of log p(target) - log sum_v p_v^2.
func wpoSequence(logits [][]float64, targets []int, n int) float64 {
	var s float64
	for t := 0; t < n; t++ {
		var z, sq float64
		for _, l := range logits[t] {
			z += math.Exp(l)
		}
		for _, l := range logits[t] {
			p := math.Exp(l) / z
			sq += p * p
		}
		s += math.Log(math.Exp(logits[t][targets[t]])/z) - math.Log(sq)
	}
	return s / float64(n)
}

// TestWPOWeights checks WPOWeights and LogSumSquaredProbs against the loop
// wpoSequence above (tolerance 1e-13), including a pair whose weight
// exceeds 1: TRL v1.9.0 does not clamp it (v0.28 and earlier clamped at 1).
func TestWPOWeights(t *testing.T) {
	// 2 pairs x 3 positions x vocab 4
	chosenLogits := [][][]float64{
		{{2, 0, -1, 0.5}, {0, 0, 0, 0}, {1, 3, -2, 0}},
		{{4, 0.2, 0.1, 0}, {3, 3, 0, 0}, {0, 0, 0, 9}},
	}
	rejectedLogits := [][][]float64{
		{{-1, 2, 0, 0}, {0.5, 0.5, 1, -3}, {2, 2, 2, 2}},
		{{5, -5, 0, 1}, {0, 1, 2, 3}, {1, 1, 1, 1}},
	}
	chosenTargets := [][]int{{0, 2, 1}, {0, 1, 3}}
	rejectedTargets := [][]int{{1, 2, 3}, {0, 3, 0}}
	chosenLen, rejectedLen := []int{3, 2}, []int{2, 3}

	tokens := func(logits [][][]float64, targets [][]int, lengths []int) (*align.TokenLogProbs, *tensor.Tensor) {
		flat := []float64{}
		for _, r := range logits {
			for _, p := range r {
				flat = append(flat, p...)
			}
		}
		lg := tensor.FromFloat64s(flat, 2, 3, 4)
		logp := tensor.LogSoftmax(lg, -1)
		vals := make([]float64, 6)
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				vals[i*3+j] = logp.At(i, j, targets[i][j])
			}
		}
		return align.TokensFromLengths(autograd.Const(tensor.FromFloat64s(vals, 2, 3)), lengths), align.LogSumSquaredProbs(lg)
	}
	cw, cn := tokens(chosenLogits, chosenTargets, chosenLen)
	rw, rn := tokens(rejectedLogits, rejectedTargets, rejectedLen)
	w, err := align.WPOWeights(cw, rw, cn, rn)
	require.NoError(t, err)
	above := 0
	for i := 0; i < 2; i++ {
		sw := wpoSequence(chosenLogits[i], chosenTargets[i], chosenLen[i])
		sl := wpoSequence(rejectedLogits[i], rejectedTargets[i], rejectedLen[i])
		want := math.Exp(sw) * math.Exp(sl) // TRL: chosen_weights * rejected_weights
		if want > 1 {
			above++
		}
		assert.InEpsilon(t, want, w.At(i), 1e-13, "pair %d: weight", i)
	}
	assert.NotZero(t, above, "no pair has a weight above 1, where TRL v0.28's clamp would differ")
	// extreme logits stay finite
	big := tensor.FromFloat64s([]float64{1e4, -1e4, 0, 5e3}, 1, 1, 4)
	assert.InDelta(t, 0, align.LogSumSquaredProbs(big).At(0, 0), 1e-12, "LogSumSquaredProbs at logits ±1e4, want 0 (one token has p = 1)")
}

// TestWeightPairs: the weighted loss is mean_i w_i ℓ_i, and its gradient
// passes CheckGrad (float64 finite differences, default tolerances).
func TestWeightPairs(t *testing.T) {
	loss, err := align.New("sigmoid", align.DefaultConfig())
	require.NoError(t, err)
	weights := tensor.FromFloat64s([]float64{0.25, 1, 0.5}, 3)
	ref := tensor.FromFloat64s([]float64{-3, -4, -5}, 3)
	run := func(x []*autograd.Value) (*align.Output, *align.Output) {
		b := &align.Batch{PolicyChosen: x[0], PolicyRejected: x[1], RefChosen: autograd.Const(ref), RefRejected: autograd.Const(ref),
			ChosenLengths: []int{1, 2, 3}, RejectedLengths: []int{3, 2, 1}}
		out, err := loss.Compute(b)
		require.NoError(t, err)
		return out, align.WeightPairs(out, weights)
	}
	chosen := tensor.FromFloat64s([]float64{-2, -6, -4.5}, 3)
	rejected := tensor.FromFloat64s([]float64{-3.5, -3, -5}, 3)
	plain, weighted := run([]*autograd.Value{autograd.Const(chosen), autograd.Const(rejected)})
	want := 0.0
	for i, l := range plain.PerPair.Data.ToFloat64s() {
		want += weights.At(i) * l / 3
	}
	assert.InDelta(t, want, weighted.Loss.Item(), 1e-15, "weighted loss")
	err = autograd.CheckGrad(func(x []*autograd.Value) *autograd.Value {
		_, w := run(x)
		return w.Loss
	}, []*tensor.Tensor{chosen, rejected}, autograd.CheckOptions{})
	assert.NoError(t, err)
}
