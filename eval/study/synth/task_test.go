package synth

import (
	"math"
	"testing"
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
		if got := Gold(keys, tc.resp); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: Gold(%v) = %v, want %v", tc.name, tc.resp, got, tc.want)
		}
	}
}

// TestDocAndPrompt checks the document and prompt layout rules.
func TestDocAndPrompt(t *testing.T) {
	ds := Build(1, Sizes{SFT: 2000}, DefaultNoise, 0.15)
	for _, ex := range ds.SFT {
		d := ex.Doc
		if len(d.Tokens) < MinDocLen || len(d.Tokens) > MaxDocLen || len(d.Keys) < 2 || len(d.Keys) > 4 {
			t.Fatalf("bad document %+v", d)
		}
		var keys []int
		for _, tok := range d.Tokens {
			if IsKey(tok) {
				keys = append(keys, tok)
			} else if tok < FirstFill || tok >= FirstFill+NumFillers {
				t.Fatalf("token %d in document %v", tok, d.Tokens)
			}
		}
		if !equalTokens(keys, d.Keys) {
			t.Fatalf("keys %v, document order %v", d.Keys, keys)
		}
		p := d.Prompt()
		if len(p) != PromptLen || p[PromptLen-1] != SEP || p[0] != PAD && len(d.Tokens) < MaxDocLen {
			t.Fatalf("bad prompt %v", p)
		}
		if len(ex.Summary) > DefaultNoise.MaxLen {
			t.Fatalf("summary %v longer than %d", ex.Summary, DefaultNoise.MaxLen)
		}
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
		if equalTokens(p.Chosen, p.Rejected) {
			t.Fatal("identical chosen and rejected")
		}
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
	if math.Abs(meanLen-1.71) > 0.05 || maxLen != 6 {
		t.Errorf("mean length %.3f (want 1.71 ± 0.05), max %d (want 6)", meanLen, maxLen)
	}
	if math.Abs(longer-0.81) > 0.03 {
		t.Errorf("longer response wins %.3f of pairs with different lengths, want 0.81 ± 0.03", longer)
	}
	if math.Abs(agreement-0.93) > 0.03 {
		t.Errorf("labels agree with gold %.3f, want 0.93 ± 0.03", agreement)
	}
}

// TestBuildDeterministic checks that one seed gives one dataset.
func TestBuildDeterministic(t *testing.T) {
	a := Build(3, Sizes{SFT: 50, TrainPairs: 50, HeldOut: 5, EvalPrompts: 5, References: 4}, DefaultNoise, 0.15)
	b := Build(3, Sizes{SFT: 50, TrainPairs: 50, HeldOut: 5, EvalPrompts: 5, References: 4}, DefaultNoise, 0.15)
	for i := range a.Train {
		if !equalTokens(a.Train[i].Chosen, b.Train[i].Chosen) || !equalTokens(a.Train[i].Doc.Tokens, b.Train[i].Doc.Tokens) {
			t.Fatalf("pair %d differs between two builds with seed 3", i)
		}
	}
}
