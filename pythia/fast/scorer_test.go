package fast

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// scorerBatch is a packed batch with shared prompts and an empty response.
func scorerBatch(seed uint64, vocab int) (prompts, responses [][]int) {
	rng := rand.New(rand.NewPCG(seed, 4))
	distinct := randomIDs(rng, []int{3, 1, 6}, vocab)
	prompts = [][]int{distinct[0], distinct[1], distinct[0], distinct[2], distinct[1]}
	responses = randomIDs(rng, []int{4, 7, 0, 3, 5}, vocab)
	return prompts, responses
}

// TestScorerConformance runs every float32 implementation of pythia.Scorer
// (the engine, and the autograd model's scorer) against the float64
// autograd model's scorer with the same weights: every LogProbs field,
// including the logit sums the engine forms inside its fused output layer,
// and the gradients of Backward and BackwardPerToken.
func TestScorerConformance(t *testing.T) {
	for i, v := range variants {
		m32, m64 := randomPair(t, v.config(), uint64(30+i))
		prompts, responses := scorerBatch(uint64(i), v.config().VocabSize)
		responses[1] = greedyTokens(m64, prompts[1], len(responses[1])) // Top1 counts all of them
		e, err := New(m32, 5, 12)
		require.NoError(t, err)
		impls := []struct {
			name string
			sc   pythia.Scorer
		}{{"engine", e}, {"autograd-float32", m32.Scorer()}}
		dSum := []float64{0.7, -1.3, 0.4, 2.1, -0.6}
		for _, impl := range impls {
			t.Run(v.name+"/"+impl.name, func(t *testing.T) {
				ref := m64.Scorer()
				for _, perToken := range []bool{false, true} {
					zeroGrads(m32.Params())
					zeroGrads(m64.Params())
					got, want := impl.sc.SequenceLogProbs(prompts, responses), ref.SequenceLogProbs(prompts, responses)
					checkRel(t, "Sum", got.Sum, want.Sum, tolValue)
					checkRel(t, "Mean", got.Mean, want.Mean, tolValue)
					checkRel(t, "LogitSum", got.LogitSum, want.LogitSum, tolValue)
					assert.Equal(t, want.Count, got.Count)
					assert.Equal(t, want.Top1, got.Top1)
					assert.Equal(t, len(responses[1]), want.Top1[1])
					for b := range responses {
						checkRel(t, "PerToken", got.PerToken[b], want.PerToken[b], tolValue)
					}
					if perToken {
						d := make([][]float64, len(responses))
						for b, r := range responses {
							for j := range r {
								d[b] = append(d[b], dSum[b]*float64(j+1))
							}
						}
						impl.sc.BackwardPerToken(d)
						ref.BackwardPerToken(d)
					} else {
						impl.sc.Backward(dSum)
						ref.Backward(dSum)
					}
					checkGrads(t, m32, m64)
				}
			})
		}
	}
}

// scorerLoss is a nonlinear loss of a scorer's sums, entering the graph
// through pythia.SumValue (autograd.Custom):
// Σ_b w_b S_b + 0.05 Σ_b S_b².
func scorerLoss(sc pythia.Scorer, prompts, responses [][]int) *autograd.Value {
	lp := sc.SequenceLogProbs(prompts, responses)
	b := len(lp.Sum)
	sums := pythia.SumValue(sc, lp)
	w := autograd.Const(tensor.FromValues(tensor.Float64, []float64{0.7, -1.3, 0.4, 2.1, -0.6}[:b], b))
	return autograd.Add(autograd.Sum(autograd.Mul(sums, w)), autograd.Scale(autograd.Sum(autograd.Mul(sums, sums)), 0.05))
}

// TestCustomScorerGradient checks an autograd loss driving a scorer's
// backward pass through autograd.Custom: with autograd.CheckGrad (central
// differences in float64) on a float64 model, whose final LayerNorm weight
// is the checked input, and then the float32 engine's gradients of every
// parameter against the float64 model's.
func TestCustomScorerGradient(t *testing.T) {
	v := variants[0]
	m32, m64 := randomPair(t, v.config(), 40)
	prompts, responses := scorerBatch(40, v.config().VocabSize)
	sc := m64.Scorer()
	err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
		m64.FinalNormWeight = in[0] // the scorer's backward pass reaches it through the model's graph
		return scorerLoss(sc, prompts, responses)
	}, []*tensor.Tensor{m64.FinalNormWeight.Data}, autograd.CheckOptions{})
	require.NoError(t, err)

	_, m64 = randomPair(t, v.config(), 40) // fresh parameters
	e, err := New(m32, 5, 12)
	require.NoError(t, err)
	scorerLoss(e, prompts, responses).Backward()
	scorerLoss(m64.Scorer(), prompts, responses).Backward()
	checkGrads(t, m32, m64)
}

// greedyTokens returns the n tokens the float64 model m picks greedily
// after prompt (argmax of Forward's logits, one token at a time).
func greedyTokens(m *pythia.Model, prompt []int, n int) []int {
	seq := append([]int(nil), prompt...)
	v := m.Config.VocabSize
	for range n {
		logits := m.Forward([][]int{seq}, nil).Data.Float64s()
		row := logits[(len(seq)-1)*v:]
		best := 0
		for k, x := range row {
			if x > row[best] {
				best = k
			}
		}
		seq = append(seq, best)
	}
	return seq[len(prompt):]
}

// perTokenLoss is Σ_bj c_j logp_bj² with c_j = 0.1 (j+1), through
// pythia.PerTokenValue.
func perTokenLoss(sc pythia.Scorer, prompts, responses [][]int) *autograd.Value {
	lp := sc.SequenceLogProbs(prompts, responses)
	per := pythia.PerTokenValue(sc, lp, tensor.Float64) // (B, R)
	r := per.Shape()[1]
	c := make([]float64, r)
	for j := range c {
		c[j] = 0.1 * float64(j+1)
	}
	return autograd.Sum(autograd.Mul(autograd.Mul(per, per), autograd.Const(tensor.FromValues(tensor.Float64, c, 1, r))))
}

// TestPerTokenValueGradient is TestCustomScorerGradient for a per-token
// loss: CheckGrad on the float64 model, then the engine against it.
func TestPerTokenValueGradient(t *testing.T) {
	v := variants[1]
	m32, m64 := randomPair(t, v.config(), 41)
	prompts, responses := scorerBatch(41, v.config().VocabSize)
	sc := m64.Scorer()
	err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
		m64.FinalNormBias = in[0]
		return perTokenLoss(sc, prompts, responses)
	}, []*tensor.Tensor{m64.FinalNormBias.Data}, autograd.CheckOptions{})
	require.NoError(t, err)

	_, m64 = randomPair(t, v.config(), 41)
	e, err := New(m32, 5, 12)
	require.NoError(t, err)
	perTokenLoss(e, prompts, responses).Backward()
	perTokenLoss(m64.Scorer(), prompts, responses).Backward()
	checkGrads(t, m32, m64)
}
