package safetensors

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/daalab/daa/internal/half"
)

// AppendFloat32 appends the elements of v, converted to dtype (F32, F16, BF16
// with round-to-nearest-even, or F64), to dst as little-endian bytes. It
// returns an error for any other dtype.
func AppendFloat32(dst []byte, dtype DType, v []float32) ([]byte, error) {
	le := binary.LittleEndian
	switch dtype {
	case F32:
		for _, x := range v {
			dst = le.AppendUint32(dst, math.Float32bits(x))
		}
	case F16:
		for _, x := range v {
			dst = le.AppendUint16(dst, half.F32ToF16(x))
		}
	case BF16:
		for _, x := range v {
			dst = le.AppendUint16(dst, half.F32ToBF16(x))
		}
	case F64:
		for _, x := range v {
			dst = le.AppendUint64(dst, math.Float64bits(float64(x)))
		}
	default:
		return dst, fmt.Errorf("cannot store float32 values as dtype %s (only F32, F16, BF16, F64)", dtype)
	}
	return dst, nil
}

// WriteFloat32 writes v converted to dtype (as AppendFloat32) to w through a
// bounded buffer; WriteStream callbacks use it to save a float32 parameter in
// any float dtype without building its whole byte form.
func WriteFloat32(w io.Writer, dtype DType, v []float32) error {
	if !dtype.isFloat() {
		_, err := AppendFloat32(nil, dtype, nil)
		return err
	}
	perChunk := chunkBytes / 8
	buf := make([]byte, 0, min(len(v), perChunk)*8)
	for lo := 0; lo < len(v); lo += perChunk {
		buf, _ = AppendFloat32(buf[:0], dtype, v[lo:min(len(v), lo+perChunk)])
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// Float32Tensor returns an F32 tensor holding v with the given shape. It
// panics if len(v) differs from the product of shape.
func Float32Tensor(name string, shape []int, v []float32) Tensor {
	return float32Tensor("Float32Tensor", F32, name, shape, v)
}

// Float16Tensor returns an F16 tensor holding v rounded to float16 (nearest
// even; overflow becomes ±Inf). It panics if len(v) differs from the product
// of shape.
func Float16Tensor(name string, shape []int, v []float32) Tensor {
	return float32Tensor("Float16Tensor", F16, name, shape, v)
}

// BFloat16Tensor returns a BF16 tensor holding v rounded to bfloat16 (nearest
// even). It panics if len(v) differs from the product of shape.
func BFloat16Tensor(name string, shape []int, v []float32) Tensor {
	return float32Tensor("BFloat16Tensor", BF16, name, shape, v)
}

func float32Tensor(op string, dtype DType, name string, shape []int, v []float32) Tensor {
	checkElements(op, name, shape, len(v))
	data, _ := AppendFloat32(make([]byte, 0, len(v)*dtype.Size()), dtype, v) // dtype is a float type: no error
	return Tensor{Name: name, DType: dtype, Shape: shape, Data: data}
}

// Float64Tensor returns an F64 tensor holding v with the given shape. It
// panics if len(v) differs from the product of shape.
func Float64Tensor(name string, shape []int, v []float64) Tensor {
	checkElements("Float64Tensor", name, shape, len(v))
	data := make([]byte, 0, 8*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(x))
	}
	return Tensor{Name: name, DType: F64, Shape: shape, Data: data}
}

// Int64Tensor returns an I64 tensor holding v with the given shape. It panics
// if len(v) differs from the product of shape.
func Int64Tensor(name string, shape []int, v []int64) Tensor {
	checkElements("Int64Tensor", name, shape, len(v))
	data := make([]byte, 0, 8*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint64(data, uint64(x))
	}
	return Tensor{Name: name, DType: I64, Shape: shape, Data: data}
}

func checkElements(op, name string, shape []int, n int) {
	want := 1
	for _, d := range shape {
		want *= d
	}
	if want != n {
		panic(fmt.Sprintf("safetensors.%s: tensor %q: shape %v has %d elements but len(v) = %d", op, name, shape, want, n))
	}
}
