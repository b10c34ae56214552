package fast

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// The study benchmarks mirror the steps of the over-optimization study
// (eval/study): GPT-NeoX models of vocabulary 51, 2 layers, 4 heads, rotary
// on half of each head, no attention biases, MLP 4x the hidden size (4.5x
// for L), on prompts of studyPrompt tokens (a left-padded document and SEP) and
// responses of 1 to studyMaxResp tokens.
const (
	studyPrompt, studyMaxResp = 21, 7
	studySFTBatch             = 64 // sequences per SFT step
	studyPairs                = 16 // pairs per DPO step
)

// studySizes are the study's model sizes (eval/study modelSizes): hidden
// 32 (S), 64 (M) and 128 (L), MLP 128, 256 and 576.
var studySizes = []struct {
	name        string
	hidden, ffn int
}{{"S", 32, 128}, {"M", 64, 256}, {"L", 128, 576}}

// studyFFN returns the MLP size of the study size of a hidden size (4x
// hidden if it is not one of studySizes).
func studyFFN(hidden int) int {
	for _, s := range studySizes {
		if s.hidden == hidden {
			return s.ffn
		}
	}
	return 4 * hidden
}

// studyConfig returns the study's configuration of a hidden size.
func studyConfig(hidden int) pythia.Config {
	return pythia.Config{
		VocabSize: 51, HiddenSize: hidden, NumHiddenLayers: 2, NumAttentionHeads: 4, IntermediateSize: studyFFN(hidden),
		RotaryPct: 0.5, RotaryEmbBase: 10000, MaxPositionEmbeddings: studyPrompt + studyMaxResp + 8, LayerNormEps: 1e-5,
		UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: false, InitializerRange: 0.02,
		BOSTokenID: -1, EOSTokenID: 1,
	}
}

// studyBatch returns n random prompts of studyPrompt tokens and responses
// of 1 to studyMaxResp tokens; with pairs, rows [n/2, n) repeat the prompts
// of rows [0, n/2) (chosen and rejected responses to one prompt).
func studyBatch(seed uint64, n int, pairs bool) (prompts, responses [][]int) {
	rng := rand.New(rand.NewPCG(seed, 13))
	lens := make([]int, n)
	for i := range lens {
		lens[i] = 1 + rng.IntN(studyMaxResp)
	}
	if pairs {
		shared := randomIDs(rng, repeat(studyPrompt, n/2), 51)
		prompts = append(shared, shared...)
	} else {
		prompts = randomIDs(rng, repeat(studyPrompt, n), 51)
	}
	return prompts, randomIDs(rng, lens, 51)
}

// studyStepper is one run of the study: a model, its training engine, an
// optimizer and a batch, stepping as the study's trainers do.
type studyStepper struct {
	e                  *Engine
	opt                interface{ Step() }
	zero               func()
	prompts, responses [][]int
	dpo                bool
	dSum, refSum       []float64
	tokensPerStep      int
}

// newStudyStepper returns an SFT stepper (64 sequences, mean NLL, AdamW)
// or, with dpo, a DPO stepper (16 pairs, sigmoid loss against fixed
// reference sums, RMSProp) of a study size, its weights drawn from seed.
func newStudyStepper(tb testing.TB, hidden int, dpo bool, seed uint64) *studyStepper {
	m, err := pythia.NewRandom(studyConfig(hidden), tensor.Float32, seed)
	require.NoError(tb, err)
	n := studySFTBatch
	if dpo {
		n = 2 * studyPairs
	}
	e, err := New(m, n, studyPrompt+studyMaxResp)
	require.NoError(tb, err)
	s := &studyStepper{e: e, dpo: dpo, dSum: make([]float64, n), refSum: make([]float64, n)}
	s.prompts, s.responses = studyBatch(seed, n, dpo)
	for i := range n {
		s.tokensPerStep += studyPrompt + len(s.responses[i])
		s.refSum[i] = -2 * float64(len(s.responses[i])) // fixed reference log-probs, as precomputed by the study
	}
	params := m.Params()
	if dpo {
		cfg := optim.DefaultRMSProp()
		cfg.LR = 1e-4
		opt, err := optim.NewRMSProp(params, cfg)
		require.NoError(tb, err)
		s.opt, s.zero = opt, opt.ZeroGrad
	} else {
		cfg := optim.DefaultAdamW()
		cfg.LR = 1e-3
		opt, err := optim.NewAdamW(params, cfg)
		require.NoError(tb, err)
		s.opt, s.zero = opt, opt.ZeroGrad
	}
	return s
}

// step runs one optimizer step and returns the policy's sequence sums
// before it.
func (s *studyStepper) step() []float64 {
	s.zero()
	lp := s.e.SequenceLogProbs(s.prompts, s.responses)
	if s.dpo {
		ref := &LogProbs{Sum: s.refSum}
		s.e.Backward(dpoSumGrads(lp, ref, s.dSum))
	} else {
		total := 0
		for _, c := range lp.Count {
			total += c
		}
		for i := range s.dSum {
			s.dSum[i] = -1 / float64(total) // d mean NLL / d Sum_b
		}
		s.e.Backward(s.dSum)
	}
	s.opt.Step()
	return lp.Sum
}

// BenchmarkStudyStep measures the study's training steps for each size:
// sft (64 sequences of 22-28 tokens, the mean NLL, AdamW) and dpo (16
// pairs, the sigmoid loss against fixed reference sums, RMSProp), with one
// run (x1) or two independent runs stepping at the same time (x2, as the
// study runs them), in tokens/s over all runs and in tokens per CPU-second
// of the process (steadier than tokens/s on a loaded machine; it counts
// the CPU that idle workers burn spinning). The serial variants turn on
// parallel.SetSerial: each run's kernels stay on its own goroutine.
func BenchmarkStudyStep(b *testing.B) {
	for _, size := range studySizes {
		for _, kind := range []string{"sft", "dpo"} {
			for _, runs := range []int{1, 2} {
				for _, serial := range []bool{false, true} {
					name := size.name + "/" + kind + "/x" + string(rune('0'+runs))
					if serial {
						name += "/serial"
					}
					b.Run(name, func(b *testing.B) {
						parallel.SetSerial(serial)
						defer parallel.SetSerial(false)
						benchStudy(b, size.hidden, kind == "dpo", runs)
					})
				}
			}
		}
	}
}

func benchStudy(b *testing.B, hidden int, dpo bool, runs int) {
	steppers := make([]*studyStepper, runs)
	tokens := 0
	for i := range steppers {
		steppers[i] = newStudyStepper(b, hidden, dpo, benchSeed+uint64(i))
		steppers[i].step()
		tokens += steppers[i].tokensPerStep
	}
	runConcurrently(b, tokens, len(steppers), func(i int) { steppers[i].step() })
}

// runConcurrently times b.N calls of iter(i) on each of n goroutines, all
// at once, and reports tokensPerIter tokens per round of n calls as
// tokens/s and tokens per CPU-second of the process.
func runConcurrently(b *testing.B, tokensPerIter, n int, iter func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range b.N {
				iter(i)
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(tokensPerIter*b.N)/b.Elapsed().Seconds(), "tokens/s")
	b.ReportMetric(float64(tokensPerIter*b.N)/(cpuSeconds()-cpu0), "tokens/cpu-s")
}

// BenchmarkStudyGenerate measures the study's evaluation sampling for each
// size: 1024 prompts of studyPrompt tokens, studyMaxResp new tokens at
// temperature 1 on an inference engine of 256 rows, one run (x1) or two at
// once (x2), with the parallel kernels or in serial mode, in generated
// tokens/s and tokens per CPU-second.
func BenchmarkStudyGenerate(b *testing.B) {
	const rows, prompts = 256, 1024
	for _, size := range studySizes {
		for _, runs := range []int{1, 2} {
			for _, serial := range []bool{false, true} {
				name := size.name + "/x" + string(rune('0'+runs))
				if serial {
					name += "/serial"
				}
				b.Run(name, func(b *testing.B) {
					parallel.SetSerial(serial)
					defer parallel.SetSerial(false)
					engines := make([]*Engine, runs)
					for i := range engines {
						m, err := pythia.NewRandom(studyConfig(size.hidden), tensor.Float32, benchSeed+uint64(i))
						require.NoError(b, err)
						engines[i], err = NewInference(m, rows, studyPrompt+studyMaxResp)
						require.NoError(b, err)
					}
					ids, _ := studyBatch(benchSeed, prompts, false)
					opts := pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 1}, MaxNewTokens: studyMaxResp, Seed: 1}
					runConcurrently(b, runs*prompts*studyMaxResp, runs, func(i int) {
						if _, err := engines[i].Generate(ids, opts); err != nil {
							b.Error(err)
						}
					})
				})
			}
		}
	}
}
