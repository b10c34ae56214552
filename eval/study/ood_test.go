package study

import (
	"math"
	"testing"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSupportHandMade builds the support of a hand-made cell's data and
// checks its sets and the out-of-distribution share against counts made by
// hand: responses match exactly, with any prompt, and EOS plays no part.
func TestSupportHandMade(t *testing.T) {
	const eos = 9
	x1, x2, x3 := []int{1, 2}, []int{3, 4}, []int{5, 6}
	// SFT: (x1, [7]); pairs: (x1, [7 8] > [8]), (x2, [8] > [7 7]), (x1, [7] > []).
	prompts := [][]int{x1, x1, x1, x2, x2, x1, x1}
	responses := [][]int{{7}, {7, 8}, {8}, {8}, {7, 7}, {7}, {}}
	s := NewSupport(prompts, responses, [][]int{x1, x1, x3, x2}, 5, eos)
	require.Len(t, s.Seen, 5, "distinct responses: [7] [7 8] [8] [7 7] []")
	// Subset: x1 (first), x1 again (skipped), x3 (no data: skipped), x2.
	require.Equal(t, [][]int{x1, x2}, s.Prompts)
	assert.ElementsMatch(t, [][]int{{7, eos}, {7, 8, eos}, {8, eos}, {eos}}, s.Responses[0], "x1's distinct responses, each once, with EOS")
	assert.ElementsMatch(t, [][]int{{8, eos}, {7, 7, eos}}, s.Responses[1])

	samples := [][]int{
		{7},       // in the data (x1's SFT summary)
		{8},       // in the data
		{7, 7},    // in the data (x2's rejected; any prompt counts)
		{8, 7},    // not: order matters
		{7, 8, 8}, // not: a prefix of nothing in the data
		{},        // in the data (x1's empty rejected)
		{7, eos},  // not: responses are compared before EOS
		{1, 2},    // not: that is a prompt
	}
	assert.InDelta(t, 4.0/8, oodShare(s, samples), 1e-15, "4 of 8 samples are found nowhere")
	assert.True(t, math.IsNaN(oodShare(nil, samples)), "no support: NaN")
	assert.True(t, math.IsNaN(oodShare(s, nil)), "no samples: NaN")
	assert.Panics(t, func() { NewSupport(prompts, responses[:2], nil, 1, eos) })
}

// TestInSupportMass checks the in-support mass of a random model on the
// fast engine against the same sums computed apart with the autograd
// model's SequenceLogProbs: mean over prompts of sum_j exp(log p(y_j | x)).
func TestInSupportMass(t *testing.T) {
	m, err := pythia.NewRandom(modelConfig("XS"), tensor.Float32, 3)
	require.NoError(t, err)
	const eos = 50
	s := &Support{Prompts: [][]int{{1, 2, 3}, {4, 5}}, Responses: [][][]int{
		{{7, eos}, {eos}, {7, 8, eos}},
		{{9, 9, eos}},
	}}
	sc, err := newScorer(m, 2, 8) // two rows per pass: the sums cross passes
	require.NoError(t, err)
	got := inSupportMass(sc, s)

	var want float64
	for i, x := range s.Prompts {
		var prompts [][]int
		for range s.Responses[i] {
			prompts = append(prompts, x)
		}
		sums := m.SequenceLogProbs(prompts, s.Responses[i]).Sum.Data
		var mass float64
		for j := range s.Responses[i] {
			mass += math.Exp(sums.At(j))
		}
		want += mass / float64(len(s.Prompts))
	}
	require.Greater(t, want, 0.0)
	assert.InEpsilon(t, want, got, 1e-4, "float32 engine against the autograd model")
	assert.True(t, math.IsNaN(inSupportMass(sc, nil)))
	assert.True(t, math.IsNaN(inSupportMass(sc, &Support{})))
}
