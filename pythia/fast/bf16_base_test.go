package fast

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// bf16Base rounds the weights of the float32 and float64 models of
// randomPair to bfloat16 (so the float64 model is the exact reference of
// the rounded base) and returns their bits by name.
func bf16Base(m32, m64 *pythia.Model) pythia.BF16Weights {
	w := pythia.BF16Weights{}
	p64 := m64.Params()
	for k, p := range m32.Params() {
		d := p.Value.Data.Float32s()
		bits := make([]uint16, len(d))
		half.F32sToBF16s(bits, d)
		half.BF16sToF32s(d, bits)
		for j, x := range d {
			p64[k].Value.Data.Float64s()[j] = float64(x)
		}
		w[p.Name] = bits
	}
	return w
}

// TestBF16BaseLoRA checks LoRA training on a bfloat16 base held once
// (Options.BF16Base on a pythia.NewShapeOnly model) against the float64
// model with the rounded weights and the same adapters: sequence log-probs
// and adapter gradients (with and without activation checkpointing), the
// adapters-off reference sharing the same bits, and generation.
func TestBF16BaseLoRA(t *testing.T) {
	for i, v := range variants {
		c := loraConfigs[i%len(loraConfigs)]
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomLoRAPair(t, v.config(), c, uint64(100+i))
			w := bf16Base(m32, m64)
			shell, err := pythia.NewShapeOnly(v.config())
			require.NoError(t, err)
			require.NoError(t, shell.AttachLoRA(c, 1))
			for k, p := range shell.LoRAParams() {
				p.Value.Data.CopyFrom(m32.LoRAParams()[k].Value.Data)
			}
			rng := rand.New(rand.NewPCG(uint64(i), 22))
			vocab := v.config().VocabSize
			distinct := randomIDs(rng, []int{3, 5}, vocab)
			prompts := [][]int{distinct[0], distinct[1], distinct[0]}
			responses := randomIDs(rng, []int{4, 6, 2}, vocab)
			dSum := []float64{1.1, -0.4, 0.8}

			want := m64.SequenceLogProbs(prompts, responses)
			autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum))))).Backward()
			for _, checkpoint := range []bool{false, true} {
				e, err := NewWithOptions(shell, 3, 12, Options{BF16Base: w, CheckpointActivations: checkpoint})
				require.NoError(t, err)
				zeroGrads(shell.LoRAParams())
				got := e.SequenceLogProbs(prompts, responses)
				checkRel(t, "Sum", got.Sum, want.Sum.Data.Float64s(), tolValue)
				e.Backward(dSum)
				p64 := m64.LoRAParams()
				for k, p := range shell.LoRAParams() {
					require.NotNil(t, p.Value.Grad, p.Name)
					checkRel(t, "grad "+p.Name, p.Value.Grad.Float32s(), p64[k].Value.Grad.Float64s(), tolGrad)
				}
			}

			e, err := NewWithOptions(shell, 3, 12, Options{BF16Base: w})
			require.NoError(t, err)
			ref, err := NewWithOptions(shell.WithAdaptersDisabled(), 3, 12, Options{Inference: true, BF16Base: w, ShareWidening: e})
			require.NoError(t, err)
			assert.Same(t, &w["gpt_neox.embed_in.weight"][0], &ref.p.embIn.bf16[0], "the reference copies the base")
			assert.Same(t, &e.wide[0], &ref.wide[0], "the reference has its own widening buffer")
			checkRel(t, "reference Sum", ref.SequenceLogProbs(prompts, responses).Sum,
				m64.WithAdaptersDisabled().SequenceLogProbs(prompts, responses).Sum.Data.Float64s(), tolValue)

			gen, err := NewWithOptions(shell, 3, 12, Options{Inference: true, BF16Base: w})
			require.NoError(t, err)
			opts := pythia.GenerateOptions{MaxNewTokens: 5}
			got, err := gen.Generate(distinct, opts)
			require.NoError(t, err)
			wantGen, err := m32.Generate(distinct, opts) // the rounded base with the same float32 adapters
			require.NoError(t, err)
			assert.Equal(t, wantGen.Tokens, got.Tokens, "greedy tokens")
		})
	}
}

// TestBF16BaseErrors checks that a bfloat16 base must be complete, of the
// model's sizes and frozen.
func TestBF16BaseErrors(t *testing.T) {
	cfg := variants[0].config()
	shell, w, err := pythia.NewRandomBF16(cfg, 1)
	require.NoError(t, err)
	trainable, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	require.NoError(t, err)
	_, err = NewWithOptions(trainable, 1, 4, Options{BF16Base: w})
	assert.ErrorContains(t, err, "is trainable")
	short := pythia.BF16Weights{}
	for k, b := range w {
		short[k] = b
	}
	short["embed_out.weight"] = short["embed_out.weight"][1:]
	_, err = NewWithOptions(shell, 1, 4, Options{BF16Base: short})
	assert.ErrorContains(t, err, "embed_out.weight has")
	delete(short, "embed_out.weight")
	_, err = NewWithOptions(shell, 1, 4, Options{BF16Base: short})
	assert.ErrorContains(t, err, "has no embed_out.weight")
	_, err = NewWithOptions(shell, 1, 4, Options{BF16Base: w})
	assert.NoError(t, err)
}
