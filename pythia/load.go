package pythia

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daalab/daa/internal/torchbin"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia/hub"
	"github.com/daalab/daa/tensor"
)

// LoadOptions control how a checkpoint is loaded.
type LoadOptions struct {
	// DType is the dtype of the loaded weights and so of every computation:
	// tensor.Float32 (the zero value) or tensor.Float64. Stored F16, BF16,
	// F32 and F64 tensors are converted exactly (F64 to float32 rounds).
	DType tensor.DType

	// MaxParamBytes bounds the bytes of the model's parameters (parameter
	// count times the dtype's size), checked from config.json before any
	// parameter is allocated. 0 means the machine's memory, MemTotal of
	// /proc/meminfo; a negative value means no bound.
	MaxParamBytes int64

	// AllowNonFinite loads NaN and infinite weights. By default a tensor
	// holding one is an error naming the file, the tensor and the element.
	AllowNonFinite bool
}

// legacyBuffers are the non-parameter tensors old GPT-NeoX checkpoints carry
// (the causal mask, the masked score and the rotary inverse frequencies),
// which the model recomputes; a loader ignores them as Hugging Face does.
var legacyBuffers = []string{".attention.bias", ".attention.masked_bias", ".attention.rotary_emb.inv_freq"}

func isLegacyBuffer(name string) bool {
	return slices.ContainsFunc(legacyBuffers, func(s string) bool { return strings.HasSuffix(name, s) })
}

// Load loads a model from a checkpoint directory (see LoadDir) or, when
// nameOrDir is not a directory, from a Hugging Face hub id already in the
// local hub cache ("EleutherAI/pythia-70m", "EleutherAI/pythia-70m@step3000";
// see hub.Resolve). It does not use the network: hub.Download fetches a model
// into the cache.
func Load(nameOrDir string, opts LoadOptions) (*Model, error) {
	if fi, err := os.Stat(nameOrDir); err == nil && fi.IsDir() {
		return LoadDir(nameOrDir, opts)
	}
	dir, err := hub.Resolve(nameOrDir)
	if err != nil {
		return nil, fmt.Errorf("pythia: %q is not a directory; as a hub id: %w", nameOrDir, err)
	}
	return LoadDir(dir, opts)
}

// LoadDir loads a Hugging Face GPT-NeoX checkpoint directory: config.json
// and the weights in model.safetensors.index.json with its shards,
// model.safetensors, or pytorch_model.bin (first found in that order).
// Tensors are converted one at a time straight into the model's parameters,
// so loading never holds a second full copy of the weights.
//
// Nothing is allocated for the model before config.json has passed Validate
// (which bounds every size), the parameters fit in opts.MaxParamBytes (by
// default the machine's memory) and every stored tensor's name and shape
// match what config.json implies. The legacy buffers attention.bias,
// attention.masked_bias and attention.rotary_emb.inv_freq are ignored, as is
// embed_out.weight when the embeddings are tied. A missing tensor, an
// unexpected one or a shape that differs from what config.json implies is an
// error naming the file, the tensor and both shapes; so is a NaN or infinite
// weight unless opts.AllowNonFinite is set. Files that are not regular files
// (named pipes, devices) are refused without being opened.
func LoadDir(dir string, opts LoadOptions) (*Model, error) {
	cfgPath := filepath.Join(dir, "config.json")
	cfg, err := ReadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	limit, source, err := memoryLimit(opts)
	if err != nil {
		return nil, err
	}
	if err := checkMemory(cfg, cfgPath, opts.DType.Size(), limit, source); err != nil {
		return nil, err
	}
	ck, err := openCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	defer ck.Close()
	// The expected names and shapes, from a model with no parameters yet.
	shell := &Model{Config: cfg, Layers: make([]Layer, cfg.NumHiddenLayers)}
	if err := checkTensors(ck, shell.slots(), cfg, cfgPath); err != nil {
		return nil, err
	}
	m, err := New(cfg, opts.DType)
	if err != nil {
		return nil, fmt.Errorf("pythia: %s: %w", cfgPath, err)
	}
	for _, s := range m.slots() {
		data := (*s.v).Data
		if opts.DType == tensor.Float64 {
			dst := data.Float64s()
			if err = ck.ReadFloat64(dst, s.name); err == nil && !opts.AllowNonFinite {
				err = checkFinite(dst, ck.File(s.name), s.name)
			}
		} else {
			dst := data.Float32s()
			if err = ck.ReadFloat32(dst, s.name); err == nil && !opts.AllowNonFinite {
				err = checkFinite(dst, ck.File(s.name), s.name)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("pythia: %w", err)
		}
	}
	return m, nil
}

// checkTensors compares the tensors of ck with the slots config.json
// implies: every slot present with its shape, and nothing else but legacy
// buffers (and embed_out.weight when tied).
func checkTensors(ck checkpoint, slots []slot, cfg Config, cfgPath string) error {
	want := make(map[string]slot, len(slots))
	for _, s := range slots {
		want[s.name] = s
	}
	have := map[string]bool{}
	for _, name := range ck.Names() {
		have[name] = true
		_, ok := want[name]
		if !ok && !isLegacyBuffer(name) && !(cfg.TieWordEmbeddings && name == "embed_out.weight") {
			return fmt.Errorf("pythia: %s: unexpected tensor %q (not a parameter of the model %s describes)", ck.File(name), name, cfgPath)
		}
	}
	for _, s := range slots {
		if !have[s.name] {
			return fmt.Errorf("pythia: %s: missing tensor %q (shape %v expected by %s)", ck.Source(), s.name, s.shape, cfgPath)
		}
		shape, err := ck.Shape(s.name)
		if err != nil {
			return err
		}
		if !slices.Equal(shape, s.shape) {
			return fmt.Errorf("pythia: %s: tensor %q has shape %v; %s implies %v", ck.File(s.name), s.name, shape, cfgPath, s.shape)
		}
	}
	return nil
}

// checkFinite returns an error naming file, tensor and the first NaN or
// infinite element of w.
func checkFinite[T float32 | float64](w []T, file, tensor string) error {
	for i, x := range w {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s: tensor %q: element %d is %v; weights must be finite (LoadOptions.AllowNonFinite loads them anyway)", file, tensor, i, f)
		}
	}
	return nil
}

// checkpoint is a source of named float tensors: a safetensors checkpoint
// (single file or sharded) or a PyTorch pickle.
type checkpoint interface {
	Names() []string                              // sorted tensor names
	Shape(name string) ([]int, error)             // the stored shape
	ReadFloat32(dst []float32, name string) error // convert into dst (len = element count)
	ReadFloat64(dst []float64, name string) error
	File(name string) string // the file holding the tensor, for messages
	Source() string          // the index or single file, for messages
	Close() error
}

// openCheckpoint opens the weights of a checkpoint directory.
func openCheckpoint(dir string) (checkpoint, error) {
	index, single := filepath.Join(dir, safetensors.IndexFileName), filepath.Join(dir, safetensors.SingleFileName)
	if exists(index) || exists(single) {
		s, err := safetensors.OpenDir(dir)
		if err != nil {
			return nil, fmt.Errorf("pythia: %w", err)
		}
		src := single
		if exists(index) {
			src = index
		}
		return &safetensorsCheckpoint{s: s, source: src, names: s.Names()}, nil
	}
	if bin := filepath.Join(dir, torchBinFileName); exists(bin) {
		f, err := torchbin.Open(bin)
		if err != nil {
			return nil, fmt.Errorf("pythia: %w", err)
		}
		return torchBinCheckpoint{f}, nil
	}
	return nil, fmt.Errorf("pythia: %s: no weights (none of %s, %s, %s)", dir, safetensors.IndexFileName, safetensors.SingleFileName, torchBinFileName)
}

// torchBinFileName is the PyTorch pickle checkpoint of older hub models.
const torchBinFileName = "pytorch_model.bin"

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// safetensorsCheckpoint adapts a safetensors.Sharded.
type safetensorsCheckpoint struct {
	s      *safetensors.Sharded
	source string
	names  []string
}

func (c *safetensorsCheckpoint) Names() []string { return c.names }
func (c *safetensorsCheckpoint) Source() string  { return c.source }
func (c *safetensorsCheckpoint) Close() error    { return c.s.Close() }

func (c *safetensorsCheckpoint) Shape(name string) ([]int, error) {
	info, err := c.s.Info(name)
	if err != nil {
		return nil, fmt.Errorf("pythia: %w", err)
	}
	return info.Shape, nil
}

func (c *safetensorsCheckpoint) ReadFloat32(dst []float32, name string) error {
	return c.s.Float32Into(dst, name)
}

func (c *safetensorsCheckpoint) ReadFloat64(dst []float64, name string) error {
	f, err := c.s.Shard(name)
	if err != nil {
		return err
	}
	return f.Float64Into(dst, name)
}

func (c *safetensorsCheckpoint) File(name string) string {
	if f, err := c.s.Shard(name); err == nil {
		return f.Path()
	}
	return c.source
}

// torchBinCheckpoint adapts a torch.save state dict (pytorch_model.bin).
type torchBinCheckpoint struct{ f *torchbin.File }

func (c torchBinCheckpoint) Names() []string    { return c.f.Names() }
func (c torchBinCheckpoint) Source() string     { return c.f.Path() }
func (c torchBinCheckpoint) File(string) string { return c.f.Path() }
func (c torchBinCheckpoint) Close() error       { return c.f.Close() }
func (c torchBinCheckpoint) ReadFloat32(dst []float32, name string) error {
	return c.f.Float32Into(dst, name)
}

func (c torchBinCheckpoint) Shape(name string) ([]int, error) {
	info, err := c.f.Info(name)
	if err != nil {
		return nil, fmt.Errorf("pythia: %w", err)
	}
	return info.Shape, nil
}

func (c torchBinCheckpoint) ReadFloat64(dst []float64, name string) error {
	return c.f.Float64Into(dst, name)
}
