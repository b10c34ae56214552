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
//	ref, _ := fast.NewInference(m0, 8, 128)           // m0: the initial weights (see below); forward only
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
// A caller that already keeps every core busy with its own goroutines
// (several small models trained at once) calls parallel.SetSerial(true)
// first: each engine's kernels then run on its calling goroutine, with no
// hand-off to the shared workers, and give the results of a GOMAXPROCS=1
// run (BenchmarkStudyStep compares both modes on the over-optimization
// study's model sizes).
//
// Shapes: a batch is processed as rows of C = hidden size features
// ("(rows, C)"): B right-padded sequences of T tokens are B*T rows, and
// SequenceLogProbs packs each distinct prompt once followed by its
// responses (a DPO batch's chosen and rejected responses share their
// prompt's rows; no padding). The fused projection's output is (rows, 3C)
// in Hugging Face's per-head [q_h | k_h | v_h] layout.
//
// # One copy of the weights
//
// An engine reads the model's weight tensors at every call, so full
// fine-tuning needs m0, a separate copy of the initial weights, for its
// reference (NewInferenceBF16 makes that copy bfloat16). A LoRA policy
// (pythia.Model.AttachLoRA) needs none: its reference is
// m.WithAdaptersDisabled(), an engine on the same frozen base tensors.
// NewWithOptions takes the rest of the settings (Options):
//   - CheckpointActivations keeps each layer's input only and recomputes
//     the layer in the backward pass, for about one more forward pass per
//     step and bit-identical gradients;
//   - BF16Base gives a LoRA policy's frozen base as bfloat16 bits by name
//     (pythia.LoadBF16 or NewRandomBF16, with a shape-only model), widened
//     to float32 right before each product: the policy engine and its
//     adapters-off reference engine pass the same map and share one
//     bfloat16 copy, and with ShareWidening one widening buffer;
//   - Precision selects float32 or mixed-precision products (below).
//
// # Mixed precision
//
// Options.Precision (or Engine.SetPrecision) BF16 runs the matrix products
// of the linear layers and of the output layer, forward and backward, with
// bfloat16 inputs and float32 sums (kernel.GemmBF16, GemmBF16B), as bf16
// autocast does on a GPU; master weights, gradients, optimizer state,
// LayerNorm, attention, softmax, the log-sum-exp and the log-prob sums stay
// float32/float64 (see Precision). Float32, the default, is unchanged. The
// tests bound the BF16 engine against pythia.Model in float64 on the
// random tiny variants (weights of std 0.15): per-token log-probs within
// 0.03 nats (measured 0.013), sequence sums within 2e-3 normwise
// (measured 5.6e-4), every parameter gradient within 4e-2 normwise with
// GELU (measured 1.7e-2) and 0.15 with ReLU (measured 7.0e-2), about 1000
// times float32's errors; a 20-step DPO run of the tiny model tracks its
// float32 twin's loss within 1e-2 (measured 7.8e-5 over a fall from 0.693
// to 0.246). Every bfloat16 product gives the same bits without
// AVX512_BF16 (the purego build's portable kernel). On this Intel Xeon,
// whose VDPBF16PS runs at half its FMA rate, the kernel computes
// bfloat16 products on the FMA unit, so BF16 trains at about the float32
// speed: BenchmarkDPOStep/pythia-70m/bf16 measured 0.91 to 1.00 times its
// float32 twin's pairs per CPU-second (0.98 to 1.06 with AdamW; 1.03 on
// pythia-160m) over four runs at load 5 to 14. A speed-up needs a CPU
// whose VDPBF16PS does twice the flops of an FMA (issue 13's probe on AMD
// Zen 5), not measured here.
//
// An Engine is not safe for concurrent use; its results alias its buffers
// and are overwritten by the next call.
package fast
