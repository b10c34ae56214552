package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClipPolyline checks hand-worked cases: a line that leaves the band
// [0, 1] and comes back is cut where it crosses y = 1 (x = 0.5 on the
// segment (0, 0.5)-(1, 1.5), x = 2.5 on (2, 1.5)-(3, 0.5)).
func TestClipPolyline(t *testing.T) {
	pieces := clipPolyline([]float64{0, 1, 2, 3}, []float64{0.5, 1.5, 1.5, 0.5}, 0, 1)
	require.Len(t, pieces, 2)
	assert.InDeltaSlice(t, []float64{0, 0.5}, pieces[0][0], 1e-15)
	assert.InDeltaSlice(t, []float64{0.5, 1}, pieces[0][1], 1e-15)
	assert.InDeltaSlice(t, []float64{2.5, 3}, pieces[1][0], 1e-15)
	assert.InDeltaSlice(t, []float64{1, 0.5}, pieces[1][1], 1e-15)

	// Inside throughout: one piece, unchanged.
	pieces = clipPolyline([]float64{0, 1, 2}, []float64{0.2, 0.4, 0.3}, 0, 1)
	require.Len(t, pieces, 1)
	assert.Equal(t, [2][]float64{{0, 1, 2}, {0.2, 0.4, 0.3}}, pieces[0])

	// Falling through the band from above to below in one segment: the
	// piece from y = 1 (x = 0.25) to y = 0 (x = 0.75).
	pieces = clipPolyline([]float64{0, 1}, []float64{1.5, -0.5}, 0, 1)
	require.Len(t, pieces, 1)
	assert.InDeltaSlice(t, []float64{0.25, 0.75}, pieces[0][0], 1e-15)
	assert.InDeltaSlice(t, []float64{1, 0}, pieces[0][1], 1e-15)

	// Outside throughout, and a NaN that splits a line.
	assert.Empty(t, clipPolyline([]float64{0, 1, 2}, []float64{2, 3, 2}, 0, 1))
	pieces = clipPolyline([]float64{0, 1, 2, 3, 4}, []float64{0.1, 0.2, math.NaN(), 0.3, 0.4}, 0, 1)
	require.Len(t, pieces, 2)
	assert.Equal(t, []float64{0, 1}, pieces[0][0])
	assert.Equal(t, []float64{3, 4}, pieces[1][0])
}
