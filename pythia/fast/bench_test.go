package fast

import (
	"math"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// The benchmarks use the shapes of ../../shared/reference/torch/bench_torch.py
// (batch 8 x 128 tokens; DPO: 4 pairs, prompt 64 + response 64), so that
// bench/compare.sh can print Go/PyTorch ratios. Run them with a small
// -benchtime (3x); the 160m models take a few seconds to initialise.
const (
	benchBatch, benchSeq           = 8, 128
	benchPairs, benchPrompt        = 4, 64
	benchDPOBeta                   = 0.1
	benchSeed               uint64 = 1
)

var benchPresets = []string{"pythia-14m", "pythia-70m", "pythia-160m"}

// benchModels caches one randomly initialised model per preset across
// benchmarks (building pythia-160m takes seconds).
var benchModels sync.Map // preset name -> *pythia.Model

func benchModel(b *testing.B, preset string) *pythia.Model {
	if m, ok := benchModels.Load(preset); ok {
		return m.(*pythia.Model)
	}
	m := newPresetModel(b, preset)
	benchModels.Store(preset, m)
	return m
}

// newPresetModel returns preset's model with Hugging Face's initialisation
// from benchSeed.
func newPresetModel(b *testing.B, preset string) *pythia.Model {
	cfg, err := pythia.Preset(preset)
	require.NoError(b, err)
	m, err := pythia.NewRandom(cfg, tensor.Float32, benchSeed)
	require.NoError(b, err)
	return m
}

// benchIDs returns b rows of t random token ids below v.
func benchIDs(b, t, v int) [][]int {
	return randomIDs(rand.New(rand.NewPCG(benchSeed, 9)), repeat(t, b), v)
}

func repeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// BenchmarkForward measures Logits (every position's logits, as PyTorch's
// forward computes them) of a batch of 8 x 128 tokens on an inference
// engine, in tokens/s.
func BenchmarkForward(b *testing.B) {
	for _, preset := range benchPresets {
		b.Run(preset, func(b *testing.B) {
			m := benchModel(b, preset)
			e, err := NewInference(m, benchBatch, benchSeq)
			require.NoError(b, err)
			ids := benchIDs(benchBatch, benchSeq, m.Config.VocabSize)
			e.Logits(ids, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e.Logits(ids, nil)
			}
			b.ReportMetric(float64(benchBatch*benchSeq*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkTrainStep measures NextTokenLossAndGrad (the mean next-token
// NLL, forward and backward) of 8 x 128 tokens, with the gradients reset
// each step as torch's zero_grad(set_to_none=True), in tokens/s.
func BenchmarkTrainStep(b *testing.B) {
	benchTrainPresets(b, true)
}

// BenchmarkTrainStepUnfused is BenchmarkTrainStep with NextTokenLoss then
// BackwardLoss (the output layer's logits computed twice).
func BenchmarkTrainStepUnfused(b *testing.B) {
	benchTrainPresets(b, false)
}

func benchTrainPresets(b *testing.B, fused bool) {
	for _, preset := range benchPresets {
		for _, prec := range benchPrecisions {
			b.Run(preset+precisionSuffix(prec), func(b *testing.B) {
				m := benchModel(b, preset)
				e, err := NewWithOptions(m, benchBatch, benchSeq, Options{Precision: prec})
				require.NoError(b, err)
				runTrainSteps(b, m, e, benchIDs(benchBatch, benchSeq, m.Config.VocabSize), fused)
				b.ReportMetric(float64(benchBatch*benchSeq*b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkTinyTrainStep measures a training step of a tiny model (hidden
// 32, 2 layers, 4 heads, MLP 128, vocabulary 51) on 64 x 24 tokens, in
// steps/s.
func BenchmarkTinyTrainStep(b *testing.B) {
	cfg := tinyConfig()
	m, err := pythia.NewRandom(cfg, tensor.Float32, benchSeed)
	require.NoError(b, err)
	e, err := New(m, 64, 24)
	require.NoError(b, err)
	runTrainSteps(b, m, e, benchIDs(64, 24, cfg.VocabSize), true)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// tinyConfig is the tiny model of the flagship example: hidden 32, 2
// layers, 4 heads, MLP 128, vocabulary 51.
func tinyConfig() pythia.Config {
	return pythia.Config{
		VocabSize: 51, HiddenSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 4, IntermediateSize: 128,
		RotaryPct: 0.25, RotaryEmbBase: 10000, MaxPositionEmbeddings: 64, LayerNormEps: 1e-5,
		UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: true, InitializerRange: 0.02,
	}
}

// runTrainSteps times b.N training steps of the mean next-token NLL of ids
// (after one untimed step), fused or not, resetting the gradients before
// each step as torch's zero_grad(set_to_none=True) does, and after the last.
func runTrainSteps(b *testing.B, m *pythia.Model, e *Engine, ids [][]int, fused bool) {
	params := m.Params()
	step := func() {
		zeroGrads(params)
		if fused {
			e.NextTokenLossAndGrad(ids, nil)
			return
		}
		e.NextTokenLoss(ids, nil)
		e.BackwardLoss(1)
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
	b.StopTimer()
	zeroGrads(params)
}

// BenchmarkDPOStep measures a DPO step on 4 pairs (prompt 64 + response 64
// tokens, the chosen and rejected responses sharing the prompt): policy
// SequenceLogProbs on the 8 sequences, reference SequenceLogProbs on an
// inference engine of a separate copy of the weights, the sigmoid loss
// (beta 0.1) on the summed response log-probs, and Backward; the
// adamw variant adds an optim.AdamW step. Reported in pairs/s and pairs per
// CPU-second.
func BenchmarkDPOStep(b *testing.B) {
	for _, preset := range benchPresets {
		for _, withOpt := range []bool{false, true} {
			for _, prec := range benchPrecisions {
				name := preset
				if withOpt {
					name += "/adamw"
				}
				b.Run(name+precisionSuffix(prec), func(b *testing.B) {
					benchDPO(b, preset, withOpt, prec)
				})
			}
		}
	}
}

func benchDPO(b *testing.B, preset string, withOpt bool, prec Precision) {
	policy := benchModel(b, preset)
	ref := newPresetModel(b, preset) // same seed: the policy's initial weights
	pe, err := NewWithOptions(policy, 2*benchPairs, benchSeq, Options{Precision: prec})
	require.NoError(b, err)
	re, err := newBenchReference(ref, prec)
	require.NoError(b, err)
	var opt *optim.AdamW
	if withOpt {
		cfg := optim.DefaultAdamW()
		cfg.LR = 1e-6
		opt, err = optim.NewAdamW(policy.Params(), cfg)
		require.NoError(b, err)
	}
	prompts, responses := dpoBatch(policy.Config.VocabSize)
	dSum := make([]float64, 2*benchPairs)
	params := policy.Params()
	step := func() {
		zeroGrads(params)
		pl := pe.SequenceLogProbs(prompts, responses)
		rl := re.SequenceLogProbs(prompts, responses)
		pe.Backward(dpoSumGrads(pl, rl, dSum))
		if opt != nil {
			opt.Step()
		}
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for range b.N {
		step()
	}
	b.ReportMetric(float64(benchPairs*b.N)/b.Elapsed().Seconds(), "pairs/s")
	b.ReportMetric(float64(benchPairs*b.N)/(cpuSeconds()-cpu0), "pairs/cpu-s")
	b.StopTimer()
	if opt != nil { // restore the shared policy's weights for later benchmarks
		for i, p := range ref.Params() {
			params[i].Value.Data.CopyFrom(p.Value.Data)
		}
	}
	zeroGrads(params)
}

// dpoBatch returns the 8 sequences of 4 pairs: rows [0, 4) chosen, [4, 8)
// rejected, each pair sharing its 64-token prompt, responses of 64 tokens.
func dpoBatch(vocab int) (prompts, responses [][]int) {
	rng := rand.New(rand.NewPCG(benchSeed, 11))
	shared := randomIDs(rng, repeat(benchPrompt, benchPairs), vocab)
	prompts = append(shared, shared...)
	responses = randomIDs(rng, repeat(benchSeq-benchPrompt, 2*benchPairs), vocab)
	return prompts, responses
}

// dpoSumGrads returns d loss / d policy sums of the sigmoid (DPO) loss on
// the sums of a dpoBatch (rows [0, P) chosen, [P, 2P) rejected):
//
//	h_i = (pc_i - pr_i) - (rc_i - rr_i),  loss = mean_i -log σ(β h_i)
//	dloss/dpc_i = -β σ(-β h_i) / P,       dloss/dpr_i = -dloss/dpc_i
//
// (align.Sigmoid computes the same; bench/dpostep uses it.)
func dpoSumGrads(pl, rl *LogProbs, d []float64) []float64 {
	p := len(pl.Sum) / 2
	for i := range p {
		h := (pl.Sum[i] - pl.Sum[p+i]) - (rl.Sum[i] - rl.Sum[p+i])
		g := -benchDPOBeta / (1 + math.Exp(benchDPOBeta*h)) / float64(p)
		d[i], d[p+i] = g, -g
	}
	return d
}

// cpuSeconds returns the user and system CPU time of the process so far.
// pairs/cpu-s (pairs per CPU-second) compares benchmarks on a machine
// loaded by other processes better than pairs/s does, as long as the
// process's own parallelism is the same.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// zeroGrads sets every parameter's gradient to nil (torch's zero_grad).
func zeroGrads(params []nn.Param) {
	for _, p := range params {
		p.Value.ZeroGrad()
	}
}

// BenchmarkGenerate measures Generate with temperature 1 on the tiny model
// of BenchmarkTinyTrainStep: 256 prompts of 8 tokens, 16 new tokens each,
// in groups of 64 rows, in generated tokens/s.
func BenchmarkGenerate(b *testing.B) {
	m, err := pythia.NewRandom(tinyConfig(), tensor.Float32, benchSeed)
	require.NoError(b, err)
	e, err := NewInference(m, 64, 24)
	require.NoError(b, err)
	prompts := benchIDs(256, 8, m.Config.VocabSize)
	opts := pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 1}, MaxNewTokens: 16, Seed: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, err := e.Generate(prompts, opts)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(256*16*b.N)/b.Elapsed().Seconds(), "tokens/s")
}
