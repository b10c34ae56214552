package train

import (
	"math"
	"testing"

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
				if err != nil {
					t.Fatal(err)
				}
				m, err := tr.accumulate(idx)
				if err != nil {
					t.Fatal(err)
				}
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
					if e := normwise(got[i], want[i]); e > tc.tol {
						t.Errorf("batch %d x %d: parameter %d: gradient differs from one batch of 6 by %.3g (normwise)", s.batch, s.accum, i, e)
					}
				}
				for k, w := range wantRec {
					if math.Abs(rec[k]-w) > tc.tol*math.Max(1, math.Abs(w)) {
						t.Errorf("batch %d x %d: %s = %v, one batch of 6: %v", s.batch, s.accum, k, rec[k], w)
					}
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
