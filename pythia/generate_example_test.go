package pythia_test

import (
	"fmt"

	"github.com/daalab/daa/pythia"
)

// bigram is a toy pythia.Decoder: the logits after token i are row i of a
// fixed table, whatever came before. Row i puts 2 nats on token (i+1) mod 5,
// so greedy decoding counts up modulo 5.
type bigram struct{ rows int }

func (bigram) MaxBatch() int { return 8 }

func (d *bigram) Prefill(prompts [][]int, maxNew int) [][]float64 {
	last := make([]int, len(prompts))
	for i, p := range prompts {
		last[i] = p[len(p)-1]
	}
	d.rows = len(prompts)
	return d.Step(last)
}

func (d *bigram) Step(tokens []int) [][]float64 {
	if len(tokens) != d.rows {
		panic(fmt.Sprintf("bigram: %d tokens for %d rows", len(tokens), d.rows))
	}
	out := make([][]float64, len(tokens))
	for i, tok := range tokens {
		out[i] = make([]float64, 5)
		out[i][(tok+1)%5] = 2
	}
	return out
}

// GenerateWith runs the generation loop of Model.Generate and
// fast.Engine.Generate over any backend that implements pythia.Decoder.
// Greedy decoding counts up from each prompt's last token to the stop
// token 1, which is kept.
func ExampleGenerateWith() {
	prompts := [][]int{{0, 2}, {4}}
	opts := pythia.GenerateOptions{MaxNewTokens: 4, StopTokens: []int{1}}
	if err := pythia.CheckGenerate(prompts, opts, 5); err != nil {
		panic(err)
	}
	g := pythia.GenerateWith(&bigram{}, prompts, opts)
	fmt.Println(g.Tokens, g.Stopped)
	// Output: [[3 4 0 1] [0 1]] [true true]
}
