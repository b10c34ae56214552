package nn

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// RotaryCosSin returns the rotary-embedding tables cos and sin, each
// [len(positions), dims] in dtype dt, for the given token positions:
//
//	inv_freq[j] = 1 / base^(2j/dims),  j < dims/2
//	angle[t, j] = angle[t, j + dims/2] = positions[t] * inv_freq[j]
//
// (Hugging Face's cat(freqs, freqs) layout, paired with RotateHalf).
//
// For float32, every step is rounded to float32 as Hugging Face computes the
// tables:
//
//	x = f32(2j)/f32(dims); inv = f32(1)/f32(pow(base, x)); ang = f32(f32(t)*inv); cos = f32(cos(ang))
//
// For float64 the same formula is evaluated in float64 (the exact tables;
// the reference's --rope-dtype float64). Hugging Face itself keeps float32
// tables for a float64 model, which moves results by about 1e-8 relative.
// PyTorch's vectorised float32 cos and sin can differ from the correctly
// rounded values used here by one ulp. It panics if dims is odd or negative.
func RotaryCosSin(positions []int, dims int, base float64, dt tensor.DType) (cos, sin *tensor.Tensor) {
	if dims < 0 || dims%2 != 0 {
		panic(fmt.Sprintf("nn: RotaryCosSin with %d rotary dimensions; want an even number >= 0", dims))
	}
	half := dims / 2
	n := len(positions)
	c, s := make([]float64, n*dims), make([]float64, n*dims)
	for j := range half {
		inv := 1 / math.Pow(base, float64(2*j)/float64(dims))
		inv32 := float32(1) / float32(math.Pow(base, float64(float32(2*j)/float32(dims))))
		for i, t := range positions {
			var cv, sv float64
			if dt == tensor.Float32 {
				ang := float64(float32(t) * inv32) // one float32 rounding, as torch.outer in float32
				cv, sv = float64(float32(math.Cos(ang))), float64(float32(math.Sin(ang)))
			} else {
				cv, sv = math.Cos(float64(t)*inv), math.Sin(float64(t)*inv)
			}
			c[i*dims+j], c[i*dims+j+half] = cv, cv
			s[i*dims+j], s[i*dims+j+half] = sv, sv
		}
	}
	return tensor.FromValues(dt, c, n, dims), tensor.FromValues(dt, s, n, dims)
}

// ApplyRotary rotates the first dims features of every head vector of x
// [..., T, headDim], dims = cos.Dim(-1), leaving the rest unchanged:
//
//	x_rot = x[..., :dims] * cos + RotateHalf(x[..., :dims]) * sin
//
// cos and sin (from RotaryCosSin) must broadcast to [..., T, dims]: [T, dims]
// for positions shared by the batch, [B, 1, T, dims] for per-row positions
// of x [B, heads, T, headDim]. It panics if dims exceeds headDim or the
// tables do not broadcast.
func ApplyRotary(x *autograd.Value, cos, sin *tensor.Tensor) *autograd.Value {
	ax := x.Data.Rank() - 1
	hd, dims := x.Shape()[ax], cos.Dim(-1)
	if dims > hd || !tensor.SameShape(cos, sin) {
		panic(fmt.Sprintf("nn: ApplyRotary tables cos %v, sin %v for input %v", cos.Shape(), sin.Shape(), x.Shape()))
	}
	if dims == 0 {
		return x
	}
	xr := x
	if dims < hd {
		xr = autograd.Narrow(x, ax, 0, dims) // [..., T, dims]
	}
	rotated := autograd.Add(autograd.Mul(xr, autograd.Const(cos)), autograd.Mul(RotateHalf(xr), autograd.Const(sin)))
	if dims == hd {
		return rotated
	}
	return autograd.Concat(ax, rotated, autograd.Narrow(x, ax, dims, hd-dims))
}

// RotateHalf returns [-x2, x1] for x = [x1, x2] split in halves along the
// last axis (so feature j pairs with j + n/2). Its gradient is the inverse
// rotation [g2, -g1]. It panics if the last dimension is odd.
func RotateHalf(x *autograd.Value) *autograd.Value {
	ax := x.Data.Rank() - 1
	n := x.Shape()[ax]
	if n%2 != 0 {
		panic(fmt.Sprintf("nn: RotateHalf of shape %v; want an even last dimension", x.Shape()))
	}
	x1, x2 := autograd.Narrow(x, ax, 0, n/2), autograd.Narrow(x, ax, n/2, n/2)
	return autograd.Concat(ax, autograd.Neg(x2), x1)
}
