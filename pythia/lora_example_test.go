package pythia_test

import (
	"fmt"
	"os"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// LoRA fine-tuning as PEFT and TRL do it: adapters are the only trainable
// parameters, the reference is the same weights with the adapters off, and
// the result is saved as a PEFT adapter directory (or merged into a
// Hugging Face checkpoint with SaveMerged).
func ExampleModel_AttachLoRA() {
	policy, err := pythia.LoadDir("testdata/lora/model", pythia.LoadOptions{DType: tensor.Float64})
	if err != nil {
		panic(err)
	}
	cfg := pythia.LoRAConfig{R: 4, Alpha: 8, Dropout: 0.1, Targets: pythia.LoRATargets}
	if err := policy.AttachLoRA(cfg, 1); err != nil {
		panic(err)
	}
	reference := policy.WithAdaptersDisabled() // one copy of the weights
	opt, err := optim.NewAdamW(policy.LoRAParams(), optim.AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	if err != nil {
		panic(err)
	}

	prompts, chosen := [][]int{{3, 17, 42}}, [][]int{{5, 9, 33}}
	for step := range 3 {
		policy.SetLoRATraining(tensor.NewRNG(uint64(step))) // dropout on, reseeded per step
		lp := policy.SequenceLogProbs(prompts, chosen)
		ref := reference.SequenceLogProbs(prompts, chosen)
		fmt.Printf("step %d: log pi/pi_ref = %.4f\n", step, lp.Sum.Item()-ref.Sum.Item())
		autograd.Neg(lp.Sum).Backward() // raise log p(chosen)
		opt.Step()
		opt.ZeroGrad()
	}
	policy.SetLoRATraining(nil)

	dir, err := os.MkdirTemp("", "adapter")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := policy.SaveAdapter(dir, "testdata/lora/model"); err != nil {
		panic(err)
	}
	fmt.Println(len(policy.LoRAParams()), "adapter tensors;", policy.LoRAParams()[0].Name)
	// Output:
	// step 0: log pi/pi_ref = 0.0000
	// step 1: log pi/pi_ref = 0.1949
	// step 2: log pi/pi_ref = 0.3992
	// 16 adapter tensors; base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight
}
