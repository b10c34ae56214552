package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyArgs is a study small enough for a test (eval/study's tests cover
// the library; these cover the wiring).
var tinyArgs = []string{
	"-losses", "dpo", "-betas", "0.1,1", "-sizes", "XS", "-seeds", "1", "-seed", "5",
	"-sft-steps", "20", "-sft-warmup", "2", "-sft-examples", "400", "-train-pairs", "64", "-batch", "16",
	"-eval-prompts", "8", "-heldout-pairs", "8", "-checkpoints", "2", "-workers", "1",
}

// TestShardsMergeAndVerify runs the tiny study as two shards, checks that
// -merge with one shard missing fails naming the missing runs and that a
// -merge of a -quick study refuses them, then merges both and verifies.
func TestShardsMergeAndVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the tiny study")
	}
	dir := t.TempDir()
	s0, s1, merged := filepath.Join(dir, "s0"), filepath.Join(dir, "s1"), filepath.Join(dir, "merged")
	require.NoError(t, run(append(tinyArgs, "-shard", "0/2", "-out", s0)))
	require.NoError(t, run(append(tinyArgs, "-shard", "1/2", "-out", s1)))

	err := run(append(tinyArgs, "-merge", s0, "-out", merged))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 of 2 runs of the grid missing")
	assert.Contains(t, err.Error(), "dpo_b1_XS_s5")

	err = run(append(tinyArgs, "-quick", "-merge", s0, "-merge", s1, "-out", merged))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Quick: run false, want true")

	require.NoError(t, run(append(tinyArgs, "-merge", s0, "-merge", s1, "-out", merged)))
	assert.NoError(t, run([]string{"-verify", filepath.Join(merged, "summary.json")}))
	assert.Error(t, run([]string{"-verify", filepath.Join(dir, "absent.json")}))
}

// TestParseFlags checks defaults, -quick and rejected values.
func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.03, 0.1, 0.3, 1.0}, o.Betas)
	assert.Equal(t, []string{"S", "L"}, o.Sizes)
	assert.Equal(t, []string{"dpo", "ipo", "slic", "rdpo"}, o.Losses)
	assert.Equal(t, map[string][]string{"L": {"dpo"}}, o.SizeLosses)
	assert.Equal(t, map[string]int{"L": 1500}, o.SizeSFTSteps)
	assert.Equal(t, map[string]float64{"L": 1e-3}, o.SizeSFTLR)
	assert.Equal(t, 0.2, o.RDPOAlpha)
	assert.Equal(t, 4, o.Seeds)
	assert.Equal(t, 3000, o.SFTSteps)
	assert.Equal(t, 8, o.Checkpoints)
	assert.Equal(t, 3e-4, o.DAALR)
	assert.Equal(t, 32, o.DAALRBaseWidth, "-lr is S's rate; M and L train at 1/width of it")
	assert.False(t, o.Quick)

	q, err := parseFlags([]string{"-quick", "-betas", "0.1"})
	require.NoError(t, err)
	assert.True(t, q.Quick)
	assert.Equal(t, []string{"S"}, q.Sizes)
	assert.Equal(t, []float64{0.1}, q.Betas, "-quick keeps a given -betas")
	assert.Equal(t, 1, q.Seeds)
	assert.Equal(t, 1500, q.SFTSteps)

	s, err := parseFlags([]string{"-shard", "1/3", "-losses", "dpo, sigmoid_norm", "-merge", "b", "c"})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3}, []int{s.Shard, s.NumShards})
	assert.Equal(t, []string{"dpo", "sigmoid_norm"}, s.Losses, "any registered align loss is an objective")
	assert.Nil(t, s.SizeLosses, "-losses alone runs its objectives on every size")

	g, err := parseFlags([]string{"-size-losses", "M=dpo,ipo; L=dpo", "-size-sft-steps", "L=4000", "-size-sft-lr", "L=1e-3", "-rdpo-alpha", "0.05"})
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"L": 1e-3}, g.SizeSFTLR)
	assert.Equal(t, 1e-3, g.SFTLROf("L"))
	assert.Equal(t, 3e-3, g.SFTLROf("M"))
	assert.Equal(t, map[string][]string{"M": {"dpo", "ipo"}, "L": {"dpo"}}, g.SizeLosses)
	assert.Equal(t, map[string]int{"L": 4000}, g.SizeSFTSteps)
	assert.Equal(t, 4000, g.SFTStepsOf("L"))
	assert.Equal(t, 3000, g.SFTStepsOf("S"))
	assert.Equal(t, 0.05, g.RDPOAlpha)
	assert.Equal(t, []string{"dpo", "ipo"}, g.LossesOf("M"))
	assert.Equal(t, []string{"dpo", "ipo", "slic", "rdpo"}, g.LossesOf("S"))
	w, err := parseFlags([]string{"-lr-base-width", "0", "-lr", "1e-4"})
	require.NoError(t, err)
	assert.Equal(t, 1e-4, w.DAALROf("L"), "-lr-base-width 0: one rate at every size")
	assert.Equal(t, []string{"b", "c"}, s.Merge, "directories after -merge are merged too")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-losses", "nosuch"}, `unknown objective "nosuch"`},
		{[]string{"-sizes", "XL"}, `unknown size "XL"`},
		{[]string{"-size-losses", "M"}, `-size-losses: "M": want SIZE=objective`},
		{[]string{"-size-losses", "M=dpo,kto2"}, "kto2 is not one of -losses"},
		{[]string{"-sizes", "S,M", "-size-losses", "M=dpo", "-losses", "ipo"}, "leaves size M none of -losses"},
		{[]string{"-size-sft-steps", "L=x"}, `-size-sft-steps: "L=x": want SIZE=steps`},
		{[]string{"-size-sft-steps", "L=10"}, "-size-sft-steps L=10: want at least -sft-warmup (100)"},
		{[]string{"-size-sft-lr", "L"}, `-size-sft-lr: "L": want SIZE=rate`},
		{[]string{"-size-sft-lr", "L=0"}, "-size-sft-lr L=0: want a finite learning rate > 0"},
		{[]string{"-size-sft-lr", "L=NaN"}, "-size-sft-lr L=NaN: want a finite learning rate > 0"},
		{[]string{"-lr-base-width", "-1"}, "-lr-base-width -1"},
		{[]string{"-betas", "0"}, "beta 0 must be positive"},
		{[]string{"-betas", "x"}, `"x" is not a number`},
		{[]string{"-shard", "2/2"}, `-shard "2/2"`},
		{[]string{"-shard", "a"}, `-shard "a"`},
		{[]string{"-seeds", "0"}, "-seeds 0"},
		{[]string{"-batch", "0"}, "-batch 0"},
		{[]string{"-sft-warmup", "5000"}, "-sft-warmup 5000"},
		{[]string{"-checkpoints", "0"}, "-checkpoints 0"},
		{[]string{"stray"}, "unexpected arguments"},
	} {
		_, err := parseFlags(c.args)
		if assert.Error(t, err, "%v", c.args) {
			assert.Contains(t, err.Error(), c.want, "%v", c.args)
		}
	}
}

// TestRealFlags checks the real mode's defaults and the flags it rejects.
func TestRealFlags(t *testing.T) {
	t.Setenv("DAA_TEST_JUDGE_KEY", "k")
	o, err := parseFlags([]string{"-model", "EleutherAI/pythia-70m", "-data", "x.jsonl", "-judge-key-env", "DAA_TEST_JUDGE_KEY"})
	require.NoError(t, err)
	require.NotNil(t, o.Real)
	assert.Equal(t, []string{"pythia-70m"}, o.Sizes)
	assert.Equal(t, 5e-7, o.DAALR)
	assert.Equal(t, 64, o.DAABatch)
	assert.Equal(t, 1, o.Workers)
	assert.Zero(t, o.Data.TrainPairs)
	assert.Equal(t, "llm", o.Real.Judge)
	assert.Equal(t, "gpt-4o-mini", o.Real.JudgeModel)
	assert.Equal(t, "https://api.openai.com/v1", o.Real.JudgeURL)

	set, err := parseFlags([]string{"-model", "m", "-data", "d", "-judge", "length", "-lr", "1e-6", "-batch", "32", "-train-pairs", "100"})
	require.NoError(t, err)
	assert.Equal(t, 1e-6, set.DAALR, "a given -lr is kept")
	assert.Equal(t, 32, set.DAABatch, "a given -batch is kept")
	assert.Equal(t, 100, set.Data.TrainPairs, "a given -train-pairs is kept")

	realArgs := []string{"-model", "m", "-data", "d", "-judge", "length"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "m"}, "-model needs -data"},
		{[]string{"-data", "d"}, "-data needs -model"},
		{[]string{"-judge", "length"}, "-judge applies with -model and -data only"},
		{[]string{"-max-length", "64"}, "-max-length applies with -model"},
		{append(realArgs, "-sizes", "S"), "-sizes applies to the synthetic task only"},
		{append(realArgs, "-sft-steps", "5"), "-sft-steps applies to the synthetic task only"},
		{append(realArgs, "-shard", "0/2"), "-shard applies to the synthetic task only"},
		{append(realArgs, "-lr-base-width", "16"), "-lr-base-width applies to the synthetic task only"},
		{append(realArgs, "-size-sft-lr", "L=1e-3"), "-size-sft-lr applies to the synthetic task only"},
		{append(realArgs, "-workers", "2"), "-workers applies to the synthetic task only"},
		{append(realArgs, "-judge", "gpt"), `-judge "gpt"`},
		{append(realArgs, "-max-prompt-length", "512"), "-max-prompt-length 512"},
		{append(realArgs, "-max-length", "1"), "-max-length 1"},
		{append(realArgs, "-micro-batch", "65"), "-micro-batch 65"},
		{append(realArgs, "-epochs", "0"), "-epochs 0"},
		{append(realArgs, "-train-pairs", "10"), "-train-pairs 10"},
		{append(realArgs, "-max-new-tokens", "0"), "-max-new-tokens 0"},
		{append(realArgs, "-judge-concurrency", "0"), "-judge-concurrency 0"},
		{append(realArgs, "-losses", "nosuch"), "unknown objective"},
		{append(realArgs, "-judge", "llm", "-judge-key-env", "DAA_TEST_UNSET_KEY"), "DAA_TEST_UNSET_KEY"},
	} {
		_, err := parseFlags(c.args)
		if assert.Error(t, err, "%v", c.args) {
			assert.Contains(t, err.Error(), c.want, "%v", c.args)
		}
	}
}
