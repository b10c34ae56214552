// Package nn holds the neural-network layers daa's models are built from
// (Linear, Embedding, LayerNorm, GELU, rotary embeddings, causal
// self-attention, MLP) as functions over autograd values, with parameters
// named as in Hugging Face checkpoints so loading is a name lookup.
//
// Subpackages: nn/optim (AdamW, RMSProp, SGD, learning-rate schedules,
// gradient clipping, optimizer state) and nn/safetensors (the checkpoint
// format).
package nn
