package align_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/tensor"
)

// TestSyncReference checks the TR-DPO updates element by element: soft
// (ref = α policy + (1-α) ref, computed as TRL's mul_/add_ in the dtype),
// hard (an exact copy), on float32 and float64 tensors, and on a
// non-contiguous view.
func TestSyncReference(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		rng := tensor.NewRNG(11)
		ref := []*tensor.Tensor{tensor.RandN(rng, dt, 0, 1, 3, 4), tensor.RandN(rng, dt, 0, 1, 70000)}
		policy := []*tensor.Tensor{tensor.RandN(rng, dt, 0, 1, 3, 4), tensor.RandN(rng, dt, 0, 1, 70000)}
		before := [][]float64{ref[0].ToFloat64s(), ref[1].ToFloat64s()}
		align.SyncReference(ref, policy, 0.6)
		for i := range ref {
			got, p := ref[i].ToFloat64s(), policy[i].ToFloat64s()
			for j := range got {
				want := before[i][j]*0.4 + 0.6*p[j]
				if dt == tensor.Float32 {
					want = float64(float32(before[i][j])*float32(0.4) + float32(0.6)*float32(p[j]))
				}
				require.Equal(t, want, got[j], "%s tensor %d [%d]", dt, i, j)
			}
		}
		align.SyncReference(ref, policy, 1)
		for i := range ref {
			got, p := ref[i].ToFloat64s(), policy[i].ToFloat64s()
			for j := range got {
				require.Equal(t, p[j], got[j], "%s hard update tensor %d [%d]", dt, i, j)
			}
		}
	}
	// a transposed view is updated through CopyFrom
	base := tensor.FromFloat64s([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	view := base.Transpose(0, 1) // (3, 2), non-contiguous
	target := tensor.FromFloat64s([]float64{0, 0, 0, 0, 0, 0}, 3, 2)
	align.SyncReference([]*tensor.Tensor{view}, []*tensor.Tensor{target}, 0.5)
	assert.Equal(t, []float64{0.5, 1, 1.5, 2, 2.5, 3}, base.ToFloat64s(), "view update")
}

// TestReferenceSyncSchedule: updates happen at steps τ, 2τ, ... and bad
// settings are errors naming the field.
func TestReferenceSyncSchedule(t *testing.T) {
	s := align.ReferenceSync{Alpha: 0.6, Every: 3}
	require.NoError(t, s.Validate())
	var due []int
	for step := 0; step <= 9; step++ {
		if s.Due(step) {
			due = append(due, step)
		}
	}
	assert.Equal(t, []int{3, 6, 9}, due, "steps due")
	for _, bad := range []align.ReferenceSync{{Alpha: 1.5, Every: 1}, {Alpha: 0.5, Every: 0}} {
		assert.Error(t, bad.Validate(), "%+v validated", bad)
	}
}
