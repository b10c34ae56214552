package safetensors_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/daalab/daa/nn/safetensors"
)

// Write a checkpoint, then read it back tensor by tensor.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	err := safetensors.Write(path, []safetensors.Tensor{
		safetensors.Float32Tensor("embed.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		safetensors.BFloat16Tensor("norm.weight", []int{3}, []float32{1, 0.5, 0.25}),
	}, map[string]string{"format": "pt"})
	if err != nil {
		fmt.Println(err)
		return
	}

	f, err := safetensors.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, name := range f.Names() {
		info, _ := f.Info(name)
		values, shape, _ := f.Float32(name)
		fmt.Println(name, info.DType, shape, values)
	}
	// Output:
	// embed.weight F32 [2 3] [1 2 3 4 5 6]
	// norm.weight BF16 [3] [1 0.5 0.25]
}
