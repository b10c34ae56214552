package fast

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// loraConfigs are the adapter settings of the LoRA tests, one per variant
// (cycled): every projection alone, all four, and rsLoRA scaling.
var loraConfigs = []pythia.LoRAConfig{
	{R: 3, Alpha: 5, Targets: pythia.LoRATargets},
	{R: 2, Alpha: 4, Targets: []string{"query_key_value"}, RSLoRA: true},
	{R: 4, Alpha: 3, Targets: []string{"dense", "dense_4h_to_h"}},
	{R: 1, Alpha: 2, Targets: []string{"dense_h_to_4h"}},
	{R: 3, Alpha: 6, Targets: pythia.LoRATargets, RSLoRA: true},
}

// randomLoRAPair attaches adapters of configuration c to the float32 and
// float64 models of randomPair and gives both the same random A and B
// (normal, std 0.3: B is not zero, so every adapter gradient is
// non-trivial).
func randomLoRAPair(t testing.TB, cfg pythia.Config, c pythia.LoRAConfig, seed uint64) (m32, m64 *pythia.Model) {
	t.Helper()
	m32, m64 = randomPair(t, cfg, seed)
	require.NoError(t, m32.AttachLoRA(c, seed))
	require.NoError(t, m64.AttachLoRA(c, seed))
	rng := rand.New(rand.NewPCG(seed, 11))
	p64 := m64.LoRAParams()
	for i, p := range m32.LoRAParams() {
		d := p.Value.Data.Float32s()
		for j := range d {
			d[j] = float32(0.3 * rng.NormFloat64())
		}
		p64[i].Value.Data.CopyFrom(p.Value.Data.Cast(tensor.Float64))
	}
	return m32, m64
}

// checkLoRAGrads compares the adapter gradients of the float32 model with
// the float64 model's, and checks that no base parameter got a gradient.
func checkLoRAGrads(t *testing.T, m32, m64 *pythia.Model) {
	t.Helper()
	p64 := m64.LoRAParams()
	for i, p := range m32.LoRAParams() {
		if !assert.NotNil(t, p.Value.Grad, "%s: no gradient", p.Name) {
			continue
		}
		checkRel(t, "grad "+p.Name, p.Value.Grad.Float32s(), p64[i].Value.Grad.Float64s(), tolGrad)
	}
	for _, p := range m32.Params() {
		assert.Nil(t, p.Value.Grad, "frozen base parameter %s got a gradient buffer", p.Name)
	}
}

// TestLoRAMatchesAutograd compares a training engine on a model with LoRA
// adapters (frozen base) with the float64 autograd model: SequenceLogProbs
// sums and adapter gradients for distinct and shared prompts, and
// NextTokenLoss with its gradients, with and without dropout. With dropout
// both draw their masks from equally seeded RNGs (SetLoRATraining): on an
// unpadded batch the engine's rows are the autograd model's (B, T)
// positions in order, so the masks are the same.
func TestLoRAMatchesAutograd(t *testing.T) {
	for i, v := range variants {
		c := loraConfigs[i%len(loraConfigs)]
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomLoRAPair(t, v.config(), c, uint64(60+i))
			rng := rand.New(rand.NewPCG(uint64(i), 12))
			vocab := v.config().VocabSize
			distinct := randomIDs(rng, []int{3, 1, 6, 2}, vocab)
			shared := [][]int{distinct[0], distinct[1], distinct[0], distinct[1]}
			responses := randomIDs(rng, []int{4, 7, 0, 3}, vocab)
			dSum := []float64{0.7, -1.3, 0.4, 2.1}
			e, err := New(m32, 4, 12)
			require.NoError(t, err)
			for _, prompts := range [][][]int{distinct, shared} {
				zeroGrads(m32.LoRAParams())
				zeroGrads(m64.LoRAParams())
				got := e.SequenceLogProbs(prompts, responses)
				want := m64.SequenceLogProbs(prompts, responses)
				checkRel(t, "Sum", got.Sum, want.Sum.Data.Float64s(), tolValue)
				e.Backward(dSum)
				autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum))))).Backward()
				checkLoRAGrads(t, m32, m64)
			}

			ids := randomIDs(rng, []int{9, 9, 9}, vocab) // unpadded: the dropout masks line up
			for _, dropout := range []float64{0, 0.3} {
				for _, m := range []*pythia.Model{m32, m64} {
					for _, p := range m.LoRAParams() {
						p.Value.ZeroGrad()
					}
					setDropout(m, dropout)
					m.SetLoRATraining(rand.New(rand.NewPCG(uint64(i), 13)))
				}
				got := e.NextTokenLoss(ids, nil)
				e.BackwardLoss(1)
				want := m64.NextTokenLoss(ids, nil)
				want.Backward()
				checkRel(t, "loss", []float64{got}, []float64{want.Item()}, tolValue)
				checkLoRAGrads(t, m32, m64)
			}
		})
	}
}

// setDropout sets the lora_dropout of every adapter of m.
func setDropout(m *pythia.Model, p float64) {
	for i := range m.Layers {
		l := &m.Layers[i]
		for _, a := range []*nn.LoRA{l.Attention.QKVLoRA, l.Attention.DenseLoRA, l.MLP.UpLoRA, l.MLP.DownLoRA} {
			if a != nil {
				a.Dropout = p
			}
		}
	}
}

// TestLoRADropoutChangesResult checks that dropout is applied in training
// mode and only there: the loss with lora_dropout 0.5 differs from the
// evaluation-mode loss, two passes from equally seeded RNGs agree bit for
// bit, and a merged adapter is skipped (the merged base alone gives the
// unmerged result).
func TestLoRADropoutChangesResult(t *testing.T) {
	v := variants[0]
	m32, _ := randomLoRAPair(t, v.config(), loraConfigs[0], 70)
	ids := randomIDs(rand.New(rand.NewPCG(70, 1)), []int{8, 8}, v.config().VocabSize)
	e, err := NewInference(m32, 2, 8)
	require.NoError(t, err)
	eval := e.NextTokenLoss(ids, nil)
	setDropout(m32, 0.5)
	m32.SetLoRATraining(rand.New(rand.NewPCG(1, 2)))
	first := e.NextTokenLoss(ids, nil)
	m32.SetLoRATraining(rand.New(rand.NewPCG(1, 2)))
	second := e.NextTokenLoss(ids, nil)
	assert.NotEqual(t, eval, first, "dropout 0.5 did not change the loss")
	assert.Equal(t, first, second, "equally seeded dropout passes differ")

	m32.SetLoRATraining(nil)
	m32.MergeLoRA()
	merged := e.NextTokenLoss(ids, nil)
	assert.InDelta(t, eval, merged, 1e-5*math.Abs(eval), "merged adapters")
}

// TestLoRAAdaptersOffReference checks the reference of a LoRA policy: an
// inference engine on m.WithAdaptersDisabled() shares the base weights and
// computes the base model (the float64 model without adapters).
func TestLoRAAdaptersOffReference(t *testing.T) {
	v := variants[3]
	m32, m64 := randomLoRAPair(t, v.config(), loraConfigs[0], 71)
	ref, err := NewInference(m32.WithAdaptersDisabled(), 2, 10)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(71, 1))
	prompts, responses := randomIDs(rng, []int{3, 5}, v.config().VocabSize), randomIDs(rng, []int{4, 5}, v.config().VocabSize)
	got := ref.SequenceLogProbs(prompts, responses)
	want := m64.WithAdaptersDisabled().SequenceLogProbs(prompts, responses)
	checkRel(t, "Sum", got.Sum, want.Sum.Data.Float64s(), tolValue)
	with := m64.SequenceLogProbs(prompts, responses).Sum.Data.Float64s()
	assert.Greater(t, relErr(got.Sum, with), 1e-3, "the adapters-off engine computes the adapted model")
}
