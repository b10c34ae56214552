// Package train trains a Pythia / GPT-NeoX policy with a direct alignment
// loss on preference pairs: what TRL's DPOTrainer does, with any loss of
// package align; and, with NewSFT, with the completion-only NLL on
// prompt/completion examples (TRL's SFTTrainer), the paper's first stage.
//
//	pairs, err := train.ReadDataset("pairs.jsonl", tok.Encode)
//	cfg := train.DefaultConfig()
//	cfg.OutputDir = "out"
//	t, err := train.New(cfg, policy, nil, train.Data{Train: pairs, EOS: eos, Pad: pad})
//	err = t.Train(ctx) // metrics.jsonl, checkpoint-<step>/, LATEST
//	// later, or after a crash: New as before, then t.Resume("out") and t.Train(ctx)
//
// # Backends
//
// The models run behind the scoring contract pythia.Scorer. A float32
// policy trains on the fused engine of package pythia/fast by default (a
// training engine on the policy; inference engines for evaluation and for
// the reference, bfloat16 with BF16Reference); Config.Backend "autograd"
// runs pythia.Model's graph instead, the only choice for float64 (the
// reference implementation the tests compare the engine with: metrics and
// weights agree to float32 rounding). The policy's log-probs enter the
// loss's autograd graph through pythia.PerTokenValue, whose backward runs
// the engine's backward pass, so any align loss, built in, registered or a
// user's own, trains either backend.
//
// # One step
//
// The pairs of a step are collated (align/data) as 2B rows, prompt ++
// completion ++ EOS: B chosen then B rejected, prompts cut to their last
// max_prompt_length tokens and sequences to their first max_length. One
// pass of the policy over the 2B rows (the engine packs each pair's prompt
// once) scores every completion token from the position before it; the
// reference sums come from a frozen copy of the initial policy (or a given
// reference model) run without gradients, from a cache precomputed once, or
// are absent (reference-free). The loss (align.Loss.Compute on the sequence sums, with
// LD-DPO weighting when ld_alpha is set) is backpropagated; with gradient
// accumulation each micro-batch's loss is weighted by its share of the
// step's pairs. Then the global gradient norm is clipped, the optimizer
// (RMSProp or AdamW of nn/optim) steps at the scheduled learning rate and,
// under TR-DPO, the reference moves towards the policy.
//
// # Data order and resumption
//
// The training pairs are visited in a new permutation every epoch, drawn
// from a PCG generator seeded by Config.Seed. A checkpoint holds the policy
// (Hugging Face layout), the optimizer state, the generator state, the
// permutation and the position in it, so that Resume continues bit for bit:
// N steps straight and N/2 + stop + resume + N/2 give identical weights,
// also when the first process was killed (tested with SIGKILL).
// Checkpoints are written into a temporary directory, fsynced and renamed,
// and LATEST is updated last, by temporary file and rename.
//
// # Metrics
//
// Each optimizer step appends one JSON object to metrics.jsonl with TRL's
// names (see Record): loss, rewards/chosen, rewards/rejected,
// rewards/accuracies, rewards/margins, logps/chosen, logps/rejected,
// logits/chosen, logits/rejected, grad_norm, learning_rate, epoch, step and
// examples. Evaluations on the held-out pairs log the same metrics prefixed
// with "eval_".
//
// # Reference log-probs
//
// With PrecomputeRefLogProbs the reference scores every train and eval pair
// once; the sums go to a safetensors file named by a hash of the token ids
// (with the truncation settings), of the reference weights and of ld_alpha,
// and a later run with the same data and reference reads it instead of
// computing it again.
//
// # In memory
//
// With DisableCheckpoints and an empty OutputDir a run writes nothing: the
// records are in History and OnStep, and Policy gives the live weights to
// evaluate, so many small runs can train concurrently (each Trainer in its
// own goroutine).
//
// # Numerics
//
// The model computes in its dtype (float32, or float64 for checks);
// sequence sums, metrics and the gradient norm accumulate in float64. An
// end-to-end test checks the gradient of the DPO loss with respect to every
// parameter of a tiny float64 model against central finite differences.
package train
