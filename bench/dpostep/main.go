// Command dpostep runs DPO training steps of a Pythia-shaped model with
// random weights on the fast engine (github.com/daalab/daa/pythia/fast), the
// step of shared/reference/torch/bench_torch.py: a policy forward and
// backward on the chosen and rejected sequences, a reference forward on a
// separate copy of the weights, the sigmoid DPO loss (beta 0.1) on the
// summed response log-probs, and optionally an AdamW step. It prints the
// time of each step; bench/compare.sh runs it under /usr/bin/time -v to
// compare peak resident memory with PyTorch.
//
//	go build -o /tmp/dpostep ./bench/dpostep && /usr/bin/time -v /tmp/dpostep -model pythia-160m
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

func main() {
	model := flag.String("model", "pythia-160m", "preset name (pythia.Preset)")
	pairs := flag.Int("pairs", 4, "preference pairs per step")
	prompt := flag.Int("prompt", 64, "prompt tokens")
	response := flag.Int("response", 64, "response tokens")
	steps := flag.Int("steps", 4, "steps to run (the first is a warm-up)")
	adamw := flag.Bool("adamw", true, "take an AdamW step after each backward pass")
	bf16 := flag.Bool("bf16ref", false, "hold the reference weights in bfloat16 (fast.NewInferenceBF16)")
	flag.Parse()
	if err := run(*model, *pairs, *prompt, *response, *steps, *adamw, *bf16); err != nil {
		fmt.Fprintln(os.Stderr, "dpostep:", err)
		os.Exit(1)
	}
}

func run(preset string, pairs, promptLen, responseLen, steps int, withAdamW, bf16Ref bool) error {
	cfg, err := pythia.Preset(preset)
	if err != nil {
		return err
	}
	policy, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	if err != nil {
		return err
	}
	ref, err := pythia.NewRandom(cfg, tensor.Float32, 1) // the policy's initial weights
	if err != nil {
		return err
	}
	pe, err := fast.New(policy, 2*pairs, promptLen+responseLen)
	if err != nil {
		return err
	}
	newRef := fast.NewInference
	if bf16Ref {
		newRef = fast.NewInferenceBF16 // keeps its own copy; ref's float32 weights are garbage once unused
	}
	re, err := newRef(ref, 2*pairs, promptLen+responseLen)
	if err != nil {
		return err
	}
	var opt *optim.AdamW
	if withAdamW {
		c := optim.DefaultAdamW()
		c.LR = 1e-6
		if opt, err = optim.NewAdamW(policy.Params(), c); err != nil {
			return err
		}
	}
	prompts, responses := batch(pairs, promptLen, responseLen, cfg.VocabSize)
	for s := range steps {
		start := time.Now()
		for _, p := range policy.Params() {
			p.Value.ZeroGrad()
		}
		pl := pe.SequenceLogProbs(prompts, responses)
		rl := re.SequenceLogProbs(prompts, responses)
		d, loss, err := dpoGrads(pl, rl, pairs)
		if err != nil {
			return err
		}
		pe.Backward(d)
		if opt != nil {
			opt.Step()
		}
		el := time.Since(start)
		fmt.Printf("step %d: loss %.6f, %.3f s, %.2f pairs/s\n", s, loss, el.Seconds(), float64(pairs)/el.Seconds())
	}
	return nil
}

// batch returns 2*pairs sequences: rows [0, pairs) chosen, [pairs, 2*pairs)
// rejected, pair i's two rows sharing prompt i.
func batch(pairs, promptLen, responseLen, vocab int) (prompts, responses [][]int) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = rng.IntN(vocab)
		}
		return s
	}
	for range pairs {
		prompts = append(prompts, ids(promptLen))
	}
	prompts = append(prompts, prompts...)
	for range 2 * pairs {
		responses = append(responses, ids(responseLen))
	}
	return prompts, responses
}

// dpoGrads returns d loss / d policy sums of align's sigmoid loss (beta
// 0.1) and the loss.
func dpoGrads(pl, rl *fast.LogProbs, pairs int) ([]float64, float64, error) {
	val := func(x []float64, param bool) *autograd.Value {
		t := tensor.FromFloat64s(append([]float64(nil), x...), len(x))
		if param {
			return autograd.Param(t)
		}
		return autograd.Const(t)
	}
	b := &align.Batch{
		PolicyChosen: val(pl.Sum[:pairs], true), PolicyRejected: val(pl.Sum[pairs:], true),
		RefChosen: val(rl.Sum[:pairs], false), RefRejected: val(rl.Sum[pairs:], false),
		ChosenLengths: pl.Count[:pairs], RejectedLengths: pl.Count[pairs:],
	}
	cfg := align.DefaultConfig()
	cfg.Beta = 0.1
	out, err := align.Sigmoid(b, cfg)
	if err != nil {
		return nil, 0, err
	}
	out.Loss.Backward()
	return append(b.PolicyChosen.Grad.ToFloat64s(), b.PolicyRejected.Grad.ToFloat64s()...), out.Loss.Item(), nil
}
