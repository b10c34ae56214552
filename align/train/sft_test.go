package train

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// tinySFT returns n seeded examples: prompts of 1..6 words, completions of
// 0..5 words from the lower half (something to learn).
func tinySFT(seed uint64, n int) *SFTDataset {
	ds := &SFTDataset{Name: "tiny-sft"}
	for _, p := range tinyPairs(seed, n).Pairs {
		ds.Examples = append(ds.Examples, SFTExample{Prompt: p.Prompt, Completion: p.Chosen})
	}
	return ds
}

func tinySFTData() SFTData {
	return SFTData{Train: tinySFT(41, 9), Eval: tinySFT(42, 4), EOS: tinyEOS}
}

// sftConfig: 3 epochs of 9 examples in steps of 2 x 2, evaluation every 6
// examples, a checkpoint every 8.
func sftConfig(out string) Config {
	cfg := resumeConfig(out)
	cfg.GradientAccumulationSteps = 2
	return cfg
}

// TestSFTFirstStepAgainstPythia checks the first SFT record against the
// float64 autograd model scored directly (pythia.Model.SequenceLogProbs and
// a greedy argmax of Forward's logits, not the trainer's code): loss =
// -Σ log p / N over the completion tokens (EOS included) of the step's
// four examples, mean_token_accuracy, num_tokens; relative 1e-5 (the
// trainer runs the float32 engine).
func TestSFTFirstStepAgainstPythia(t *testing.T) {
	cfg := sftConfig(t.TempDir())
	cfg.MaxSteps = 1
	policy := tinyModel(t, tensor.Float32, 1)
	m64 := float64Copy(t, policy)
	d := tinySFTData()
	tr, err := NewSFT(cfg, policy, d)
	require.NoError(t, err)
	require.NoError(t, tr.Train(context.Background()))
	rec := tr.History()[len(tr.History())-2] // the step's record, before the final evaluation
	require.Contains(t, rec, KeyGradNorm)

	idx := newOrder(len(d.Train.Examples), cfg.Seed).next(4)
	var nll float64
	scored, top1, seen := 0, 0, 0
	for _, i := range idx {
		e := d.Train.Examples[i]
		prompt := e.Prompt[max(0, len(e.Prompt)-cfg.MaxPromptLength):]
		c := append(append([]int(nil), e.Completion...), tinyEOS)
		c = c[:min(len(c), cfg.MaxLength-len(prompt))]
		nll -= m64.SequenceLogProbs([][]int{prompt}, [][]int{c}).Sum.Item()
		scored += len(c)
		seen += len(prompt) + len(c)
		seq := append(append([]int(nil), prompt...), c...)
		logits := m64.Forward([][]int{seq}, nil).Data.Float64s()
		v := m64.Config.VocabSize
		for j, tok := range c {
			row := logits[(len(prompt)-1+j)*v : (len(prompt)+j)*v]
			best := 0
			for k, x := range row {
				if x > row[best] {
					best = k
				}
			}
			if best == tok {
				top1++
			}
		}
	}
	assert.InEpsilon(t, nll/float64(scored), rec[KeyLoss], 1e-5)
	assert.InDelta(t, float64(top1)/float64(scored), rec[KeyMeanTokenAccuracy], 1e-12)
	assert.Equal(t, float64(seen), rec[KeyNumTokens])
	assert.Equal(t, 4.0, rec[KeyExamples])
	for _, k := range []string{KeyLoss, KeyMeanTokenAccuracy, KeyNumTokens, KeyGradNorm, KeyLearningRate, KeyEpoch, KeyStep} {
		assert.Contains(t, rec, k)
	}
	ev := tr.History()[len(tr.History())-1]
	assert.Contains(t, ev, EvalPrefix+KeyLoss)
	assert.Contains(t, ev, EvalPrefix+KeyMeanTokenAccuracy)
}

// TestSFTEngineMatchesFloat64Autograd trains SFT for 5 steps on the engine
// and on the float64 autograd backend: every metric within 2e-5 relative,
// every weight within 1e-4 normwise (but the key bias; see dropKeyBias).
func TestSFTEngineMatchesFloat64Autograd(t *testing.T) {
	var runs [2]*Trainer
	for i, backend := range []string{BackendEngine, BackendAutograd} {
		cfg := sftConfig(t.TempDir())
		cfg.MaxSteps, cfg.Backend = 5, backend
		policy := tinyModel(t, tensor.Float32, 1)
		if backend == BackendAutograd {
			policy = float64Copy(t, policy)
		}
		tr, err := NewSFT(cfg, policy, tinySFTData())
		require.NoError(t, err)
		require.NoError(t, tr.Train(context.Background()))
		runs[i] = tr
	}
	he, ha := runs[0].History(), runs[1].History()
	require.Len(t, he, len(ha))
	for i := range ha {
		require.ElementsMatch(t, keys(ha[i]), keys(he[i]), "record %d", i)
		for k, want := range ha[i] {
			assert.InDelta(t, want, he[i][k], 1e-6+2e-5*math.Abs(want), "record %d %s", i, k)
		}
	}
	pa := runs[1].policy.Params()
	for i, p := range runs[0].policy.Params() {
		got, want := p.Value.Data.ToFloat64s(), pa[i].Value.Data.Float64s()
		if p.Name == "gpt_neox.layers.0.attention.query_key_value.bias" || p.Name == "gpt_neox.layers.1.attention.query_key_value.bias" {
			dropKeyBias(got, runs[0].policy.Config)
			dropKeyBias(want, runs[0].policy.Config)
		}
		assert.LessOrEqual(t, relDiff(got, want), 1e-4, p.Name)
	}
}

// TestSFTResumeIsBitForBit stops an SFT run halfway (a checkpoint is
// written), resumes it in a new trainer and compares with a straight run:
// weights bit for bit, metrics.jsonl (num_tokens included) byte for byte.
func TestSFTResumeIsBitForBit(t *testing.T) {
	straightDir, stoppedDir := t.TempDir(), t.TempDir()
	newSFT := func(dir string) *Trainer {
		tr, err := NewSFT(sftConfig(dir), tinyModel(t, tensor.Float32, 1), tinySFTData())
		require.NoError(t, err)
		return tr
	}
	a := newSFT(straightDir)
	require.NoError(t, a.Train(context.Background()))
	n := a.Step()

	b := newSFT(stoppedDir)
	trainUntil(t, b, n/2)
	c := newSFT(stoppedDir)
	require.NoError(t, c.Resume(stoppedDir))
	require.Equal(t, n/2, c.Step())
	require.NoError(t, c.Train(context.Background()))
	assert.Equal(t, n, c.Step())
	assert.Empty(t, sameBits(a.policy, c.policy))
	assert.Equal(t, readFile(t, straightDir, MetricsFile), readFile(t, stoppedDir, MetricsFile))
}

// TestSFTInMemory runs SFT with no output directory and no checkpoints,
// evaluating the policy in memory from OnStep, as a study training many
// small models does; and checks NewSFT's errors.
func TestSFTInMemory(t *testing.T) {
	cfg := sftConfig("")
	cfg.DisableCheckpoints, cfg.MaxSteps = true, 4
	tr, err := NewSFT(cfg, tinyModel(t, tensor.Float32, 1), tinySFTData())
	require.NoError(t, err)
	var tokens []float64
	var nll []float64
	tr.OnStep = func(r Record) {
		tokens = append(tokens, r[KeyNumTokens])
		lp := tr.Policy().Frozen().SequenceLogProbs([][]int{{5, 6}}, [][]int{{3, tinyEOS}})
		nll = append(nll, -lp.Sum.Item())
	}
	wd, err := os.Getwd()
	require.NoError(t, err)
	before, err := os.ReadDir(wd)
	require.NoError(t, err)
	require.NoError(t, tr.Train(context.Background()))
	after, err := os.ReadDir(wd)
	require.NoError(t, err)
	assert.Len(t, after, len(before), "files written to the working directory")
	require.Len(t, tokens, 4)
	for i := 1; i < len(tokens); i++ {
		assert.Greater(t, tokens[i], tokens[i-1])
		assert.NotEqual(t, nll[i], nll[i-1], "OnStep sees the updated policy")
	}
	assert.Equal(t, 4, tr.Step())

	bad := sftConfig(t.TempDir())
	bad.SyncRefModel = true
	_, err = NewSFT(bad, tinyModel(t, tensor.Float32, 1), tinySFTData())
	assert.ErrorContains(t, err, "SFT has no reference model")
	d := tinySFTData()
	d.Train.Examples[3].Completion = []int{2, tinyVocab}
	_, err = NewSFT(sftConfig(t.TempDir()), tinyModel(t, tensor.Float32, 1), d)
	assert.EqualError(t, err, "train: tiny-sft: example 3: field completion: token 1 is id 24, outside the model's vocabulary [0, 24)")
	noDir := sftConfig("")
	_, err = NewSFT(noDir, tinyModel(t, tensor.Float32, 1), tinySFTData())
	assert.EqualError(t, err, "train: output_dir is empty")
}
