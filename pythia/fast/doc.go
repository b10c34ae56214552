// Package fast is a float32 forward and backward pass of GPT-NeoX written
// the llm.c way: fused kernels over raw slices, buffers sized once, and the
// parameter gradients written straight into the Grad tensors of a
// *pythia.Model, so that nn/optim's optimizers and gradient clipping work
// unchanged. It computes what pythia.Model computes (Hugging Face's
// GPTNeoXForCausalLM), without building an autograd graph.
//
// An Engine wraps one model:
//
//	policy, _ := fast.New(m, 8, 128)                  // forward + backward
//	ref, _ := fast.NewInference(m0, 8, 128)           // m0: a separate copy of the initial weights; forward only
//	lp := policy.SequenceLogProbs(prompts, responses) // per-sequence sums, counts, per-token values
//	rl := ref.SequenceLogProbs(prompts, responses)
//	... a DAA loss on lp.Sum and rl.Sum gives dloss/dSum ...
//	policy.Backward(dSum)                             // accumulates into every parameter's Grad
//	opt.Step()
//
// NextTokenLoss and BackwardLoss do the same for the language-modelling
// loss (NextTokenLossAndGrad does both in one cheaper pass), Logits returns
// the logits of every position, and Generate samples continuations with a
// KV cache as pythia.Model.Generate does.
//
// What makes it fast:
//   - the output layer is fused (as Liger-Kernel's fused linear
//     cross-entropy): hidden × embed_out^T, the log-softmax and the gather
//     of the target tokens run over vocabulary chunks (or, when the
//     gradient weights are known up front, token chunks), forward and
//     backward, and the [tokens, vocab] logits are never stored; only the
//     positions that are scored go through it;
//   - batches are packed: SequenceLogProbs runs each distinct prompt once
//     (a DPO pair's responses attend to their shared prompt) and
//     right padding is not computed;
//   - attention is computed per (sequence, head) tile from the fused
//     query_key_value buffer, keeping one log-sum-exp per query; the
//     backward pass recomputes the probabilities instead of storing
//     [T, T] matrices;
//   - LayerNorm, GELU, rotary embedding and the residual sums are row
//     kernels over preallocated buffers, split across the workers of
//     internal/parallel; matrix products are tensor/kernel's SGEMM;
//   - the embedding gradient touches only the rows of the tokens seen.
//
// Shapes: a batch is processed as rows of C = hidden size features
// ("(rows, C)"): B right-padded sequences of T tokens are B*T rows, and
// SequenceLogProbs packs each distinct prompt once followed by its
// responses (a DPO batch's chosen and rejected responses share their
// prompt's rows; no padding). The fused projection's output is (rows, 3C)
// in Hugging Face's per-head [q_h | k_h | v_h] layout.
//
// An Engine is not safe for concurrent use; its results alias its buffers
// and are overwritten by the next call.
package fast
