package nn

import (
	"github.com/daalab/daa/autograd"
)

// Param is a trainable tensor with its Hugging Face name, for example
// "gpt_neox.layers.3.attention.query_key_value.weight". Optimizers, weight
// decay masks, checkpoints and gradient clipping all work on []Param.
type Param struct {
	Name  string
	Value *autograd.Value
}
