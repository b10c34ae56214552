package nn

import (
	"fmt"

	"github.com/daalab/daa/autograd"
)

// Activation is an element-wise nonlinearity over autograd values.
type Activation func(x *autograd.Value) *autograd.Value

// ActivationByName returns the Hugging Face activation called name (a
// config's "hidden_act"):
//
//	"gelu"                                        exact GELU 0.5 x (1 + erf(x/sqrt 2))
//	"gelu_new", "gelu_fast", "gelu_pytorch_tanh"  tanh GELU 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//	"relu"                                        max(x, 0)
//
// ("gelu_fast" is the same tanh formula as "gelu_new" written differently by
// Hugging Face; the two agree to rounding.) It returns an error for any other
// name.
func ActivationByName(name string) (Activation, error) {
	switch name {
	case "gelu":
		return autograd.Gelu, nil
	case "gelu_new", "gelu_fast", "gelu_pytorch_tanh":
		return autograd.GeluTanh, nil
	case "relu":
		return autograd.Relu, nil
	}
	return nil, fmt.Errorf("unsupported activation %q (supported: gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, relu)", name)
}
