package pythia

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The gradients of SequenceLogProbs (through the padding mask, the row
// selection and the label shift) agree with central finite differences in
// float64: |analytic - numeric| <= 1e-8 + 1e-6 |numeric| on sampled entries of
// every parameter.
func TestSequenceLogProbsGradient(t *testing.T) {
	m := randomTinyModel(t, tensor.Float64)
	prompts := [][]int{{3, 1, 4}, {1}, {2, 7}}
	responses := [][]int{{1, 5}, {9, 2, 6, 5}, {}}
	objective := func() *autograd.Value {
		lp := m.SequenceLogProbs(prompts, responses)
		return autograd.Add(autograd.Sum(lp.Sum), autograd.Scale(autograd.Sum(lp.Mean), 0.5))
	}
	objective().Backward()
	const h = 1e-6
	for _, p := range m.Params() {
		data := p.Value.Data.Float64s()
		for _, i := range []int{0, len(data) / 3, len(data) - 1} {
			orig := data[i]
			data[i] = orig + h
			up := objective().Item()
			data[i] = orig - h
			down := objective().Item()
			data[i] = orig
			numeric := (up - down) / (2 * h)
			analytic := p.Value.Grad.Float64s()[i]
			assert.InDelta(t, numeric, analytic, 1e-8+1e-6*math.Abs(numeric), "%s[%d]: gradient vs finite difference", p.Name, i)
		}
	}
}

// An empty response scores nothing: count 0, sum 0, mean 0, and its row of
// PerToken is zero.
func TestSequenceLogProbsEmptyResponse(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	lp := m.SequenceLogProbs([][]int{{1, 2}, {3}}, [][]int{{4, 5, 6}, {}})
	assert.Zero(t, lp.Count[1], "empty response: count")
	assert.Zero(t, lp.Sum.Data.At(1), "empty response: sum")
	assert.Zero(t, lp.Mean.Data.At(1), "empty response: mean")
	assert.Zero(t, lp.PerToken.Data.At(1, 0), "empty response: PerToken row")
	assert.Equal(t, []int{2, 3}, lp.PerToken.Shape(), "PerToken shape")
}

// Frozen shares the weights as constants: no graph, same outputs, and
// in-place updates of the trained model are visible.
func TestFrozenSharesWeights(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	f := m.Frozen()
	ids := [][]int{{1, 2, 3}}
	out := f.Forward(ids, nil)
	require.False(t, out.RequiresGrad(), "the frozen model's output records a graph")
	require.False(t, f.Params()[0].Value.RequiresGrad(), "the frozen model's parameters record a graph")
	require.Zero(t, relErr(out.Data, m.Forward(ids, nil).Data.ToFloat64s()), "frozen and trainable outputs differ")
	m.EmbedOut.Data.Float32s()[0] += 1
	require.Equal(t, m.EmbedOut.Data.Float32s()[0], f.EmbedOut.Data.Float32s()[0], "an in-place update is not visible through the frozen model")
	cfg := tinyConfig(t)
	cfg.TieWordEmbeddings = true
	tied, err := NewRandom(cfg, tensor.Float32, 1)
	require.NoError(t, err)
	ft := tied.Frozen()
	assert.Same(t, ft.EmbedIn, ft.EmbedOut, "the frozen copy of a tied model is untied")
}
