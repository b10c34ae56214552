package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// LoRA training (pythia.Model.AttachLoRA or LoadAdapter before New), as TRL
// trains a PEFT model: the adapters are the only trained parameters (the
// optimizer holds their state alone), the reference is the policy with its
// adapters switched off (one copy of the base weights, TRL's
// disable_adapter()), checkpoints hold the adapter directory in PEFT's
// format (pythia.SaveAdapter) instead of the model, and each step's dropout
// masks are drawn from a stream seeded by (Seed, step), so a resumed run
// drops exactly as the uninterrupted one.

// trainableParams returns what the optimizer updates: the adapters of a
// LoRA policy, else every parameter.
func trainableParams(m *pythia.Model) []nn.Param {
	if m.HasLoRA() {
		return m.LoRAParams()
	}
	return m.Params()
}

// loraReference returns the reference for a LoRA policy: ref when given,
// else the policy with its adapters off (sharing its base weights). It
// returns ref unchanged for a policy without adapters, and an error for
// sync_ref_model on a LoRA policy (the reference is the frozen base).
func (t *Trainer) loraReference(ref *pythia.Model) (*pythia.Model, error) {
	if !t.policy.HasLoRA() {
		return ref, nil
	}
	if t.cfg.SyncRefModel {
		return nil, errors.New("train: sync_ref_model with a LoRA policy: the reference is the frozen base (TR-DPO would need a second set of adapters)")
	}
	if ref == nil {
		return t.policy.WithAdaptersDisabled(), nil
	}
	if t.bf16Base != nil {
		return nil, errors.New("train: a reference model with Data.BF16Base: the reference is the bfloat16 base with the adapters off (pass nil)")
	}
	return ref, nil
}

// checkBF16Base returns an error if Data.BF16Base is set on a run that
// cannot use it: the autograd backend, a policy without LoRA adapters,
// bf16_reference (the base is already bfloat16), or
// precompute_ref_log_probs (its cache key hashes the reference's float32
// weights, which a shape-only model does not hold).
func (t *Trainer) checkBF16Base() error {
	if t.bf16Base == nil {
		return nil
	}
	switch {
	case t.backend != BackendEngine:
		return fmt.Errorf("train: Data.BF16Base needs backend %q", BackendEngine)
	case !t.policy.HasLoRA():
		return errors.New("train: Data.BF16Base needs a LoRA policy (pythia.LoadBF16's model with AttachLoRA or LoadAdapter)")
	case t.cfg.BF16Reference:
		return errors.New("train: bf16_reference with Data.BF16Base: the reference is already the bfloat16 base")
	case t.cfg.PrecomputeRefLogProbs && t.cfg.usesReference():
		return errors.New("train: precompute_ref_log_probs with Data.BF16Base: the reference cache hashes float32 weights, which the bfloat16 base's model does not hold")
	}
	return nil
}

// setLoRATraining puts the policy's adapters in training mode for step
// t.step (dropout masks from PCG(Seed, step)), or with on false back in
// evaluation mode. It does nothing for a policy without adapters.
func (t *Trainer) setLoRATraining(on bool) {
	if !t.policy.HasLoRA() {
		return
	}
	var rng *rand.Rand
	if on {
		rng = rand.New(rand.NewPCG(t.cfg.Seed, uint64(t.step)))
	}
	t.policy.SetLoRATraining(rng)
}

// savePolicy writes the policy into checkpoint directory dir: the adapter
// directory (adapter_config.json, adapter_model.safetensors) of a LoRA
// policy, else the whole model.
func (t *Trainer) savePolicy(dir string) error {
	if t.policy.HasLoRA() {
		return t.policy.SaveAdapter(dir, "")
	}
	return t.policy.Save(dir)
}

// loadPolicyParams reads the trained parameters saved by savePolicy in
// checkpoint directory dir, with the names and shapes of t.params, in the
// policy's dtype (bit for bit: a float32 adapter is stored as F32, a
// float64 one as F64).
func (t *Trainer) loadPolicyParams(dir string) ([]nn.Param, error) {
	if !t.policy.HasLoRA() {
		policy, err := pythia.LoadDir(dir, pythia.LoadOptions{DType: t.policy.DType()})
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		return policy.Params(), nil
	}
	path := filepath.Join(dir, pythia.AdapterWeightsFile)
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	out := make([]nn.Param, len(t.params))
	for i, p := range t.params {
		info, err := f.Info(p.Name)
		if err != nil {
			return nil, fmt.Errorf("train: %s: no adapter tensor %s", path, p.Name)
		}
		if !slices.Equal(info.Shape, p.Value.Shape()) {
			return nil, fmt.Errorf("train: %s: %s has shape %v; the policy's adapter is %v", path, p.Name, info.Shape, p.Value.Shape())
		}
		v := tensor.Zeros(p.Value.DType(), p.Value.Shape()...)
		if v.DType() == tensor.Float64 {
			err = f.Float64Into(v.Float64s(), p.Name)
		} else {
			err = f.Float32Into(v.Float32s(), p.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		out[i] = nn.Param{Name: p.Name, Value: autograd.Const(v)}
	}
	if n := len(f.Names()); n != len(out) {
		return nil, fmt.Errorf("train: %s holds %d tensors; the policy has %d adapter tensors", path, n, len(out))
	}
	return out, nil
}
