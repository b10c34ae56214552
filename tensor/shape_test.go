package tensor

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestViews checks each view op element by element against its index
// definition (y[i...] = x[f(i...)]), on every input layout, and that the
// views share storage with their input (a write through the view shows).
func TestViews(t *testing.T) {
	r := NewRNG(61)
	shape := []int{2, 3, 4}
	cases := []struct {
		name  string
		view  func(x *Tensor) *Tensor
		shape []int
		src   func(idx []int) []int // the x index that view index idx reads
	}{
		{"Permute(2,0,1)", func(x *Tensor) *Tensor { return x.Permute(2, 0, 1) }, []int{4, 2, 3},
			func(i []int) []int { return []int{i[1], i[2], i[0]} }},
		{"Transpose(0,-1)", func(x *Tensor) *Tensor { return x.Transpose(0, -1) }, []int{4, 3, 2},
			func(i []int) []int { return []int{i[2], i[1], i[0]} }},
		{"Narrow(1,1,2)", func(x *Tensor) *Tensor { return x.Narrow(1, 1, 2) }, []int{2, 2, 4},
			func(i []int) []int { return []int{i[0], i[1] + 1, i[2]} }},
		{"Narrow(-1,3,0)", func(x *Tensor) *Tensor { return x.Narrow(-1, 3, 0) }, []int{2, 3, 0}, nil},
		{"Select(1,2)", func(x *Tensor) *Tensor { return x.Select(1, 2) }, []int{2, 4},
			func(i []int) []int { return []int{i[0], 2, i[1]} }},
		{"Unsqueeze(1)", func(x *Tensor) *Tensor { return x.Unsqueeze(1) }, []int{2, 1, 3, 4},
			func(i []int) []int { return []int{i[0], i[2], i[3]} }},
		{"Unsqueeze(-1)", func(x *Tensor) *Tensor { return x.Unsqueeze(-1) }, []int{2, 3, 4, 1},
			func(i []int) []int { return i[:3] }},
		{"Unsqueeze(-1).Squeeze(3)", func(x *Tensor) *Tensor { return x.Unsqueeze(-1).Squeeze(3) }, []int{2, 3, 4},
			func(i []int) []int { return i }},
		{"Narrow(0,1,1).Squeeze(0)", func(x *Tensor) *Tensor { return x.Narrow(0, 1, 1).Squeeze(0) }, []int{3, 4},
			func(i []int) []int { return []int{1, i[0], i[1]} }},
		{"Select(0,1).Expand(5,3,4)", func(x *Tensor) *Tensor { return x.Select(0, 1).Expand(5, 3, 4) }, []int{5, 3, 4},
			func(i []int) []int { return []int{1, i[1], i[2]} }},
		{"Narrow(2,0,1).Expand(2,3,6)", func(x *Tensor) *Tensor { return x.Narrow(2, 0, 1).Expand(2, 3, 6) }, []int{2, 3, 6},
			func(i []int) []int { return []int{i[0], i[1], 0} }},
	}
	for _, c := range cases {
		for _, dt := range dtypes {
			for _, layout := range layouts {
				x := makeInput(r, dt, shape, layout, normal)
				xs := readND(x)
				v := c.view(x)
				want := newND(c.shape)
				forEachIndex(c.shape, func(idx []int) { want.data[flat(c.shape, idx)] = xs.at(c.src(idx)...) })
				label := fmt.Sprintf("%s %s %s", c.name, dt, layout)
				checkND(t, label, v, dt, want, tol{})
				checkND(t, label+" Contiguous", v.Contiguous(), dt, want, tol{})
				if c.src != nil && numel(c.shape) > 0 {
					first := make([]int, len(c.shape))
					v.Set(42, first...)
					assert.Equal(t, 42.0, x.At(c.src(first)...), "%s: write through the view should show in x", label)
				}
			}
		}
	}
}

// TestReshape checks that Reshape keeps row-major order (a view of a
// contiguous tensor, a copy of a non-contiguous one) and infers -1.
func TestReshape(t *testing.T) {
	r := NewRNG(62)
	for _, dt := range dtypes {
		for _, layout := range layouts {
			x := makeInput(r, dt, []int{2, 3, 4}, layout, normal)
			xs := readND(x)
			for _, s := range [][]int{{24}, {4, -1}, {-1, 2, 3}, {2, 3, 4}, {1, 24, 1}} {
				y := x.Reshape(s...)
				want := nd{shape: slices.Clone(s), data: xs.data}
				for i, d := range want.shape {
					if d == -1 {
						want.shape[i] = 24 / (-numel(s))
					}
				}
				checkND(t, fmt.Sprintf("Reshape %v %s %s", s, dt, layout), y, dt, want, tol{})
				if layout == "contiguous" {
					y.Set(7, make([]int, len(s))...)
					assert.Equal(t, 7.0, x.At(0, 0, 0), "Reshape of a contiguous tensor should be a view")
					xs.data[0] = 7
				}
			}
		}
		// A scalar reshapes to [1] and back; an empty tensor to [0, 5].
		checkND(t, "Reshape scalar", Scalar(dt, 3).Reshape(1, 1), dt, nd{shape: []int{1, 1}, data: []float64{3}}, tol{})
		checkND(t, "Reshape empty", Zeros(dt, 5, 0).Reshape(0, 5), dt, nd{shape: []int{0, 5}}, tol{})
	}
}

// TestCloneCastCopyFill checks the copying operations: Clone and Contiguous
// give row-major storage, Cast rounds to nearest, CopyFrom and Fill write
// through views and leave the rest of the storage alone.
func TestCloneCastCopyFill(t *testing.T) {
	r := NewRNG(63)
	for _, dt := range dtypes {
		for _, layout := range layouts {
			x := makeInput(r, dt, []int{3, 5}, layout, normal)
			xs := readND(x)
			c := x.Clone()
			assert.True(t, c.IsContiguous(), "Clone of %s is not contiguous", layout)
			checkND(t, "Clone "+layout, c, dt, xs, tol{})
			c.Set(99, 0, 0)
			assert.NotEqual(t, 99.0, x.At(0, 0), "Clone shares storage")
			assert.Equal(t, layout == "contiguous", x.Contiguous() == x, "Contiguous of %s returned itself", layout)
			for _, to := range dtypes {
				want := newND(xs.shape)
				for i, v := range xs.data {
					want.data[i] = roundTo(to, v)
				}
				checkND(t, fmt.Sprintf("Cast %s->%s %s", dt, to, layout), x.Cast(to), to, want, tol{})
			}
			// Fill and CopyFrom through the window of a larger tensor.
			base := Full(dt, -1, 5, 7)
			win := base.Narrow(0, 1, 3).Narrow(1, 2, 5)
			win.CopyFrom(x)
			win2 := base.Narrow(1, 0, 1)
			win2.Fill(8)
			want := newND([]int{5, 7})
			forEachIndex(want.shape, func(i []int) {
				v := -1.0
				if i[0] >= 1 && i[0] < 4 && i[1] >= 2 {
					v = xs.at(i[0]-1, i[1]-2)
				}
				if i[1] == 0 {
					v = 8
				}
				want.data[flat(want.shape, i)] = v
			})
			checkND(t, "CopyFrom/Fill into views "+dt.String()+" "+layout, base, dt, want, tol{})
		}
		// Fill of a non-contiguous transposed view.
		y := Zeros(dt, 2, 3).Transpose(0, 1)
		y.Fill(2.5)
		checkND(t, "Fill transposed", y, dt, nd{shape: []int{3, 2}, data: []float64{2.5, 2.5, 2.5, 2.5, 2.5, 2.5}}, tol{})
	}
}

// TestConcatSplitStack checks Concat along each axis, Split into views and
// Stack on a new axis against index arithmetic, with empty pieces.
func TestConcatSplitStack(t *testing.T) {
	r := NewRNG(64)
	for _, dt := range dtypes {
		for axis := 0; axis < 3; axis++ {
			sizes := []int{2, 0, 3, 1}
			var parts []*Tensor
			var ps []nd
			for i, s := range sizes {
				shape := withAxis([]int{2, 3, 4}, axis, s)
				p := makeInput(r, dt, shape, layouts[i%3], normal)
				parts = append(parts, p)
				ps = append(ps, readND(p))
			}
			outShape := withAxis([]int{2, 3, 4}, axis, 6)
			want := newND(outShape)
			forEachIndex(outShape, func(idx []int) {
				at, piece := idx[axis], 0
				for at >= sizes[piece] {
					at -= sizes[piece]
					piece++
				}
				want.data[flat(outShape, idx)] = ps[piece].at(withAxis(idx, axis, at)...)
			})
			got := Concat(axis-3, parts...) // negative axis
			checkND(t, fmt.Sprintf("Concat axis %d %s", axis, dt), got, dt, want, tol{})
			for i, s := range Split(got, axis, sizes...) {
				checkND(t, fmt.Sprintf("Split axis %d piece %d %s", axis, i, dt), s, dt, ps[i], tol{})
			}
		}
		for axis := -4; axis <= 3; axis++ {
			a := makeInput(r, dt, []int{2, 3, 4}, "transposed", normal)
			b := makeInput(r, dt, []int{2, 3, 4}, "narrowed", normal)
			as, bs := readND(a), readND(b)
			ax := axis
			if ax < 0 {
				ax += 4
			}
			outShape := slices.Insert([]int{2, 3, 4}, ax, 2)
			want := newND(outShape)
			forEachIndex(outShape, func(idx []int) {
				src := slices.Delete(slices.Clone(idx), ax, ax+1)
				v := as.at(src...)
				if idx[ax] == 1 {
					v = bs.at(src...)
				}
				want.data[flat(outShape, idx)] = v
			})
			checkND(t, fmt.Sprintf("Stack axis %d %s", axis, dt), Stack(axis, a, b), dt, want, tol{})
		}
	}
}

// TestBroadcastShapes checks the shape rule against the reference rule on
// the test pairs and on three operands.
func TestBroadcastShapes(t *testing.T) {
	for _, p := range broadcastPairs {
		// Appended to an empty slice so that a rank-0 result compares equal whether nil or not.
		got, want := BroadcastShapes("test", p[0], p[1]), refBroadcastShape(p[0], p[1])
		assert.Equal(t, append([]int{}, want...), append([]int{}, got...), "BroadcastShapes(%v, %v)", p[0], p[1])
	}
	assert.Equal(t, []int{2, 3, 4}, BroadcastShapes("test", []int{3, 1}, []int{1, 4}, []int{2, 1, 1}), "three-way broadcast")
	assert.True(t, SameShape(Zeros(Float32, 2, 3), Zeros(Float64, 2, 3)), "SameShape compares dtype")
	assert.False(t, SameShape(Zeros(Float32, 2, 3), Zeros(Float32, 3, 2)), "SameShape ignores order")
}

// TestAccessors checks the small accessors against their definitions.
func TestAccessors(t *testing.T) {
	x := Zeros(Float64, 2, 3, 4).Transpose(0, 2)
	assert.Equal(t, 3, x.Rank(), "Rank of a [4 3 2] view")
	assert.Equal(t, 4, x.Dim(0), "Dim(0) of a [4 3 2] view")
	assert.Equal(t, 2, x.Dim(-1), "Dim(-1) of a [4 3 2] view")
	assert.Equal(t, 24, x.Len(), "Len of a [4 3 2] view")
	assert.Equal(t, []int{1, 4, 12}, x.Strides(), "transposed strides")
	assert.False(t, x.IsContiguous(), "a transpose is not contiguous")
	assert.Equal(t, 4, Float32.Size())
	assert.Equal(t, 8, Float64.Size())
	assert.Equal(t, "float32", Float32.String())
	assert.Equal(t, "DType(7)", DType(7).String())
	assert.Equal(t, "Tensor(float32 [2] [1 2])", FromValues(Float32, []float64{1, 2}).String())
	assert.Equal(t, "Tensor(float64 [100])", Zeros(Float64, 100).String(), "String of a large tensor")
	assert.Equal(t, 2.5, Scalar(Float32, 2.5).Item())
	assert.Equal(t, 2.0, FromValues(Float64, []float64{1, 2, 3, 4}, 2, 2).Transpose(0, 1).Narrow(0, 1, 1).Narrow(1, 0, 1).Item(), "Item of a 1-element view")
	d := FromValues(Float32, []float64{1, 2, 3}).Narrow(0, 1, 2)
	assert.Equal(t, []float32{2, 3}, d.Float32s(), "Float32s of a narrowed view")
	e := FromValues(Float64, []float64{1, 2, 3}).Narrow(0, 1, 2)
	assert.Equal(t, []float64{2, 3}, e.Float64s(), "Float64s of a narrowed view")
	assert.Equal(t, []float32{2, 3}, e.ToFloat32s())
	f := FromValues(Float32, []float64{1, 2, 3, 4}, 2, 2).Transpose(0, 1)
	assert.Equal(t, []float64{1, 3, 2, 4}, f.ToFloat64s(), "ToFloat64s of a transpose")
	assert.Equal(t, []float32{1, 3, 2, 4}, f.ToFloat32s(), "ToFloat32s of a transpose")
}
