package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/tensor"
)

// TestLossGradientFiniteDifferences checks the whole training objective
// end to end: the gradient that Backward leaves on every parameter of a
// tiny float64 pythia model (2 layers, hidden 16, vocabulary 24), through
// the trainer's collation, forward pass, sequence sums and loss, against
// central finite differences of the same loss, (L(w+h) - L(w-h)) / 2h with
// h = 1e-5, at |analytic - numeric| <= 1e-9 + 1e-6 |numeric|.
//
// Every parameter tensor is checked. For the sigmoid (DPO) loss: all
// entries of tensors of at most 32 values, and 32 seeded random entries of
// larger ones plus, for gpt_neox.embed_in.weight, 10 entries in rows of
// tokens of the batch (the other rows have exactly zero gradient, which
// random picks would mostly hit): 682 entries. The other losses (IPO,
// DPO + SFT, LD-DPO, reference-free DPO) check 8 per tensor in the same
// way, to keep the test quick. Three pairs of different lengths exercise
// the padding; the reference is another random model, so the log-ratios
// are not zero.
func TestLossGradientFiniteDifferences(t *testing.T) {
	half := 0.5
	cases := []struct {
		name      string
		perTensor int
		edit      func(c *Config)
	}{
		{"sigmoid", 32, func(c *Config) {}},
		{"ipo", 8, func(c *Config) { c.Loss.LossTypes = []string{"ipo"} }},
		{"sigmoid+sft", 8, func(c *Config) { c.Loss.LossTypes, c.Loss.LossWeights = []string{"sigmoid", "sft"}, []float64{1, 0.5} }},
		{"sigmoid ld_alpha", 8, func(c *Config) { c.Loss.LDAlpha = &half }},
		{"sigmoid reference-free", 8, func(c *Config) { c.ReferenceFree = true }},
	}
	const (
		h    = 1e-5
		atol = 1e-9
		rtol = 1e-6
	)
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyTrainConfig(t.TempDir())
			cfg.Loss.Beta = 0.5
			tc.edit(&cfg)
			policy, ref := tinyModel(t, tensor.Float64, 11), tinyModel(t, tensor.Float64, 12)
			ds := tinyPairs(13, 3)
			tr, err := New(cfg, policy, ref, tinyData(ds, nil))
			require.NoError(t, err)
			idx := []int{0, 1, 2}
			grad := true // the first call builds the graph whose Backward is checked
			lossAt := func() *align.Output {
				res, err := tr.batchLoss(&tr.train, idx, tr.trainSc, grad)
				grad = false
				require.NoError(t, err)
				return res.out
			}
			lossAt().Loss.Backward()

			used := map[int]bool{} // token ids in the batch
			for _, p := range tr.train.set.Pairs {
				for _, ids := range [][]int{p.Prompt, p.Chosen, p.Rejected} {
					for _, id := range ids {
						used[id] = true
					}
				}
			}
			rng := tensor.NewRNG(uint64(100 + ci))
			checked, worst, largest := 0, 0.0, 0.0
			for _, p := range policy.Params() {
				vals := p.Value.Data.Float64s()
				grad := make([]float64, len(vals))
				if p.Value.Grad != nil {
					grad = p.Value.Grad.ToFloat64s()
				}
				for _, j := range entriesToCheck(p.Name, p.Value.Shape(), tc.perTensor, used, rng) {
					x := vals[j]
					vals[j] = x + h
					fp := lossAt().Loss.Item()
					vals[j] = x - h
					fm := lossAt().Loss.Item()
					vals[j] = x
					numeric := (fp - fm) / (2 * h)
					diff := math.Abs(grad[j] - numeric)
					assert.InDelta(t, numeric, grad[j], atol+rtol*math.Abs(numeric), "%s[%d]: analytic vs finite difference", p.Name, j)
					worst = math.Max(worst, diff)
					largest = math.Max(largest, math.Abs(numeric))
					checked++
				}
			}
			require.GreaterOrEqual(t, largest, 1e-4, "largest gradient entry: smaller, the check would not notice a wrong gradient")
			t.Logf("%d entries of %d tensors; worst |analytic - numeric| %.3g, largest gradient %.3g", checked, len(policy.Params()), worst, largest)
		})
	}
}

// entriesToCheck returns the flat indices of a parameter's entries to
// check: all of a tensor of at most k values; else k random ones, plus
// k/3 in rows of used tokens for the input embedding.
func entriesToCheck(name string, shape []int, k int, used map[int]bool, rng *rand.Rand) []int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n <= k {
		return span(0, n)
	}
	idx := make([]int, 0, k+k/3)
	for range k {
		idx = append(idx, rng.IntN(n))
	}
	if name == "gpt_neox.embed_in.weight" {
		var rows []int
		for id := range shape[0] {
			if used[id] {
				rows = append(rows, id)
			}
		}
		for range k / 3 {
			idx = append(idx, rows[rng.IntN(len(rows))]*shape[1]+rng.IntN(shape[1]))
		}
	}
	return idx
}
