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

// Tolerances against the float64 autograd model (pythia.Model) with the
// same weights: normwise relative error of the float32 engine.
const (
	tolValue = 1e-5 // logits, log-probs, sums, losses
	tolGrad  = 1e-4 // parameter gradients
)

// TestLogitsMatchAutograd compares Logits on a right-padded batch with
// pythia.Model.Forward in float64, at the real positions.
func TestLogitsMatchAutograd(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomPair(t, v.config(), uint64(i))
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			ids, mask := rightPadded(randomIDs(rng, []int{9, 5, 1, 7}, v.config().VocabSize))
			e, err := New(m32, 4, 12)
			require.NoError(t, err)
			got := e.Logits(ids, mask)
			want := m64.Forward(ids, mask).Data.Float64s()
			vocab := v.config().VocabSize
			var g32 []float32
			var w64 []float64
			for b := range ids {
				for j := range ids[b] {
					if mask[b][j] {
						off := (b*len(ids[b]) + j) * vocab
						g32 = append(g32, got[off:off+vocab]...)
						w64 = append(w64, want[off:off+vocab]...)
					}
				}
			}
			checkRel(t, "logits", g32, w64, tolValue)
		})
	}
}

// TestSequenceLogProbsMatchAutograd compares SequenceLogProbs and the
// gradients of Σ_b dSum_b Sum_b with pythia.Model.SequenceLogProbs in
// float64 (which right-pads the concatenated sequences), for distinct
// prompts and for prompts shared by several responses (packed once), with
// an empty response among them.
func TestSequenceLogProbsMatchAutograd(t *testing.T) {
	for i, v := range variants {
		m32, m64 := randomPair(t, v.config(), uint64(10+i))
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		vocab := v.config().VocabSize
		distinct := randomIDs(rng, []int{3, 1, 6, 2, 4}, vocab)
		shared := [][]int{distinct[0], distinct[1], distinct[0], distinct[2], distinct[1]}
		responses := randomIDs(rng, []int{4, 7, 0, 3, 5}, vocab)
		dSum := []float64{0.7, -1.3, 0.4, 2.1, -0.6}
		e, err := New(m32, 5, 12)
		require.NoError(t, err)
		for _, c := range []struct {
			name      string
			prompts   [][]int
			recompute bool
		}{{"distinct", distinct, false}, {"shared", shared, false}, {"shared-recomputed", shared, true}} {
			t.Run(v.name+"/"+c.name, func(t *testing.T) {
				if c.recompute {
					recomputeActivations(e)
				}
				zeroGrads(m32.Params())
				zeroGrads(m64.Params())
				got := e.SequenceLogProbs(c.prompts, responses)
				want := m64.SequenceLogProbs(c.prompts, responses)
				checkRel(t, "Sum", got.Sum, want.Sum.Data.Float64s(), tolValue)
				checkRel(t, "Mean", got.Mean, want.Mean.Data.Float64s(), tolValue)
				wantPer := want.PerToken.Data.Float64s()
				r := want.PerToken.Shape()[1]
				for b := range responses {
					assert.Equal(t, want.Count[b], got.Count[b], "Count[%d]", b)
					checkRel(t, "PerToken", got.PerToken[b], wantPer[b*r:b*r+len(responses[b])], tolValue)
				}
				e.Backward(dSum)
				loss := autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum)))))
				loss.Backward()
				checkGrads(t, m32, m64)
			})
		}
	}
}

// TestNextTokenLossMatchAutograd compares NextTokenLoss with BackwardLoss,
// and NextTokenLossAndGrad, with pythia.Model.NextTokenLoss and its
// gradients in float64 on a right-padded batch, an unmasked one, and a
// mask with holes and a left-padded row (queries that see no key).
func TestNextTokenLossMatchAutograd(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomPair(t, v.config(), uint64(20+i))
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			vocab := v.config().VocabSize
			ids, mask := rightPadded(randomIDs(rng, []int{8, 3, 11, 6, 2}, vocab))
			holes := [][]bool{make([]bool, 11), make([]bool, 11)}
			for j := range 11 {
				holes[0][j] = j != 4 && j != 5
				holes[1][j] = j >= 3
			}
			cases := []struct {
				name      string
				ids       [][]int
				mask      [][]bool
				recompute bool
			}{
				{"right-padded", ids, mask, false},
				{"unmasked", ids[:2], nil, false},
				{"holes-and-left-padding", ids[2:4], holes, false},
				{"holes-and-left-padding-recomputed", ids[2:4], holes, true},
			}
			e, err := New(m32, 5, 11)
			require.NoError(t, err)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if c.recompute {
						recomputeActivations(e)
					}
					zeroGrads(m32.Params())
					zeroGrads(m64.Params())
					got := e.NextTokenLoss(c.ids, c.mask)
					want := m64.NextTokenLoss(c.ids, c.mask)
					checkRel(t, "loss", []float64{got}, []float64{want.Item()}, tolValue)
					e.BackwardLoss(1)
					want.Backward()
					checkGrads(t, m32, m64)

					// The fused pass, in chunks of 3 rows.
					zeroGrads(m32.Params())
					e.fused = newFusedOutput(e.out, vocab)
					e.fused.rows = 3
					fused := e.NextTokenLossAndGrad(c.ids, c.mask)
					checkRel(t, "fused loss", []float64{fused}, []float64{want.Item()}, tolValue)
					checkGrads(t, m32, m64)
				})
			}
		})
	}
}

// TestBackwardAccumulates checks that a second backward pass adds to
// existing gradients: twice the gradient of one pass (reference: the
// engine's own first pass, scaled), and that gradients attached by the
// engine are reused, not reallocated, after ZeroGrad.
func TestBackwardAccumulates(t *testing.T) {
	v := variants[1] // tied: the embedding gradient gets both contributions
	m32, _ := randomPair(t, v.config(), 5)
	ids, mask := rightPadded(randomIDs(rand.New(rand.NewPCG(5, 5)), []int{6, 4}, v.config().VocabSize))
	e, err := New(m32, 2, 6)
	require.NoError(t, err)
	e.NextTokenLoss(ids, mask)
	e.BackwardLoss(1)
	once := map[string][]float64{}
	grads := map[string]*tensor.Tensor{}
	for _, p := range m32.Params() {
		once[p.Name] = p.Value.Grad.ToFloat64s()
		grads[p.Name] = p.Value.Grad
	}
	e.NextTokenLoss(ids, mask)
	e.BackwardLoss(1)
	for _, p := range m32.Params() {
		twice := make([]float64, len(once[p.Name]))
		for i, g := range once[p.Name] {
			twice[i] = 2 * g
		}
		checkRel(t, p.Name+" accumulated", p.Value.Grad.Float32s(), twice, 1e-6)
		p.Value.ZeroGrad()
	}
	e.NextTokenLoss(ids, mask)
	e.BackwardLoss(1)
	for _, p := range m32.Params() {
		assert.Same(t, grads[p.Name], p.Value.Grad, "%s: gradient tensor reallocated after ZeroGrad", p.Name)
		checkRel(t, p.Name+" after ZeroGrad", p.Value.Grad.Float32s(), once[p.Name], 1e-6)
	}
}

// recomputeActivations makes e's backward pass recompute the attention
// probabilities and the activation outputs, as it does for sequences
// longer than keepProbsMaxSeq and models larger than keepActValues.
func recomputeActivations(e *Engine) {
	for i := range e.acts {
		e.acts[i].probs, e.acts[i].act = nil, nil
	}
}

// checkGrads compares every parameter gradient of the float32 model with
// the float64 model's.
func checkGrads(t *testing.T, m32, m64 *pythia.Model) {
	t.Helper()
	p64 := m64.Params()
	for i, p := range m32.Params() {
		if !assert.NotNil(t, p.Value.Grad, "%s: no gradient", p.Name) {
			continue
		}
		checkRel(t, "grad "+p.Name, p.Value.Grad.Float32s(), p64[i].Value.Grad.Float64s(), tolGrad)
	}
}
