package optim

import (
	"fmt"
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// ClipGradNorm scales all gradients together so that their global L2 norm
// is at most maxNorm, as torch.nn.utils.clip_grad_norm_ does, and returns the
// norm before clipping:
//
//	total = sqrt(sum over every gradient element of g^2)   (float64 accumulation)
//	coef  = maxNorm / (total + 1e-6)
//	g     = g * coef                                        only when coef < 1
//
// Parameters whose Grad is nil are skipped; with no gradients at all the
// norm is 0. Gradients are float32 or float64 and are scaled in their own
// dtype (float32 gradients by float32(coef)). torch computes the norm in the
// gradients' dtype; daa accumulates in float64, which for float32 gradients
// can differ from torch in the last float32 bits of the norm.
//
// A non-finite total norm (a NaN or Inf gradient) returns an error naming it
// and leaves the gradients untouched when errorIfNonfinite is true; when it
// is false the gradients are scaled by the NaN or zero coefficient as torch
// does. The sum and the scaling run in parallel; the sum is deterministic for
// a given number of workers. It panics if a gradient is not contiguous.
func ClipGradNorm(params []nn.Param, maxNorm float64, errorIfNonfinite bool) (float64, error) {
	var grads []*tensor.Tensor
	var sp spans
	sp.reset()
	for _, p := range params {
		if p.Value == nil || p.Value.Grad == nil {
			continue
		}
		g := p.Value.Grad
		if !g.IsContiguous() {
			panic(fmt.Sprintf("optim: ClipGradNorm: gradient of %q is a non-contiguous view of shape %v", p.Name, g.Shape()))
		}
		grads = append(grads, g)
		sp.add(g.Len())
	}
	total := math.Sqrt(sumSquares(grads, &sp))
	if errorIfNonfinite && (math.IsNaN(total) || math.IsInf(total, 0)) {
		return total, fmt.Errorf("optim: ClipGradNorm: the total gradient norm is %v, so it cannot be clipped", total)
	}
	// torch: clip_coef_clamped = clamp(max_norm / (total_norm + 1e-6), max=1).
	// A NaN coefficient is not < 1 but torch's clamp keeps NaN: scale by it too.
	coef := maxNorm / (total + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		scaleAll(grads, &sp, coef)
	}
	return total, nil
}

// sumSquares returns the sum of the squares of every element of grads in
// float64. The flattened range is cut into parallel.Chunks pieces, each
// summed in order and the partial sums added in chunk order, so the result
// does not depend on scheduling.
func sumSquares(grads []*tensor.Tensor, sp *spans) float64 {
	n := sp.total()
	chunks := parallel.Chunks(n, grain)
	partial := make([]float64, chunks)
	parallel.For(chunks, 1, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			lo, hi := parallel.ChunkRange(n, chunks, c)
			var sum float64
			sp.each(lo, hi, func(i, a, b int) {
				if grads[i].DType() == tensor.Float32 {
					sum += sumSquaresOf(elems[float32](grads[i], a, b))
				} else {
					sum += sumSquaresOf(elems[float64](grads[i], a, b))
				}
			})
			partial[c] = sum
		}
	})
	var total float64
	for _, s := range partial {
		total += s
	}
	return total
}

// sumSquaresOf returns sum x[i]^2 accumulated in float64, in four
// interleaved partial sums (x[0], x[4], ...; x[1], x[5], ...; ...) added as
// (s0+s1)+(s2+s3): independent additions run twice as fast as one chain.
func sumSquaresOf[T float](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a, b, c, d := float64(x[i]), float64(x[i+1]), float64(x[i+2]), float64(x[i+3])
		s0 += a * a
		s1 += b * b
		s2 += c * c
		s3 += d * d
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// scaleAll multiplies every element of grads by coef (rounded to each
// gradient's dtype), in parallel.
func scaleAll(grads []*tensor.Tensor, sp *spans, coef float64) {
	parallel.For(sp.total(), grain, func(lo, hi int) {
		sp.each(lo, hi, func(i, a, b int) {
			if grads[i].DType() == tensor.Float32 {
				scale(elems[float32](grads[i], a, b), float32(coef))
			} else {
				scale(elems[float64](grads[i], a, b), coef)
			}
		})
	})
}

// scale multiplies x by c in place.
func scale[T float](x []T, c T) {
	for i := range x {
		x[i] *= c
	}
}
