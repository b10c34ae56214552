package fast

import (
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// rope holds the rotary tables cos and sin, [positions, rot], as
// nn.RotaryCosSin builds them for float32 (Hugging Face's float32 tables).
type rope struct {
	rot      int
	base     float64
	cos, sin []float32
}

// newRope returns tables for positions [0, positions).
func newRope(rot int, base float64, positions int) *rope {
	r := &rope{rot: rot, base: base}
	r.grow(positions)
	return r
}

// grow extends the tables to cover positions [0, positions).
func (r *rope) grow(positions int) {
	if r.rot == 0 || len(r.cos) >= positions*r.rot {
		return
	}
	pos := make([]int, positions)
	for i := range pos {
		pos[i] = i
	}
	cos, sin := nn.RotaryCosSin(pos, r.rot, r.base, tensor.Float32)
	r.cos, r.sin = cos.Float32s(), sin.Float32s()
}

// forward rotates, in place, the first rot features of the query and key
// of every head in n rows of the fused projection qkv (n, nh*3*hd), row i
// at position pos[i] (rotate_half pairing, feature j with j + rot/2):
//
//	x1' = x1 cos - x2 sin,   x2' = x2 cos + x1 sin
func (r *rope) forward(qkv []float32, pos []int32, n, nh, hd int) {
	r.apply(qkv, pos, n, nh, hd, 1)
}

// backward turns the gradients with respect to the rotated queries and keys
// in dqkv into gradients with respect to the unrotated ones (the inverse
// rotation):
//
//	g1 = g1' cos + g2' sin,   g2 = g2' cos - g1' sin
func (r *rope) backward(dqkv []float32, pos []int32, n, nh, hd int) {
	r.apply(dqkv, pos, n, nh, hd, -1)
}

// apply rotates by the angle times sign (+1 forward, -1 inverse).
func (r *rope) apply(qkv []float32, pos []int32, n, nh, hd int, sign float32) {
	if r.rot == 0 {
		return
	}
	half, rot, width := r.rot/2, r.rot, 3*nh*hd
	parallel.For(n, rowGrain(width), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := int(pos[i])
			cos, sin := r.cos[p*rot:(p+1)*rot], r.sin[p*rot:(p+1)*rot]
			row := qkv[i*width : (i+1)*width]
			for h := range nh {
				for _, off := range [2]int{h * 3 * hd, h*3*hd + hd} { // q_h, k_h
					x := row[off : off+rot]
					for j := range half {
						x1, x2 := x[j], x[j+half]
						x[j] = x1*cos[j] - sign*x2*sin[j]
						x[j+half] = x2*cos[j+half] + sign*x1*sin[j+half]
					}
				}
			}
		}
	})
}
