package safetensors

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFloat32Into reads a 4M-element tensor from a file on disk (page
// cache) into a float32 slice; MB/s counts the stored bytes.
func BenchmarkFloat32Into(b *testing.B) {
	const n = 1 << 22
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	for _, dt := range []DType{F32, BF16, F16} {
		b.Run(string(dt), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.safetensors")
			var t Tensor
			switch dt {
			case F32:
				t = Float32Tensor("w", []int{n}, v)
			case BF16:
				t = BFloat16Tensor("w", []int{n}, v)
			case F16:
				t = Float16Tensor("w", []int{n}, v)
			}
			require.NoError(b, Write(path, []Tensor{t}, nil))
			f, err := Open(path)
			require.NoError(b, err)
			defer f.Close()
			dst := make([]float32, n)
			b.SetBytes(int64(len(t.Data)))
			for b.Loop() {
				require.NoError(b, f.Float32Into(dst, "w"))
			}
		})
	}
}

// BenchmarkEncode measures writing a 4M-element F32 tensor to memory.
func BenchmarkEncode(b *testing.B) {
	t := Float32Tensor("w", []int{1 << 22}, make([]float32, 1<<22))
	var buf bytes.Buffer
	b.SetBytes(int64(len(t.Data)))
	for b.Loop() {
		buf.Reset()
		require.NoError(b, Encode(&buf, []Tensor{t}, nil))
	}
}
