// Command dpostep runs DPO training steps of a Pythia-shaped model with
// random weights on the fast engine (github.com/daalab/daa/pythia/fast), the
// step of shared/reference/torch/bench_torch.py: a policy forward and
// backward on the chosen and rejected sequences, a reference forward, the
// sigmoid DPO loss (beta 0.1) on the summed response log-probs (entering
// align's loss through pythia.SumValue, the library's bridge), and an
// optimizer step. It prints the time of each step, the mean seconds per
// step after the first, and the peak resident memory of the process
// (VmHWM of /proc/self/status); bench/compare.sh also runs it under
// /usr/bin/time -v to compare peak memory with PyTorch.
//
// Full fine-tuning (-lora 0): a float32 policy with gradients and optimizer
// state; the reference is a float32 copy of the initial weights (-base
// f32) or a bfloat16 one (-base bf16, fast.NewInferenceBF16, converted from
// the policy's weights: no float32 copy of the reference is ever made).
//
// LoRA (-lora R): rank-R adapters (lora_alpha -lora_alpha) on all four
// projections of every block, the base frozen; with -base bf16 the base is
// drawn directly in bfloat16 (pythia.NewRandomBF16, never a float32 copy)
// and shared by the policy and its reference, the same model with the
// adapters off (TRL's PEFT reference); with -base f32 the base is float32,
// also shared. Only the adapters have gradients and optimizer state.
//
// -checkpoint-activations keeps each layer's input only and recomputes the
// layers in the backward pass.
//
//	go build -o /tmp/dpostep ./bench/dpostep && /usr/bin/time -v /tmp/dpostep -model pythia-2.8b -lora 16 -base bf16 -steps 1 -checkpoint-activations
//
// Measured on 2026-12-06 (2 cores, 24 GB, load 15-22 from other work, so
// the times are long), -steps 1 -checkpoint-activations, maximum resident
// set size of /usr/bin/time -v:
//
//	pythia-1b   full, -optimizer rmsprop -base bf16          14,318,552 KB (13.7 GiB)  279 s
//	pythia-2.8b -lora 16 -base bf16 (AdamW)                   6,504,548 KB ( 6.2 GiB)  696 s
//	pythia-6.9b -lora 16 -base bf16 (AdamW)                  15,214,968 KB (14.5 GiB) 1397 s
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// options are the command-line settings.
type options struct {
	preset                  string
	pairs, prompt, response int
	steps                   int
	optimizer               string // adamw, rmsprop or none
	base                    string // f32 or bf16
	lora                    int
	loraAlpha               float64
	checkpoint              bool
}

func main() {
	var o options
	flag.StringVar(&o.preset, "model", "pythia-160m", "preset name (pythia.Preset)")
	flag.IntVar(&o.pairs, "pairs", 4, "preference pairs per step")
	flag.IntVar(&o.prompt, "prompt", 64, "prompt tokens")
	flag.IntVar(&o.response, "response", 64, "response tokens")
	flag.IntVar(&o.steps, "steps", 4, "steps to run (the first is a warm-up)")
	flag.StringVar(&o.optimizer, "optimizer", "adamw", "optimizer step after each backward pass: adamw, rmsprop or none")
	flag.StringVar(&o.base, "base", "f32", "storage of the frozen weights (the reference; with -lora, the shared base): f32 or bf16")
	bf16ref := flag.Bool("bf16ref", false, "same as -base bf16 (kept for older scripts)")
	flag.IntVar(&o.lora, "lora", 0, "LoRA rank on all four projections of every block (0: full fine-tuning)")
	flag.Float64Var(&o.loraAlpha, "lora_alpha", 32, "LoRA lora_alpha")
	flag.BoolVar(&o.checkpoint, "checkpoint-activations", false, "keep each layer's input only and recompute the layers in backward")
	flag.Parse()
	if *bf16ref {
		o.base = "bf16"
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "dpostep:", err)
		os.Exit(1)
	}
}

// setup is what a step runs on: the policy engine, the reference engine,
// the trainable parameters and their optimizer (nil for none).
type setup struct {
	policy, ref *fast.Engine
	params      []nn.Param
	step        func()
}

func run(o options) error {
	if o.base != "f32" && o.base != "bf16" {
		return fmt.Errorf("-base %q: want f32 or bf16", o.base)
	}
	cfg, err := pythia.Preset(o.preset)
	if err != nil {
		return err
	}
	build := buildFull
	if o.lora > 0 {
		build = buildLoRA
	}
	s, err := build(cfg, o)
	if err != nil {
		return err
	}
	if s.step, err = newOptimizer(o.optimizer, s.params); err != nil {
		return err
	}
	fmt.Printf("%s: %s, base %s, optimizer %s, checkpoint activations %v; %d trainable parameters; %.0f MB resident after setup\n",
		o.preset, mode(o), o.base, o.optimizer, o.checkpoint, count(s.params), vmKB("VmRSS")/1024)
	prompts, responses := batch(o.pairs, o.prompt, o.response, cfg.VocabSize)
	var total float64
	for i := range o.steps {
		start := time.Now()
		for _, p := range s.params {
			p.Value.ZeroGrad()
		}
		pl := s.policy.SequenceLogProbs(prompts, responses)
		rl := s.ref.SequenceLogProbs(prompts, responses)
		loss, err := dpoLoss(s.policy, pl, rl, o.pairs)
		if err != nil {
			return err
		}
		loss.Backward() // through pythia.SumValue: the policy engine's Backward
		s.step()
		el := time.Since(start).Seconds()
		if i > 0 || o.steps == 1 {
			total += el
		}
		fmt.Printf("step %d: loss %.6f, %.3f s, %.2f pairs/s\n", i, loss.Item(), el, float64(o.pairs)/el)
	}
	timed := max(1, o.steps-1)
	fmt.Printf("%.3f s per step (mean of %d); peak resident memory (VmHWM) %.0f MB\n", total/float64(timed), timed, vmKB("VmHWM")/1024)
	return nil
}

// buildFull makes a full fine-tuning setup: a float32 policy and a float32
// (separate copy) or bfloat16 (converted from the policy) reference.
func buildFull(cfg pythia.Config, o options) (*setup, error) {
	policy, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	if err != nil {
		return nil, err
	}
	pe, err := fast.NewWithOptions(policy, 2*o.pairs, o.prompt+o.response, fast.Options{CheckpointActivations: o.checkpoint})
	if err != nil {
		return nil, err
	}
	var re *fast.Engine
	if o.base == "bf16" {
		re, err = fast.NewInferenceBF16(policy, 2*o.pairs, o.prompt+o.response)
	} else {
		ref, err2 := pythia.NewRandom(cfg, tensor.Float32, 1) // the policy's initial weights
		if err2 != nil {
			return nil, err2
		}
		re, err = fast.NewInference(ref, 2*o.pairs, o.prompt+o.response)
	}
	if err != nil {
		return nil, err
	}
	return &setup{policy: pe, ref: re, params: policy.Params()}, nil
}

// buildLoRA makes a LoRA setup: a frozen base (bfloat16 drawn directly, or
// float32) with rank-o.lora adapters on all four projections, and the
// reference as the same base with the adapters off, sharing its weights.
func buildLoRA(cfg pythia.Config, o options) (*setup, error) {
	var m *pythia.Model
	var w pythia.BF16Weights
	var err error
	if o.base == "bf16" {
		m, w, err = pythia.NewRandomBF16(cfg, 1)
	} else {
		m, err = pythia.NewRandom(cfg, tensor.Float32, 1)
	}
	if err != nil {
		return nil, err
	}
	lc := pythia.LoRAConfig{R: o.lora, Alpha: o.loraAlpha, Targets: pythia.LoRATargets}
	if err := m.AttachLoRA(lc, 2); err != nil {
		return nil, err
	}
	// PEFT starts B at zero; random B makes every adapter gradient non-zero
	// from the first step (the work is the same).
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range m.LoRAParams() {
		d := p.Value.Data.Float32s()
		for i := range d {
			d[i] = float32(0.01 * rng.NormFloat64())
		}
	}
	n := o.prompt + o.response
	pe, err := fast.NewWithOptions(m, 2*o.pairs, n, fast.Options{CheckpointActivations: o.checkpoint, BF16Base: w})
	if err != nil {
		return nil, err
	}
	re, err := fast.NewWithOptions(m.WithAdaptersDisabled(), 2*o.pairs, n, fast.Options{Inference: true, BF16Base: w, ShareWidening: pe})
	if err != nil {
		return nil, err
	}
	return &setup{policy: pe, ref: re, params: m.LoRAParams()}, nil
}

// newOptimizer returns the step function of the named optimizer over
// params (learning rate 1e-6, torch defaults otherwise).
func newOptimizer(name string, params []nn.Param) (func(), error) {
	switch name {
	case "adamw":
		c := optim.DefaultAdamW()
		c.LR = 1e-6
		opt, err := optim.NewAdamW(params, c)
		if err != nil {
			return nil, err
		}
		return opt.Step, nil
	case "rmsprop":
		c := optim.DefaultRMSProp()
		c.LR = 1e-6
		opt, err := optim.NewRMSProp(params, c)
		if err != nil {
			return nil, err
		}
		return opt.Step, nil
	case "none":
		return func() {}, nil
	}
	return nil, fmt.Errorf("-optimizer %q: want adamw, rmsprop or none", name)
}

// mode describes the fine-tuning mode.
func mode(o options) string {
	if o.lora > 0 {
		return fmt.Sprintf("LoRA r %d alpha %g on %s", o.lora, o.loraAlpha, strings.Join(pythia.LoRATargets, ","))
	}
	return "full fine-tuning"
}

// count returns the number of values in params.
func count(params []nn.Param) int {
	n := 0
	for _, p := range params {
		n += p.Value.Data.Len()
	}
	return n
}

// vmKB returns the field (VmHWM: peak resident set, VmRSS: current) of
// /proc/self/status in KB, or 0 when it cannot be read.
func vmKB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			var kb float64
			fmt.Sscan(rest, &kb)
			return kb
		}
	}
	return 0
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

// dpoLoss returns align's sigmoid loss (beta 0.1) of the policy sums pl
// (scored by the engine pe) and the reference sums rl, rows [0, pairs)
// chosen: a graph whose Backward runs pe.Backward (pythia.SumValue).
func dpoLoss(pe *fast.Engine, pl, rl *fast.LogProbs, pairs int) (*autograd.Value, error) {
	sums := pythia.SumValue(pe, pl)
	ref := func(x []float64) *autograd.Value {
		return autograd.Const(tensor.FromFloat64s(append([]float64(nil), x...), len(x)))
	}
	b := &align.Batch{
		PolicyChosen: autograd.Narrow(sums, 0, 0, pairs), PolicyRejected: autograd.Narrow(sums, 0, pairs, pairs),
		RefChosen: ref(rl.Sum[:pairs]), RefRejected: ref(rl.Sum[pairs:]),
		ChosenLengths: pl.Count[:pairs], RejectedLengths: pl.Count[pairs:],
	}
	cfg := align.DefaultConfig()
	cfg.Beta = 0.1
	out, err := align.Sigmoid(b, cfg)
	if err != nil {
		return nil, err
	}
	return out.Loss, nil
}
