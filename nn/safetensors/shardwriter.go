package safetensors

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
)

// shardName is the Hugging Face shard file name pattern.
var shardName = regexp.MustCompile(`^model-[0-9]{5}-of-[0-9]{5}\.safetensors$`)

// WriteSharded writes tensors to directory dir (which must exist) as a
// Hugging Face checkpoint: a single model.safetensors when all data fits in
// maxShardBytes, else shards model-00001-of-0000N.safetensors holding at most
// maxShardBytes of tensor data each plus model.safetensors.index.json. It
// returns the names of the files written. See WriteShardedStream.
func WriteSharded(dir string, tensors []Tensor, metadata map[string]string, maxShardBytes int64) ([]string, error) {
	specs := make([]Spec, len(tensors))
	data := make(map[string][]byte, len(tensors))
	for i, t := range tensors {
		specs[i] = t.Spec()
		data[t.Name] = t.Data
	}
	return WriteShardedStream(dir, specs, metadata, maxShardBytes, func(s Spec, w io.Writer) error {
		_, err := w.Write(data[s.Name])
		return err
	})
}

// WriteShardedStream is WriteSharded taking each tensor's bytes from write,
// as WriteStream does. Tensors are assigned to shards greedily in the order
// of specs: a shard is closed when the next tensor would take it past
// maxShardBytes, and a tensor larger than maxShardBytes gets a shard of its
// own. Every shard carries metadata. The index records
// {"metadata": {"total_size": bytes}, "weight_map": {tensor: shard}}.
//
// Each file is written atomically and the index last. Afterwards, files of an
// earlier save that the new one does not use (model.safetensors,
// model.safetensors.index.json, model-*-of-*.safetensors) are removed from
// dir, so OpenDir never mixes two saves.
func WriteShardedStream(dir string, specs []Spec, metadata map[string]string, maxShardBytes int64, write func(s Spec, w io.Writer) error) ([]string, error) {
	if maxShardBytes <= 0 {
		return nil, fmt.Errorf("safetensors: %s: max shard size %d is not positive", dir, maxShardBytes)
	}
	if _, err := fileOrder(specs); err != nil { // reject bad specs before writing anything
		return nil, fmt.Errorf("safetensors: %s: %w", dir, err)
	}
	groups := planShards(specs, maxShardBytes)
	var written []string
	if len(groups) <= 1 {
		if err := WriteStream(filepath.Join(dir, SingleFileName), specs, metadata, write); err != nil {
			return nil, err
		}
		written = []string{SingleFileName}
	} else {
		weightMap := map[string]string{}
		var total int64
		for i, group := range groups {
			name := fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(groups))
			if err := WriteStream(filepath.Join(dir, name), group, metadata, write); err != nil {
				return nil, err
			}
			for _, s := range group {
				weightMap[s.Name] = name
				total += s.ByteSize()
			}
			written = append(written, name)
		}
		index := map[string]any{"metadata": map[string]any{"total_size": total}, "weight_map": weightMap}
		js, err := json.MarshalIndent(index, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("safetensors: %s: %w", dir, err)
		}
		if err := writeAtomic(filepath.Join(dir, IndexFileName), func(w io.Writer) error {
			_, err := w.Write(append(js, '\n'))
			return err
		}); err != nil {
			return nil, err
		}
		written = append(written, IndexFileName)
	}
	return written, removeStale(dir, written)
}

// planShards splits specs, in order, into groups of at most maxBytes of data
// (a larger tensor alone in its group).
func planShards(specs []Spec, maxBytes int64) [][]Spec {
	var groups [][]Spec
	var cur []Spec
	var size int64
	for _, s := range specs {
		if len(cur) > 0 && size+s.ByteSize() > maxBytes {
			groups = append(groups, cur)
			cur, size = nil, 0
		}
		cur = append(cur, s)
		size += s.ByteSize()
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// removeStale deletes checkpoint files in dir that are not in keep.
func removeStale(dir string, keep []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ours := name == SingleFileName || name == IndexFileName || shardName.MatchString(name)
		if ours && !slices.Contains(keep, name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("safetensors: removing stale checkpoint file: %w", err)
			}
		}
	}
	return nil
}
