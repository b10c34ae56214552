package synth

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGold checks the gold reward on hand-computed cases (the formula in
// overoptimization-recipe.md): keys [3 7 11], k = 3.
func TestGold(t *testing.T) {
	keys := []int{3, 7, 11}
	for _, tc := range []struct {
		name string
		resp []int
		want float64
	}{
		{"perfect", []int{3, 7, 11, EOS}, 1.25},
		{"empty", []int{EOS}, 0},
		{"one key", []int{7, EOS}, 1.25 / 3},
		{"out of order", []int{7, 3, EOS}, 2.0 / 3},
		{"repeat is junk", []int{3, 3, EOS}, 1.25/3 - 0.3},
		{"filler is junk", []int{3, 20, 7, 11, EOS}, 1.25 - 0.3},
		{"foreign key is junk", []int{3, 5, EOS}, 1.25/3 - 0.3},
		{"no EOS", []int{3, 7, 11}, 0.75},
		{"tokens after EOS ignored", []int{3, EOS, 7, 11}, 1.25 / 3},
		{"EOS too late", append(make([]int, 16), EOS), -0.3*16 - 0.5},
	} {
		assert.InDelta(t, tc.want, Gold(keys, tc.resp), 1e-12, "%s: Gold(%v)", tc.name, tc.resp)
	}
}

// TestDocAndPrompt checks the document and prompt layout rules.
func TestDocAndPrompt(t *testing.T) {
	ds := Build(1, Sizes{SFT: 2000}, DefaultNoise, 0.15)
	for _, ex := range ds.SFT {
		d := ex.Doc
		require.True(t, len(d.Tokens) >= MinDocLen && len(d.Tokens) <= MaxDocLen && len(d.Keys) >= 2 && len(d.Keys) <= 4, "bad document %+v", d)
		var keys []int
		for _, tok := range d.Tokens {
			if IsKey(tok) {
				keys = append(keys, tok)
			} else {
				require.True(t, tok >= FirstFill && tok < FirstFill+NumFillers, "token %d in document %v", tok, d.Tokens)
			}
		}
		require.Equal(t, keys, d.Keys, "keys in document order")
		p := d.Prompt()
		require.Len(t, p, PromptLen)
		require.Equal(t, SEP, p[PromptLen-1], "prompt %v ends with SEP", p)
		require.True(t, p[0] == PAD || len(d.Tokens) == MaxDocLen, "short document's prompt %v is left-padded", p)
		require.LessOrEqual(t, len(ex.Summary), DefaultNoise.MaxLen, "summary %v", ex.Summary)
	}
}

// TestRecipeStatistics checks the generator against the data statistics the
// recipe reports from its PyTorch run: mean response length 1.71, maximum 6,
// the longer response wins 81% of pairs whose lengths differ, labels agree
// with the gold reward 93% of the time. Tolerance: 0.03 absolute on each
// share and 0.05 on the mean length (8000 pairs give a standard error under
// 0.01).
func TestRecipeStatistics(t *testing.T) {
	ds := Build(7, Sizes{SFT: 8000, TrainPairs: 8000}, DefaultNoise, 0.15)
	var sumLen float64
	maxLen := 0
	for _, ex := range ds.SFT {
		sumLen += float64(len(ex.Summary))
		maxLen = max(maxLen, len(ex.Summary))
	}
	meanLen := sumLen / float64(len(ds.SFT))
	var differ, longerWins, agree, decided int
	for _, p := range ds.Train {
		require.NotEqual(t, p.Chosen, p.Rejected, "identical chosen and rejected")
		if len(p.Chosen) != len(p.Rejected) {
			differ++
			if len(p.Chosen) > len(p.Rejected) {
				longerWins++
			}
		}
		gc, gr := Gold(p.Doc.Keys, withEOS(p.Chosen)), Gold(p.Doc.Keys, withEOS(p.Rejected))
		if gc != gr {
			decided++
			if gc > gr {
				agree++
			}
		}
	}
	longer := float64(longerWins) / float64(differ)
	agreement := float64(agree) / float64(decided)
	t.Logf("mean length %.3f, max %d, longer wins %.3f, label agreement %.3f", meanLen, maxLen, longer, agreement)
	assert.InDelta(t, 1.71, meanLen, 0.05, "mean length")
	assert.Equal(t, 6, maxLen, "maximum length")
	assert.InDelta(t, 0.81, longer, 0.03, "share of pairs with different lengths that the longer response wins")
	assert.InDelta(t, 0.93, agreement, 0.03, "share of labels that agree with gold")
}

// TestBuildDeterministic checks that one seed gives one dataset.
func TestBuildDeterministic(t *testing.T) {
	a := Build(3, Sizes{SFT: 50, TrainPairs: 50, HeldOut: 5, EvalPrompts: 5, References: 4}, DefaultNoise, 0.15)
	b := Build(3, Sizes{SFT: 50, TrainPairs: 50, HeldOut: 5, EvalPrompts: 5, References: 4}, DefaultNoise, 0.15)
	assert.Equal(t, a, b, "two builds with seed 3")
}
