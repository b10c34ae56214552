package fast

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
)

// TestGenerateMatchesPythia checks Generate against pythia.Model.Generate
// on the same float32 weights and seed: identical tokens and stop flags,
// log-probabilities within 1e-5 (both compute in float32; only the
// rounding of the logits differs). The engine holds 2 rows, so the 5
// prompts run in 3 groups.
func TestGenerateMatchesPythia(t *testing.T) {
	opts := []struct {
		name string
		o    pythia.GenerateOptions
	}{
		{"greedy", pythia.GenerateOptions{MaxNewTokens: 9, Seed: 3}},
		{"temperature-1", pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 1}, MaxNewTokens: 12, Seed: 4}},
		{"top-k-top-p-stop", pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 0.8, TopK: 20, TopP: 0.9}, MaxNewTokens: 12, StopTokens: []int{5, 7, 11}, Seed: 5}},
	}
	for i, v := range variants[:3] {
		m32, _ := randomPair(t, v.config(), uint64(30+i))
		rng := rand.New(rand.NewPCG(uint64(i), 4))
		prompts := randomIDs(rng, []int{3, 1, 6, 2, 5}, v.config().VocabSize)
		e, err := NewInference(m32, 2, 8)
		require.NoError(t, err)
		for _, o := range opts {
			t.Run(v.name+"/"+o.name, func(t *testing.T) {
				got, err := e.Generate(prompts, o.o)
				require.NoError(t, err)
				want, err := m32.Generate(prompts, o.o)
				require.NoError(t, err)
				for b := range prompts {
					require.Equal(t, want.Tokens[b], got.Tokens[b], "row %d tokens", b)
					require.Equal(t, want.Stopped[b], got.Stopped[b], "row %d stopped", b)
					assert.InDeltaSlice(t, want.LogProbs[b], got.LogProbs[b], 1e-5, "row %d LogProbs", b)
					assert.InDeltaSlice(t, want.ModelLogProbs[b], got.ModelLogProbs[b], 1e-5, "row %d ModelLogProbs", b)
				}
			})
		}
	}
}

// TestKVCacheLogitsMatchForward feeds fixed tokens through the engine's
// pythia.Decoder (a KV cache over a left-padded batch) and compares the
// logits of every step with Logits of each row's unpadded sequence
// (normwise relative 1e-5).
func TestKVCacheLogitsMatchForward(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, _ := randomPair(t, v.config(), uint64(40+i))
			vocab := v.config().VocabSize
			rng := rand.New(rand.NewPCG(uint64(i), 5))
			prompts := randomIDs(rng, []int{4, 1, 6}, vocab)
			fed := randomIDs(rng, []int{5, 5, 5}, vocab) // fed[b][k] is row b's token at step k
			e, err := NewInference(m32, 3, 12)
			require.NoError(t, err)
			g := &generator{e: e}
			var steps [][][]float64 // [step][row][V]
			logits := g.Prefill(prompts, len(fed[0]))
			for k := range len(fed[0]) {
				steps = append(steps, clone2(logits))
				logits = g.Step([]int{fed[0][k], fed[1][k], fed[2][k]})
			}
			assert.Panics(t, func() { g.Step([]int{1, 2, 3}) }, "a step past maxNew")
			assert.Panics(t, func() { g.Step([]int{1}) }, "a step with 1 token for 3 rows")
			e.cache = nil
			for b, p := range prompts {
				seq := append(slices.Clone(p), fed[b][:len(fed[0])-1]...)
				full := e.Logits([][]int{seq}, nil) // (1, len(seq), V)
				for k, rows := range steps {
					pos := len(p) - 1 + k
					want := make([]float64, vocab)
					for j := range want {
						want[j] = float64(full[pos*vocab+j])
					}
					checkRel(t, "step logits", rows[b], want, tolValue)
				}
			}
		})
	}
}

// clone2 returns a deep copy of rows.
func clone2(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
	}
	return out
}

// TestGenerateErrors checks that Generate rejects bad arguments with an
// error, and that the engine's decoder panics on a batch it cannot hold.
func TestGenerateErrors(t *testing.T) {
	m32, _ := randomPair(t, variants[0].config(), 1)
	e, err := NewInference(m32, 2, 4)
	require.NoError(t, err)
	ok := pythia.GenerateOptions{MaxNewTokens: 2}
	for _, c := range []struct {
		name    string
		prompts [][]int
		o       pythia.GenerateOptions
	}{
		{"no prompts", nil, ok},
		{"empty prompt", [][]int{{}}, ok},
		{"prompt longer than MaxSeq", [][]int{{1, 2, 3, 4, 5}}, ok},
		{"id outside the vocabulary", [][]int{{1, 97}}, ok},
		{"MaxNewTokens 0", [][]int{{1}}, pythia.GenerateOptions{}},
		{"negative temperature", [][]int{{1}}, pythia.GenerateOptions{MaxNewTokens: 1, SampleOptions: pythia.SampleOptions{Temperature: -1}}},
		{"negative TopK", [][]int{{1}}, pythia.GenerateOptions{MaxNewTokens: 1, SampleOptions: pythia.SampleOptions{TopK: -1}}},
		{"TopP above 1", [][]int{{1}}, pythia.GenerateOptions{MaxNewTokens: 1, SampleOptions: pythia.SampleOptions{TopP: 1.5}}},
	} {
		_, err := e.Generate(c.prompts, c.o)
		assert.Error(t, err, c.name)
	}
	g := &generator{e: e}
	assert.Panics(t, func() { g.Prefill([][]int{{1}, {2}, {3}}, 1) }, "3 prompts, MaxBatch 2")
	assert.Panics(t, func() { g.Prefill([][]int{{1, 2, 3, 4, 5}}, 1) }, "a prompt longer than MaxSeq")
	assert.Panics(t, func() { g.Step([]int{1}) }, "a step before any prefill")
}
