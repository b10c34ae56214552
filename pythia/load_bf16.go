package pythia

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor"
)

// BF16Weights are a frozen model's parameters stored as bfloat16 bit
// patterns in row-major order, by Hugging Face name (the names of
// Model.Params; a tied embed_out is gpt_neox.embed_in.weight): half the
// memory of float32. pythia/fast computes with them in float32, widening
// each matrix right before its product (fast.Options.BF16Base). They pair
// with a shape-only Model (LoadBF16, NewRandomBF16) that carries the
// configuration and any LoRA adapters.
type BF16Weights map[string][]uint16

// LoadBF16 reads a Hugging Face GPT-NeoX checkpoint directory (as LoadDir:
// config.json and safetensors or pytorch_model.bin weights of dtype F32,
// F16 or BF16) into bfloat16 weights, one tensor at a time: each is
// converted to float32 in a buffer the size of the largest tensor (exact for
// F16 and BF16) and rounded to bfloat16 (round to nearest even; BF16
// weights come back unchanged), so the model never exists in float32 as a
// whole. It returns the shape-only model of the configuration (see
// NewShapeOnly) and the weights. It returns an error as LoadDir does for the
// configuration, missing, extra or misshapen tensors, a non-finite weight or
// a model larger than the machine's memory at 2 bytes per parameter.
func LoadBF16(dir string) (*Model, BF16Weights, error) {
	cfgPath := filepath.Join(dir, "config.json")
	cfg, err := ReadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	limit, source, err := memoryLimit(LoadOptions{})
	if err != nil {
		return nil, nil, err
	}
	if err := checkMemory(cfg, cfgPath, 2, limit, source); err != nil {
		return nil, nil, err
	}
	ck, err := openCheckpoint(dir)
	if err != nil {
		return nil, nil, err
	}
	defer ck.Close()
	m, err := NewShapeOnly(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("pythia: %s: %w", cfgPath, err)
	}
	slots := m.slots()
	if err := checkTensors(ck, slots, cfg, cfgPath); err != nil {
		return nil, nil, err
	}
	largest := 0
	for _, s := range slots {
		largest = max(largest, numElements(s.shape))
	}
	buf := make([]float32, largest)
	w := make(BF16Weights, len(slots))
	for _, s := range slots {
		f := buf[:numElements(s.shape)]
		if err := ck.ReadFloat32(f, s.name); err != nil {
			return nil, nil, fmt.Errorf("pythia: %w", err)
		}
		if err := checkFinite(f, ck.File(s.name), s.name); err != nil {
			return nil, nil, fmt.Errorf("pythia: %w", err)
		}
		bits := make([]uint16, len(f))
		half.F32sToBF16s(bits, f)
		w[s.name] = bits
	}
	return m, w, nil
}

// NewRandomBF16 returns the shape-only model of c and bfloat16 weights
// distributed as NewRandom's (linear and embedding weights normal(0,
// initializer_range), LayerNorm weights 1, biases 0), rounded to bfloat16 as
// they are drawn: no float32 copy of the model is made, which lets
// benchmarks build the largest presets. The values depend on seed only
// (each block of 2^20 values of a matrix has its own PCG stream, drawn in
// parallel); they are not NewRandom's values. It returns an error if c is
// invalid.
func NewRandomBF16(c Config, seed uint64) (*Model, BF16Weights, error) {
	m, err := NewShapeOnly(c)
	if err != nil {
		return nil, nil, err
	}
	const block = 1 << 20
	std := c.InitializerRange
	w := BF16Weights{}
	for k, s := range m.slots() {
		bits := make([]uint16, numElements(s.shape))
		switch {
		case len(s.shape) == 2:
			blocks := (len(bits) + block - 1) / block
			parallel.For(blocks, 1, func(lo, hi int) {
				for b := lo; b < hi; b++ {
					rng := rand.New(rand.NewPCG(seed, uint64(k)<<32|uint64(b)))
					for i := b * block; i < min(len(bits), (b+1)*block); i++ {
						bits[i] = half.F32ToBF16(float32(std * rng.NormFloat64()))
					}
				}
			})
		case isLayerNormWeight(s.name):
			one := half.F32ToBF16(1)
			for i := range bits {
				bits[i] = one
			}
		}
		w[s.name] = bits
	}
	return m, w, nil
}

// NewShapeOnly returns a model of configuration c whose parameters are
// constants with the right shapes and no storage: each is a zero-stride
// float32 view of a single zero, so its values cannot be read
// (tensor.Float32s panics on it). It carries the configuration and the
// parameter names and shapes for a model whose weights live elsewhere
// (BF16Weights), and takes LoRA adapters (AttachLoRA, LoadAdapter,
// SaveAdapter, WithAdaptersDisabled work on it). It returns an error if c
// is invalid.
func NewShapeOnly(c Config) (*Model, error) {
	return build(c, func(s slot) *autograd.Value {
		ones := make([]int, len(s.shape))
		for i := range ones {
			ones[i] = 1
		}
		return autograd.Const(tensor.Zeros(tensor.Float32, ones...).Expand(s.shape...))
	})
}

// NumBF16Bytes returns the bytes w holds: 2 per parameter.
func (w BF16Weights) NumBF16Bytes() int64 {
	var n int64
	for _, b := range w {
		n += 2 * int64(len(b))
	}
	return n
}

// numElements returns the product of shape.
func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		if d > math.MaxInt/max(n, 1) {
			panic(fmt.Sprintf("pythia: shape %v overflows int", shape))
		}
		n *= d
	}
	return n
}
