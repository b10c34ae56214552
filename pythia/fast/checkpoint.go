package fast

// Per-layer activation checkpointing (Chen et al. 2016, "Training Deep Nets
// with Sublinear Memory Cost"; PyTorch's torch.utils.checkpoint per
// transformer block): with Options.CheckpointActivations a training engine
// keeps only the residual stream entering each layer, (rows, C) values per
// layer, and one layer's activations; the backward pass runs each layer's
// forward again from its stored input right before that layer's backward.
// The recomputation repeats the same kernels on the same inputs, and LoRA
// dropout reuses the masks of the forward pass, so gradients are
// bit-identical to those of the stored-activations path, for about one
// more forward pass of the layers per step.

// backwardActs returns layer l's activations for its backward pass: the
// ones its forward pass kept, or, when checkpointing, the shared set
// recomputed now from the layer's input e.res[l]. The recomputation writes
// e.res[l+1] again with the values it already holds.
func (e *Engine) backwardActs(l int) *layerActs {
	if !e.checkpoint {
		return &e.acts[l]
	}
	a := &e.acts[0]
	e.layerForward(l, e.res[l], e.res[l+1], a, false)
	return a
}
