package safetensors

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
)

type expectInfo struct {
	dtype DType
	shape []int
}

// TestSharedTinyCheckpoints reads the tiny GPT-NeoX checkpoints in
// ../shared/pythia/tiny-random (written by an independent Python writer) and
// checks names, dtypes and shapes against their documented configurations
// (V=96, H=32, I=128 or 37, legacy buffers in the legacybuf model).
func TestSharedTinyCheckpoints(t *testing.T) {
	cases := []struct {
		dir    string
		layers int
		inter  int
		legacy bool
	}{
		{"tiny-neox-parallel", 2, 128, false},
		{"tiny-neox-sequential-legacybuf", 3, 37, true},
	}
	for _, c := range cases {
		path := shareddata.Path(t, "pythia", "tiny-random", c.dir, "model.safetensors")
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]expectInfo{
			"gpt_neox.embed_in.weight":                           {F32, []int{96, 32}},
			"embed_out.weight":                                   {F32, []int{96, 32}},
			"gpt_neox.final_layer_norm.weight":                   {F32, []int{32}},
			"gpt_neox.layers.0.attention.query_key_value.weight": {F32, []int{96, 32}},
			"gpt_neox.layers.1.mlp.dense_h_to_4h.weight":         {F32, []int{c.inter, 32}},
			"gpt_neox.layers.1.mlp.dense_4h_to_h.bias":           {F32, []int{32}},
		}
		if c.legacy {
			want["gpt_neox.layers.0.attention.bias"] = expectInfo{U8, []int{1, 1, 64, 64}}
			want["gpt_neox.layers.2.attention.masked_bias"] = expectInfo{F32, []int{}}
		}
		for name, w := range want {
			info, err := f.Info(name)
			if err != nil {
				t.Errorf("%s: %v", c.dir, err)
				continue
			}
			if info.DType != w.dtype || !slices.Equal(info.Shape, w.shape) {
				t.Errorf("%s: %s is %s %v, want %s %v", c.dir, name, info.DType, info.Shape, w.dtype, w.shape)
			}
		}
		// Every float tensor converts, and LayerNorm weights of a random
		// init are finite and nonzero.
		params := 0
		for _, name := range f.Names() {
			info, _ := f.Info(name)
			if info.DType != F32 {
				continue
			}
			v, _, err := f.Float32(name)
			if err != nil {
				t.Fatal(err)
			}
			params += len(v)
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("%s: %s has non-finite value %v", c.dir, name, x)
				}
			}
		}
		if c.legacy {
			mask, _, err := f.Int64("gpt_neox.layers.0.attention.bias")
			// The causal mask buffer is lower-triangular ones: row 1 is [1 1 0 ...].
			if err != nil || mask[64] != 1 || mask[65] != 1 || mask[66] != 0 || mask[0] != 1 || mask[1] != 0 {
				t.Errorf("%s: causal mask buffer reads %v... (err %v), want lower-triangular ones", c.dir, mask[:3], err)
			}
		}
		if f.Metadata()["format"] != "pt" || params == 0 {
			t.Errorf("%s: metadata %v, %d float parameters", c.dir, f.Metadata(), params)
		}
		f.Close()
	}
}

// TestSharedGoldens reads golden.safetensors: F64 activations and gradients
// plus I64 input_ids that must equal golden.json's ids (first row starts
// 43, 34, 66).
func TestSharedGoldens(t *testing.T) {
	path := shareddata.Path(t, "pythia", "tiny-random", "tiny-neox-parallel", "golden.safetensors")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, shape, err := f.Int64("input_ids")
	if err != nil || !slices.Equal(shape, []int{2, 7}) || !slices.Equal(ids[:3], []int64{43, 34, 66}) {
		t.Errorf("input_ids = %v %v (err %v), want [2 7] starting 43 34 66", ids, shape, err)
	}
	logits, shape, err := f.Float64("logits")
	if err != nil || !slices.Equal(shape, []int{2, 7, 96}) || len(logits) != 2*7*96 {
		t.Errorf("logits shape %v (err %v), want [2 7 96]", shape, err)
	}
	grads := 0
	for _, name := range f.Names() {
		info, _ := f.Info(name)
		if strings.HasPrefix(name, "grad.") {
			grads++
			if info.DType != F64 {
				t.Errorf("%s has dtype %s, want F64", name, info.DType)
			}
		}
	}
	if grads == 0 {
		t.Error("no grad.* tensors")
	}
}
