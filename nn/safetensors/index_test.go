package safetensors

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// weightMap returns an index whose weight map lists n tensors in a.safetensors.
func weightMap(n int) string {
	var b strings.Builder
	b.WriteString(`{"metadata": {"total_size": 4}, "weight_map": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"t%d":"a.safetensors"`, i)
	}
	return b.String() + "}}"
}

// TestIndexLimits: an index over 32 MiB, a weight map of more than 262144
// tensors or a metadata object over 1 MiB is refused naming the index.
func TestIndexLimits(t *testing.T) {
	cases := []struct{ name, index, want string }{
		{"too many tensors", weightMap(maxIndexTensors + 1), `"weight_map" lists more than 262144 tensors`},
		{"huge metadata", `{"metadata": {"x": "` + strings.Repeat("m", 1<<20) + `"}, "weight_map": {}}`, `"metadata" is 1048585 bytes, over the 1048576-byte limit`},
		{"over 32 MiB", `{"weight_map": {}}` + strings.Repeat(" ", 32<<20), "bytes exceeds the 33554432-byte limit"},
		{"weight map not an object", `{"weight_map": [1]}`, `"weight_map" is [, not an object`},
		{"value not a string", `{"weight_map": {"w": 3}}`, `"weight_map" value for "w" is 3, not a file name`},
		{"null weight map", `{"weight_map": null}`, `index has no "weight_map"`},
		{"not an object", `[]`, "not a valid index"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		index := filepath.Join(dir, IndexFileName)
		require.NoError(t, os.WriteFile(index, []byte(c.index), 0o644))
		_, err := OpenDir(dir)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), index, c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// TestIndexAtLimit: a weight map of exactly 262144 tensors in one shard is
// read, other top-level keys are ignored, and the shard is checked once.
func TestIndexAtLimit(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Write(filepath.Join(dir, "a.safetensors"), []Tensor{Float32Tensor("t0", []int{1}, []float32{1})}, nil))
	index := strings.Replace(weightMap(maxIndexTensors), `{"metadata"`, `{"format": "x", "metadata"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, IndexFileName), []byte(index), 0o644))
	s, err := OpenDir(dir)
	require.NoError(t, err)
	defer s.Close()
	assert.Len(t, s.Names(), maxIndexTensors)
	assert.Equal(t, []string{"a.safetensors"}, s.Shards())
	assert.Equal(t, map[string]any{"total_size": float64(4)}, s.Metadata())
	v, _, err := s.Float32("t0")
	require.NoError(t, err)
	assert.Equal(t, []float32{1}, v)
}
