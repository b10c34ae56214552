package torchbin

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expectedTensor is one entry of testdata/expected.json, written by gen.py
// from PyTorch's own reading of each tensor (tensor.tolist()).
type expectedTensor struct {
	DType  safetensors.DType `json:"dtype"`
	Shape  []int             `json:"shape"`
	Stride []int             `json:"stride"`
	Offset int64             `json:"offset"`
	Values []float64         `json:"values"`
}

func loadExpected(t *testing.T) map[string]expectedTensor {
	t.Helper()
	raw, err := os.ReadFile("testdata/expected.json")
	require.NoError(t, err)
	var doc struct {
		Tensors map[string]expectedTensor `json:"tensors"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	return doc.Tensors
}

// TestReadTorchSave reads testdata/state.pt (torch 1.13 torch.save of a state
// dict with every common dtype, transposed/sliced/stepped/expanded views,
// shared storages and an nn.Parameter) and compares info and values with
// PyTorch's (exact: tolerance 0; float32 results must equal the float32
// rounding of PyTorch's value).
func TestReadTorchSave(t *testing.T) {
	want := loadExpected(t)
	f, err := Open("testdata/state.pt")
	require.NoError(t, err)
	defer f.Close()
	var names []string
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	require.Equal(t, names, f.Names())
	for _, name := range names {
		w := want[name]
		info, err := f.Info(name)
		require.NoError(t, err)
		assert.Equal(t, w.DType, info.DType, name)
		assert.Equal(t, w.Shape, info.Shape, name)
		assert.Equal(t, w.Stride, info.Stride, name)
		assert.Equal(t, w.Offset, info.Offset, name)
		switch w.DType {
		case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
			f64, _, err := f.Float64(name)
			require.NoError(t, err, name)
			f32, shape, err := f.Float32(name)
			require.NoError(t, err, name)
			require.Equal(t, w.Shape, shape, name)
			for i, v := range w.Values { // exact: tolerance 0
				assert.Equal(t, v, f64[i], "%s[%d]", name, i)
				assert.Equal(t, float32(v), f32[i], "%s[%d] as float32", name, i)
			}
			_, _, err = f.Int64(name)
			assert.Error(t, err, "%s: Int64 of a float tensor", name)
		default:
			ints, _, err := f.Int64(name)
			require.NoError(t, err, name)
			for i, v := range w.Values {
				assert.Equal(t, v, float64(ints[i]), "%s[%d]", name, i)
			}
			_, _, err = f.Float32(name)
			assert.ErrorContains(t, err, `tensor "`+name+`"`, "Float32 of an integer tensor")
		}
	}
	// Shared storages: views and tied weights point at one storage.
	for _, pair := range [][2]string{{"f32", "f32_transposed"}, {"f32", "f32_slice"}, {"f64", "f64_col"}, {"weight", "tied_a"}} {
		a, _ := f.Info(pair[0])
		b, _ := f.Info(pair[1])
		assert.Equal(t, a.Storage, b.Storage, "%s and %s share one storage", pair[0], pair[1])
	}
	raw, err := f.Raw("f32_transposed")
	require.NoError(t, err)
	assert.Len(t, raw, 12*4)
	assert.ErrorContains(t, f.Float32Into(make([]float32, 3), "f32"), "destination has 3 elements")
	assert.ErrorContains(t, f.Float64Into(make([]float64, 13), "f32_transposed"), "destination has 13 elements")
	_, err = f.Info("nope")
	assert.ErrorContains(t, err, `no tensor "nope"`)
}

// TestLegacyFormatRejected checks the clear error for the pre-1.6 format.
func TestLegacyFormatRejected(t *testing.T) {
	_, err := Open("testdata/legacy.pt")
	assert.ErrorContains(t, err, "legacy (pre-1.6, non-zip) torch.save format is not supported")
	assert.ErrorContains(t, err, "testdata/legacy.pt")
}

// TestIsContiguousAndGather checks the view helpers on a transposed 2x3
// view of 0..5 (PyTorch: torch.arange(6).view(3,2).t() = [[0,2,4],[1,3,5]]).
func TestIsContiguousAndGather(t *testing.T) {
	assert.True(t, isContiguous([]int{2, 3}, []int{3, 1}))
	assert.True(t, isContiguous([]int{1, 3}, []int{99, 1}))
	assert.False(t, isContiguous([]int{2, 3}, []int{1, 2}))
	span := []byte{0, 1, 2, 3, 4, 5}
	assert.Equal(t, []byte{0, 2, 4, 1, 3, 5}, gather(span, 1, []int{2, 3}, []int{1, 2}))
}
