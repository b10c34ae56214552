package pythia

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/daalab/daa/internal/atomicfile"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// Save writes m to dir (created if needed) as a Hugging Face checkpoint that
// transformers' GPTNeoXForCausalLM.from_pretrained and LoadDir read:
// model.safetensors with every parameter under its Hugging Face name (F32
// for a float32 model, F64 for a float64 one; metadata format "pt"; a tied
// embed_out omitted as Hugging Face omits it) and config.json. Each file is
// written atomically (temporary file, fsync, rename). It returns an error if
// dir already holds a sharded checkpoint (whose index would take precedence
// over the new file) or on any I/O error.
func (m *Model) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	if index := filepath.Join(dir, safetensors.IndexFileName); exists(index) {
		return fmt.Errorf("pythia: %s exists; saving model.safetensors beside it would leave the old sharded checkpoint in force", index)
	}
	dtype, torchDType := safetensors.F32, "float32"
	if m.DType() == tensor.Float64 {
		dtype, torchDType = safetensors.F64, "float64"
	}
	slots := m.slots()
	specs := make([]safetensors.Spec, len(slots))
	data := make(map[string]*tensor.Tensor, len(slots))
	for i, s := range slots {
		specs[i] = safetensors.Spec{Name: s.name, DType: dtype, Shape: s.shape}
		data[s.name] = (*s.v).Data
	}
	weights := filepath.Join(dir, safetensors.SingleFileName)
	err := safetensors.WriteStream(weights, specs, map[string]string{"format": "pt"}, func(s safetensors.Spec, w io.Writer) error {
		t := data[s.Name]
		if dtype == safetensors.F32 {
			return safetensors.WriteFloat32(w, dtype, t.Float32s())
		}
		return writeFloat64(w, t.Float64s())
	})
	if err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	cfg, err := m.Config.JSON(torchDType)
	if err != nil {
		return fmt.Errorf("pythia: config of %s: %w", dir, err)
	}
	return writeFileAtomic(filepath.Join(dir, "config.json"), cfg)
}

// writeFloat64 writes v as little-endian float64 bytes through a bounded buffer.
func writeFloat64(w io.Writer, v []float64) error {
	const chunk = 1 << 16
	buf := make([]byte, 0, 8*min(len(v), chunk))
	for lo := 0; lo < len(v); lo += chunk {
		buf = buf[:0]
		for _, x := range v[lo:min(len(v), lo+chunk)] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes data to path atomically (see internal/atomicfile).
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	return nil
}
