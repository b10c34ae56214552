package train

import (
	"math"
	"testing"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/tensor"
)

// TestScoreBatchMatchesSequenceLogProbs checks the trainer's scoring of a
// collated batch against two independent paths of package pythia: the
// per-token log-probs and sums must equal pythia.Model.SequenceLogProbs on
// the same prompts and completions bit for bit (same operations, other
// padding), and the logit sums must equal the sum of Model.Forward's full
// logits over the completion positions (relative 1e-12 in float64, 1e-5 in
// float32: the logit sum is computed as h·ΣW instead).
func TestScoreBatchMatchesSequenceLogProbs(t *testing.T) {
	for _, tc := range []struct {
		dt  tensor.DType
		tol float64
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}} {
		t.Run(tc.dt.String(), func(t *testing.T) {
			m := tinyModel(t, tc.dt, 3)
			ds := tinyPairs(5, 5)
			pb, err := data.Collator{MaxLength: 9, EOS: tinyEOS, Pad: tinyPad}.Collate(ds.Pairs)
			if err != nil {
				t.Fatal(err)
			}
			got := scoreBatch(m, pb)

			rows := 2 * pb.Pairs
			prompts, responses := make([][]int, rows), make([][]int, rows)
			for i := range rows {
				ids, _, _ := pb.Row(i)
				np, n := pb.PromptLengths[i], pb.CompletionLengths[i]
				prompts[i], responses[i] = ids[:np], ids[np:np+n]
			}
			want := m.SequenceLogProbs(prompts, responses)
			if !equalBits(got.perToken.Data, want.PerToken.Data) {
				t.Fatalf("per-token log-probs differ from SequenceLogProbs:\n got %v\nwant %v", got.perToken.Data, want.PerToken.Data)
			}
			c, r, err := got.sums(pb.Pairs, nil)
			if err != nil {
				t.Fatal(err)
			}
			sums := append(c.Data.ToFloat64s(), r.Data.ToFloat64s()...)
			for i, w := range want.Sum.Data.ToFloat64s() {
				if math.Float64bits(sums[i]) != math.Float64bits(w) {
					t.Errorf("row %d: sum %v, SequenceLogProbs %v", i, sums[i], w)
				}
				if got.counts[i] != want.Count[i] {
					t.Errorf("row %d: %d tokens, SequenceLogProbs %d", i, got.counts[i], want.Count[i])
				}
			}

			logits := m.Forward(prompts2ids(pb), nil).Data.ToFloat64s() // padded rows: real positions unaffected (causal)
			v := m.Config.VocabSize
			for i := range rows {
				var sum float64
				np, n := pb.PromptLengths[i], pb.CompletionLengths[i]
				for pos := np - 1; pos < np-1+n; pos++ {
					for _, x := range logits[(i*pb.Len+pos)*v : (i*pb.Len+pos+1)*v] {
						sum += x
					}
				}
				if d := math.Abs(got.logitSums[i] - sum); d > tc.tol*math.Max(1, math.Abs(sum)) {
					t.Errorf("row %d: logit sum %v, from Forward %v", i, got.logitSums[i], sum)
				}
			}
		})
	}
}

// prompts2ids returns the batch's input ids as rows.
func prompts2ids(pb *data.PairBatch) [][]int {
	ids := make([][]int, 2*pb.Pairs)
	for i := range ids {
		ids[i], _, _ = pb.Row(i)
	}
	return ids
}

// equalBits reports whether two tensors hold the same values bit for bit.
func equalBits(a, b *tensor.Tensor) bool {
	x, y := a.ToFloat64s(), b.ToFloat64s()
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}
