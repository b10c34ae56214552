package safetensors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shardTensors is a small checkpoint: 6 F32 tensors of 40 bytes each and one
// of 400 bytes, in state-dict order.
func shardTensors() []Tensor {
	var ts []Tensor
	for _, name := range []string{"l0.w", "l0.b", "big", "l1.w", "l1.b", "l2.w", "l2.b"} {
		n := 10
		if name == "big" {
			n = 100
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(len(name)*1000 + i)
		}
		ts = append(ts, Float32Tensor(name, []int{n}, v))
	}
	return ts
}

// TestWriteShardedRoundTrip writes with a 100-byte shard limit, checks the HF
// file names, the index (weight_map, total_size) and the greedy grouping
// (two 40-byte tensors fit in a shard, a third does not; "big" is alone), then reads every tensor back
// through OpenDir. Rewriting as a single file removes the stale shards.
func TestWriteShardedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tensors := shardTensors()
	files, err := WriteSharded(dir, tensors, map[string]string{"format": "pt"}, 100)
	require.NoError(t, err)
	require.Equal(t, []string{"model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
		"model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors", IndexFileName}, files)
	var index struct {
		Metadata  map[string]int64  `json:"metadata"`
		WeightMap map[string]string `json:"weight_map"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, IndexFileName))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &index))
	assert.EqualValues(t, 6*40+400, index.Metadata["total_size"])
	assert.Equal(t, "model-00002-of-00004.safetensors", index.WeightMap["big"])
	assert.Equal(t, "model-00001-of-00004.safetensors", index.WeightMap["l0.b"])
	assert.Equal(t, "model-00004-of-00004.safetensors", index.WeightMap["l2.b"])
	s, err := OpenDir(dir)
	require.NoError(t, err)
	checkAllTensors(t, s, tensors)
	assert.Len(t, s.Shards(), 4)
	assert.Equal(t, float64(640), s.Metadata()["total_size"])
	require.NoError(t, s.Close())

	files, err = WriteSharded(dir, tensors, nil, 1<<20)
	require.NoError(t, err, "single-file rewrite")
	require.Equal(t, []string{SingleFileName}, files)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "after a single-file rewrite the directory holds only %s", SingleFileName)
	s, err = OpenDir(dir)
	require.NoError(t, err)
	defer s.Close()
	checkAllTensors(t, s, tensors)
}

func checkAllTensors(t *testing.T, s *Sharded, tensors []Tensor) {
	t.Helper()
	var names []string
	for _, want := range tensors {
		names = append(names, want.Name)
		info, err := s.Info(want.Name)
		if assert.NoError(t, err, want.Name) {
			assert.Equal(t, F32, info.DType, want.Name)
			assert.Equal(t, want.Shape, info.Shape, want.Name)
		}
		raw, err := s.Raw(want.Name)
		if assert.NoError(t, err, want.Name) {
			assert.Equal(t, want.Data, raw, "Raw(%s)", want.Name)
		}
		v, _, err := s.Float32(want.Name)
		if assert.NoError(t, err, want.Name) {
			assert.Equal(t, float32(len(want.Name)*1000), v[0], "Float32(%s)", want.Name)
		}
	}
	slices.Sort(names)
	assert.Equal(t, names, s.Names())
}

// TestShardedErrors checks that index problems are reported with the index
// path and the shard or tensor involved.
func TestShardedErrors(t *testing.T) {
	good := Float32Tensor("w", []int{1}, []float32{1})
	cases := []struct {
		name  string
		index string
		open  bool // error expected from OpenSharded (else from Float32("w"))
		want  string
	}{
		{"bad JSON", `{"weight_map": `, true, "not a valid index"},
		{"no weight map", `{"metadata": {}}`, true, `index has no "weight_map"`},
		{"missing shard", `{"weight_map": {"w": "model-00002-of-00002.safetensors"}}`, true, `shard "model-00002-of-00002.safetensors" is missing`},
		{"path in shard name", `{"weight_map": {"w": "../model.safetensors"}}`, true, `shard name "../model.safetensors" is not a plain file name`},
		{"tensor not in shard", `{"weight_map": {"w": "a.safetensors", "v": "a.safetensors"}}`, false, ""},
		{"corrupt shard", `{"weight_map": {"w": "bad.safetensors"}}`, false, `shard "bad.safetensors" of tensor "w"`},
	}
	for _, c := range cases {
		dir := t.TempDir()
		require.NoError(t, Write(filepath.Join(dir, "a.safetensors"), []Tensor{good}, nil))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.safetensors"), []byte("garbage!"), 0o644))
		indexPath := filepath.Join(dir, IndexFileName)
		require.NoError(t, os.WriteFile(indexPath, []byte(c.index), 0o644))
		s, err := OpenSharded(indexPath)
		if !c.open && err == nil {
			_, _, err = s.Float32("w")
			if c.want == "" { // "w" is fine; "v" is listed but absent from its shard
				assert.NoError(t, err, "%s: Float32(w)", c.name)
				_, _, err = s.Float32("v")
				c.want = `the weight map puts tensor "v" in shard "a.safetensors", which does not contain it`
			}
			_, err2 := s.Info("nope")
			assert.ErrorContains(t, err2, `no tensor "nope" in the weight map`, c.name)
			s.Close()
		}
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), indexPath, c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
	_, err := OpenDir(t.TempDir())
	assert.ErrorContains(t, err, "neither "+IndexFileName)
}
