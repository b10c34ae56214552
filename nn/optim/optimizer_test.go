package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// TestConfigErrors checks that out-of-range hyper-parameters and unusable
// parameters are errors naming the field or the parameter.
func TestConfigErrors(t *testing.T) {
	ps := func() []nn.Param { return resumeModel(tensor.Float32) }
	adamw := func(edit func(*AdamWConfig)) func() error {
		return func() error {
			c := DefaultAdamW()
			edit(&c)
			_, err := NewAdamW(ps(), c)
			return err
		}
	}
	view := autograd.Param(tensor.Zeros(tensor.Float32, 3, 4).Transpose(0, 1))
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"AdamW beta1 1", adamw(func(c *AdamWConfig) { c.Beta1 = 1 }), "Beta1 = 1"},
		{"AdamW beta2 negative", adamw(func(c *AdamWConfig) { c.Beta2 = -0.1 }), "Beta2 = -0.1"},
		{"AdamW lr NaN", adamw(func(c *AdamWConfig) { c.LR = math.NaN() }), "LR = NaN"},
		{"AdamW eps negative", adamw(func(c *AdamWConfig) { c.Eps = -1 }), "Eps = -1"},
		{"AdamW wd Inf", adamw(func(c *AdamWConfig) { c.WeightDecay = math.Inf(1) }), "WeightDecay = +Inf"},
		{"RMSProp alpha 1", func() error {
			c := DefaultRMSProp()
			c.Alpha = 1
			_, err := NewRMSProp(ps(), c)
			return err
		}, "Alpha = 1"},
		{"RMSProp momentum negative", func() error {
			c := DefaultRMSProp()
			c.Momentum = -0.5
			_, err := NewRMSProp(ps(), c)
			return err
		}, "Momentum = -0.5"},
		{"SGD nesterov without momentum", func() error {
			_, err := NewSGD(ps(), SGDConfig{LR: 0.1, Nesterov: true})
			return err
		}, "Nesterov"},
		{"SGD nesterov with dampening", func() error {
			_, err := NewSGD(ps(), SGDConfig{LR: 0.1, Nesterov: true, Momentum: 0.9, Dampening: 0.1})
			return err
		}, "Dampening = 0"},
		{"group lr negative", func() error {
			_, err := NewSGDGroups([]Group{{Params: ps(), LR: -1}}, SGDConfig{})
			return err
		}, "group 0 LR = -1"},
		{"no parameters", func() error {
			_, err := NewAdamW(nil, DefaultAdamW())
			return err
		}, "no parameters"},
		{"duplicate name", func() error {
			p := ps()
			_, err := NewAdamW(append(p, p[0]), DefaultAdamW())
			return err
		}, `"w" appears twice`},
		{"same value twice", func() error {
			p := ps()
			_, err := NewAdamW(append(p, nn.Param{Name: "tied", Value: p[0].Value}), DefaultAdamW())
			return err
		}, `"w" and "tied" are the same value`},
		{"empty name", func() error {
			_, err := NewAdamW([]nn.Param{{Value: autograd.Param(tensor.Zeros(tensor.Float32, 2))}}, DefaultAdamW())
			return err
		}, "without a name"},
		{"nil value", func() error {
			_, err := NewAdamW([]nn.Param{{Name: "x"}}, DefaultAdamW())
			return err
		}, `"x" has no value`},
		{"non-contiguous", func() error {
			_, err := NewAdamW([]nn.Param{{Name: "wT", Value: view}}, DefaultAdamW())
			return err
		}, `"wT" is a non-contiguous view`},
	}
	for _, c := range cases {
		assert.ErrorContains(t, c.run(), c.want, c.name)
	}
}

// TestStepPanicsOnGradientMismatch checks the programmer-error panic that
// names the parameter and both shapes.
func TestStepPanicsOnGradientMismatch(t *testing.T) {
	ps := resumeModel(tensor.Float32)
	opt, err := NewAdamW(ps, DefaultAdamW())
	require.NoError(t, err)
	ps[0].Value.Grad = tensor.Zeros(tensor.Float32, 5, 4)
	defer func() {
		msg, _ := recover().(string)
		for _, want := range []string{`"w"`, "[4 5]", "[5 4]"} {
			assert.Contains(t, msg, want, "panic message")
		}
	}()
	opt.Step()
}

// TestParallelStepMatchesSerial checks that the parallel Step over many
// tensors of mixed sizes and dtypes gives exactly what the kernel gives when
// called once per whole tensor: elementwise updates do not depend on how the
// elements are cut into chunks.
func TestParallelStepMatchesSerial(t *testing.T) {
	rng := tensor.NewRNG(5)
	var ps, ref []nn.Param
	for i, n := range []int{1, grain + 3, 0, 7, 3 * grain, grain - 1} {
		dt := tensor.Float32
		if i%2 == 1 {
			dt = tensor.Float64
		}
		data := tensor.RandN(rng, dt, 0, 1, n)
		grad := tensor.RandN(rng, dt, 0, 1, n)
		for _, list := range []*[]nn.Param{&ps, &ref} {
			v := autograd.Param(data.Clone())
			v.Grad = grad.Clone()
			*list = append(*list, nn.Param{Name: string(rune('a' + i)), Value: v})
		}
	}
	cfg := AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, AMSGrad: true, Decay: DecayAll}
	opt, err := NewAdamW(ps, cfg)
	require.NoError(t, err)
	opt.Step()
	opt.Step()
	for _, p := range ref {
		n := p.Value.Data.Len()
		m, v, vmax := tensor.ZerosLike(p.Value.Data), tensor.ZerosLike(p.Value.Data), tensor.ZerosLike(p.Value.Data)
		for step := int64(1); step <= 2; step++ {
			k := adamwScalars{decay: 1 - cfg.LR*cfg.WeightDecay, beta1: cfg.Beta1, beta2: cfg.Beta2, eps: cfg.Eps,
				bc2Sqrt: math.Sqrt(1 - powInt(cfg.Beta2, step)), negStep: -(cfg.LR / (1 - powInt(cfg.Beta1, step)))}
			if p.Value.DType() == tensor.Float32 {
				adamwUpdate(elems[float32](p.Value.Data, 0, n), elems[float32](p.Value.Grad, 0, n),
					elems[float32](m, 0, n), elems[float32](v, 0, n), elems[float32](vmax, 0, n), k)
			} else {
				adamwUpdate(elems[float64](p.Value.Data, 0, n), elems[float64](p.Value.Grad, 0, n),
					elems[float64](m, 0, n), elems[float64](v, 0, n), elems[float64](vmax, 0, n), k)
			}
		}
	}
	for i := range ps {
		got, want := ps[i].Value.Data.ToFloat64s(), ref[i].Value.Data.ToFloat64s()
		for j := range want {
			require.Equal(t, want[j], got[j], "%s[%d]: parallel vs serial", ps[i].Name, j)
		}
	}
}

// TestSpansCoverEachElementOnce checks spans.each on every cut of a list with
// empty tensors: each element of each tensor is visited exactly once.
func TestSpansCoverEachElementOnce(t *testing.T) {
	sizes := []int{0, 3, 0, 0, 5, 1, 0, 4}
	var sp spans
	sp.reset()
	for _, n := range sizes {
		sp.add(n)
	}
	total := sp.total()
	for cut := 0; cut <= total; cut++ {
		seen := make([][]int, len(sizes))
		for i, n := range sizes {
			seen[i] = make([]int, n)
		}
		for _, r := range [][2]int{{0, cut}, {cut, total}} {
			sp.each(r[0], r[1], func(i, a, b int) {
				for e := a; e < b; e++ {
					seen[i][e]++
				}
			})
		}
		for i := range seen {
			for e, c := range seen[i] {
				require.Equal(t, 1, c, "cut %d: visits of tensor %d element %d", cut, i, e)
			}
		}
	}
}

// TestStepDoesNotAllocate checks that steady-state Steps on parameters small
// enough to stay on one core allocate nothing, for every optimizer.
func TestStepDoesNotAllocate(t *testing.T) {
	for name, build := range resumeOptimizers {
		ps := resumeModel(tensor.Float32)[:2] // w and b: below one chunk
		opt, err := build(ps)
		require.NoError(t, err)
		resumeGrads(ps, 0)
		opt.Step()
		assert.Zero(t, testing.AllocsPerRun(20, opt.Step), "%s: allocations per Step", name)
	}
}

// TestStepPanicsOnBadSchedule checks that a schedule returning a negative
// factor is caught before it reaches the parameters.
func TestStepPanicsOnBadSchedule(t *testing.T) {
	ps := resumeModel(tensor.Float64)
	opt, err := NewSGD(ps, SGDConfig{LR: 0.1, Schedule: func(step int) float64 { return float64(1 - step) }})
	require.NoError(t, err)
	resumeGrads(ps, 0)
	opt.Step()
	opt.Step() // factor 0
	before := ps[0].Value.Data.At(0, 0)
	defer func() {
		msg, _ := recover().(string)
		assert.Contains(t, msg, "factor -1 at step 2", "panic message")
		assert.Equal(t, before, ps[0].Value.Data.At(0, 0), "w[0,0] after the panic")
	}()
	opt.Step()
}

// TestZeroGrad checks that ZeroGrad drops every gradient.
func TestZeroGrad(t *testing.T) {
	ps := resumeModel(tensor.Float32)
	opt, _ := NewSGD(ps, SGDConfig{LR: 1})
	resumeGrads(ps, 0)
	opt.ZeroGrad()
	for _, p := range ps {
		assert.Nil(t, p.Value.Grad, "%s still has a gradient", p.Name)
	}
}
