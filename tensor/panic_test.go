package tensor

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPanicMessages checks that every documented panic happens and that its
// message names the operation and the shapes (or dtypes) involved.
func TestPanicMessages(t *testing.T) {
	f32 := func(shape ...int) *Tensor { return Zeros(Float32, shape...) }
	f64 := func(shape ...int) *Tensor { return Zeros(Float64, shape...) }
	transposed := f32(3, 4).Transpose(0, 1)
	cases := []struct {
		name string
		f    func()
		want []string
	}{
		{"Zeros negative", func() { Zeros(Float32, 2, -1) }, []string{"Zeros", "[2 -1]"}},
		{"Zeros dtype", func() { Zeros(DType(9), 2) }, []string{"DType(9)"}},
		{"Full negative", func() { Full(Float64, 1, -3) }, []string{"Full", "[-3]"}},
		{"RandN negative", func() { RandN(NewRNG(1), Float32, 0, 1, -1) }, []string{"RandN", "[-1]"}},
		{"RandU negative", func() { RandU(NewRNG(1), Float32, 0, 1, 2, -2) }, []string{"RandU", "[2 -2]"}},
		{"FromFloat32s count", func() { FromFloat32s(make([]float32, 3), 2, 2) }, []string{"FromFloat32s", "3 values", "[2 2]"}},
		{"FromFloat64s count", func() { FromFloat64s(make([]float64, 5), 2, 2) }, []string{"FromFloat64s", "5 values", "[2 2]"}},
		{"FromValues count", func() { FromValues(Float32, make([]float64, 1), 2) }, []string{"1 values", "[2]"}},
		{"FromFloat16Bits count", func() { FromFloat16Bits(make([]uint16, 3), 2, 2) }, []string{"FromFloat16Bits", "[2 2]"}},
		{"FromBFloat16Bits negative", func() { FromBFloat16Bits(nil, 0, -1) }, []string{"FromBFloat16Bits", "[0 -1]"}},
		{"Arange step 0", func() { Arange(Float32, 0, 1, 0) }, []string{"Arange", "step"}},
		{"Dim", func() { f32(2, 3).Dim(2) }, []string{"Dim", "axis 2", "[2 3]"}},
		{"At count", func() { f32(2, 3).At(1) }, []string{"At", "1 indices", "[2 3]"}},
		{"At range", func() { f32(2, 3).At(2, 0) }, []string{"At", "[2 0]", "[2 3]"}},
		{"Set range", func() { f64(2).Set(1, -1) }, []string{"Set", "[-1]", "[2]"}},
		{"Item", func() { f32(2).Item() }, []string{"Item", "[2]"}},
		{"Float32s dtype", func() { f64(2).Float32s() }, []string{"Float32s", "float64", "[2]"}},
		{"Float32s view", func() { transposed.Float32s() }, []string{"Float32s", "non-contiguous", "[4 3]"}},
		{"Float64s dtype", func() { f32(2).Float64s() }, []string{"Float64s", "float32", "[2]"}},
		{"Float64s view", func() { f64(3, 4).Transpose(0, 1).Float64s() }, []string{"Float64s", "non-contiguous", "[4 3]"}},
		{"Reshape count", func() { f32(2, 3).Reshape(4) }, []string{"Reshape", "[2 3]", "[4]"}},
		{"Reshape infer", func() { f32(2, 3).Reshape(4, -1) }, []string{"Reshape", "[2 3]", "[4 -1]", "infer"}},
		{"Reshape two -1", func() { f32(2, 3).Reshape(-1, -1) }, []string{"Reshape", "[2 3]", "[-1 -1]"}},
		{"Permute length", func() { f32(2, 3).Permute(0) }, []string{"Permute", "[0]", "[2 3]"}},
		{"Permute repeat", func() { f32(2, 3).Permute(1, 1) }, []string{"Permute", "[1 1]", "[2 3]", "permutation"}},
		{"Transpose", func() { f32(2, 3).Transpose(0, 2) }, []string{"Transpose", "axis 2", "[2 3]"}},
		{"Narrow", func() { f32(2, 3).Narrow(1, 2, 2) }, []string{"Narrow", "[2, 4)", "[2 3]"}},
		{"Select", func() { f32(2, 3).Select(0, 2) }, []string{"Select", "index 2", "[2 3]"}},
		{"Unsqueeze", func() { f32(2, 3).Unsqueeze(4) }, []string{"Unsqueeze", "axis 4", "[2 3]"}},
		{"Squeeze", func() { f32(2, 3).Squeeze(1) }, []string{"Squeeze", "size 3", "[2 3]"}},
		{"Expand", func() { f32(2, 3).Expand(4, 3) }, []string{"Expand", "[2 3]", "[4 3]"}},
		{"Expand rank", func() { f32(2, 3).Expand(3) }, []string{"Expand", "[2 3]", "[3]"}},
		{"BroadcastShapes", func() { BroadcastShapes("MyOp", []int{2, 3}, []int{4}) }, []string{"MyOp", "[2 3]", "[4]"}},
		{"CopyFrom shape", func() { f32(2, 3).CopyFrom(f32(3, 2)) }, []string{"CopyFrom", "[3 2]", "[2 3]"}},
		{"CopyFrom dtype", func() { f32(2).CopyFrom(f64(2)) }, []string{"CopyFrom", "float64", "float32"}},
		{"Cast dtype", func() { f32(2).Cast(DType(5)) }, []string{"Cast", "[2]", "DType(5)"}},
		{"Add shapes", func() { Add(f32(3, 4), f32(5)) }, []string{"Add", "[3 4]", "[5]"}},
		{"Add dtypes", func() { Add(f32(3), f64(3)) }, []string{"Add", "float32", "float64", "[3]"}},
		{"Sub", func() { Sub(f32(2), f32(3)) }, []string{"Sub", "[2]", "[3]"}},
		{"Mul", func() { Mul(f32(2), f32(3)) }, []string{"Mul", "[2]", "[3]"}},
		{"Div", func() { Div(f32(2), f32(3)) }, []string{"Div", "[2]", "[3]"}},
		{"Maximum", func() { Maximum(f32(2), f32(3)) }, []string{"Maximum", "[2]", "[3]"}},
		{"Minimum", func() { Minimum(f32(2), f32(3)) }, []string{"Minimum", "[2]", "[3]"}},
		{"Pow", func() { Pow(f32(2), f32(3)) }, []string{"Pow", "[2]", "[3]"}},
		{"Greater", func() { Greater(f32(2), f32(3)) }, []string{"Greater", "[2]", "[3]"}},
		{"Less", func() { Less(f32(2), f32(3)) }, []string{"Less", "[2]", "[3]"}},
		{"Equal", func() { Equal(f32(2), f32(3)) }, []string{"Equal", "[2]", "[3]"}},
		{"AddInPlace dtype", func() { AddInPlace(f32(2), f64(2)) }, []string{"AddInPlace", "float32", "float64"}},
		{"AddInPlace shape", func() { AddInPlace(f32(2), f32(2, 2)) }, []string{"AddInPlace", "[2 2]", "[2]"}},
		{"AddInPlace view", func() { AddInPlace(transposed, f32(4, 3)) }, []string{"AddInPlace", "non-contiguous", "[4 3]"}},
		{"Sum axis", func() { Sum(f32(2, 3), 2) }, []string{"Sum", "axis 2", "[2 3]"}},
		{"Sum repeated", func() { Sum(f32(2, 3), 1, -1) }, []string{"Sum", "repeated", "[1 -1]"}},
		{"Mean axis", func() { Mean(f32(2, 3), -3) }, []string{"Mean", "axis -3", "[2 3]"}},
		{"Max empty", func() { Max(f32(3, 0), 1) }, []string{"Max", "empty", "[3 0]"}},
		{"Min empty", func() { Min(f32(0)) }, []string{"Min", "empty", "[0]"}},
		{"ArgMax empty", func() { ArgMax(f32(3, 0), 1) }, []string{"ArgMax", "empty", "[3 0]"}},
		{"ArgMax axis", func() { ArgMax(f32(3), 1) }, []string{"ArgMax", "axis 1", "[3]"}},
		{"LogSumExp axis", func() { LogSumExp(f32(3), 1) }, []string{"LogSumExp", "axis 1", "[3]"}},
		{"SumTo", func() { SumTo(f32(2, 3), []int{2}) }, []string{"SumTo", "[2]", "[2 3]"}},
		{"Softmax axis", func() { Softmax(f32(2, 3), 2) }, []string{"Softmax", "axis 2", "[2 3]"}},
		{"LogSoftmax axis", func() { LogSoftmax(f32(2, 3), -3) }, []string{"LogSoftmax", "axis -3", "[2 3]"}},
		{"MatMul rank", func() { MatMul(f32(3), f32(3, 2), false, false) }, []string{"MatMul", "[3]", "[3 2]"}},
		{"MatMul dtype", func() { MatMul(f32(2, 3), f64(3, 2), false, false) }, []string{"MatMul", "float32", "float64"}},
		{"MatMul inner", func() { MatMul(f32(2, 3), f32(2, 4), false, false) }, []string{"MatMul", "inner", "[2 3]", "[2 4]"}},
		{"MatMul inner transB", func() { MatMul(f32(2, 3), f32(3, 4), false, true) }, []string{"MatMul", "[2 3]", "[3 4]", "transB=true"}},
		{"MatMul batch", func() { MatMul(f32(2, 2, 3), f32(3, 3, 4), false, false) }, []string{"MatMul", "batch", "[2 2 3]", "[3 3 4]"}},
		{"IndexSelect", func() { IndexSelect(f32(2, 3), 1, []int{0, 3}) }, []string{"IndexSelect", "index 3", "[2 3]"}},
		{"IndexAdd shape", func() { IndexAdd(f32(2, 3), 1, []int{0}, f32(2, 2)) }, []string{"IndexAdd", "[2 2]", "[2 3]"}},
		{"IndexAdd view", func() { IndexAdd(transposed, 0, []int{0}, f32(1, 3)) }, []string{"IndexAdd", "non-contiguous", "[4 3]"}},
		{"IndexAdd index", func() { IndexAdd(f32(2, 3), 0, []int{-1}, f32(1, 3)) }, []string{"IndexAdd", "index -1", "[2 3]"}},
		{"Gather fit", func() { Gather(f32(2, 3), 1, []int{0, 1, 2}) }, []string{"Gather", "3 indices", "[2 3]"}},
		{"Gather index", func() { Gather(f32(2, 3), 1, []int{0, 3}) }, []string{"Gather", "index 3", "[2 3]"}},
		{"ScatterAdd shape", func() { ScatterAdd(f32(2, 3), 1, []int{0, 1}, f32(2, 2)) }, []string{"ScatterAdd", "[2 2]", "[2 3]"}},
		{"ScatterAdd index", func() { ScatterAdd(f32(2, 3), 0, []int{2, 0, 0}, f32(1, 3)) }, []string{"ScatterAdd", "index 2", "[2 3]"}},
		{"Where shapes", func() { Where(f32(2), f32(3), f32(3)) }, []string{"Where", "[2]", "[3]"}},
		{"Where dtypes", func() { Where(f32(2), f32(2), f64(2)) }, []string{"Where", "float32", "float64"}},
		{"MaskedFill", func() { MaskedFill(f32(2), f32(2, 2), 0) }, []string{"MaskedFill", "[2 2]", "[2]"}},
		{"Concat none", func() { Concat(0) }, []string{"Concat", "no tensors"}},
		{"Concat shape", func() { Concat(0, f32(2, 3), f32(2, 4)) }, []string{"Concat", "[2 3]", "[2 4]"}},
		{"Concat rank", func() { Concat(0, f32(2, 3), f32(2)) }, []string{"Concat", "[2 3]", "[2]"}},
		{"Concat dtype", func() { Concat(0, f32(2), f64(2)) }, []string{"Concat", "float32", "float64"}},
		{"Split", func() { Split(f32(5, 2), 0, 2, 2) }, []string{"Split", "[2 2]", "[5 2]"}},
		{"Split negative", func() { Split(f32(2, 2), 0, 3, -1) }, []string{"Split", "[3 -1]", "[2 2]"}},
		{"Stack none", func() { Stack(0) }, []string{"Stack", "no tensors"}},
		{"Stack shape", func() { Stack(0, f32(2), f32(3)) }, []string{"Stack", "[2]", "[3]"}},
	}
	for _, c := range cases {
		mustPanic(t, c.name, c.want, c.f)
	}
}

// mustPanic fails t unless f panics with a string that starts with "tensor: "
// and contains every one of want (the op's name and the shapes involved).
func mustPanic(t *testing.T, label string, want []string, f func()) {
	t.Helper()
	msg := func() (msg string) {
		defer func() {
			r := recover()
			if r == nil {
				msg = "<no panic>"
				return
			}
			msg = fmt.Sprint(r)
		}()
		f()
		return ""
	}()
	if !assert.Regexp(t, `^tensor: `, msg, "%s: panic message", label) {
		return
	}
	for _, w := range want {
		assert.Contains(t, msg, w, "%s: panic message", label)
	}
}
