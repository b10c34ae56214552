package kernel_test

import (
	"fmt"
	"math"

	"github.com/daalab/daa/tensor/kernel"
)

// A linear layer y = x·Wᵀ + y, with W stored (out, in) as PyTorch stores
// it: B is transposed, and beta = 1 accumulates onto y (here, the bias).
func ExampleSgemm() {
	x := []float32{ // (2 tokens, 3 features)
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // (2 outputs, 3 features)
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	y := []float32{ // (2 tokens, 2 outputs), preset to the bias
		10, 20,
		10, 20,
	}
	kernel.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 1, y, 2)
	fmt.Println(y)
	// Output: [8 23 8 27.5]
}

// Softmax of a row of attention scores with a masked (-Inf) position.
func ExampleSoftmax() {
	scores := []float32{1, 2, float32(math.Inf(-1)), 3}
	p := make([]float32, len(scores))
	kernel.Softmax(p, scores)
	fmt.Printf("%.4f\n", p)
	fmt.Printf("%.4f\n", kernel.LogSumExp(scores))
	// Output:
	// [0.0900 0.2447 0.0000 0.6652]
	// 3.4076
}

// LayerNorm of one row, returning the statistics the backward pass needs.
func ExampleLayerNorm() {
	x := []float32{1, 2, 3, 4}
	out := make([]float32, 4)
	mean, rstd := kernel.LayerNorm(out, x, nil, nil, 1e-5)
	fmt.Printf("mean %.2f rstd %.4f out %.4f\n", mean, rstd, out)
	// Output: mean 2.50 rstd 0.8944 out [-1.3416 -0.4472 0.4472 1.3416]
}
