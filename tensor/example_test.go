package tensor_test

import (
	"fmt"
	"math"

	"github.com/daalab/daa/tensor"
)

// A batch of logits [2, 3]: log-probabilities along the vocabulary axis and
// the log-prob of each row's target token.
func ExampleLogSoftmax() {
	logits := tensor.FromValues(tensor.Float32, []float64{1, 2, 3, 0, 0, math.Inf(-1)}, 2, 3)
	logp := tensor.LogSoftmax(logits, -1)
	picked := tensor.Gather(logp, 1, []int{2, 0}) // [2, 1]
	fmt.Printf("%.4f\n", picked.ToFloat64s())
	// Output: [-0.4076 -0.6931]
}

// Broadcasting follows NumPy: [2, 1, 3] + [4, 1] gives [2, 4, 3].
func ExampleAdd() {
	a := tensor.Ones(tensor.Float64, 2, 1, 3)
	b := tensor.Arange(tensor.Float64, 0, 4, 1).Reshape(4, 1)
	fmt.Println(tensor.Add(a, b).Shape(), tensor.Add(a, b).At(1, 3, 2))
	// Output: [2 4 3] 4
}

// MatMul with transB multiplies by the transpose without copying it:
// x [2, 3] times W^T for a weight W stored [out, in] = [1, 3].
func ExampleMatMul() {
	x := tensor.FromValues(tensor.Float32, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	w := tensor.FromValues(tensor.Float32, []float64{1, 0, -1}, 1, 3)
	fmt.Println(tensor.MatMul(x, w, false, true).ToFloat64s())
	// Output: [-2 -2]
}

// Checkpoint weights stored as bfloat16 widen exactly to float32; narrowing
// rounds to nearest even.
func ExampleFromBFloat16Bits() {
	w := tensor.FromBFloat16Bits([]uint16{0x3f80, 0xc049, 0x0000}, 3)
	fmt.Println(w.ToFloat64s())
	fmt.Printf("%#04x\n", tensor.FromValues(tensor.Float32, []float64{math.Pi}).BFloat16Bits())
	// Output:
	// [1 -3.140625 0]
	// [0x4049]
}
