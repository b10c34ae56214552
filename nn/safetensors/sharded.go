package safetensors

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/daalab/daa/internal/regfile"
)

// Index and single-file names of a Hugging Face checkpoint directory.
const (
	IndexFileName  = "model.safetensors.index.json"
	SingleFileName = "model.safetensors"
)

// Sharded reads a checkpoint split over several safetensors files, as listed
// by an index file {"metadata": {...}, "weight_map": {tensor: shard file}}.
// Shards are opened on first use and stay open until Close. It answers the
// same calls as File and is safe for concurrent use; Close must not race
// with reads.
type Sharded struct {
	index     string // index file path (or the single file's path), for messages
	dir       string
	weightMap map[string]string // tensor name -> shard file name in dir
	names     []string          // sorted
	metadata  map[string]any

	mu     sync.Mutex
	shards map[string]*File // by shard file name
}

// OpenSharded reads the index file at indexPath and checks that every shard
// it names exists beside it. Shard headers are read when a tensor of the
// shard is first asked for. Shard names must be plain file names.
//
// The index must be a regular file of at most 32 MiB whose weight map lists
// at most 262144 tensors.
func OpenSharded(indexPath string) (*Sharded, error) {
	raw, err := regfile.ReadFile(indexPath, maxIndexBytes)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	weightMap, metadata, err := parseIndex(raw)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", indexPath, err)
	}
	s := &Sharded{
		index:     indexPath,
		dir:       filepath.Dir(indexPath),
		weightMap: weightMap,
		names:     slices.Sorted(maps.Keys(weightMap)),
		metadata:  metadata,
		shards:    map[string]*File{},
	}
	for _, shard := range slices.Compact(slices.Sorted(maps.Values(s.weightMap))) {
		if shard == "" || shard == "." || shard == ".." || strings.ContainsAny(shard, `/\`) {
			return nil, fmt.Errorf("safetensors: %s: shard name %q is not a plain file name", indexPath, shard)
		}
		if err := regfile.Check(filepath.Join(s.dir, shard)); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("safetensors: %s: shard %q is missing: %w", indexPath, shard, err)
		} else if err != nil {
			return nil, fmt.Errorf("safetensors: %s: shard %q: %w", indexPath, shard, err)
		}
	}
	return s, nil
}

// OpenDir opens the checkpoint in dir: model.safetensors.index.json with its
// shards when present, else the single file model.safetensors (read as one
// shard holding all its tensors).
func OpenDir(dir string) (*Sharded, error) {
	indexPath := filepath.Join(dir, IndexFileName)
	if _, err := os.Stat(indexPath); err == nil {
		return OpenSharded(indexPath)
	}
	single := filepath.Join(dir, SingleFileName)
	f, err := Open(single)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("safetensors: %s: neither %s nor %s exists", dir, IndexFileName, SingleFileName)
	}
	if err != nil {
		return nil, err
	}
	s := &Sharded{
		index:     single,
		dir:       dir,
		weightMap: map[string]string{},
		names:     f.Names(),
		metadata:  map[string]any{},
		shards:    map[string]*File{SingleFileName: f},
	}
	for _, name := range s.names {
		s.weightMap[name] = SingleFileName
	}
	return s, nil
}

// Close closes every shard opened so far and returns the first error.
func (s *Sharded) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, f := range s.shards {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	clear(s.shards)
	return first
}

// Names returns the tensor names of the weight map in sorted order.
func (s *Sharded) Names() []string { return slices.Clone(s.names) }

// Has reports whether the weight map lists tensor name.
func (s *Sharded) Has(name string) bool {
	_, ok := s.weightMap[name]
	return ok
}

// Shards returns the shard file names (relative to the index's directory),
// sorted and without repeats.
func (s *Sharded) Shards() []string {
	return slices.Compact(slices.Sorted(maps.Values(s.weightMap)))
}

// Metadata returns the index's "metadata" object as decoded JSON (for
// example "total_size" as a float64); empty for a single file.
func (s *Sharded) Metadata() map[string]any { return maps.Clone(s.metadata) }

// Info returns the description of tensor name from its shard's header.
func (s *Sharded) Info(name string) (TensorInfo, error) {
	f, err := s.Shard(name)
	if err != nil {
		return TensorInfo{}, err
	}
	return f.Info(name)
}

// Raw returns the little-endian bytes of tensor name.
func (s *Sharded) Raw(name string) ([]byte, error) {
	f, err := s.Shard(name)
	if err != nil {
		return nil, err
	}
	return f.Raw(name)
}

// Float32 reads tensor name as float32 (see File.Float32).
func (s *Sharded) Float32(name string) ([]float32, []int, error) {
	f, err := s.Shard(name)
	if err != nil {
		return nil, nil, err
	}
	return f.Float32(name)
}

// Float32Into reads tensor name into dst (see File.Float32Into).
func (s *Sharded) Float32Into(dst []float32, name string) error {
	f, err := s.Shard(name)
	if err != nil {
		return err
	}
	return f.Float32Into(dst, name)
}

// Float64 reads tensor name as float64 (see File.Float64).
func (s *Sharded) Float64(name string) ([]float64, []int, error) {
	f, err := s.Shard(name)
	if err != nil {
		return nil, nil, err
	}
	return f.Float64(name)
}

// Int64 reads tensor name as int64 (see File.Int64).
func (s *Sharded) Int64(name string) ([]int64, []int, error) {
	f, err := s.Shard(name)
	if err != nil {
		return nil, nil, err
	}
	return f.Int64(name)
}

// Shard returns the open shard file holding tensor name, opening it on first
// use, for the calls Sharded does not forward (Float64Into, Int64Into). The
// Sharded owns it: do not Close it.
func (s *Sharded) Shard(name string) (*File, error) {
	shard, ok := s.weightMap[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: %s: no tensor %q in the weight map", s.index, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.shards[shard]
	if f == nil {
		var err error
		if f, err = Open(filepath.Join(s.dir, shard)); err != nil {
			return nil, fmt.Errorf("safetensors: %s: shard %q of tensor %q: %w", s.index, shard, name, err)
		}
		s.shards[shard] = f
	}
	if !f.Has(name) {
		return nil, fmt.Errorf("safetensors: %s: the weight map puts tensor %q in shard %q, which does not contain it", s.index, name, shard)
	}
	return f, nil
}
