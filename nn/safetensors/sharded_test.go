package safetensors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
		"model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors", IndexFileName}
	if !slices.Equal(files, wantFiles) {
		t.Fatalf("files = %v, want %v", files, wantFiles)
	}
	var index struct {
		Metadata  map[string]int64  `json:"metadata"`
		WeightMap map[string]string `json:"weight_map"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, IndexFileName))
	if err := json.Unmarshal(raw, &index); err != nil {
		t.Fatal(err)
	}
	if index.Metadata["total_size"] != 6*40+400 || index.WeightMap["big"] != "model-00002-of-00004.safetensors" ||
		index.WeightMap["l0.b"] != "model-00001-of-00004.safetensors" || index.WeightMap["l2.b"] != "model-00004-of-00004.safetensors" {
		t.Errorf("index = %s", raw)
	}
	s, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkAllTensors(t, s, tensors)
	if len(s.Shards()) != 4 || s.Metadata()["total_size"] != float64(640) {
		t.Errorf("Shards = %v, Metadata = %v", s.Shards(), s.Metadata())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	files, err = WriteSharded(dir, tensors, nil, 1<<20)
	if err != nil || !slices.Equal(files, []string{SingleFileName}) {
		t.Fatalf("single-file rewrite: %v, %v", files, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("after a single-file rewrite the directory holds %d entries, want only %s", len(entries), SingleFileName)
	}
	s, err = OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkAllTensors(t, s, tensors)
}

func checkAllTensors(t *testing.T, s *Sharded, tensors []Tensor) {
	t.Helper()
	var names []string
	for _, want := range tensors {
		names = append(names, want.Name)
		info, err := s.Info(want.Name)
		if err != nil || info.DType != F32 || !slices.Equal(info.Shape, want.Shape) {
			t.Errorf("Info(%s) = %+v, %v", want.Name, info, err)
		}
		raw, err := s.Raw(want.Name)
		if err != nil || string(raw) != string(want.Data) {
			t.Errorf("Raw(%s) differs (err %v)", want.Name, err)
		}
		v, _, err := s.Float32(want.Name)
		if err != nil || v[0] != float32(len(want.Name)*1000) {
			t.Errorf("Float32(%s) = %v, %v", want.Name, v, err)
		}
	}
	slices.Sort(names)
	if !slices.Equal(s.Names(), names) {
		t.Errorf("Names = %v, want %v", s.Names(), names)
	}
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
		if err := Write(filepath.Join(dir, "a.safetensors"), []Tensor{good}, nil); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "bad.safetensors"), []byte("garbage!"), 0o644)
		indexPath := filepath.Join(dir, IndexFileName)
		os.WriteFile(indexPath, []byte(c.index), 0o644)
		s, err := OpenSharded(indexPath)
		if !c.open && err == nil {
			_, _, err = s.Float32("w")
			if c.want == "" { // "w" is fine; "v" is listed but absent from its shard
				if err != nil {
					t.Errorf("%s: Float32(w): %v", c.name, err)
				}
				_, _, err = s.Float32("v")
				c.want = `the weight map puts tensor "v" in shard "a.safetensors", which does not contain it`
			}
			if _, err2 := s.Info("nope"); err2 == nil || !strings.Contains(err2.Error(), `no tensor "nope" in the weight map`) {
				t.Errorf("%s: Info(nope): %v", c.name, err2)
			}
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), indexPath) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to name %s and contain %q", c.name, err, indexPath, c.want)
		}
	}
	if _, err := OpenDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "neither "+IndexFileName) {
		t.Errorf("OpenDir(empty): err = %v", err)
	}
}
