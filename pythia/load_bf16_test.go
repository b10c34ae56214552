package pythia

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// bf16RNE rounds x to bfloat16 bits, round to nearest even, written out
// from the definition (independent of internal/half): add 0x7FFF plus the
// lowest kept bit, truncate.
func bf16RNE(x float32) uint16 {
	b := math.Float32bits(x)
	return uint16((b + 0x7FFF + (b>>16)&1) >> 16)
}

// TestLoadBF16 saves float32 checkpoints (tied and untied) and a bfloat16
// one, loads them with LoadBF16 and checks every tensor's bits: the
// float32 values rounded to nearest even, and the bfloat16 file's bits
// unchanged; the shape-only model has the configuration, the parameter
// shapes and no readable values.
func TestLoadBF16(t *testing.T) {
	for _, tied := range []bool{false, true} {
		cfg := tinyConfig(t)
		cfg.TieWordEmbeddings = tied
		m, err := NewRandom(cfg, tensor.Float32, 3)
		require.NoError(t, err)
		for _, p := range m.Params() { // values with low bits set, so rounding matters
			d := p.Value.Data.Float32s()
			for i := range d {
				d[i] += float32(i%7) * 1.2345e-3
			}
		}
		dir := t.TempDir()
		require.NoError(t, m.Save(dir))
		shape, w, err := LoadBF16(dir)
		require.NoError(t, err)
		assert.True(t, sameFields(shape.Config, m.Config), "config")
		require.Len(t, w, len(m.Params()))
		for i, p := range m.Params() {
			bits := w[p.Name]
			d := p.Value.Data.Float32s()
			require.Len(t, bits, len(d), p.Name)
			for j, x := range d {
				if bits[j] != bf16RNE(x) {
					t.Fatalf("%s[%d] = %#04x; want %#04x (round to nearest even of %v)", p.Name, j, bits[j], bf16RNE(x), x)
				}
			}
			sp := shape.Params()[i]
			assert.Equal(t, p.Value.Shape(), sp.Value.Shape(), p.Name)
			assert.False(t, sp.Value.RequiresGrad(), "%s of the shape-only model is trainable", p.Name)
			assert.Panics(t, func() { sp.Value.Data.Float32s() }, "%s of the shape-only model has values", p.Name)
		}

		// A bfloat16 checkpoint comes back bit for bit.
		bdir := t.TempDir()
		var ts []safetensors.Tensor
		for _, p := range m.Params() {
			ts = append(ts, safetensors.BFloat16Tensor(p.Name, p.Value.Shape(), p.Value.Data.Float32s()))
		}
		require.NoError(t, safetensors.Write(filepath.Join(bdir, safetensors.SingleFileName), ts, nil))
		js, err := cfg.JSON("bfloat16")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bdir, "config.json"), js, 0o644))
		_, wb, err := LoadBF16(bdir)
		require.NoError(t, err)
		assert.Equal(t, w, wb, "bfloat16 checkpoint")
	}
}

// TestLoadBF16Errors checks that a missing tensor and a missing directory
// are errors naming the file.
func TestLoadBF16Errors(t *testing.T) {
	_, _, err := LoadBF16(filepath.Join(t.TempDir(), "none"))
	assert.ErrorContains(t, err, "config.json")
	cfg := tinyConfig(t)
	dir := t.TempDir()
	js, err := cfg.JSON("float32")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), js, 0o644))
	require.NoError(t, safetensors.Write(filepath.Join(dir, safetensors.SingleFileName),
		[]safetensors.Tensor{safetensors.Float32Tensor("gpt_neox.embed_in.weight", []int{10, 8}, make([]float32, 80))}, nil))
	_, _, err = LoadBF16(dir)
	assert.ErrorContains(t, err, "missing tensor")
}

// TestNewRandomBF16 checks the random bfloat16 weights: LayerNorm weights
// 1, biases 0, matrices with the standard deviation initializer_range, and
// the same bits for the same seed.
func TestNewRandomBF16(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.InitializerRange = 0.5
	m, w, err := NewRandomBF16(cfg, 4)
	require.NoError(t, err)
	_, again, err := NewRandomBF16(cfg, 4)
	require.NoError(t, err)
	assert.Equal(t, w, again, "same seed")
	var sum2 float64
	var n int
	for _, p := range m.Params() {
		bits := w[p.Name]
		require.Len(t, bits, p.Value.Data.Len(), p.Name)
		switch {
		case len(p.Value.Shape()) == 2:
			for _, b := range bits {
				x := float64(math.Float32frombits(uint32(b) << 16))
				sum2 += x * x
				n++
			}
		case isLayerNormWeight(p.Name):
			for _, b := range bits {
				require.Equal(t, uint16(0x3F80), b, p.Name)
			}
		default:
			for _, b := range bits {
				require.Equal(t, uint16(0), b, p.Name)
			}
		}
	}
	assert.InDelta(t, 0.5, math.Sqrt(sum2/float64(n)), 0.05, "std of %d matrix values", n)
	assert.Equal(t, int64(2*cfg.NumParams()), w.NumBF16Bytes())
}
