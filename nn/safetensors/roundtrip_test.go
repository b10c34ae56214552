package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// le builds little-endian bytes from values of fixed-size types.
func le(values ...any) []byte {
	var b bytes.Buffer
	for _, v := range values {
		if err := binary.Write(&b, binary.LittleEndian, v); err != nil {
			panic(err)
		}
	}
	return b.Bytes()
}

// dtypeCase is one tensor per dtype with hand-encoded bytes and the values a
// reader must produce (written from the IEEE/two's-complement definitions,
// not from this package's code).
type dtypeCase struct {
	t      Tensor
	floats []float64 // expected Float64 (and Float32) values, nil if not a float dtype
	ints   []int64   // expected Int64 values, nil if not an integer dtype
}

func dtypeCases() []dtypeCase {
	return []dtypeCase{
		{Tensor{"f64", F64, []int{2}, le(1.5, -math.Pi)}, []float64{1.5, -math.Pi}, nil},
		{Tensor{"f32", F32, []int{2, 2}, le(float32(1), float32(-0.25), float32(3e38), float32(1e-45))},
			[]float64{1, -0.25, float64(float32(3e38)), float64(float32(1e-45))}, nil},
		// float16: 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504, 0x0001 = 2^-24, 0x7c00 = +Inf
		{Tensor{"f16", F16, []int{5}, le(uint16(0x3c00), uint16(0xc000), uint16(0x7bff), uint16(0x0001), uint16(0x7c00))},
			[]float64{1, -2, 65504, math.Ldexp(1, -24), math.Inf(1)}, nil},
		// bfloat16: 0x3f80 = 1, 0x4049 = 3.140625, 0xff80 = -Inf
		{Tensor{"bf16", BF16, []int{3, 1}, le(uint16(0x3f80), uint16(0x4049), uint16(0xff80))},
			[]float64{1, 3.140625, math.Inf(-1)}, nil},
		{Tensor{"i64", I64, []int{3}, le(int64(-1), int64(math.MaxInt64), int64(7))}, nil, []int64{-1, math.MaxInt64, 7}},
		{Tensor{"i32", I32, []int{2}, le(int32(-5), int32(math.MaxInt32))}, nil, []int64{-5, math.MaxInt32}},
		{Tensor{"i16", I16, []int{2}, le(int16(-300), int16(2))}, nil, []int64{-300, 2}},
		{Tensor{"i8", I8, []int{2}, le(int8(-128), int8(127))}, nil, []int64{-128, 127}},
		{Tensor{"u64", U64, []int{1}, le(uint64(1 << 62))}, nil, []int64{1 << 62}},
		{Tensor{"u32", U32, []int{1}, le(uint32(math.MaxUint32))}, nil, []int64{math.MaxUint32}},
		{Tensor{"u16", U16, []int{1}, le(uint16(65535))}, nil, []int64{65535}},
		{Tensor{"u8", U8, []int{1, 1, 2, 2}, []byte{0, 1, 255, 3}}, nil, []int64{0, 1, 255, 3}},
		{Tensor{"bool", BOOL, []int{3}, []byte{1, 0, 1}}, nil, []int64{1, 0, 1}},
		{Tensor{"f8e4m3", F8E4M3, []int{2}, []byte{0x38, 0xb8}}, nil, nil},
		{Tensor{"f8e5m2", F8E5M2, []int{2}, []byte{0x3c, 0xbc}}, nil, nil},
		{Tensor{"scalar", F32, []int{}, le(float32(2.5))}, []float64{2.5}, nil},
		{Tensor{"empty", F32, []int{0, 4}, nil}, []float64{}, nil},
	}
}

// TestRoundTripEveryDType writes one tensor of every dtype, reopens the file
// and checks info, raw bytes and conversions against hand-encoded values
// (exact: tolerance 0, except float64 -> float32 which must equal the
// float32 rounding of the expected value).
func TestRoundTripEveryDType(t *testing.T) {
	cases := dtypeCases()
	var tensors []Tensor
	for _, c := range cases {
		tensors = append(tensors, c.t)
	}
	path := filepath.Join(t.TempDir(), "all.safetensors")
	require.NoError(t, Write(path, tensors, map[string]string{"format": "pt", "note": "é\"\\"}))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, map[string]string{"format": "pt", "note": "é\"\\"}, f.Metadata())
	var names []string
	for _, c := range cases {
		names = append(names, c.t.Name)
		info, err := f.Info(c.t.Name)
		require.NoError(t, err)
		assert.Equal(t, c.t.DType, info.DType, c.t.Name)
		assert.True(t, slices.Equal(c.t.Shape, info.Shape), "%s: shape %v, want %v", c.t.Name, info.Shape, c.t.Shape)
		raw, err := f.Raw(c.t.Name)
		require.NoError(t, err, c.t.Name)
		assert.True(t, bytes.Equal(c.t.Data, raw), "%s: Raw = %x, want %x", c.t.Name, raw, c.t.Data)
		checkConversions(t, f, c)
	}
	slices.Sort(names)
	assert.Equal(t, names, f.Names())
}

func checkConversions(t *testing.T, f *File, c dtypeCase) {
	t.Helper()
	name := c.t.Name
	f64, shape, err64 := f.Float64(name)
	f32, _, err32 := f.Float32(name)
	ints, _, errInt := f.Int64(name)
	if c.floats != nil {
		require.NoError(t, err64, name)
		require.NoError(t, err32, name)
		assert.True(t, slices.Equal(shape, c.t.Shape), "%s: Float64 shape %v", name, shape)
		for i, want := range c.floats { // exact: tolerance 0
			assert.Equal(t, want, f64[i], "%s[%d] Float64", name, i)
			assert.Equal(t, float32(want), f32[i], "%s[%d] Float32", name, i)
		}
	} else {
		assert.Error(t, err64, "%s: Float64 of dtype %s", name, c.t.DType)
		assert.ErrorContains(t, err32, `tensor "`+name+`"`)
		assert.ErrorContains(t, err32, string(c.t.DType))
	}
	if c.ints != nil {
		require.NoError(t, errInt, name)
		assert.Equal(t, c.ints, ints, name)
	} else {
		assert.Error(t, errInt, "%s: Int64 of dtype %s", name, c.t.DType)
	}
}

// TestWriteLayout checks the writer's layout: header padded with spaces so
// the data starts at a multiple of 8, no "__metadata__" when there is none,
// tensors ordered by dtype (widest first, reference enum order) then name,
// each tensor aligned to its element size.
func TestWriteLayout(t *testing.T) {
	tensors := []Tensor{
		{"z", U8, []int{3}, []byte{1, 2, 3}},
		{"b", F16, []int{1}, le(uint16(0x3c00))},
		{"a", F16, []int{1}, le(uint16(0x3c00))},
		{"c", I64, []int{1}, le(int64(1))},
		{"d", F32, []int{1}, le(float32(1))},
		{"e", F64, []int{1}, le(1.0)},
		{"f", BOOL, []int{1}, []byte{1}},
	}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, tensors, nil))
	data := buf.Bytes()
	n := binary.LittleEndian.Uint64(data)
	header := string(data[8 : 8+n])
	assert.Zero(t, (8+n)%8, "header %q (length %d) not padded to a multiple of 8", header, n)
	assert.NotContains(t, header, "__metadata__")
	assert.Equal(t, strings.TrimSpace(header), strings.TrimRight(header, " "), "padding is trailing spaces")
	f, err := Parse(data)
	require.NoError(t, err)
	want := []string{"c", "e", "d", "a", "b", "z", "f"} // I64, F64, F32, F16 (a, b), U8, BOOL
	var offset int64
	for _, name := range want {
		info, _ := f.Info(name)
		assert.Equal(t, offset, info.Begin, "tensor %s begins (order %v)", name, want)
		assert.Zero(t, (8+int64(n)+info.Begin)%int64(info.DType.Size()), "tensor %s at file offset %d is not aligned to %d", name, 8+int64(n)+info.Begin, info.DType.Size())
		offset = info.End
	}
}

// TestTensorConstructors checks the typed constructors against hand-encoded
// bytes and that they panic on a length mismatch.
func TestTensorConstructors(t *testing.T) {
	cases := []struct {
		got  Tensor
		want Tensor
	}{
		{Float32Tensor("a", []int{2}, []float32{1, -2}), Tensor{"a", F32, []int{2}, le(float32(1), float32(-2))}},
		// 0.1 rounds to float16 0x2e66 and bfloat16 0x3dcd (nearest even)
		{Float16Tensor("h", []int{2}, []float32{0.1, 1e6}), Tensor{"h", F16, []int{2}, le(uint16(0x2e66), uint16(0x7c00))}},
		{BFloat16Tensor("b", []int{1}, []float32{0.1}), Tensor{"b", BF16, []int{1}, le(uint16(0x3dcd))}},
		{Float64Tensor("d", []int{1, 1}, []float64{math.E}), Tensor{"d", F64, []int{1, 1}, le(math.E)}},
		{Int64Tensor("i", []int{2}, []int64{-3, 4}), Tensor{"i", I64, []int{2}, le(int64(-3), int64(4))}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.got)
	}
	var r any
	func() {
		defer func() { r = recover() }()
		Float32Tensor("bad", []int{2}, []float32{1, 2, 3})
	}()
	msg, _ := r.(string)
	assert.Contains(t, msg, `"bad"`, "Float32Tensor with 3 values for shape [2] panics naming the tensor")
}

// TestFloat32IntoChunks reads a tensor larger than the conversion chunk and
// checks every element, and that a wrong destination length is an error.
func TestFloat32IntoChunks(t *testing.T) {
	n := chunkBytes/4*2 + 123 // three chunks for F32 and over one for F16
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%2048) - 1024 // exact in float16 too
	}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	require.NoError(t, Write(path, []Tensor{Float32Tensor("w", []int{n}, v), Float16Tensor("h", []int{n}, v)}, nil))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	for _, name := range []string{"w", "h"} {
		got := make([]float32, n)
		require.NoError(t, f.Float32Into(got, name))
		assert.True(t, slices.Equal(got, v), "tensor %s read back differently", name)
	}
	assert.ErrorContains(t, f.Float32Into(make([]float32, n-1), "w"), `tensor "w": destination has`)
	_, err = f.Info("missing")
	assert.ErrorContains(t, err, `no tensor "missing"`)
	assert.ErrorContains(t, err, path)
}

// TestWriteStream writes through the callback API (WriteFloat32 in F32, BF16
// and F64) and checks values, then checks that a failing or miscounting
// callback leaves an existing file untouched and no temporary file behind.
func TestWriteStream(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.safetensors")
	values := map[string][]float32{"x": {1, 2, 3}, "y": {0.5}, "z": {-1, 8}}
	specs := []Spec{{"x", F32, []int{3}}, {"y", BF16, []int{1}}, {"z", F64, []int{2, 1}}}
	write := func(s Spec, w io.Writer) error { return WriteFloat32(w, s.DType, values[s.Name]) }
	require.NoError(t, WriteStream(path, specs, nil, write))
	f, err := Open(path)
	require.NoError(t, err)
	for name, want := range values {
		got, _, err := f.Float32(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	require.NoError(t, f.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	failures := []struct {
		name  string
		write func(s Spec, w io.Writer) error
		want  string
	}{
		{"short", func(s Spec, w io.Writer) error { _, err := w.Write([]byte{1}); return err }, `tensor "z": 1 bytes of data written, but dtype F64 and shape [2 1] need 16`},
		{"callback error", func(s Spec, w io.Writer) error { return errors.New("disk on fire") }, `tensor "z": disk on fire`},
		{"dtype", func(s Spec, w io.Writer) error { return WriteFloat32(w, I32, nil) }, "cannot store float32 values as dtype I32"},
	}
	for _, c := range failures {
		err := WriteStream(path, specs, nil, c.write)
		assert.ErrorContains(t, err, c.want, c.name)
		assert.ErrorContains(t, err, path, c.name)
	}
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "failed writes changed the file")
	assert.Len(t, entries, 1, "failed writes left files in the directory")
}

// TestWriteRejectsBadTensors checks each writer-side validation error.
func TestWriteRejectsBadTensors(t *testing.T) {
	ok := Float32Tensor("ok", []int{1}, []float32{1})
	cases := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"empty name", []Tensor{{"", F32, []int{1}, le(float32(1))}}, nil, "empty name"},
		{"reserved", []Tensor{{"__metadata__", F32, []int{1}, le(float32(1))}}, nil, "reserves"},
		{"duplicate", []Tensor{ok, ok}, nil, `tensor "ok" appears twice`},
		{"dtype", []Tensor{{"q", "Q4", []int{1}, []byte{1}}}, nil, `tensor "q": unknown dtype "Q4"`},
		{"negative", []Tensor{{"n", U8, []int{-1}, nil}}, nil, `tensor "n": shape [-1] has a negative dimension`},
		{"data length", []Tensor{{"l", F32, []int{2}, le(float32(1))}}, nil, `tensor "l": 4 bytes of data written, but dtype F32 and shape [2] need 8`},
		{"utf8 name", []Tensor{{"\xff", U8, []int{1}, []byte{1}}}, nil, "not valid UTF-8"},
		{"utf8 metadata", []Tensor{ok}, map[string]string{"k": "\xff"}, `metadata entry "k"`},
	}
	for _, c := range cases {
		assert.ErrorContains(t, Encode(io.Discard, c.tensors, c.meta), c.want, c.name)
	}
}
