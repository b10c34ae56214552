package pythia_test

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
)

// Score a response given a prompt, differentiably: the quantity DPO-style
// losses compare between a policy and its frozen reference.
func ExampleModel_SequenceLogProbs() {
	policy, err := pythia.LoadDir("testdata/padded", pythia.LoadOptions{})
	if err != nil {
		panic(err)
	}
	reference := policy.Frozen() // shares the weights, builds no graph

	prompts := [][]int{{5, 7}, {29}}
	responses := [][]int{{11, 13, 17}, {31, 37}}
	lp := policy.SequenceLogProbs(prompts, responses)
	ref := reference.SequenceLogProbs(prompts, responses)
	fmt.Printf("log p(response | prompt): %.4f %.4f\n", lp.Sum.Data.At(0), lp.Sum.Data.At(1))
	fmt.Printf("tokens scored: %v\n", lp.Count)

	// Gradients flow to every parameter of the policy only.
	autograd.Sum(autograd.Sub(lp.Sum, ref.Sum.Detach())).Backward()
	fmt.Println(policy.Params()[0].Name, policy.Params()[0].Value.Grad != nil)
	// Output:
	// log p(response | prompt): -11.7606 -7.7544
	// tokens scored: [3 2]
	// gpt_neox.embed_in.weight true
}

// Greedy decoding with a KV cache; prompts may differ in length.
func ExampleModel_Generate() {
	m, err := pythia.LoadDir("testdata/padded", pythia.LoadOptions{})
	if err != nil {
		panic(err)
	}
	g, err := m.Generate([][]int{{5, 7, 11}, {29, 31}}, pythia.GenerateOptions{MaxNewTokens: 4})
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Tokens)
	// Output:
	// [[10 10 10 10] [42 19 19 19]]
}
