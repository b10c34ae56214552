package fast

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestStepAllocatesNoBuffers checks that a training step in steady state
// (gradients reset to nil by the optimizer's ZeroGrad, as torch's
// zero_grad does) allocates no buffers: less than 512 KB per step (two
// forward and backward passes; the parallel loops' closures and, mostly,
// tensor/kernel's SGEMM packing buffers when its pool was emptied by a
// garbage collection), against 1.9 MB of gradients and more of activations
// that a per-step allocation would add.
func TestStepAllocatesNoBuffers(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers at random")
	}
	cfg := variants[0].config()
	cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize = 64, 256, 3000
	m, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	require.NoError(t, err)
	e, err := New(m, 4, 32)
	require.NoError(t, err)
	ids, mask := rightPadded(randomIDs(rand.New(rand.NewPCG(1, 1)), []int{32, 20, 31, 7}, cfg.VocabSize))
	prompts, responses := [][]int{ids[0][:10], ids[1][:5]}, [][]int{ids[2][:20], ids[3][:7]}
	params := m.Params()
	step := func() {
		zeroGrads(params)
		e.NextTokenLoss(ids, mask)
		e.BackwardLoss(1)
		e.SequenceLogProbs(prompts, responses)
		e.Backward([]float64{1, -1})
	}
	step()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const steps = 5
	for range steps {
		step()
	}
	runtime.ReadMemStats(&after)
	perStep := (after.TotalAlloc - before.TotalAlloc) / steps
	t.Logf("%d bytes per step", perStep)
	assert.LessOrEqual(t, perStep, uint64(512<<10), "bytes allocated by a training step")
}
