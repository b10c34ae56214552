package train

import (
	"bufio"
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// trainKeys and lossKeys are the keys of a sigmoid run's records.
var (
	lossKeys = []string{KeyLoss, align.MetricRewardsChosen, align.MetricRewardsRejected, align.MetricRewardsAccuracy,
		align.MetricRewardsMargins, align.MetricLogpsChosen, align.MetricLogpsRejected, KeyLogitsChosen, KeyLogitsRejected}
	bookKeys = []string{KeyStep, KeyExamples, KeyEpoch}
)

// readMetrics parses metrics.jsonl, failing on any line that is not a JSON
// object of numbers.
func readMetrics(t *testing.T, dir string) []Record {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	require.NoError(t, err)
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var r Record
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		require.NoError(t, dec.Decode(&r), "%s:%d: %s", MetricsFile, line, sc.Text())
		require.False(t, dec.More(), "%s:%d: more than one value: %s", MetricsFile, line, sc.Text())
		recs = append(recs, r)
	}
	return recs
}

// TestMetricsJSONL checks the schema and the bookkeeping of metrics.jsonl
// for a 3-epoch run over 9 pairs in steps of 2 with evaluation every 6
// examples: exactly TRL's keys on every line, steps counting up by one,
// examples by the step's pairs (1 at each epoch's end), epoch = examples/9,
// the learning rate of the warmup schedule, margins = chosen - rejected,
// and evaluations at 0, 6, 12(13), 18, 24 examples and at the end.
func TestMetricsJSONL(t *testing.T) {
	dir := t.TempDir()
	cfg := resumeConfig(dir)
	require.NoError(t, newTiny(t, cfg, resumeData()).Train(context.Background()))
	recs := readMetrics(t, dir)
	trainKeys := slices.Sorted(slices.Values(append(append([]string{KeyLearningRate, KeyGradNorm}, bookKeys...), lossKeys...)))
	evalKeys := slices.Clone(bookKeys)
	for _, k := range lossKeys {
		evalKeys = append(evalKeys, EvalPrefix+k)
	}
	slices.Sort(evalKeys)
	step, examples := 0, 0
	var evalAt []int
	for i, r := range recs {
		keys := slices.Sorted(maps.Keys(r))
		if _, isEval := r[EvalPrefix+KeyLoss]; isEval {
			require.Equal(t, evalKeys, keys, "line %d: eval keys", i+1)
			evalAt = append(evalAt, int(r[KeyExamples]))
			continue
		}
		require.Equal(t, trainKeys, keys, "line %d: keys", i+1)
		step++
		pairs := 2
		if (examples+2)%9 == 1 { // the epoch's last, short step
			pairs = 1
		}
		examples += pairs
		assert.Equal(t, float64(step), r[KeyStep], "line %d", i+1)
		assert.Equal(t, float64(examples), r[KeyExamples], "line %d", i+1)
		assert.InDelta(t, float64(examples)/9, r[KeyEpoch], 1e-15, "line %d", i+1)
		wantLR := cfg.LearningRate * math.Min(1, float64(step)/float64(cfg.WarmupSteps+1)) // k = step-1: (k+1)/(warmup+1)
		assert.InDelta(t, wantLR, r[KeyLearningRate], 1e-18, "step %d: learning_rate", step)
		assert.InDelta(t, r[align.MetricRewardsChosen]-r[align.MetricRewardsRejected], r[align.MetricRewardsMargins], 1e-9, "step %d: margins", step)
		assert.Contains(t, []float64{0, 0.5, 1}, r[align.MetricRewardsAccuracy], "step %d: rewards/accuracies with at most 2 pairs", step)
		assert.Greater(t, r[KeyGradNorm], 0.0, "step %d: grad_norm", step)
	}
	assert.Equal(t, 15, step, "training records")
	assert.Equal(t, []int{0, 6, 13, 18, 24, 27}, evalAt, "evaluations at examples")
}

// TestFirstRecordsAgainstPythia recomputes the metrics of the first step
// and of the evaluation before training from the initial weights with
// package pythia alone (SequenceLogProbs for the log-probs, Forward for the
// logits, the truncation done by hand): policy and reference are equal then,
// so every reward is exactly 0 and the loss is ln 2 (float32 tolerance
// 1e-6), and logps/* and logits/* are the means of the independent values
// (relative 1e-5).
func TestFirstRecordsAgainstPythia(t *testing.T) {
	dir := t.TempDir()
	cfg := resumeConfig(dir)
	cfg.MaxSteps = 1
	d := resumeData()
	require.NoError(t, newTiny(t, cfg, d).Train(context.Background()))
	recs := readMetrics(t, dir)
	m := tinyModel(t, tensor.Float32, 1) // the initial policy
	first := newOrder(len(d.Train.Pairs), cfg.Seed).next(cfg.stepPairs())
	for _, tc := range []struct {
		rec    Record
		prefix string
		pairs  []data.TokenizedPair
	}{
		{recs[0], EvalPrefix, d.Eval.Pairs},
		{recs[1], "", []data.TokenizedPair{d.Train.Pairs[first[0]], d.Train.Pairs[first[1]]}},
	} {
		want := independentMetrics(m, tc.pairs, cfg.MaxLength, cfg.MaxPromptLength)
		for _, k := range []string{align.MetricRewardsChosen, align.MetricRewardsRejected, align.MetricRewardsMargins, align.MetricRewardsAccuracy} {
			assert.Zero(t, tc.rec[tc.prefix+k], "%s%s with policy == reference", tc.prefix, k)
		}
		assert.InDelta(t, math.Ln2, tc.rec[tc.prefix+KeyLoss], 1e-6, "%sloss", tc.prefix)
		for k, w := range want {
			assert.InDelta(t, w, tc.rec[tc.prefix+k], 1e-5*math.Abs(w), "%s%s vs the independent value", tc.prefix, k)
		}
	}
}

// independentMetrics computes logps/* and logits/* of pairs under m with
// package pythia directly: prompts cut to their last maxPrompt tokens,
// completion ++ EOS cut so the sequence has at most maxLength tokens.
func independentMetrics(m *pythia.Model, pairs []data.TokenizedPair, maxLength, maxPrompt int) map[string]float64 {
	out := map[string]float64{}
	v := m.Config.VocabSize
	for side, key := range []string{"chosen", "rejected"} {
		var logps, logits float64
		var tokens int
		for _, p := range pairs {
			prompt := p.Prompt[max(0, len(p.Prompt)-maxPrompt):]
			resp := append([]int{}, p.Chosen...)
			if side == 1 {
				resp = append([]int{}, p.Rejected...)
			}
			resp = append(resp, tinyEOS)
			resp = resp[:min(len(resp), maxLength-len(prompt))]
			logps += m.SequenceLogProbs([][]int{prompt}, [][]int{resp}).Sum.Item()
			all := m.Forward([][]int{append(append([]int{}, prompt...), resp...)}, nil).Data.ToFloat64s()
			for pos := len(prompt) - 1; pos < len(prompt)-1+len(resp); pos++ {
				for _, x := range all[pos*v : (pos+1)*v] {
					logits += x
				}
			}
			tokens += len(resp)
		}
		out["logps/"+key] = logps / float64(len(pairs))
		out["logits/"+key] = logits / float64(tokens*v)
	}
	return out
}
