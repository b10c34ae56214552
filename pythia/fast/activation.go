package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// activation is the MLP nonlinearity (a config's hidden_act).
type activation int

const (
	actGELU     activation = iota // "gelu": x Φ(x), exact
	actGELUTanh                   // "gelu_new" and aliases: tanh approximation
	actReLU                       // "relu"
)

// activationOf maps a hidden_act name to its kernel, with the names
// nn.ActivationByName accepts.
func activationOf(name string) (activation, error) {
	switch name {
	case "gelu":
		return actGELU, nil
	case "gelu_new", "gelu_fast", "gelu_pytorch_tanh":
		return actGELUTanh, nil
	case "relu":
		return actReLU, nil
	}
	return 0, fmt.Errorf("fast: unsupported activation %q", name)
}

// actBlock is the number of values an activation kernel handles per call
// of the vector kernels (a stack buffer of temporaries).
const actBlock = 256

// activationForward sets y = act(x) element-wise (y may be x).
func activationForward(act activation, y, x []float32) {
	parallel.For(len(x), 8192, func(lo, hi int) {
		switch act {
		case actGELU:
			kernel.GELU(y[lo:hi], x[lo:hi])
		case actGELUTanh:
			kernel.GELUTanh(y[lo:hi], x[lo:hi])
		case actReLU:
			for i := lo; i < hi; i++ {
				y[i] = max(x[i], 0)
			}
		}
	})
}

// activationBackward turns d, holding dloss/dy, into dloss/dx = d * act'(x),
// given the input x and the output y = act(x). scratch holds actBlock
// values per parallel chunk (gelu_new's temporaries; the exact GELU's
// backward is kernel.GELUBackward, which needs none).
//
//	gelu:      act'(x) = Φ(x) + x φ(x),  Φ(x) = y/x (1/2 at 0), φ(x) = exp(-x²/2)/√(2π)
//	gelu_new:  u = √(2/π)(x + 0.044715x³), t = tanh u,
//	           act'(x) = (1+t)/2 + x/2 (1-t²) √(2/π)(1 + 3·0.044715x²)
//	relu:      act'(x) = [x > 0]
func activationBackward(act activation, d, x, y []float32, scratch [][]float32) {
	const grain = 8192
	parallel.For(len(x), grain, func(lo, hi int) {
		if act == actGELU {
			kernel.GELUBackward(d[lo:hi], x[lo:hi], y[lo:hi])
			return
		}
		tmp := scratch[chunkOf(len(x), grain, lo)]
		for b0 := lo; b0 < hi; b0 += actBlock {
			b1 := min(b0+actBlock, hi)
			switch act {
			case actGELUTanh:
				geluTanhBackward(d[b0:b1], x[b0:b1], tmp[:b1-b0])
			case actReLU:
				for i := b0; i < b1; i++ {
					if x[i] <= 0 {
						d[i] = 0
					}
				}
			}
		}
	})
}

const (
	sqrt2OverPi = 0.7978845608028654 // √(2/π)
	geluTanhK   = 0.044715
)

// geluTanhBackward is activationBackward for the tanh GELU on one block;
// tanh u = sign(u) (1-e)/(1+e) with e = exp(-2|u|), which never overflows.
func geluTanhBackward(d, x, tmp []float32) {
	n := len(x)
	d, tmp = d[:n], tmp[:n] // one bounds check for the loops
	for i, v := range x {
		u := sqrt2OverPi * (v + geluTanhK*v*v*v)
		tmp[i] = min(2*u, -2*u) // -2|u|
	}
	kernel.Exp(tmp, tmp)
	for i, v := range x {
		e := tmp[i]
		t := (1 - e) / (1 + e)
		if v < 0 { // u has the sign of x
			t = -t
		}
		d[i] *= 0.5*(1+t) + 0.5*v*(1-t*t)*sqrt2OverPi*(1+3*geluTanhK*v*v)
	}
}
