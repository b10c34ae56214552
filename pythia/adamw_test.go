package pythia

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/nn/optim"
)

// Three AdamW steps on the mean next-token cross-entropy reproduce the
// adamw3.<param> tensors of ../shared/pythia/tiny-random (torch.optim.AdamW,
// lr 1e-3, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on rank >= 2
// tensors, float64 math from the float32 weights). Normwise relative
// tolerance 1e-5 in float32, 1e-12 in float64, except on entries whose
// reference gradient is rounding noise (|g| < 1e-12 max|g|): the key biases
// of the non-rotary features, whose gradient is zero in exact arithmetic
// (q.b is the same for every key, and softmax ignores it). Adam scales the
// noise up (the step is lr * m / (sqrt(v) + eps), about lr * g / (|g| + eps)),
// so there the float32 noise moves a parameter by up to lr per step; those
// entries are checked to lie within 3 lr of the reference.
func TestTinyRandomAdamW(t *testing.T) {
	for _, name := range []string{"tiny-neox-parallel", "tiny-neox-sequential-legacybuf"} {
		dir := shareddata.Path(t, "pythia", "tiny-random", name)
		for _, c := range dtypes {
			t.Run(name+"/"+c.dt.String(), func(t *testing.T) {
				m, err := LoadDir(dir, LoadOptions{DType: c.dt})
				require.NoError(t, err)
				var meta struct {
					InputIDs [][]int `json:"input_ids"`
				}
				readJSON(t, dir+"/golden.json", &meta)
				opt, err := optim.NewAdamW(m.Params(), optim.AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95,
					Eps: 1e-8, WeightDecay: 0.1, Decay: optim.DecayRank2})
				require.NoError(t, err)
				for range 3 {
					m.NextTokenLoss(meta.InputIDs, nil).Backward()
					opt.Step()
					opt.ZeroGrad()
				}
				want := openExpected(t, dir+"/golden.safetensors")
				var worst, worstNoise float64
				for _, p := range m.Params() {
					rel, noise := checkAdamW(t, want, p.Name, p.Value.Data.ToFloat64s(), c.tol, 3e-3)
					worst, worstNoise = max(worst, rel), max(worstNoise, noise)
				}
				t.Logf("worst normwise relative error %.3g; largest difference on zero-gradient entries %.3g", worst, worstNoise)
			})
		}
	}
}

// checkAdamW compares updated parameter values with adamw3.<name>: within
// noiseTol absolutely where the reference gradient grad.<name> is rounding
// noise, and to tol normwise relative elsewhere. It returns the relative
// error and the largest difference on the noise entries.
func checkAdamW(t *testing.T, want expected, name string, got []float64, tol, noiseTol float64) (rel, noise float64) {
	t.Helper()
	ref, grad := want.float64s("adamw3."+name), want.float64s("grad."+name)
	var gmax, scale, diff float64
	for i := range grad {
		gmax = max(gmax, math.Abs(grad[i]))
		scale = max(scale, math.Abs(ref[i]))
	}
	for i := range ref {
		d := math.Abs(got[i] - ref[i])
		if math.Abs(grad[i]) < 1e-12*gmax {
			assert.InDelta(t, ref[i], got[i], noiseTol, "%s[%d] (zero gradient) vs the reference", name, i)
			noise = max(noise, d)
			continue
		}
		diff = max(diff, d)
	}
	assert.LessOrEqual(t, diff, tol*scale, "adamw3.%s: largest difference, relative error %.3g, tolerance %.0g", name, diff/scale, tol)
	return diff / scale, noise
}
