package fast

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/pythia"
)

// TestInferenceBF16 checks an engine made by NewInferenceBF16 against the
// float64 pythia model whose weights are the bfloat16 roundings of the
// float32 model's (its exact reference): sequence log-probs, logits and the
// loss to 1e-5 relative, generated tokens equal to the rounded float32
// model's; and that later changes to the float32 model are not seen.
func TestInferenceBF16(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomPair(t, v.config(), uint64(50+i))
			e, err := NewInferenceBF16(m32, 4, 12)
			require.NoError(t, err)
			assert.Nil(t, e.Model(), "Model() of a bfloat16 engine")
			p64 := m64.Params()
			for k, p := range m32.Params() {
				d := p.Value.Data.Float32s()
				bits := make([]uint16, len(d))
				half.F32sToBF16s(bits, d)
				half.BF16sToF32s(d, bits) // m32 now holds the rounded weights too
				for j, x := range d {
					p64[k].Value.Data.Float64s()[j] = float64(x)
				}
			}
			rng := rand.New(rand.NewPCG(uint64(i), 6))
			vocab := v.config().VocabSize
			prompts, responses := randomIDs(rng, []int{3, 5, 2}, vocab), randomIDs(rng, []int{4, 2, 6}, vocab)
			got := e.SequenceLogProbs(prompts, responses)
			checkRel(t, "Sum", got.Sum, m64.SequenceLogProbs(prompts, responses).Sum.Data.Float64s(), tolValue)

			ids, mask := rightPadded(randomIDs(rng, []int{7, 3}, vocab))
			loss := e.NextTokenLoss(ids, mask)
			checkRel(t, "loss", []float64{loss}, []float64{m64.NextTokenLoss(ids, mask).Item()}, tolValue)
			logits := slices.Clone(e.Logits(ids[:1], nil))
			checkRel(t, "logits", logits, m64.Forward(ids[:1], nil).Data.Float64s(), tolValue)

			opts := pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 1}, MaxNewTokens: 6, Seed: 9}
			gen, err := e.Generate(prompts, opts)
			require.NoError(t, err)
			want, err := m32.Generate(prompts, opts)
			require.NoError(t, err)
			for b := range prompts {
				assert.True(t, slices.Equal(gen.Tokens[b], want.Tokens[b]), "row %d: tokens %v, rounded float32 model %v", b, gen.Tokens[b], want.Tokens[b])
			}

			for _, p := range m32.Params() { // a snapshot: later changes are not seen
				clear(p.Value.Data.Float32s())
			}
			again := e.SequenceLogProbs(prompts, responses)
			checkRel(t, "Sum after changing the float32 model", again.Sum, m64.SequenceLogProbs(prompts, responses).Sum.Data.Float64s(), tolValue)
		})
	}
}
