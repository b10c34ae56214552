package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/daalab/daa/internal/half"
)

// DecodeFloat32 converts little-endian elements of dtype (F32, F16, BF16 or
// F64) in src to float32 in dst. F16 and BF16 widen exactly; F64 rounds to
// nearest. It returns an error for any other dtype and panics if
// len(src) != len(dst)*dtype.Size().
func DecodeFloat32(dst []float32, dtype DType, src []byte) error {
	checkDecodeLen("DecodeFloat32", len(dst), dtype, len(src))
	if !decodeFloat(dst, dtype, src) {
		return fmt.Errorf("dtype %s does not convert to float32 (only F32, F16, BF16, F64 do)", dtype)
	}
	return nil
}

// DecodeFloat64 converts little-endian elements of dtype (F64, F32, F16 or
// BF16) in src to float64 in dst, exactly. It returns an error for any other
// dtype and panics if len(src) != len(dst)*dtype.Size().
func DecodeFloat64(dst []float64, dtype DType, src []byte) error {
	checkDecodeLen("DecodeFloat64", len(dst), dtype, len(src))
	if !decodeFloat(dst, dtype, src) {
		return fmt.Errorf("dtype %s does not convert to float64 (only F64, F32, F16, BF16 do)", dtype)
	}
	return nil
}

// decodeFloat converts src to dst for the float dtypes and reports whether
// dtype was one of them. Narrowing F64 to float32 rounds to nearest.
func decodeFloat[T float32 | float64](dst []T, dtype DType, src []byte) bool {
	le := binary.LittleEndian
	switch dtype {
	case F32:
		for i := range dst {
			dst[i] = T(math.Float32frombits(le.Uint32(src[4*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = T(half.F16ToF32(le.Uint16(src[2*i:])))
		}
	case BF16:
		for i := range dst {
			dst[i] = T(half.BF16ToF32(le.Uint16(src[2*i:])))
		}
	case F64:
		for i := range dst {
			dst[i] = T(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	default:
		return false
	}
	return true
}

// DecodeInt64 converts little-endian integer elements of dtype (I64, I32,
// I16, I8, U64, U32, U16, U8 or BOOL, where any nonzero byte is 1) in src to
// int64 in dst. It returns an error for float dtypes and for a U64 value above
// math.MaxInt64, and panics if len(src) != len(dst)*dtype.Size().
func DecodeInt64(dst []int64, dtype DType, src []byte) error {
	checkDecodeLen("DecodeInt64", len(dst), dtype, len(src))
	le := binary.LittleEndian
	switch dtype {
	case I64:
		for i := range dst {
			dst[i] = int64(le.Uint64(src[8*i:]))
		}
	case U64:
		for i := range dst {
			u := le.Uint64(src[8*i:])
			if u > math.MaxInt64 {
				return fmt.Errorf("U64 element %d = %d does not fit in int64", i, u)
			}
			dst[i] = int64(u)
		}
	case I32:
		for i := range dst {
			dst[i] = int64(int32(le.Uint32(src[4*i:])))
		}
	case U32:
		for i := range dst {
			dst[i] = int64(le.Uint32(src[4*i:]))
		}
	case I16:
		for i := range dst {
			dst[i] = int64(int16(le.Uint16(src[2*i:])))
		}
	case U16:
		for i := range dst {
			dst[i] = int64(le.Uint16(src[2*i:]))
		}
	case I8:
		for i := range dst {
			dst[i] = int64(int8(src[i]))
		}
	case U8:
		for i := range dst {
			dst[i] = int64(src[i])
		}
	case BOOL:
		for i := range dst {
			dst[i] = 0
			if src[i] != 0 {
				dst[i] = 1
			}
		}
	default:
		return fmt.Errorf("dtype %s does not convert to int64 (only integer dtypes and BOOL do)", dtype)
	}
	return nil
}

func checkDecodeLen(op string, n int, dtype DType, nbytes int) {
	if size := dtype.Size(); size != 0 && n*size != nbytes { // unknown dtypes reach the default case

		panic(fmt.Sprintf("safetensors.%s: %d %s elements need %d bytes, src has %d", op, n, dtype, n*size, nbytes))
	}
}
