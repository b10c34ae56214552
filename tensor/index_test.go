package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// withAxis returns idx with position axis replaced by v.
func withAxis(idx []int, axis, v int) []int {
	out := append([]int{}, idx...)
	out[axis] = v
	return out
}

// TestIndexSelectAndAdd checks IndexSelect (out[..j..] = x[..idx[j]..]) and
// IndexAdd (dst[..idx[j]..] += src[..j..], repeats accumulating) against
// loops over every index, on every axis and layout, with repeated and empty
// index lists. Exact: both only copy or add once per element in order.
func TestIndexSelectAndAdd(t *testing.T) {
	r := NewRNG(51)
	for _, dt := range dtypes {
		for _, shape := range [][]int{{5}, {4, 3}, {2, 3, 4}} {
			for axis := range shape {
				n := shape[axis]
				for _, idx := range [][]int{{0}, {n - 1, 0, n - 1}, {}, {1 % n, 1 % n, 0, n - 1}} {
					for _, layout := range layouts {
						x := makeInput(r, dt, shape, layout, normal)
						xs := readND(x)
						outShape := withAxis(shape, axis, len(idx))
						want := newND(outShape)
						forEachIndex(outShape, func(o []int) {
							want.data[flat(outShape, o)] = xs.at(withAxis(o, axis, idx[o[axis]])...)
						})
						label := fmt.Sprintf("%s %v axis %d idx %v %s", dt, shape, axis, idx, layout)
						checkND(t, "IndexSelect "+label, IndexSelect(x, axis, idx), dt, want, tol{})

						dst := makeInput(r, dt, shape, "contiguous", normal)
						src := makeInput(r, dt, outShape, layout, normal)
						wantAdd := readND(dst)
						ss := readND(src)
						forEachIndex(outShape, func(o []int) {
							p := flat(shape, withAxis(o, axis, idx[o[axis]]))
							wantAdd.data[p] = roundTo(dt, wantAdd.data[p]+ss.at(o...))
						})
						IndexAdd(dst, axis, idx, src)
						checkND(t, "IndexAdd "+label, dst, dt, wantAdd, tol{})
						assert.Equal(t, ss.data, readND(src).data, "IndexAdd %s: src changed", label)
					}
				}
			}
		}
	}
}

// TestGatherScatterAdd checks Gather (out[o,j,i] = x[o, index[o,j,i], i])
// and ScatterAdd (its adjoint) against loops, on every axis, with k larger
// and smaller than the dimension. Exact.
func TestGatherScatterAdd(t *testing.T) {
	r := NewRNG(52)
	for _, dt := range dtypes {
		for _, shape := range [][]int{{6}, {3, 4}, {2, 3, 4}} {
			for axis := range shape {
				for _, k := range []int{1, 2, shape[axis] + 2} {
					outShape := withAxis(shape, axis, k)
					index := make([]int, numel(outShape))
					for i := range index {
						index[i] = r.IntN(shape[axis])
					}
					for _, layout := range layouts {
						x := makeInput(r, dt, shape, layout, normal)
						xs := readND(x)
						want := newND(outShape)
						forEachIndex(outShape, func(o []int) {
							p := flat(outShape, o)
							want.data[p] = xs.at(withAxis(o, axis, index[p])...)
						})
						label := fmt.Sprintf("%s %v axis %d k %d %s", dt, shape, axis, k, layout)
						checkND(t, "Gather "+label, Gather(x, axis, index), dt, want, tol{})

						dst := makeInput(r, dt, shape, "contiguous", normal)
						src := makeInput(r, dt, outShape, layout, normal)
						wantAdd, ss := readND(dst), readND(src)
						forEachIndex(outShape, func(o []int) {
							p := flat(outShape, o)
							q := flat(shape, withAxis(o, axis, index[p]))
							wantAdd.data[q] = roundTo(dt, wantAdd.data[q]+ss.data[p])
						})
						ScatterAdd(dst, axis, index, src)
						checkND(t, "ScatterAdd "+label, dst, dt, wantAdd, tol{})
						assert.Equal(t, ss.data, readND(src).data, "ScatterAdd %s: src changed", label)
					}
				}
			}
		}
	}
}

// TestWhereMaskedFill checks Where and MaskedFill against the element-wise
// definition over broadcast shapes, every layout, and conditions of either
// dtype (NaN counts as true). Exact: elements are only selected.
func TestWhereMaskedFill(t *testing.T) {
	r := NewRNG(53)
	condGen := func(r *rand.Rand) float64 { return float64(r.IntN(2)) }
	shapes := [][3][]int{
		{{2, 3}, {2, 3}, {2, 3}},
		{{3, 1}, {1, 4}, {}},
		{{4}, {2, 3, 4}, {3, 1}},
		{{}, {2, 2}, {2, 2}},
		{{2, 1, 3}, {4, 1}, {3}},
		{{0, 3}, {3}, {1}},
		{{40, 600}, {40, 600}, {600}}, // parallel rows
	}
	for _, dt := range dtypes {
		for _, cdt := range dtypes {
			for _, s := range shapes {
				for _, layout := range layouts {
					cond := makeInput(r, cdt, s[0], layout, condGen)
					a := makeInput(r, dt, s[1], layout, normal)
					b := makeInput(r, dt, s[2], "transposed", normal)
					cs, as, bs := readND(cond), readND(a), readND(b)
					outShape := refBroadcastShape(refBroadcastShape(s[0], s[1]), s[2])
					want := newND(outShape)
					forEachIndex(outShape, func(idx []int) {
						v := bs.at(bcastIndex(idx, s[2])...)
						if cs.at(bcastIndex(idx, s[0])...) != 0 {
							v = as.at(bcastIndex(idx, s[1])...)
						}
						want.data[flat(outShape, idx)] = v
					})
					label := fmt.Sprintf("Where %s cond %s %v %v %v %s", dt, cdt, s[0], s[1], s[2], layout)
					checkND(t, label, Where(cond, a, b), dt, want, tol{})
				}
			}
		}
		// MaskedFill: a causal mask [3, 3] over scores [2, 3, 3].
		x := makeInput(r, dt, []int{2, 3, 3}, "transposed", normal)
		mask := FromValues(Float32, []float64{0, 1, 1, 0, 0, 1, 0, 0, 0}, 3, 3)
		want, xs := newND([]int{2, 3, 3}), readND(x)
		forEachIndex(want.shape, func(idx []int) {
			v := xs.at(idx...)
			if idx[2] > idx[1] {
				v = math.Inf(-1)
			}
			want.data[flat(want.shape, idx)] = v
		})
		checkND(t, "MaskedFill causal "+dt.String(), MaskedFill(x, mask, math.Inf(-1)), dt, want, tol{})
		nanCond := FromValues(dt, []float64{math.NaN(), 0})
		one, two := Full(dt, 1, 2), Full(dt, 2, 2)
		checkND(t, "Where NaN cond "+dt.String(), Where(nanCond, one, two), dt, nd{shape: []int{2}, data: []float64{1, 2}}, tol{})
	}
}
