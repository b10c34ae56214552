package train

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// Token ids of the tiny test setup: 0 is EOS, 1 pads, the rest are words.
const (
	tinyEOS   = 0
	tinyPad   = 1
	tinyVocab = 24
)

// tinyConfig is a two-layer GPT-NeoX small enough for finite differences:
// hidden 16, 2 heads of 8 features with 4 rotary ones, MLP 32.
func tinyConfig() pythia.Config {
	c, err := pythia.Preset("pythia-14m")
	if err != nil {
		panic(err) // a known preset
	}
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = tinyVocab, 16, 2, 2, 32
	c.RotaryPct = 0.5
	c.InitializerRange = 0.2 // logits far enough from uniform for the gradients to matter
	return c
}

func tinyModel(tb testing.TB, dt tensor.DType, seed uint64) *pythia.Model {
	tb.Helper()
	m, err := pythia.NewRandom(tinyConfig(), dt, seed)
	require.NoError(tb, err)
	return m
}

// tinyPairs returns n seeded pairs of word ids: prompts of 1..6 tokens,
// chosen completions of 0..5 tokens drawn from the lower half of the words
// and rejected ones of 1..5 tokens from the upper half (something to learn).
func tinyPairs(seed uint64, n int) *Dataset {
	rng := tensor.NewRNG(seed)
	words := func(k, lo, hi int) []int {
		ids := make([]int, k)
		for i := range ids {
			ids[i] = lo + rng.IntN(hi-lo)
		}
		return ids
	}
	mid := 2 + (tinyVocab-2)/2
	ds := &Dataset{Name: "tiny"}
	for range n {
		ds.Pairs = append(ds.Pairs, data.TokenizedPair{
			Prompt:   words(1+rng.IntN(6), 2, tinyVocab),
			Chosen:   words(rng.IntN(6), 2, mid),
			Rejected: words(1+rng.IntN(5), mid, tinyVocab),
		})
	}
	return ds
}

// tinyTrainConfig is a quick configuration for the tiny setup writing to out.
func tinyTrainConfig(out string) Config {
	cfg := DefaultConfig()
	cfg.OutputDir = out
	cfg.LearningRate = 1e-3
	cfg.WarmupSteps = 2
	cfg.BatchSize = 2
	cfg.EvalBatchSize = 3
	cfg.MaxLength = 10
	cfg.MaxPromptLength = 4
	cfg.EvalEvery = 0
	cfg.SaveEvery = 0
	return cfg
}

func tinyData(train, eval *Dataset) Data {
	return Data{Train: train, Eval: eval, EOS: tinyEOS, Pad: tinyPad}
}

// newTiny builds a trainer over a fresh tiny float32 policy (seed 1).
func newTiny(tb testing.TB, cfg Config, d Data) *Trainer {
	tb.Helper()
	tr, err := New(cfg, tinyModel(tb, tensor.Float32, 1), nil, d)
	require.NoError(tb, err)
	return tr
}

// sameBits reports the first parameter of a and b (float32 models) whose
// values differ in any bit, or "" when all are identical.
func sameBits(a, b *pythia.Model) string {
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		x, y := pa[i].Value.Data.Float32s(), pb[i].Value.Data.Float32s()
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return pa[i].Name
			}
		}
	}
	return ""
}

// readFile returns the content of dir/name.
func readFile(tb testing.TB, dir, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(tb, err)
	return string(b)
}

// trainUntil trains tr and cancels it once it has taken step optimizer
// steps, as a killed run would stop; it requires that Train returned
// context.Canceled there.
func trainUntil(t *testing.T, tr *Trainer, step int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.OnStep = func(r Record) {
		if int(r[KeyStep]) == step {
			cancel()
		}
	}
	require.ErrorIs(t, tr.Train(ctx), context.Canceled, "stopped run")
	require.Equal(t, step, tr.Step(), "stopped at step")
}
