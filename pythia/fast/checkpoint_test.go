package fast

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/pythia"
)

// TestCheckpointActivationsBitIdentical checks that an engine with
// activation checkpointing gives bit for bit the results and gradients of
// the stored-activations engine on the same model: full fine-tuning
// (SequenceLogProbs with shared prompts, NextTokenLoss and the fused
// NextTokenLossAndGrad) and LoRA with dropout (the recomputed layers must
// reuse the forward pass's masks), in float32 and in bfloat16 mixed
// precision (the recomputation reuses the pass's bfloat16 weights).
func TestCheckpointActivationsBitIdentical(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 21))
			vocab := v.config().VocabSize
			distinct := randomIDs(rng, []int{3, 6}, vocab)
			prompts := [][]int{distinct[0], distinct[1], distinct[0]}
			responses := randomIDs(rng, []int{4, 2, 5}, vocab)
			ids, mask := rightPadded(randomIDs(rng, []int{9, 4, 7}, vocab))
			dSum := []float64{0.5, -1.5, 0.25}

			full, _ := randomPair(t, v.config(), uint64(80+i))
			lora, _ := randomLoRAPair(t, v.config(), loraConfigs[i%len(loraConfigs)], uint64(90+i))
			setDropout(lora, 0.2)
			for _, c := range []struct {
				name   string
				m      *pythia.Model
				params func() []nn.Param
			}{{"full", full, full.Params}, {"lora-dropout", lora, lora.LoRAParams}} {
				for _, prec := range []Precision{Float32, BF16} {
					t.Run(c.name+"/"+prec.String(), func(t *testing.T) {
						stored, err := NewWithOptions(c.m, 3, 10, Options{Precision: prec})
						require.NoError(t, err)
						ck, err := NewWithOptions(c.m, 3, 10, Options{CheckpointActivations: true, Precision: prec})
						require.NoError(t, err)
						require.Len(t, ck.acts, 1, "a checkpointing engine keeps one layer's activations")
						type result struct {
							values []float64
							grads  [][]float32
						}
						run := func(e *Engine, step func(e *Engine) []float64) result {
							zeroGrads(c.params())
							c.m.SetLoRATraining(rand.New(rand.NewPCG(7, 7)))
							r := result{values: step(e)}
							for _, p := range c.params() {
								r.grads = append(r.grads, append([]float32(nil), p.Value.Grad.Float32s()...))
							}
							return r
						}
						steps := map[string]func(e *Engine) []float64{
							"SequenceLogProbs": func(e *Engine) []float64 {
								s := append([]float64(nil), e.SequenceLogProbs(prompts, responses).Sum...)
								e.Backward(dSum)
								return s
							},
							"NextTokenLoss": func(e *Engine) []float64 {
								l := e.NextTokenLoss(ids, mask)
								e.BackwardLoss(1)
								return []float64{l}
							},
							"NextTokenLossAndGrad": func(e *Engine) []float64 {
								return []float64{e.NextTokenLossAndGrad(ids, mask)}
							},
						}
						for name, step := range steps {
							want, got := run(stored, step), run(ck, step)
							assert.Equal(t, want.values, got.values, name+" values")
							for k := range want.grads {
								assert.Equal(t, want.grads[k], got.grads[k], "%s gradient %d", name, k)
							}
						}
					})
				}
			}
		})
	}
}
