package pythia

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// randomTinyModel is a 2-layer model with weights large enough (std 0.3) for
// peaked, position-dependent next-token distributions.
func randomTinyModel(t *testing.T, dt tensor.DType) *Model {
	t.Helper()
	cfg := tinyConfig(t)
	cfg.VocabSize, cfg.InitializerRange = 23, 0.3
	m, err := NewRandom(cfg, dt, 42)
	require.NoError(t, err)
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
		dec := &decoder{m: m}
		logits := dec.Prefill(prompts, len(fed[0]))
		for step := 0; step <= len(fed[0]); step++ {
			for b, p := range prompts {
				seq := append(slices.Clone(p), fed[b][:step]...)
				full := m.Forward([][]int{seq}, nil).Data.Select(1, len(seq)-1).ToFloat64s() // (1, V) at the last position
				assert.LessOrEqual(t, relErr(tensor.FromFloat64s(logits[b]), full), c.tol,
					"%s step %d row %d: cached logits against the full forward, normwise relative", c.dt, step, b)
			}
			if step < len(fed[0]) {
				tokens := make([]int, len(prompts))
				for b := range tokens {
					tokens[b] = fed[b][step]
				}
				logits = dec.Step(tokens)
			}
		}
		assert.Panics(t, func() { dec.Step([]int{1}) }, "a step with 1 token for 3 rows")
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
		require.NoError(t, err)
		g, err := m.Generate(prompts, GenerateOptions{MaxNewTokens: 6})
		require.NoError(t, err)
		for i := range prompts {
			ref := want.ints(fmt.Sprintf("greedy.%d", i))[0]
			assert.Equal(t, ref, g.Tokens[i], "%s prompt %d: greedy tokens against the reference", c.dt, i)
			for j, lp := range g.LogProbs[i] {
				assert.Zero(t, lp, "greedy log-prob under the sampling distribution")
				assert.Negative(t, g.ModelLogProbs[i][j], "model log-prob")
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
	require.NoError(t, err)
	lp := m.SequenceLogProbs(prompts, g.Tokens)
	for i := range prompts {
		for j, v := range g.ModelLogProbs[i] {
			assert.InDelta(t, lp.PerToken.Data.At(i, j), v, 1e-12, "row %d token %d: model log-prob against SequenceLogProbs", i, j)
			assert.LessOrEqual(t, g.LogProbs[i][j], 0.0, "row %d token %d: sampling log-prob", i, j)
		}
	}
	again, err := m.Generate(prompts, opts)
	require.NoError(t, err)
	assert.Equal(t, g.Tokens, again.Tokens, "same seed, same tokens")

	greedy := GenerateOptions{MaxNewTokens: 5}
	batch, err := m.Generate(prompts, greedy)
	require.NoError(t, err)
	for i, p := range prompts {
		alone, err := m.Generate([][]int{p}, greedy)
		require.NoError(t, err)
		assert.Equal(t, alone.Tokens[0], batch.Tokens[i], "row %d: batched against alone", i)
	}
	stop := greedy
	stop.StopTokens = []int{batch.Tokens[1][1]}
	s, err := m.Generate(prompts, stop)
	require.NoError(t, err)
	assert.Len(t, s.Tokens[1], 2, "row 1 with stop token %d", stop.StopTokens[0])
	assert.True(t, s.Stopped[1], "row 1 stopped")
	for i := range prompts {
		assert.LessOrEqual(t, len(s.Tokens[i]), 5, "row %d", i)
		if !s.Stopped[i] {
			assert.Len(t, s.Tokens[i], 5, "row %d did not stop", i)
		}
	}
}

// rowDecoder is a Decoder whose logits depend only on a row's prompt and
// the tokens fed to it, with a fixed group size: GenerateWith must give
// each row the same tokens whatever the groups and the other rows.
type rowDecoder struct {
	maxB, vocab int
	seqs        [][]int // the rows' tokens so far
	calls       int     // Prefill calls
}

func (d *rowDecoder) MaxBatch() int { return d.maxB }

func (d *rowDecoder) Prefill(prompts [][]int, maxNew int) [][]float64 {
	if len(prompts) > d.maxB {
		panic(fmt.Sprintf("Prefill with %d rows, MaxBatch %d", len(prompts), d.maxB))
	}
	d.calls++
	d.seqs = nil
	for _, p := range prompts {
		d.seqs = append(d.seqs, slices.Clone(p))
	}
	return d.rows()
}

func (d *rowDecoder) Step(tokens []int) [][]float64 {
	for i, tok := range tokens {
		d.seqs[i] = append(d.seqs[i], tok)
	}
	return d.rows()
}

// rows returns logits_j = sin(j * (1 + sum of the row's tokens)) * 3.
func (d *rowDecoder) rows() [][]float64 {
	out := make([][]float64, len(d.seqs))
	for i, s := range d.seqs {
		sum := 0
		for _, tok := range s {
			sum += tok
		}
		out[i] = make([]float64, d.vocab)
		for j := range out[i] {
			out[i][j] = 3 * math.Sin(float64(j*(1+sum)))
		}
	}
	return out
}

// GenerateWith runs batches larger than MaxBatch in groups, and a row's
// tokens depend on Seed, its index and its prompt only: the same with
// groups of 2 or 1 (one row sampled at a time) as all at once, also with a
// vocabulary large enough (33000) for the rows of a group to be sampled in
// parallel (chunks of 65536/V rows).
func TestGenerateWithGroups(t *testing.T) {
	prompts := [][]int{{3, 1, 4}, {1, 5}, {9}, {2, 6, 5, 3}, {5}}
	opts := GenerateOptions{SampleOptions: SampleOptions{Temperature: 1.3, TopP: 0.9}, MaxNewTokens: 6, StopTokens: []int{0}, Seed: 7}
	for _, vocab := range []int{17, 33000} {
		whole := &rowDecoder{maxB: len(prompts), vocab: vocab}
		grouped := &rowDecoder{maxB: 2, vocab: vocab}
		want := GenerateWith(whole, prompts, opts)
		got := GenerateWith(grouped, prompts, opts)
		assert.Equal(t, 1, whole.calls, "vocab %d: prefills of one group", vocab)
		assert.Equal(t, 3, grouped.calls, "vocab %d: prefills of 5 rows in groups of 2", vocab)
		assert.Equal(t, want, got, "vocab %d: groups of 2 against one group", vocab)
		// One row per group: each step samples a single row, serially.
		single := &rowDecoder{maxB: 1, vocab: vocab}
		assert.Equal(t, want, GenerateWith(single, prompts, opts), "vocab %d: groups of 1 against one group", vocab)
		alone := GenerateWith(&rowDecoder{maxB: 1, vocab: vocab}, prompts[:1], opts)
		assert.Equal(t, want.Tokens[0], alone.Tokens[0], "vocab %d: row 0 alone against batched (both stream (Seed, 0))", vocab)
	}
	assert.Panics(t, func() { GenerateWith(&rowDecoder{maxB: 0, vocab: 5}, prompts, opts) }, "MaxBatch 0")
}

// sample draws from the distribution its options define and reports
// that distribution's log-probability. Expected distributions are worked out
// by hand from p = (0.5, 0.25, 0.125, 0.0625, 0.0625); frequencies over
// 40000 draws must lie within 5 standard errors.
func TestSampleDistribution(t *testing.T) {
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
		var s sampler // reused across draws, as Generate does
		counts := make([]float64, len(p))
		for range n {
			tok, lp, mlp := s.sample(logits, c.o, rng)
			counts[tok]++
			require.InDelta(t, math.Log(c.want[tok]), lp, 1e-6, "%s: sampling log-prob of token %d", c.name, tok)
			require.InDelta(t, math.Log(p[tok]), mlp, 1e-12, "%s: model log-prob of token %d", c.name, tok)
		}
		for i, w := range c.want {
			se := math.Sqrt(w*(1-w)/n) + 1e-9
			assert.InDelta(t, w, counts[i]/n, 5*se, "%s: frequency of token %d", c.name, i)
		}
	}
	var s sampler
	tok, lp, _ := s.sample(logits, SampleOptions{}, nil)
	assert.Equal(t, 0, tok, "greedy token")
	assert.Zero(t, lp, "greedy sampling log-prob")
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
		{"negative id", [][]int{{-1}}, ok},
		{"no tokens", [][]int{{1}}, GenerateOptions{}},
		{"negative temperature", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{Temperature: -1}}},
		{"negative top-k", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{TopK: -1}}},
		{"top-p above 1", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{TopP: 1.5}}},
		{"top-p NaN", [][]int{{1}}, GenerateOptions{MaxNewTokens: 1, SampleOptions: SampleOptions{TopP: math.NaN()}}},
	}
	for _, c := range cases {
		_, err := m.Generate(c.prompts, c.o)
		assert.Error(t, err, c.name)
	}
}
