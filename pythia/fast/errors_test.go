package fast

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestNewErrors checks that New rejects what the engine cannot run.
func TestNewErrors(t *testing.T) {
	cfg := variants[0].config()
	m64, err := pythia.NewRandom(cfg, tensor.Float64, 1)
	require.NoError(t, err)
	_, err = New(m64, 2, 4)
	assert.ErrorContains(t, err, "float32", "New on a float64 model")
	m32, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	require.NoError(t, err)
	_, err = New(m32, 0, 4)
	assert.Error(t, err, "New with maxBatch 0")
}

// TestPanics checks the programmer errors: inputs that do not fit the
// engine and backward passes without their forward pass. Each case names
// a substring of the expected panic message.
func TestPanics(t *testing.T) {
	m32, _ := randomPair(t, variants[0].config(), 2)
	e, err := New(m32, 2, 6)
	require.NoError(t, err)
	inf, err := NewInference(m32, 2, 6)
	require.NoError(t, err)
	ids := [][]int{{1, 2, 3}, {4, 5, 6}}
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"too many sequences", "holds up to 2", func() { e.SequenceLogProbs([][]int{{1}, {1}, {1}}, [][]int{{2}, {2}, {2}}) }},
		{"sequence too long", "holds up to 6", func() { e.SequenceLogProbs([][]int{{1, 2, 3, 4}}, [][]int{{1, 2, 3}}) }},
		{"empty prompt", "prompt 0 is empty", func() { e.SequenceLogProbs([][]int{{}}, [][]int{{1}}) }},
		{"no response tokens", "no response tokens", func() { e.SequenceLogProbs([][]int{{1}}, [][]int{{}}) }},
		{"id outside the vocabulary", "outside the vocabulary", func() { e.SequenceLogProbs([][]int{{1}}, [][]int{{97}}) }},
		{"ragged ids", "ids row 1", func() { e.NextTokenLoss([][]int{{1, 2}, {1}}, nil) }},
		{"mask shape", "mask row 0", func() { e.NextTokenLoss(ids, [][]bool{{true}, {true, true, true}}) }},
		{"one token", "at least 2", func() { e.NextTokenLoss([][]int{{1}}, nil) }},
		{"batch too long", "holds up to", func() { e.Logits([][]int{{1, 2, 3, 4, 5, 6, 7}}, nil) }},
		{"Backward without forward", "needs the activations", func() {
			e.NextTokenLoss(ids, nil)
			e.Backward([]float64{1, 1})
		}},
		{"second Backward", "needs the activations", func() {
			e.SequenceLogProbs(ids, ids)
			e.Backward([]float64{1, 1})
			e.Backward([]float64{1, 1})
		}},
		{"Backward size", "2 sums", func() {
			e.SequenceLogProbs(ids[:1], ids[:1])
			e.Backward([]float64{1, 1})
		}},
		{"BackwardPerToken shape", "row 0 has 2 values", func() {
			e.SequenceLogProbs(ids, ids)
			e.BackwardPerToken([][]float64{{1, 1}, {1, 1, 1}})
		}},
		{"Backward on an inference engine", "inference engine", func() {
			inf.SequenceLogProbs(ids, ids)
			inf.Backward([]float64{1, 1})
		}},
		{"NextTokenLossAndGrad on an inference engine", "inference engine", func() { inf.NextTokenLossAndGrad(ids, nil) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			assertPanicContains(t, c.want, c.f)
		})
	}
	zeroGrads(m32.Params())
}

// assertPanicContains asserts that f panics with a string message
// containing want.
func assertPanicContains(t *testing.T, want string, f func()) {
	t.Helper()
	var r any
	func() {
		defer func() { r = recover() }()
		f()
	}()
	if !assert.NotNil(t, r, "no panic; want one containing %q", want) {
		return
	}
	msg, ok := r.(string)
	if !ok {
		assert.Failf(t, "panic value is not a string", "panic %v (%T); want a message containing %q", r, r, want)
		return
	}
	assert.Contains(t, msg, want, "panic message")
}

// TestWeightsReadEveryCall checks that the engine sees weights changed in
// place between calls (as an optimizer changes them): its log-probs after
// the change equal the float64 model's with the same change.
func TestWeightsReadEveryCall(t *testing.T) {
	m32, m64 := randomPair(t, variants[0].config(), 3)
	e, err := NewInference(m32, 2, 10)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 3))
	prompts, responses := randomIDs(rng, []int{3, 4}, 97), randomIDs(rng, []int{5, 2}, 97)
	e.SequenceLogProbs(prompts, responses)
	p32, p64 := m32.Params(), m64.Params()
	for i := range p32 {
		d32, d64 := p32[i].Value.Data.Float32s(), p64[i].Value.Data.Float64s()
		for j := range d32 {
			d32[j] *= 1.1
			d64[j] = float64(d32[j])
		}
	}
	got := e.SequenceLogProbs(prompts, responses)
	want := m64.SequenceLogProbs(prompts, responses)
	checkRel(t, "Sum after a weight update", got.Sum, want.Sum.Data.Float64s(), tolValue)
}
