package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// golden reads tensors written by testdata/gen_layers.py from the PyTorch
// GPT-NeoX reference (../shared/reference/torch/neox_ref.py).
type golden struct {
	t *testing.T
	f *safetensors.File
}

func openGolden(t *testing.T) golden {
	t.Helper()
	f, err := safetensors.Open("testdata/layers.safetensors")
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return golden{t, f}
}

// tensor returns the golden tensor name in dtype dt.
func (g golden) tensor(name string, dt tensor.DType) *tensor.Tensor {
	g.t.Helper()
	v, shape, err := g.f.Float64(name)
	require.NoError(g.t, err)
	return tensor.FromValues(dt, v, shape...)
}

func (g golden) ints(name string) []int {
	g.t.Helper()
	v, _, err := g.f.Int64(name)
	require.NoError(g.t, err)
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// relErr is the normwise relative difference max|got-want| / max|want|.
func relErr(got, want *tensor.Tensor) float64 {
	g, w := got.ToFloat64s(), want.ToFloat64s()
	if len(g) != len(w) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range g {
		diff = math.Max(diff, math.Abs(g[i]-w[i]))
		scale = math.Max(scale, math.Abs(w[i]))
	}
	return diff / scale
}

// tolerances per dtype for comparisons with the float64 PyTorch reference.
var dtypeTol = []struct {
	dt  tensor.DType
	tol float64
}{{tensor.Float32, 1e-5}, {tensor.Float64, 1e-12}}

func TestRotaryCosSinMatchesReference(t *testing.T) {
	g := openGolden(t)
	pos := g.ints("rope.positions")
	cos32, sin32 := RotaryCosSin(pos, 8, 10000, tensor.Float32)
	cos64, sin64 := RotaryCosSin(pos, 8, 10000, tensor.Float64)
	cases := []struct {
		name string
		got  *tensor.Tensor
		ulps float64 // allowed difference in float32 ulps of the reference value (0: use tol64)
	}{
		// HF's float32 tables: the same float32 steps, so they agree up to
		// torch's float32 cos/sin, which is off by one ulp for some angles.
		{"rope.cos", cos32, 1}, {"rope.sin", sin32, 1},
		// Exact float64 tables, up to the last bits of the angle t*inv_freq
		// (its ulp is 2.3e-13 at t = 2047; torch's pow may round differently).
		{"rope64.cos", cos64, 0}, {"rope64.sin", sin64, 0},
	}
	const tol64 = 1e-12
	for _, c := range cases {
		want := g.tensor(c.name, tensor.Float64).ToFloat64s()
		for i, v := range c.got.ToFloat64s() {
			allowed := tol64
			if c.ulps > 0 {
				w := float32(math.Abs(want[i]))
				allowed = c.ulps * float64(math.Nextafter32(w, 2)-w)
			}
			assert.InDelta(t, want[i], v, allowed, "%s[%d] vs the reference", c.name, i)
		}
	}
}

func TestAttentionMatchesReference(t *testing.T) {
	g := openGolden(t)
	for _, c := range dtypeTol {
		t.Run(c.dt.String(), func(t *testing.T) {
			p := func(n string) *autograd.Value { return autograd.Param(g.tensor("attn."+n, c.dt)) }
			att := Attention{
				QKVWeight: p("query_key_value.weight"), QKVBias: p("query_key_value.bias"),
				DenseWeight: p("dense.weight"), DenseBias: p("dense.bias"), Heads: 2,
			}
			x := p("x")
			maskInts := g.ints("attn.mask")
			b, tt := 2, 5
			valid := make([][]bool, b)
			for i := range valid {
				valid[i] = make([]bool, tt)
				for j := range valid[i] {
					valid[i][j] = maskInts[i*tt+j] == 1
				}
			}
			// torch's own float32 tables, so that this test isolates the
			// attention math from the last-ulp rounding of float32 cos/sin
			// (TestRotaryCosSinMatchesHF checks our tables).
			cos, sin := g.tensor("attn.cos", c.dt), g.tensor("attn.sin", c.dt)
			y, kv := att.Forward(x, cos, sin, CausalMask(c.dt, tt, tt, valid), nil)
			require.Equal(t, []int{2, 2, 5, 8}, kv.K.Shape(), "cached keys")
			assert.LessOrEqual(t, relErr(y.Data, g.tensor("attn.out", c.dt)), c.tol, "output: relative error")
			autograd.Sum(autograd.Mul(y, autograd.Const(g.tensor("attn.r", c.dt)))).Backward()
			grads := map[string]*autograd.Value{
				"x": x, "query_key_value.weight": att.QKVWeight, "query_key_value.bias": att.QKVBias,
				"dense.weight": att.DenseWeight, "dense.bias": att.DenseBias,
			}
			for n, v := range grads {
				assert.LessOrEqual(t, relErr(v.Grad, g.tensor("attn.grad."+n, c.dt)), c.tol, "gradient of %s: relative error", n)
			}
		})
	}
}

func TestMLPMatchesReference(t *testing.T) {
	g := openGolden(t)
	for _, act := range []string{"gelu", "gelu_new"} {
		for _, c := range dtypeTol {
			p := func(n string) *autograd.Value { return autograd.Param(g.tensor("mlp."+act+"."+n, c.dt)) }
			f, err := ActivationByName(act)
			require.NoError(t, err)
			m := MLP{UpWeight: p("dense_h_to_4h.weight"), UpBias: p("dense_h_to_4h.bias"), DownWeight: p("dense_4h_to_h.weight"), DownBias: p("dense_4h_to_h.bias"), Act: f}
			e := relErr(m.Forward(p("x")).Data, g.tensor("mlp."+act+".out", c.dt))
			assert.LessOrEqual(t, e, c.tol, "%s %s: relative error", act, c.dt)
		}
	}
}

func TestTokenLogProbsMatchesReference(t *testing.T) {
	g := openGolden(t)
	tg := g.ints("tlp.targets")
	targets := [][]int{tg[:3], tg[3:]}
	for _, c := range dtypeTol {
		got := TokenLogProbs(autograd.Const(g.tensor("tlp.logits", c.dt)), targets, nil)
		assert.LessOrEqual(t, relErr(got.Data, g.tensor("tlp.out", c.dt)), c.tol, "%s: relative error", c.dt)
	}
}

func TestActivationByNameRejectsUnknown(t *testing.T) {
	_, err := ActivationByName("swish")
	assert.Error(t, err, `ActivationByName("swish")`)
}
