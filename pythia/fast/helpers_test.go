package fast

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// variant is one tiny GPT-NeoX configuration of the exactness tests.
type variant struct {
	name       string
	parallel   bool
	rotaryPct  float64
	tied, bias bool
	act        string
	vocab      int // 0: 97
}

// variants cover both residual forms, rotary fractions 0.25, 0.5 and 1,
// tied and untied output layers, attention biases on and off, every
// activation, and a vocabulary of several output-layer chunks.
var variants = []variant{
	{"parallel-rot0.25-untied-bias-gelu", true, 0.25, false, true, "gelu", 0},
	{"sequential-rot0.5-tied-nobias-gelu_new", false, 0.5, true, false, "gelu_new", 0},
	{"parallel-rot1.0-tied-bias-gelu_new", true, 1.0, true, true, "gelu_new", 0},
	{"sequential-rot0.25-untied-bias-relu", false, 0.25, false, true, "relu", 0},
	{"parallel-rot0.5-untied-nobias-gelu", true, 0.5, false, false, "gelu", 0},
	// Several vocabulary chunks (vocabChunk 1024) in the output layer.
	{"sequential-rot0.25-tied-bias-gelu-vocab2500", false, 0.25, true, true, "gelu", 2500},
}

// config returns v's tiny configuration: V 97 (or v.vocab), H 32, 4 heads
// of 8, 2 layers, MLP width 48.
func (v variant) config() pythia.Config {
	vocab := 97
	if v.vocab > 0 {
		vocab = v.vocab
	}
	return pythia.Config{
		VocabSize: vocab, HiddenSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 4, IntermediateSize: 48,
		RotaryPct: v.rotaryPct, RotaryEmbBase: 10000, MaxPositionEmbeddings: 64, LayerNormEps: 1e-5,
		UseParallelResidual: v.parallel, TieWordEmbeddings: v.tied, HiddenAct: v.act, AttentionBias: v.bias,
		InitializerRange: 0.02, BOSTokenID: 0, EOSTokenID: 0,
	}
}

// randomPair returns a float32 model with every parameter random (LayerNorm
// weights near 1, everything else normal with std 0.15, so that every
// gradient is non-trivial) and a float64 model with the same weights: the
// reference the float32 engine is checked against.
func randomPair(t testing.TB, cfg pythia.Config, seed uint64) (m32, m64 *pythia.Model) {
	t.Helper()
	m32, err := pythia.New(cfg, tensor.Float32)
	require.NoError(t, err)
	m64, err = pythia.New(cfg, tensor.Float64)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 7))
	p64 := m64.Params()
	for i, p := range m32.Params() {
		d := p.Value.Data.Float32s()
		base := 0.0
		if len(p.Value.Shape()) == 1 && (p.Name[len(p.Name)-6:] == "weight") {
			base = 1
		}
		for j := range d {
			d[j] = float32(base + 0.15*rng.NormFloat64())
		}
		p64[i].Value.Data.CopyFrom(p.Value.Data.Cast(tensor.Float64))
	}
	return m32, m64
}

// relErr is the normwise relative difference max|got-want| / max|want|.
func relErr[T float32 | float64](got []T, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range got {
		diff = math.Max(diff, math.Abs(float64(got[i])-want[i]))
		scale = math.Max(scale, math.Abs(want[i]))
	}
	if diff == 0 {
		return 0
	}
	return diff / scale
}

// checkRel asserts that relErr(got, want) is at most tol; lengths that
// differ and a NaN error fail.
func checkRel[T float32 | float64](t *testing.T, name string, got []T, want []float64, tol float64) {
	t.Helper()
	e := relErr(got, want)
	switch {
	case len(got) != len(want):
		assert.Failf(t, "lengths differ", "%s: %d values, want %d", name, len(got), len(want))
	case math.IsNaN(e):
		assert.Failf(t, "normwise relative error is NaN", "%s", name)
	default:
		assert.LessOrEqual(t, e, tol, "%s: normwise relative error", name)
	}
	if testing.Verbose() {
		t.Logf("%s: %.2g", name, e)
	}
}

// randomIDs returns b rows of token ids of the given lengths in [0, v).
func randomIDs(rng *rand.Rand, lengths []int, v int) [][]int {
	ids := make([][]int, len(lengths))
	for i, n := range lengths {
		ids[i] = make([]int, n)
		for j := range ids[i] {
			ids[i][j] = rng.IntN(v)
		}
	}
	return ids
}

// rightPadded returns ids padded with token 0 to the longest row and the
// mask of real tokens.
func rightPadded(rows [][]int) (ids [][]int, mask [][]bool) {
	t := 0
	for _, r := range rows {
		t = max(t, len(r))
	}
	ids, mask = make([][]int, len(rows)), make([][]bool, len(rows))
	for i, r := range rows {
		ids[i], mask[i] = make([]int, t), make([]bool, t)
		copy(ids[i], r)
		for j := range r {
			mask[i][j] = true
		}
	}
	return ids, mask
}
