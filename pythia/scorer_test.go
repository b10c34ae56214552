package pythia

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The ModelScorer returns what SequenceLogProbs computes, its logit sums
// equal the sum of Forward's full logits over each response's positions
// (an independent pass: every position of the unpacked sequence), and its
// backward passes give the gradients of Backward on the graph itself.
func TestModelScorer(t *testing.T) {
	m := randomTinyModel(t, tensor.Float64)
	prompts := [][]int{{3, 1, 4}, {1}, {2, 7}}
	responses := [][]int{{1, 5}, {9, 2, 6, 5}, {}}
	dSum := []float64{0.7, -1.2, 0.4}
	responses[1][0] = greedy(m, prompts[1]) // so that Top1 counts something
	sc := m.Scorer()
	got := sc.SequenceLogProbs(prompts, responses)
	assert.GreaterOrEqual(t, got.Top1[1], 1, "the greedy token is counted")

	want := m.SequenceLogProbs(prompts, responses)
	assert.Equal(t, want.Sum.Data.Float64s(), got.Sum)
	assert.Equal(t, want.Mean.Data.Float64s(), got.Mean)
	assert.Equal(t, []int{2, 4, 0}, got.Count)
	for b, resp := range responses {
		require.Len(t, got.PerToken[b], len(resp))
		seq := append(append([]int(nil), prompts[b]...), resp...)
		logits := m.Forward([][]int{seq}, nil).Data.Float64s() // (1, T, V)
		v := m.Config.VocabSize
		var sum float64
		top1 := 0
		for j, tok := range resp {
			row := logits[(len(prompts[b])-1+j)*v : (len(prompts[b])+j)*v]
			best := 0
			for k, x := range row {
				sum += x
				if x > row[best] {
					best = k
				}
			}
			if best == tok {
				top1++
			}
		}
		assert.InDelta(t, sum, got.LogitSum[b], 1e-12*(1+abs(sum)), "LogitSum[%d]", b)
		assert.Equal(t, top1, got.Top1[b], "Top1[%d]", b)
	}

	// Backward(dSum) = BackwardWith on Σ_b dSum_b Sum_b.
	sc.Backward(dSum)
	grads := gradsOf(m)
	zeroGrad(m)
	lp := m.SequenceLogProbs(prompts, responses)
	autograd.Sum(autograd.Mul(lp.Sum, autograd.Const(tensor.FromValues(tensor.Float64, dSum, 3)))).Backward()
	assert.Equal(t, gradsOf(m), grads)

	// BackwardPerToken with per-token weights equal to dSum gives the same.
	zeroGrad(m)
	sc.SequenceLogProbs(prompts, responses)
	sc.BackwardPerToken([][]float64{{0.7, 0.7}, {-1.2, -1.2, -1.2, -1.2}, {}})
	assert.Equal(t, grads, gradsOf(m))
	zeroGrad(m)

	assert.PanicsWithValue(t, "pythia: Backward needs the graph of a SequenceLogProbs call; the scorer holds none (none was made, or an earlier backward pass consumed it)",
		func() { sc.Backward(dSum) })
	sc.SequenceLogProbs(prompts, responses)
	assert.Panics(t, func() { sc.BackwardPerToken([][]float64{{1}, {1, 1, 1, 1}, {}}) })
}

// CheckSequences returns SequenceLogProbs' panics as errors naming the
// sequence and token; SequenceLogProbs panics with the same message
// instead of failing inside the embedding.
func TestCheckSequences(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	v := m.Config.VocabSize
	ok := [][]int{{1}}
	require.NoError(t, m.CheckSequences(ok, ok))
	for _, c := range []struct {
		prompts, responses [][]int
		want               string
	}{
		{[][]int{{1}}, nil, "pythia: SequenceLogProbs with 1 prompts and 0 responses"},
		{[][]int{{}}, ok, "pythia: SequenceLogProbs prompt 0 is empty; the first response token needs a context"},
		{ok, [][]int{{}}, "pythia: SequenceLogProbs with no response tokens"},
		{[][]int{{1, v}}, ok, "pythia: SequenceLogProbs prompt 0 token 1 is " + itoa(v) + ", outside the vocabulary [0, " + itoa(v) + ")"},
		{[][]int{{1}, {2}}, [][]int{{1}, {3, -1}}, "pythia: SequenceLogProbs response 1 token 1 is -1, outside the vocabulary [0, " + itoa(v) + ")"},
	} {
		err := m.CheckSequences(c.prompts, c.responses)
		assert.EqualError(t, err, c.want)
		assert.PanicsWithValue(t, c.want, func() { m.SequenceLogProbs(c.prompts, c.responses) })
	}
}

// Clone copies the weights into new parameters sharing nothing.
func TestClone(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	c := m.Frozen().Clone()
	pm, pc := m.Params(), c.Params()
	require.Len(t, pc, len(pm))
	for i := range pm {
		assert.Equal(t, pm[i].Name, pc[i].Name)
		assert.Equal(t, pm[i].Value.Data.Float32s(), pc[i].Value.Data.Float32s(), pm[i].Name)
		assert.True(t, pc[i].Value.RequiresGrad())
		assert.NotSame(t, pm[i].Value.Data, pc[i].Value.Data)
	}
	pc[0].Value.Data.Float32s()[0]++
	assert.NotEqual(t, pm[0].Value.Data.Float32s()[0], pc[0].Value.Data.Float32s()[0])
}

func gradsOf(m *Model) [][]float64 {
	var g [][]float64
	for _, p := range m.Params() {
		if p.Value.Grad == nil {
			g = append(g, nil)
			continue
		}
		g = append(g, p.Value.Grad.ToFloat64s())
	}
	return g
}

func zeroGrad(m *Model) {
	for _, p := range m.Params() {
		p.Value.ZeroGrad()
	}
}

// greedy returns the most likely next token after ids.
func greedy(m *Model, ids []int) int {
	logits := m.Forward([][]int{ids}, nil).Data.Float64s()
	v := m.Config.VocabSize
	row := logits[(len(ids)-1)*v:]
	best := 0
	for k, x := range row {
		if x > row[best] {
			best = k
		}
	}
	return best
}

func abs(x float64) float64 { return max(x, -x) }

func itoa(v int) string { return fmt.Sprint(v) }
