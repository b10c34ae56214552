package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// hookCall is what a test's OnPreOptimizerStep saw at one step.
type hookCall struct {
	info   StepInfo
	order  []int         // EpochOrder during the call
	grads  [][]float64   // every parameter's Grad, by Params() position
	before *pythia.Model // a copy of the policy's weights during the call
}

// recordHook sets tr.OnPreOptimizerStep to save each call into calls.
func recordHook(tr *Trainer, calls *[]hookCall) {
	tr.OnPreOptimizerStep = func(info StepInfo) {
		*calls = append(*calls, hookCall{info: info, order: tr.EpochOrder(), grads: gradsOf(tr.Policy()), before: tr.Policy().Clone()})
	}
}

// gradsOf returns the Grad of every parameter of m (zeros where nil).
func gradsOf(m *pythia.Model) [][]float64 {
	ps := m.Params()
	out := make([][]float64, len(ps))
	for i, p := range ps {
		out[i] = make([]float64, p.Value.Data.Len())
		if p.Value.Grad != nil {
			out[i] = p.Value.Grad.ToFloat64s()
		}
	}
	return out
}

// assertSameGrads checks got against want entry by entry at
// |got - want| <= 1e-10 max|want| and returns want's global L2 norm.
func assertSameGrads(t *testing.T, m *pythia.Model, want, got [][]float64, step int) float64 {
	t.Helper()
	largest, sq := 0.0, 0.0
	for _, g := range want {
		for _, x := range g {
			largest, sq = math.Max(largest, math.Abs(x)), sq+x*x
		}
	}
	require.Greater(t, largest, 1e-4, "step %d: the independent gradient is too small to tell pairs apart", step)
	for i, p := range m.Params() {
		for j := range want[i] {
			if !assert.InDelta(t, want[i][j], got[i][j], 1e-10*largest, "step %d: %s[%d]", step, p.Name, j) {
				return math.Sqrt(sq)
			}
		}
	}
	return math.Sqrt(sq)
}

// withEOS returns ids ++ [tinyEOS].
func withEOS(ids []int) []int { return append(append(make([]int, 0, len(ids)+1), ids...), tinyEOS) }

// TestOnPreOptimizerStepPairs trains a tiny float64 policy (autograd
// backend) with DPO for 3 steps of 4 pairs in micro-batches of 2 over 8
// pairs (two epochs) and checks what the hook sees at each step: its
// number, the learning rate the step's record then reports, indices that
// are the step's run of the epoch's order (the first two steps a
// permutation of the 8 pairs), and gradients equal, to 1e-10 of their
// largest entry, to the gradient of the DPO loss of those 4 pairs computed
// apart from the trainer on a copy of the weights the hook saw:
//
//	z_i = β ((πc_i - ρc_i) - (πr_i - ρr_i)),  L = -(1/n) Σ_i log σ(z_i)
//	∂L/∂πc_i = -(β/n) σ(-z_i),  ∂L/∂πr_i = +(β/n) σ(-z_i)
//
// (π, ρ: policy and reference sums of response + EOS from pythia's
// autograd scorer), back-propagated by that scorer. Clipping at 1e-3 is on
// and the gradients are larger: the hook sees them unclipped.
func TestOnPreOptimizerStepPairs(t *testing.T) {
	const beta, clip = 0.5, 1e-3
	cfg := tinyTrainConfig("")
	cfg.DisableCheckpoints = true
	cfg.Loss.Beta = beta
	cfg.BatchSize, cfg.GradientAccumulationSteps, cfg.MaxSteps = 2, 2, 3
	cfg.MaxLength, cfg.MaxPromptLength = 12, 6 // no truncation of tinyPairs
	cfg.MaxGradNorm = clip
	policy, ref := tinyModel(t, tensor.Float64, 11), tinyModel(t, tensor.Float64, 12)
	ds := tinyPairs(13, 8)
	tr, err := New(cfg, policy, ref, tinyData(ds, nil))
	require.NoError(t, err)
	var calls []hookCall
	recordHook(tr, &calls)
	var lrs []float64
	tr.OnStep = func(r Record) { lrs = append(lrs, r[KeyLearningRate]) }
	require.NoError(t, tr.Train(context.Background()))
	require.Len(t, calls, 3)

	seen := map[int]bool{}
	for k, c := range calls {
		assert.Equal(t, k+1, c.info.Step)
		assert.Equal(t, lrs[k], c.info.LearningRate, "step %d", k+1)
		require.Len(t, c.order, len(ds.Pairs))
		lo := 4 * (k % 2) // two steps per epoch
		assert.Equal(t, c.order[lo:lo+4], c.info.Indices, "step %d: indices vs the epoch's order", k+1)
		if k < 2 {
			for _, i := range c.info.Indices {
				seen[i] = true
			}
		}

		n := len(c.info.Indices)
		prompts, responses := make([][]int, 2*n), make([][]int, 2*n)
		for j, i := range c.info.Indices {
			p := ds.Pairs[i]
			prompts[j], prompts[n+j] = p.Prompt, p.Prompt
			responses[j], responses[n+j] = withEOS(p.Chosen), withEOS(p.Rejected)
		}
		rho := ref.Frozen().Scorer().SequenceLogProbs(prompts, responses).Sum
		sc := c.before.Scorer()
		pi := sc.SequenceLogProbs(prompts, responses).Sum
		d := make([]float64, 2*n)
		for j := range n {
			z := beta * ((pi[j] - rho[j]) - (pi[n+j] - rho[n+j]))
			s := 1 / (1 + math.Exp(z)) // σ(-z)
			d[j], d[n+j] = -beta/float64(n)*s, beta/float64(n)*s
		}
		sc.Backward(d)
		norm := assertSameGrads(t, c.before, gradsOf(c.before), c.grads, k+1)
		assert.Greater(t, norm, clip, "step %d: the gradient would not be clipped; the test could not tell", k+1)
	}
	assert.Len(t, seen, len(ds.Pairs), "the first epoch's two steps cover every pair once")
}

// TestOnPreOptimizerStepSFT is the same check for NewSFT: 2 steps of 4
// examples in micro-batches of 2, the hook's gradients against the
// gradient of the token-mean NLL of its examples computed apart,
//
//	L = -(1/N) Σ_b Σ_j log p(c_bj | prompt_b, c_b<j),  ∂L/∂Sum_b = -1/N,
//
// N the completion + EOS tokens of the step's examples.
func TestOnPreOptimizerStepSFT(t *testing.T) {
	cfg := tinyTrainConfig("")
	cfg.DisableCheckpoints = true
	cfg.BatchSize, cfg.GradientAccumulationSteps, cfg.MaxSteps = 2, 2, 2
	cfg.MaxLength, cfg.MaxPromptLength = 12, 6
	set := &SFTDataset{Name: "tiny sft"}
	for _, p := range tinyPairs(21, 8).Pairs {
		set.Examples = append(set.Examples, SFTExample{Prompt: p.Prompt, Completion: p.Chosen})
	}
	tr, err := NewSFT(cfg, tinyModel(t, tensor.Float64, 22), SFTData{Train: set, EOS: tinyEOS})
	require.NoError(t, err)
	var calls []hookCall
	recordHook(tr, &calls)
	require.NoError(t, tr.Train(context.Background()))
	require.Len(t, calls, 2)
	for k, c := range calls {
		assert.Equal(t, k+1, c.info.Step)
		assert.Equal(t, c.order[4*k:4*k+4], c.info.Indices, "step %d", k+1)
		var prompts, completions [][]int
		tokens := 0
		for _, i := range c.info.Indices {
			e := set.Examples[i]
			prompts, completions = append(prompts, e.Prompt), append(completions, withEOS(e.Completion))
			tokens += len(e.Completion) + 1
		}
		sc := c.before.Scorer()
		sc.SequenceLogProbs(prompts, completions)
		d := make([]float64, len(prompts))
		for b := range d {
			d[b] = -1 / float64(tokens)
		}
		sc.Backward(d)
		assertSameGrads(t, c.before, gradsOf(c.before), c.grads, k+1)
	}
}

// TestOnPreOptimizerStepNil trains the tiny float32 setup (engine backend)
// for 3 steps twice, with a hook that reads every gradient and with none:
// the run without a hook completes (a nil hook is not called), and the two
// end with bit-identical weights (a hook that only reads changes nothing).
func TestOnPreOptimizerStepNil(t *testing.T) {
	cfg := tinyTrainConfig("")
	cfg.DisableCheckpoints = true
	cfg.MaxSteps = 3
	ds := tinyPairs(31, 6)
	withHook, without := newTiny(t, cfg, tinyData(ds, nil)), newTiny(t, cfg, tinyData(ds, nil))
	calls := 0
	withHook.OnPreOptimizerStep = func(StepInfo) {
		calls++
		gradsOf(withHook.Policy())
	}
	require.NoError(t, withHook.Train(context.Background()))
	require.NoError(t, without.Train(context.Background()))
	assert.Equal(t, 3, calls)
	assert.Equal(t, 3, without.Step())
	assert.Empty(t, sameBits(withHook.Policy(), without.Policy()), "first parameter that differs")
}
