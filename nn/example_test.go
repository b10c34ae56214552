package nn_test

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// A bigram language model in three calls: embed the tokens, map the
// embeddings to logits with Linear (x W^T + b), and score each next token
// with TokenLogProbs; then differentiate the log-likelihood. With the
// vocabulary {0, 1, 2}, embeddings e0 = (1, 0), e1 = (0, 1), e2 = (1, 1)
// and W's rows (1, 0), (0, 1), (0, 0), the logits of token 0 are (1, 0, 0),
// so log p(1 | 0) = 0 - log(e + 2) = -1.5514; the last position is masked.
//
// The gradient of sum log p with respect to the bias is the sum over scored
// positions of onehot(target) - softmax(logits): (0, 1, 0) - softmax(1, 0, 0)
// + (0, 0, 1) - softmax(0, 1, 0) = (-0.7881, 0.2119, 0.5761).
func Example() {
	embed := nn.Param{Name: "gpt_neox.embed_in.weight", // [V, H]
		Value: autograd.Param(tensor.FromFloat64s([]float64{1, 0, 0, 1, 1, 1}, 3, 2))}
	head := nn.Param{Name: "embed_out.weight", // [V, H]
		Value: autograd.Param(tensor.FromFloat64s([]float64{1, 0, 0, 1, 0, 0}, 3, 2))}
	bias := autograd.Param(tensor.Zeros(tensor.Float64, 3)) // [V]

	ids := [][]int{{0, 1, 2}}             // [B, T]
	targets := [][]int{{1, 2, -100}}      // the next tokens; -100 is not scored
	mask := [][]bool{{true, true, false}} // which targets count
	h := nn.Embedding(embed.Value, ids)   // [B, T, H]
	logits := nn.Linear(h, head.Value, bias)
	logp := nn.TokenLogProbs(logits, targets, mask) // [B, T]
	fmt.Printf("log p %.4f\n", logp.Data.ToFloat64s())

	autograd.Sum(logp).Backward()
	fmt.Printf("d/d bias %.4f\n", bias.Grad.ToFloat64s())
	// Output:
	// log p [-1.5514 -1.5514 0.0000]
	// d/d bias [-0.7881 0.2119 0.5761]
}
