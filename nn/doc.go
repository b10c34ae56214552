// Package nn holds the neural-network layers daa's models are built from, as
// functions over autograd values that compute in the dtype of their inputs
// (float32 or float64): Linear (PyTorch's x W^T + b), Embedding, LayerNorm,
// the activations of Hugging Face configs (ActivationByName: exact and tanh
// GELU, ReLU), rotary embeddings (RotaryCosSin, ApplyRotary, RotateHalf),
// causal self-attention with a padding mask and a KV output (Attention,
// CausalMask), the feed-forward block (MLP), and TokenLogProbs, the
// per-token log-probabilities of targets under logits. A model names its
// parameters as in Hugging Face checkpoints (Param), so loading is a name
// lookup.
//
// Subpackages: nn/optim (AdamW, RMSProp, SGD, learning-rate schedules,
// gradient clipping, optimizer state) and nn/safetensors (the checkpoint
// format).
package nn
