package train

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// TestAccumulationEqualsBigBatch computes the gradient of one optimizer step
// over 6 pairs as one batch of 6 and with gradient accumulation over
// micro-batches of 3, 2 and 1 pairs and over an uneven split (4 + 2, where
// each micro-batch's loss is weighted by its share of the pairs). The
// gradients of every parameter must agree with the big batch's to float
// tolerance (normwise relative 1e-12 in float64, 1e-5 in float32), and so
// must the logged loss and metrics.
func TestAccumulationEqualsBigBatch(t *testing.T) {
	idx := span(0, 6)
	d := tinyData(tinyPairs(31, 6), nil)
	splits := []struct{ batch, accum int }{{3, 2}, {2, 3}, {1, 6}, {4, 2}}
	for _, tc := range []struct {
		dt  tensor.DType
		tol float64
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}} {
		t.Run(tc.dt.String(), func(t *testing.T) {
			grads := func(batch, accum int) ([][]float64, Record) {
				cfg := tinyTrainConfig(t.TempDir())
				cfg.BatchSize, cfg.GradientAccumulationSteps = batch, accum
				tr, err := New(cfg, tinyModel(t, tc.dt, 4), tinyModel(t, tc.dt, 5), d)
				require.NoError(t, err)
				m, err := tr.accumulate(idx)
				require.NoError(t, err)
				var g [][]float64
				for _, p := range tr.params {
					g = append(g, p.Value.Grad.ToFloat64s())
				}
				return g, m.record("", tinyVocab)
			}
			want, wantRec := grads(6, 1)
			for _, s := range splits {
				got, rec := grads(s.batch, s.accum)
				for i := range want {
					assert.LessOrEqual(t, normwise(got[i], want[i]), tc.tol, "batch %d x %d: parameter %d: gradient vs one batch of 6 (normwise)", s.batch, s.accum, i)
				}
				for k, w := range wantRec {
					assert.InDelta(t, w, rec[k], tc.tol*math.Max(1, math.Abs(w)), "batch %d x %d: %s vs one batch of 6", s.batch, s.accum, k)
				}
			}
		})
	}
}

// normwise returns max|a-b| / max|b| (0 when both are 0).
func normwise(a, b []float64) float64 {
	var diff, scale float64
	for i := range a {
		diff = math.Max(diff, math.Abs(a[i]-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	if diff == 0 {
		return 0
	}
	return diff / scale
}
