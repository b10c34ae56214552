package autograd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// squareOutside is y = x² computed on raw float64 data, outside autograd,
// entering the graph through Custom with dy/dx = 2x; calls counts the
// backward calls.
func squareOutside(x *Value, calls *int) *Value {
	xs := x.Data.ToFloat64s()
	ys := make([]float64, len(xs))
	for i, v := range xs {
		ys[i] = v * v
	}
	return Custom("square", tensor.FromValues(tensor.Float64, ys, x.Data.Shape()...), []*Value{x},
		func(g *tensor.Tensor) []*tensor.Tensor {
			*calls++
			gs, dx := g.ToFloat64s(), make([]float64, len(xs))
			for i := range dx {
				dx[i] = 2 * xs[i] * gs[i]
			}
			return []*tensor.Tensor{tensor.FromValues(tensor.Float64, dx, x.Data.Shape()...)}
		})
}

func TestCustomGradient(t *testing.T) {
	rng := tensor.NewRNG(3)
	x := tensor.RandN(rng, tensor.Float64, 0, 1, 2, 3)
	calls := 0
	// The custom value is used twice: its backward still runs once, with
	// the summed gradient.
	err := CheckGrad(func(in []*Value) *Value {
		y := squareOutside(in[0], &calls)
		return Sum(Add(Mul(y, in[0]), Exp(y)))
	}, []*tensor.Tensor{x}, CheckOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "backward calls in CheckGrad's one Backward pass")
}

func TestCustomExternalState(t *testing.T) {
	// No input: the gradient only reaches state outside the graph.
	var got []float64
	v := Custom("external", vec(1, 2, 3), nil, func(g *tensor.Tensor) []*tensor.Tensor {
		got = g.ToFloat64s()
		return nil
	})
	assert.True(t, v.RequiresGrad())
	assert.False(t, v.IsLeaf())
	assert.Equal(t, "external", v.Op())
	Sum(Scale(v, 3)).Backward()
	assert.Equal(t, []float64{3, 3, 3}, got)
}

func TestCustomPanics(t *testing.T) {
	x := Param(vec(1, 2))
	wrongCount := Custom("bad", vec(1, 2), []*Value{x}, func(*tensor.Tensor) []*tensor.Tensor { return nil })
	assert.PanicsWithValue(t, `autograd: Custom "bad" backward returned 0 gradients for 1 inputs`, func() { Sum(wrongCount).Backward() })
	wrongShape := Custom("bad", vec(1, 2), []*Value{x}, func(*tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{vec(1)} })
	assert.Panics(t, func() { Sum(wrongShape).Backward() })
	assert.Panics(t, func() { Custom("nil", nil, nil, nil) })
}
