package train

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// TestBF16Reference checks the bfloat16 reference: it is a
// fast.NewInferenceBF16 engine of the reference model (scores bit-identical
// to one made directly), the first step's loss is within bfloat16 rounding
// of the float32 reference's but not equal to it, and under TR-DPO the
// engine is rebuilt after each sync so that it scores the synced weights.
func TestBF16Reference(t *testing.T) {
	run := func(edit func(c *Config)) *Trainer {
		cfg := tinyTrainConfig(t.TempDir())
		cfg.MaxSteps = 3
		edit(&cfg)
		tr := newTiny(t, cfg, tinyData(tinyPairs(51, 8), nil))
		require.NoError(t, tr.Train(context.Background()))
		return tr
	}
	f32 := run(func(c *Config) {})
	bf := run(func(c *Config) { c.BF16Reference = true })
	l32, lbf := f32.History()[0][KeyLoss], bf.History()[0][KeyLoss]
	assert.NotEqual(t, l32, lbf, "the bf16 reference is not used")
	assert.InDelta(t, l32, lbf, 1e-2, "first-step loss, float32 vs bfloat16 reference")

	sync := run(func(c *Config) {
		c.BF16Reference, c.SyncRefModel, c.RefModelSyncSteps, c.RefModelMixupAlpha = true, true, 1, 0.5
	})
	pb, err := sync.collate(&sync.train, []int{0, 1, 2})
	require.NoError(t, err)
	direct, err := fast.NewInferenceBF16(sync.refModel, 6, sync.cfg.MaxLength)
	require.NoError(t, err)
	got := scoreBatch(sync.refSc, pb, tensor.Float32, false)
	want := scoreBatch(direct, pb, tensor.Float32, false)
	assert.Equal(t, want.perToken.Data.Float32s(), got.perToken.Data.Float32s(), "reference engine after 3 syncs vs one made from the synced weights")
	assert.Equal(t, want.logitSums, got.logitSums)
}
