package pythia

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/daalab/daa/tensor"
)

// randomTinyModel is a 2-layer model with weights large enough (std 0.3) for
// peaked, position-dependent next-token distributions.
func randomTinyModel(t *testing.T, dt tensor.DType) *Model {
	t.Helper()
	cfg := tinyConfig(t)
	cfg.VocabSize, cfg.InitializerRange = 23, 0.3
	m, err := NewRandom(cfg, dt, 42)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The KV-cache path (left-padded prefill, then one token per step) gives the
// logits of a full forward pass over each row's unpadded sequence, to 1e-12
// (float64) and 1e-5 (float32) normwise relative.
func TestKVCacheMatchesFullForward(t *testing.T) {
	for _, c := range dtypes {
		m := randomTinyModel(t, c.dt).Frozen()
		prompts := [][]int{{3, 1, 4}, {1, 5, 9, 2, 6}, {7}}
		fed := [][]int{{2, 7, 1, 8}, {2, 8, 1, 8}, {2, 8, 4, 5}} // tokens appended step by step
		dec, logits := newDecoder(m, prompts)
		for step := 0; step <= len(fed[0]); step++ {
			for b, p := range prompts {
				seq := append(slices.Clone(p), fed[b][:step]...)
				full := m.Forward([][]int{seq}, nil).Data.Select(1, len(seq)-1).ToFloat64s() // (1, V) at the last position
				if e := relErr(tensor.FromFloat64s(logits[b]), full); e > c.tol {
					t.Errorf("%s step %d row %d: cached logits differ from the full forward by %.3g relative", c.dt, step, b, e)
				}
			}
			if step < len(fed[0]) {
				tokens := make([]int, len(prompts))
				for b := range tokens {
					tokens[b] = fed[b][step]
				}
				logits = dec.step(tokens)
			}
		}
	}
}

// Greedy continuations of testdata/padded's prompts equal the PyTorch
// reference's (gen_expected.py --greedy: argmax of a full forward per step).
func TestGenerateGreedyMatchesReference(t *testing.T) {
	dir := filepath.Join("testdata", "padded")
	want := openExpected(t, filepath.Join(dir, "expected.safetensors"))
	ids, mask := want.ints("input_ids"), want.ints("attention_mask")
	var prompts [][]int
	for i, row := range ids {
		n := 0
		for _, v := range mask[i] {
			n += v
		}
		prompts = append(prompts, row[:n])
	}
	for _, c := range dtypes {
		m, err := LoadDir(dir, LoadOptions{DType: c.dt})
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.Generate(prompts, GenerateOptions{MaxNewTokens: 6})
		if err != nil {
			t.Fatal(err)
		}
		for i := range prompts {
			ref := want.ints(fmt.Sprintf("greedy.%d", i))[0]
			if !slices.Equal(g.Tokens[i], ref) {
				t.Errorf("%s prompt %d: greedy %v, reference %v", c.dt, i, g.Tokens[i], ref)
			}
			for j, lp := range g.LogProbs[i] {
				if lp != 0 {
					t.Errorf("greedy log-prob under the sampling distribution %v; want 0", lp)
				}
				if g.ModelLogProbs[i][j] >= 0 {
					t.Errorf("model log-prob %v; want < 0", g.ModelLogProbs[i][j])
				}
			}
		}
	}
}

// ModelLogProbs of sampled tokens equal SequenceLogProbs of the same
// (prompt, tokens) pairs; generation is reproducible from the seed; a row's
// result does not depend on the other rows (greedy); stop tokens end rows.
func TestGenerateConsistency(t *testing.T) {
	m := randomTinyModel(t, tensor.Float64)
	prompts := [][]int{{3, 1, 4}, {1, 5, 9, 2, 6}, {7}}
	opts := GenerateOptions{SampleOptions: SampleOptions{Temperature: 0.8, TopK: 10, TopP: 0.95}, MaxNewTokens: 7, Seed: 9}
	g, err := m.Generate(prompts, opts)
	if err != nil {
		t.Fatal(err)
	}
	lp := m.SequenceLogProbs(prompts, g.Tokens)
	for i := range prompts {
		for j, v := range g.ModelLogProbs[i] {
			if d := math.Abs(v - lp.PerToken.Data.At(i, j)); d > 1e-12 {
				t.Errorf("row %d token %d: model log-prob %.15g, SequenceLogProbs %.15g", i, j, v, lp.PerToken.Data.At(i, j))
			}
			if g.LogProbs[i][j] > 0 {
				t.Errorf("row %d token %d: sampling log-prob %v > 0", i, j, g.LogProbs[i][j])
			}
		}
	}
	again, _ := m.Generate(prompts, opts)
	if !slices.EqualFunc(g.Tokens, again.Tokens, slices.Equal) {
		t.Errorf("same seed, different tokens: %v vs %v", g.Tokens, again.Tokens)
	}

	greedy := GenerateOptions{MaxNewTokens: 5}
	batch, _ := m.Generate(prompts, greedy)
	for i, p := range prompts {
		alone, _ := m.Generate([][]int{p}, greedy)
		if !slices.Equal(alone.Tokens[0], batch.Tokens[i]) {
			t.Errorf("row %d: batched %v, alone %v", i, batch.Tokens[i], alone.Tokens[0])
		}
	}
	stop := greedy
	stop.StopTokens = []int{batch.Tokens[1][1]}
	s, _ := m.Generate(prompts, stop)
	if len(s.Tokens[1]) != 2 || !s.Stopped[1] {
		t.Errorf("row 1 with stop token %d: %v (stopped %v); want 2 tokens", stop.StopTokens[0], s.Tokens[1], s.Stopped[1])
	}
	for i := range prompts {
		if len(s.Tokens[i]) > 5 || (!s.Stopped[i] && len(s.Tokens[i]) != 5) {
			t.Errorf("row %d: %d tokens, stopped %v", i, len(s.Tokens[i]), s.Stopped[i])
		}
	}
}

// sampleToken draws from the distribution its options define and reports
// that distribution's log-probability. Expected distributions are worked out
// by hand from p = (0.5, 0.25, 0.125, 0.0625, 0.0625); frequencies over
// 40000 draws must lie within 5 standard errors.
func TestSampleTokenDistribution(t *testing.T) {
	p := []float64{0.5, 0.25, 0.125, 0.0625, 0.0625}
	logits := make([]float64, len(p))
	for i, v := range p {
		logits[i] = math.Log(v) + 3 // a shift changes nothing
	}
	cases := []struct {
		name string
		o    SampleOptions
		want []float64
	}{
		{"plain", SampleOptions{Temperature: 1}, p},
		// T = 2: p_i^(1/2) normalised: sqrt(p) = (.7071, .5, .3536, .25, .25), sum 2.0607.
		{"temperature 2", SampleOptions{Temperature: 2}, []float64{0.7071068 / 2.0606602, 0.5 / 2.0606602, 0.3535534 / 2.0606602, 0.25 / 2.0606602, 0.25 / 2.0606602}},
		{"top-k 2", SampleOptions{Temperature: 1, TopK: 2}, []float64{2.0 / 3, 1.0 / 3, 0, 0, 0}},
		// Ascending cumulative: .0625, .125, .25, .5, 1; dropped while <= 0.3: the three smallest.
		{"top-p 0.7", SampleOptions{Temperature: 1, TopP: 0.7}, []float64{2.0 / 3, 1.0 / 3, 0, 0, 0}},
		// Dropped while <= 0.125: the two 0.0625 tokens (cumulative .0625, .125).
		{"top-p 0.875", SampleOptions{Temperature: 1, TopP: 0.875}, []float64{0.5 / 0.875, 0.25 / 0.875, 0.125 / 0.875, 0, 0}},
		// Top-k 3 leaves (4/7, 2/7, 1/7); cumulative 1/7 <= 0.2 is dropped, 3/7 is not.
		// (Top-p 0.8 alone would keep three tokens.)
		{"top-k 3 then top-p 0.8", SampleOptions{Temperature: 1, TopK: 3, TopP: 0.8}, []float64{2.0 / 3, 1.0 / 3, 0, 0, 0}},
		{"top-p tiny keeps the best", SampleOptions{Temperature: 1, TopP: 1e-9}, []float64{1, 0, 0, 0, 0}},
	}
	const n = 40000
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(1, 2))
		counts := make([]float64, len(p))
		for range n {
			tok, lp, mlp := sampleToken(logits, c.o, rng)
			counts[tok]++
			if math.Abs(lp-math.Log(c.want[tok])) > 1e-6 || math.Abs(mlp-math.Log(p[tok])) > 1e-12 {
				t.Fatalf("%s: token %d has sampling log-prob %.9g (want %.9g), model %.12g (want %.12g)", c.name, tok, lp, math.Log(c.want[tok]), mlp, math.Log(p[tok]))
			}
		}
		for i, w := range c.want {
			se := math.Sqrt(w*(1-w)/n) + 1e-9
			if f := counts[i] / n; math.Abs(f-w) > 5*se {
				t.Errorf("%s: token %d frequency %.4f; want %.4f", c.name, i, f, w)
			}
		}
	}
	if tok, lp, _ := sampleToken(logits, SampleOptions{}, nil); tok != 0 || lp != 0 {
		t.Errorf("greedy picked %d with log-prob %v; want 0, 0", tok, lp)
	}
}

func TestGenerateRejectsBadArguments(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	ok := GenerateOptions{MaxNewTokens: 2}
	cases := []struct {
		name    string
		prompts [][]int
		o       GenerateOptions
	}{
		{"no prompts", nil, ok},
		{"empty prompt", [][]int{{1}, {}}, ok},
		{"id out of range", [][]int{{1, 23}}, ok},
		{"no tokens", [][]int{{1}}, GenerateOptions{}},
		{"negative temperature", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{Temperature: -1}}},
		{"negative top-k", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{TopK: -1}}},
		{"top-p above 1", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{TopP: 1.5}}},
	}
	for _, c := range cases {
		if _, err := m.Generate(c.prompts, c.o); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
