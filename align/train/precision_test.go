package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// TestBF16PrecisionTracksFloat32 trains the tiny DPO setup for 20 steps
// with precision float32 and bf16 (policy, evaluation and reference
// engines in bfloat16 products) and bounds the gap between the two loss
// curves (measured: 8.1e-4 at most, for losses falling from 0.693 to
// 0.396).
func TestBF16PrecisionTracksFloat32(t *testing.T) {
	const steps = 20
	run := func(precision string) []float64 {
		cfg := tinyTrainConfig(t.TempDir())
		cfg.MaxSteps, cfg.Precision, cfg.DisableCheckpoints = steps, precision, true
		tr := newTiny(t, cfg, tinyData(tinyPairs(51, 16), nil))
		require.NoError(t, tr.Train(context.Background()))
		if e, ok := tr.refSc.(*fast.Engine); ok {
			assert.Equal(t, precision == PrecisionBF16, e.Precision() == fast.BF16, "reference engine precision")
		}
		var losses []float64
		for _, r := range tr.History() {
			if l, ok := r[KeyLoss]; ok {
				losses = append(losses, l)
			}
		}
		require.Len(t, losses, steps)
		return losses
	}
	f32, bf16 := run(PrecisionFloat32), run(PrecisionBF16)
	gap := 0.0
	for i := range f32 {
		gap = math.Max(gap, math.Abs(f32[i]-bf16[i]))
	}
	t.Logf("loss float32 %.4f -> %.4f, bf16 %.4f -> %.4f; max gap %.2g", f32[0], f32[steps-1], bf16[0], bf16[steps-1], gap)
	assert.Greater(t, gap, 0.0, "identical curves: bf16 not used")
	assert.Less(t, gap, 0.01, "bf16 loss curve drifts from float32's")
}

// TestPrecisionChoice checks the precision option's validation.
func TestPrecisionChoice(t *testing.T) {
	c := DefaultConfig()
	c.Precision = "fp8"
	_, err := c.backend(tensor.Float32)
	assert.EqualError(t, err, `train: precision = "fp8"; want "float32" or "bf16"`)
	c.Precision = PrecisionBF16
	_, err = c.backend(tensor.Float64)
	assert.EqualError(t, err, `train: precision "bf16" needs backend "engine"`)
	b, err := c.backend(tensor.Float32)
	require.NoError(t, err)
	assert.Equal(t, BackendEngine, b)
	assert.Equal(t, "float32", precisionName(Config{}))
}

// TestPrecisionReferenceCache checks that precomputed reference log-probs
// are cached under a key naming the precision: a bf16 run does not reuse
// a float32 run's cache (its reference sums differ), and float32 keeps the
// key of runs made before the option.
func TestPrecisionReferenceCache(t *testing.T) {
	kind := func(precision string, bf16Ref bool) string {
		cfg := tinyTrainConfig(t.TempDir())
		cfg.Precision, cfg.BF16Reference = precision, bf16Ref
		return newTiny(t, cfg, tinyData(tinyPairs(51, 4), nil)).referenceKind()
	}
	assert.Equal(t, "engine", kind("", false))
	assert.Equal(t, "engine", kind(PrecisionFloat32, false))
	assert.Equal(t, "engine+bf16-products", kind(PrecisionBF16, false))
	assert.Equal(t, "engine-bf16+bf16-products", kind(PrecisionBF16, true))
}
