package tensor

import (
	"fmt"
	"slices"
	"testing"
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
					if got := x.At(c.src(first)...); got != 42 {
						t.Errorf("%s: write through the view not seen in x (got %g)", label, got)
					}
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
					if x.At(0, 0, 0) != 7 {
						t.Errorf("Reshape of a contiguous tensor is not a view")
					}
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
			if !c.IsContiguous() {
				t.Errorf("Clone of %s is not contiguous", layout)
			}
			checkND(t, "Clone "+layout, c, dt, xs, tol{})
			c.Set(99, 0, 0)
			if x.At(0, 0) == 99 {
				t.Errorf("Clone shares storage")
			}
			if (layout == "contiguous") != (x.Contiguous() == x) {
				t.Errorf("Contiguous of %s: returned itself = %v", layout, x.Contiguous() == x)
			}
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
		if got, want := BroadcastShapes("test", p[0], p[1]), refBroadcastShape(p[0], p[1]); !slices.Equal(got, want) {
			t.Errorf("BroadcastShapes(%v, %v) = %v, want %v", p[0], p[1], got, want)
		}
	}
	if got := BroadcastShapes("test", []int{3, 1}, []int{1, 4}, []int{2, 1, 1}); !slices.Equal(got, []int{2, 3, 4}) {
		t.Errorf("three-way broadcast = %v, want [2 3 4]", got)
	}
	if !SameShape(Zeros(Float32, 2, 3), Zeros(Float64, 2, 3)) || SameShape(Zeros(Float32, 2, 3), Zeros(Float32, 3, 2)) {
		t.Errorf("SameShape compares dtype or ignores order")
	}
}

// TestAccessors checks the small accessors against their definitions.
func TestAccessors(t *testing.T) {
	x := Zeros(Float64, 2, 3, 4).Transpose(0, 2)
	if x.Rank() != 3 || x.Dim(0) != 4 || x.Dim(-1) != 2 || x.Len() != 24 {
		t.Errorf("Rank/Dim/Len of [4 3 2] view: %d %d %d %d", x.Rank(), x.Dim(0), x.Dim(-1), x.Len())
	}
	if !slices.Equal(x.Strides(), []int{1, 4, 12}) || x.IsContiguous() {
		t.Errorf("transposed strides %v contiguous=%v, want [1 4 12] false", x.Strides(), x.IsContiguous())
	}
	if Float32.Size() != 4 || Float64.Size() != 8 || Float32.String() != "float32" || DType(7).String() != "DType(7)" {
		t.Errorf("DType Size/String wrong")
	}
	if s := FromValues(Float32, []float64{1, 2}).String(); s != "Tensor(float32 [2] [1 2])" {
		t.Errorf("String = %q", s)
	}
	if s := Zeros(Float64, 100).String(); s != "Tensor(float64 [100])" {
		t.Errorf("String of a large tensor = %q", s)
	}
	if v := Scalar(Float32, 2.5).Item(); v != 2.5 {
		t.Errorf("Item = %g", v)
	}
	if v := FromValues(Float64, []float64{1, 2, 3, 4}, 2, 2).Transpose(0, 1).Narrow(0, 1, 1).Narrow(1, 0, 1).Item(); v != 2 {
		t.Errorf("Item of a 1-element view = %g, want 2", v)
	}
	d := FromValues(Float32, []float64{1, 2, 3}).Narrow(0, 1, 2)
	if got := d.Float32s(); !slices.Equal(got, []float32{2, 3}) {
		t.Errorf("Float32s of a narrowed view = %v", got)
	}
	e := FromValues(Float64, []float64{1, 2, 3}).Narrow(0, 1, 2)
	if got := e.Float64s(); !slices.Equal(got, []float64{2, 3}) {
		t.Errorf("Float64s of a narrowed view = %v", got)
	}
	if got := e.ToFloat32s(); !slices.Equal(got, []float32{2, 3}) {
		t.Errorf("ToFloat32s = %v", got)
	}
	f := FromValues(Float32, []float64{1, 2, 3, 4}, 2, 2).Transpose(0, 1)
	if got := f.ToFloat64s(); !slices.Equal(got, []float64{1, 3, 2, 4}) {
		t.Errorf("ToFloat64s of a transpose = %v", got)
	}
	if got := f.ToFloat32s(); !slices.Equal(got, []float32{1, 3, 2, 4}) {
		t.Errorf("ToFloat32s of a transpose = %v", got)
	}
}
