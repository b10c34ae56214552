package safetensors

// DType is a safetensors element type, spelled as in the header ("F32").
type DType string

// The dtypes of the safetensors format. Float32/Float64 convert F64, F32,
// F16 and BF16; Int64 converts the integer types and BOOL; the 8-bit float
// types can only be read with Raw.
const (
	BOOL    DType = "BOOL"
	U8      DType = "U8"
	I8      DType = "I8"
	F8E5M2  DType = "F8_E5M2"
	F8E4M3  DType = "F8_E4M3"
	I16     DType = "I16"
	U16     DType = "U16"
	F16     DType = "F16"
	BF16    DType = "BF16"
	I32     DType = "I32"
	U32     DType = "U32"
	F32     DType = "F32"
	F64     DType = "F64"
	I64     DType = "I64"
	U64     DType = "U64"
	unknown DType = ""
)

// dtypeOrder lists the dtypes in the order of the reference implementation's
// Dtype enumeration; the writer lays tensors out in reverse of this order.
var dtypeOrder = []DType{BOOL, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64}

// Size returns the size of one element in bytes, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// rank is d's position in dtypeOrder (-1 when unknown).
func (d DType) rank() int {
	for i, x := range dtypeOrder {
		if x == d {
			return i
		}
	}
	return -1
}

// isFloat reports whether Float32/Float64 convert d.
func (d DType) isFloat() bool { return d == F64 || d == F32 || d == F16 || d == BF16 }

// isInt reports whether Int64 converts d.
func (d DType) isInt() bool {
	switch d {
	case BOOL, U8, I8, I16, U16, I32, U32, I64, U64:
		return true
	}
	return false
}
