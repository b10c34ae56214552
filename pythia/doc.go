// Package pythia is the GPT-NeoX language model of the Pythia suite
// (EleutherAI), computing what Hugging Face's GPTNeoXForCausalLM computes,
// in float32 or float64, over autograd values so that every output can be
// differentiated.
//
// A Model holds its weights as values named as in Hugging Face checkpoints
// (Params: "gpt_neox.layers.3.attention.query_key_value.weight", ...).
// LoadDir reads a checkpoint directory (config.json with model.safetensors,
// sharded safetensors, or pytorch_model.bin), Save writes one that transformers loads, and
// Preset gives the shapes of the released models.
//
// Forward maps token ids [B][T] (right-padded, with a mask) to logits
// [B, T, V]; SequenceLogProbs scores responses given prompts (the quantity
// DPO and its relatives compare); NextTokenLoss is the language-modelling
// loss; Generate samples continuations (greedy, temperature, top-k, top-p)
// with a KV cache. Frozen gives a constant view sharing the weights, for
// reference models and generation.
//
// Conventions (all as Hugging Face computes them): the fused query_key_value
// output is viewed per head as [q_h | k_h | v_h]; the rotary embedding turns
// the first int(head_dim*rotary_pct) features of each head with the
// rotate_half pairing (feature j with j + rot/2) and float32 tables built the
// way Hugging Face builds them (exact float64 tables for a float64 model);
// scores are q k^T * head_dim^-0.5 with masked keys set to the dtype's most
// negative value; LayerNorm uses the biased variance; the residual is
// parallel (x + attn(ln1 x) + mlp(ln2 x)) or sequential.
package pythia
