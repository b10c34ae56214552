package fast

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

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
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range opts {
			t.Run(v.name+"/"+o.name, func(t *testing.T) {
				got, err := e.Generate(prompts, o.o)
				if err != nil {
					t.Fatal(err)
				}
				want, err := m32.Generate(prompts, o.o)
				if err != nil {
					t.Fatal(err)
				}
				for b := range prompts {
					if !slices.Equal(got.Tokens[b], want.Tokens[b]) || got.Stopped[b] != want.Stopped[b] {
						t.Fatalf("row %d: tokens %v (stopped %v), pythia %v (stopped %v)", b, got.Tokens[b], got.Stopped[b], want.Tokens[b], want.Stopped[b])
					}
					checkAbs(t, "LogProbs", got.LogProbs[b], want.LogProbs[b], 1e-5)
					checkAbs(t, "ModelLogProbs", got.ModelLogProbs[b], want.ModelLogProbs[b], 1e-5)
				}
			})
		}
	}
}

// TestKVCacheLogitsMatchForward feeds fixed tokens through the KV cache of
// a left-padded batch and compares the logits of every step with Logits of
// each row's unpadded sequence (normwise relative 1e-5).
func TestKVCacheLogitsMatchForward(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, _ := randomPair(t, v.config(), uint64(40+i))
			vocab := v.config().VocabSize
			rng := rand.New(rand.NewPCG(uint64(i), 5))
			prompts := randomIDs(rng, []int{4, 1, 6}, vocab)
			fed := randomIDs(rng, []int{5, 5, 5}, vocab) // fed[b][k] is row b's token at step k
			e, err := NewInference(m32, 3, 12)
			if err != nil {
				t.Fatal(err)
			}
			d := e.newDecoder(prompts, len(fed[0]))
			e.cache = d
			steps := [][]float32{slices.Clone(d.prefill(e, prompts))}
			for k := range len(fed[0]) - 1 {
				tokens := []int{fed[0][k], fed[1][k], fed[2][k]}
				steps = append(steps, slices.Clone(d.step(e, tokens)))
			}
			e.cache = nil
			for b, p := range prompts {
				seq := append(slices.Clone(p), fed[b][:len(fed[0])-1]...)
				full := e.Logits([][]int{seq}, nil) // (1, len(seq), V)
				for k, logits := range steps {
					pos := len(p) - 1 + k
					want := make([]float64, vocab)
					for j := range want {
						want[j] = float64(full[pos*vocab+j])
					}
					checkRel(t, "step logits", logits[b*vocab:(b+1)*vocab], want, tolValue)
				}
			}
		})
	}
}

// TestGenerateErrors checks that Generate rejects bad arguments with an
// error.
func TestGenerateErrors(t *testing.T) {
	m32, _ := randomPair(t, variants[0].config(), 1)
	e, err := NewInference(m32, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
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
		if _, err := e.Generate(c.prompts, c.o); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// checkAbs reports an error when two slices differ in length or by more
// than tol in some entry.
func checkAbs(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %.9g, want %.9g", name, i, got[i], want[i])
		}
	}
}
