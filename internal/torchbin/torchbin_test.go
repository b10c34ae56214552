package torchbin

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/daalab/daa/nn/safetensors"
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
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tensors map[string]expectedTensor `json:"tensors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(f.Names(), names) {
		t.Fatalf("Names = %v, want %v", f.Names(), names)
	}
	for _, name := range names {
		w := want[name]
		info, err := f.Info(name)
		if err != nil {
			t.Fatal(err)
		}
		if info.DType != w.DType || !slices.Equal(info.Shape, w.Shape) || !slices.Equal(info.Stride, w.Stride) || info.Offset != w.Offset {
			t.Errorf("%s: info %s %v stride %v offset %d, want %s %v stride %v offset %d",
				name, info.DType, info.Shape, info.Stride, info.Offset, w.DType, w.Shape, w.Stride, w.Offset)
		}
		switch w.DType {
		case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
			f64, _, err := f.Float64(name)
			f32, shape, err32 := f.Float32(name)
			if err != nil || err32 != nil || !slices.Equal(shape, w.Shape) {
				t.Fatalf("%s: %v %v shape %v", name, err, err32, shape)
			}
			for i, v := range w.Values {
				if f64[i] != v || f32[i] != float32(v) {
					t.Errorf("%s[%d] = %v (float32 %v), want %v", name, i, f64[i], f32[i], v)
				}
			}
			if _, _, err := f.Int64(name); err == nil {
				t.Errorf("%s: Int64 of a float tensor succeeded", name)
			}
		default:
			ints, _, err := f.Int64(name)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range w.Values {
				if float64(ints[i]) != v {
					t.Errorf("%s[%d] = %d, want %v", name, i, ints[i], v)
				}
			}
			if _, _, err := f.Float32(name); err == nil || !strings.Contains(err.Error(), `tensor "`+name+`"`) {
				t.Errorf("%s: Float32 of an integer tensor: err %v", name, err)
			}
		}
	}
	// Shared storages: views and tied weights point at one storage.
	for _, pair := range [][2]string{{"f32", "f32_transposed"}, {"f32", "f32_slice"}, {"f64", "f64_col"}, {"weight", "tied_a"}} {
		a, _ := f.Info(pair[0])
		b, _ := f.Info(pair[1])
		if a.Storage != b.Storage {
			t.Errorf("%s and %s have storages %q and %q, want one shared storage", pair[0], pair[1], a.Storage, b.Storage)
		}
	}
	raw, err := f.Raw("f32_transposed")
	if err != nil || len(raw) != 12*4 {
		t.Errorf("Raw(f32_transposed): %d bytes, %v", len(raw), err)
	}
	if err := f.Float32Into(make([]float32, 3), "f32"); err == nil || !strings.Contains(err.Error(), "destination has 3 elements") {
		t.Errorf("Float32Into with a short destination: %v", err)
	}
	if err := f.Float64Into(make([]float64, 13), "f32_transposed"); err == nil || !strings.Contains(err.Error(), "destination has 13 elements") {
		t.Errorf("Float64Into with a long destination: %v", err)
	}
	if _, err := f.Info("nope"); err == nil || !strings.Contains(err.Error(), `no tensor "nope"`) {
		t.Errorf("Info(nope): %v", err)
	}
}

// TestLegacyFormatRejected checks the clear error for the pre-1.6 format.
func TestLegacyFormatRejected(t *testing.T) {
	_, err := Open("testdata/legacy.pt")
	if err == nil || !strings.Contains(err.Error(), "legacy (pre-1.6, non-zip) torch.save format is not supported") || !strings.Contains(err.Error(), "testdata/legacy.pt") {
		t.Errorf("Open(legacy.pt): err = %v", err)
	}
}

// TestIsContiguousAndGather checks the view helpers on a transposed 2x3
// view of 0..5 (PyTorch: torch.arange(6).view(3,2).t() = [[0,2,4],[1,3,5]]).
func TestIsContiguousAndGather(t *testing.T) {
	if !isContiguous([]int{2, 3}, []int{3, 1}) || !isContiguous([]int{1, 3}, []int{99, 1}) || isContiguous([]int{2, 3}, []int{1, 2}) {
		t.Error("isContiguous misjudges row-major strides")
	}
	span := []byte{0, 1, 2, 3, 4, 5}
	if got := gather(span, 1, []int{2, 3}, []int{1, 2}); !slices.Equal(got, []byte{0, 2, 4, 1, 3, 5}) {
		t.Errorf("gather = %v", got)
	}
}
