package fast

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// Bounds of the BF16 engine against the float64 model with the same
// (float32, unrounded) weights on the random tiny variants, whose weights
// (std 0.15) make every product's inputs lose up to 2^-9 relative to
// bfloat16 rounding. Measured maxima over the six variants are in the
// comments (package doc: "Accuracy of BF16"); the float32 engine's errors
// are below tolValue and tolGrad, about 1000 times smaller. ReLU's
// gradient is discontinuous, so products moved across zero by the
// rounding flip whole terms of its gradients.
const (
	tolBF16LogProb  = 0.03  // max |Δ log p| per token, nats (measured 0.013)
	tolBF16Sum      = 0.002 // normwise relative error of the sequence sums (measured 0.00056) and of the mean NLL (0.00028)
	tolBF16Grad     = 0.04  // normwise relative error of each parameter gradient, GELU variants (measured 0.017)
	tolBF16GradReLU = 0.15  // the same with ReLU (measured 0.070)
)

// TestBF16MatchesFloat64 bounds the BF16 engine's per-token log-probs,
// sequence sums and every parameter gradient (of Σ_b dSum_b Sum_b, then of
// the mean next-token loss through the fused output pass) against
// pythia.Model in float64, and checks that the products did run in
// bfloat16: the errors are above the float32 engine's.
func TestBF16MatchesFloat64(t *testing.T) {
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			m32, m64 := randomPair(t, v.config(), uint64(40+i))
			rng := rand.New(rand.NewPCG(uint64(i), 4))
			vocab := v.config().VocabSize
			prompts := randomIDs(rng, []int{3, 1, 6, 2}, vocab)
			responses := randomIDs(rng, []int{4, 7, 3, 5}, vocab)
			dSum := []float64{0.7, -1.3, 2.1, -0.6}
			e, err := NewWithOptions(m32, 4, 13, Options{Precision: BF16})
			require.NoError(t, err)
			require.Equal(t, BF16, e.Precision())

			zeroGrads(m32.Params())
			zeroGrads(m64.Params())
			got := e.SequenceLogProbs(prompts, responses)
			want := m64.SequenceLogProbs(prompts, responses)
			wantPer, r := want.PerToken.Data.Float64s(), want.PerToken.Shape()[1]
			worst := 0.0
			for b := range responses {
				for j, lp := range got.PerToken[b] {
					worst = math.Max(worst, math.Abs(lp-wantPer[b*r+j]))
				}
			}
			t.Logf("per-token log-prob: max error %.3g nats", worst)
			assert.Less(t, worst, tolBF16LogProb, "per-token log-prob error")
			assert.Greater(t, worst, 1e-4, "errors of float32 size: the products did not run in bfloat16")
			sumErr := relErr(got.Sum, want.Sum.Data.Float64s())
			t.Logf("sums: normwise error %.3g", sumErr)
			assert.Less(t, sumErr, tolBF16Sum, "Sum")

			e.Backward(dSum)
			loss := autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum)))))
			loss.Backward()
			checkBF16Grads(t, m32, m64, tolGradBF16(v))

			// The fused output pass (NextTokenLossAndGrad).
			ids, mask := rightPadded(randomIDs(rng, []int{9, 4, 13, 6}, vocab))
			zeroGrads(m32.Params())
			zeroGrads(m64.Params())
			nll := e.NextTokenLossAndGrad(ids, mask)
			want64 := m64.NextTokenLoss(ids, mask)
			t.Logf("mean NLL: relative error %.3g", math.Abs(nll-want64.Item())/math.Abs(want64.Item()))
			assert.InDelta(t, want64.Item(), nll, tolBF16Sum*math.Abs(want64.Item()), "NextTokenLossAndGrad")
			want64.Backward()
			checkBF16Grads(t, m32, m64, tolGradBF16(v))
		})
	}
}

// tolGradBF16 returns the gradient bound of variant v.
func tolGradBF16(v variant) float64 {
	if v.act == "relu" {
		return tolBF16GradReLU
	}
	return tolBF16Grad
}

// checkBF16Grads checks every gradient of m32 against m64's within tol,
// and that the largest error is above float32's tolGrad.
func checkBF16Grads(t *testing.T, m32, m64 *pythia.Model, tol float64) {
	t.Helper()
	p64 := m64.Params()
	worst := 0.0
	for i, p := range m32.Params() {
		require.NotNil(t, p.Value.Grad, p.Name)
		err := relErr(p.Value.Grad.Float32s(), p64[i].Value.Grad.Float64s())
		assert.Less(t, err, tol, "grad %s", p.Name)
		worst = math.Max(worst, err)
	}
	t.Logf("gradients: max normwise error %.3g", worst)
	assert.Greater(t, worst, tolGrad, "gradient errors of float32 size: the products did not run in bfloat16")
}

// TestBF16SeesWeightUpdates changes the weights in place between passes
// (as an optimizer step does) and checks that the next pass of a BF16
// engine uses them: its log-probs are bit-identical to those of a new
// engine on the updated weights, and differ from the first pass's.
func TestBF16SeesWeightUpdates(t *testing.T) {
	cfg := variants[0].config()
	m32, _ := randomPair(t, cfg, 50)
	rng := rand.New(rand.NewPCG(5, 5))
	prompts := randomIDs(rng, []int{3, 5}, cfg.VocabSize)
	responses := randomIDs(rng, []int{6, 2}, cfg.VocabSize)
	e, err := NewWithOptions(m32, 2, 11, Options{Precision: BF16})
	require.NoError(t, err)
	before := append([]float64(nil), e.SequenceLogProbs(prompts, responses).Sum...)
	for _, p := range m32.Params() {
		d := p.Value.Data.Float32s()
		for j := range d {
			d[j] *= 1.01
		}
	}
	after := append([]float64(nil), e.SequenceLogProbs(prompts, responses).Sum...)
	fresh, err := NewWithOptions(m32, 2, 11, Options{Precision: BF16})
	require.NoError(t, err)
	assert.Equal(t, fresh.SequenceLogProbs(prompts, responses).Sum, after, "a pass after the update reads stale bfloat16 weights")
	assert.NotEqual(t, before, after)
}

// TestBF16InferenceDirect checks that NewInferenceBF16 with BF16
// precision (products straight from the stored bfloat16 matrices) gives
// the bits of a BF16 engine on a float32 model whose weights are the same
// bfloat16 values, and, in Float32 precision (widening each matrix), the
// bits of a Float32 engine on that model; and that Generate runs on it.
func TestBF16InferenceDirect(t *testing.T) {
	cfg := variants[3].config()
	m32, _ := randomPair(t, cfg, 60)
	rounded, err := pythia.New(cfg, tensor.Float32)
	require.NoError(t, err)
	rp := rounded.Params()
	for i, p := range m32.Params() {
		src, dst := p.Value.Data.Float32s(), rp[i].Value.Data.Float32s()
		for j, x := range src {
			dst[j] = half.BF16ToF32(half.F32ToBF16(x))
		}
	}
	rng := rand.New(rand.NewPCG(6, 6))
	prompts := randomIDs(rng, []int{4, 2, 5}, cfg.VocabSize)
	responses := randomIDs(rng, []int{3, 6, 1}, cfg.VocabSize)

	ie, err := NewInferenceBF16(m32, 3, 11)
	require.NoError(t, err)
	for _, prec := range []Precision{BF16, Float32} {
		ie.SetPrecision(prec)
		want, err := NewWithOptions(rounded, 3, 11, Options{Inference: true, Precision: prec})
		require.NoError(t, err)
		got := ie.SequenceLogProbs(prompts, responses)
		exp := want.SequenceLogProbs(prompts, responses)
		assert.Equal(t, exp.Sum, got.Sum, "%v: sums", prec)
		assert.Equal(t, exp.PerToken, got.PerToken, "%v: per-token log-probs", prec)
		opts := pythia.GenerateOptions{MaxNewTokens: 4, Seed: 3}
		gg, err := ie.Generate(prompts, opts)
		require.NoError(t, err)
		wg, err := want.Generate(prompts, opts)
		require.NoError(t, err)
		assert.Equal(t, wg.Tokens, gg.Tokens, "%v: greedy generation", prec)
	}
}

// TestBF16DPOTracksFloat32 trains a tiny policy with DPO (sigmoid loss,
// beta 0.1, AdamW lr 1e-3) for 20 steps twice from the same weights, in
// Float32 and in BF16 (policy and reference engines), and bounds the gap
// between the two loss curves (measured: at most 0.0012 over the steps,
// for losses falling from 0.693 to about 0.45).
func TestBF16DPOTracksFloat32(t *testing.T) {
	const steps, pairs = 20, 4
	cfg := tinyConfig()
	rng := rand.New(rand.NewPCG(7, 7))
	shared := randomIDs(rng, repeat(6, pairs), cfg.VocabSize)
	prompts := append(shared, shared...)
	responses := randomIDs(rng, repeat(8, 2*pairs), cfg.VocabSize)
	run := func(prec Precision) []float64 {
		policy, err := pythia.NewRandom(cfg, tensor.Float32, 3)
		require.NoError(t, err)
		ref, err := pythia.NewRandom(cfg, tensor.Float32, 3)
		require.NoError(t, err)
		pe, err := NewWithOptions(policy, 2*pairs, 14, Options{Precision: prec})
		require.NoError(t, err)
		re, err := NewWithOptions(ref, 2*pairs, 14, Options{Inference: true, Precision: prec})
		require.NoError(t, err)
		ocfg := optim.DefaultAdamW()
		ocfg.LR = 1e-3
		opt, err := optim.NewAdamW(policy.Params(), ocfg)
		require.NoError(t, err)
		d := make([]float64, 2*pairs)
		var losses []float64
		for range steps {
			zeroGrads(policy.Params())
			pl := pe.SequenceLogProbs(prompts, responses)
			rl := re.SequenceLogProbs(prompts, responses)
			loss := 0.0
			for i := range pairs {
				h := (pl.Sum[i] - pl.Sum[pairs+i]) - (rl.Sum[i] - rl.Sum[pairs+i])
				loss += math.Log1p(math.Exp(-benchDPOBeta*h)) / pairs // -log σ(βh)
			}
			losses = append(losses, loss)
			pe.Backward(dpoSumGrads(pl, rl, d))
			opt.Step()
		}
		return losses
	}
	f32, bf16 := run(Float32), run(BF16)
	gap := 0.0
	for i := range f32 {
		gap = math.Max(gap, math.Abs(f32[i]-bf16[i]))
	}
	t.Logf("DPO loss float32 %.4f -> %.4f, bf16 %.4f -> %.4f, max gap %.2g", f32[0], f32[steps-1], bf16[0], bf16[steps-1], gap)
	assert.Less(t, f32[steps-1], f32[0]-0.05, "the float32 run does not learn")
	assert.Less(t, gap, 0.01, "bf16 DPO loss curve drifts from float32's")
	assert.Greater(t, gap, 0.0, "identical curves: the bf16 run did not use bfloat16 products")
}

// TestBF16LoRA bounds a BF16 engine with LoRA adapters (the base's
// products in bfloat16, the adapters' low-rank products in float32)
// against the float64 model: sequence sums and every adapter gradient, with
// the bounds of TestBF16MatchesFloat64.
func TestBF16LoRA(t *testing.T) {
	v := variants[0]
	m32, m64 := randomLoRAPair(t, v.config(), loraConfigs[0], 80)
	rng := rand.New(rand.NewPCG(9, 9))
	vocab := v.config().VocabSize
	prompts := randomIDs(rng, []int{3, 5, 2}, vocab)
	responses := randomIDs(rng, []int{4, 2, 6}, vocab)
	e, err := NewWithOptions(m32, 3, 11, Options{Precision: BF16})
	require.NoError(t, err)
	got := e.SequenceLogProbs(prompts, responses)
	want := m64.SequenceLogProbs(prompts, responses)
	sumErr := relErr(got.Sum, want.Sum.Data.Float64s())
	assert.Less(t, sumErr, tolBF16Sum, "Sum")
	assert.Greater(t, sumErr, tolValue, "float32-exact sums: the base's products did not run in bfloat16")
	dSum := []float64{1, -0.5, 0.25}
	e.Backward(dSum)
	autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum))))).Backward()
	p64 := m64.LoRAParams()
	for i, p := range m32.LoRAParams() {
		require.NotNil(t, p.Value.Grad, p.Name)
		assert.Less(t, relErr(p.Value.Grad.Float32s(), p64[i].Value.Grad.Float64s()), tolBF16Grad, "grad %s", p.Name)
	}
}
