package pythia

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// relErr is the normwise relative difference max|got-want| / max|want| of two
// tensors with the same number of elements (+Inf when the counts differ).
func relErr(got *tensor.Tensor, want []float64) float64 {
	g := got.ToFloat64s()
	if len(g) != len(want) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range g {
		diff = math.Max(diff, math.Abs(g[i]-want[i]))
		scale = math.Max(scale, math.Abs(want[i]))
	}
	if diff == 0 {
		return 0
	}
	return diff / scale
}

// tolerances for comparisons with the float64 PyTorch reference: the normwise
// relative error a float32 and a float64 implementation reach.
var dtypes = []struct {
	dt  tensor.DType
	tol float64
}{{tensor.Float32, 1e-5}, {tensor.Float64, 1e-12}}

// expected reads reference tensors from a safetensors file and remembers
// the worst relative error check has seen.
type expected struct {
	t     *testing.T
	f     *safetensors.File
	worst *worstErr
}

type worstErr struct {
	err  float64
	name string
}

func openExpected(t *testing.T, path string) expected {
	t.Helper()
	f, err := safetensors.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return expected{t, f, &worstErr{}}
}

func (e expected) has(name string) bool { return e.f.Has(name) }

func (e expected) float64s(name string) []float64 {
	e.t.Helper()
	v, _, err := e.f.Float64(name)
	require.NoError(e.t, err)
	return v
}

// ints reads an integer tensor [B, T] as rows.
func (e expected) ints(name string) [][]int {
	e.t.Helper()
	v, shape, err := e.f.Int64(name)
	require.NoError(e.t, err)
	cols := shape[len(shape)-1]
	rows := make([][]int, len(v)/cols)
	for i := range rows {
		rows[i] = make([]int, cols)
		for j := range rows[i] {
			rows[i][j] = int(v[i*cols+j])
		}
	}
	return rows
}

// check compares got with the reference tensor name.
func (e expected) check(name string, got *tensor.Tensor, tol float64) {
	e.t.Helper()
	err := relErr(got, e.float64s(name))
	if math.IsNaN(err) {
		assert.Fail(e.t, "relative error is NaN", name)
	} else {
		assert.LessOrEqual(e.t, err, tol, "%s: normwise relative error", name)
	}
	if err > e.worst.err {
		*e.worst = worstErr{err, name}
	}
}

// logWorst logs the largest relative error checked so far.
func (e expected) logWorst() {
	e.t.Helper()
	e.t.Logf("worst normwise relative error %.3g (%s)", e.worst.err, e.worst.name)
}

// readJSON decodes a JSON file into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v), path)
}
