package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
)

// FuzzParse feeds arbitrary bytes to Parse. Either it returns an error, or
// every tensor reads (Raw has End-Begin bytes; conversions return values or
// errors, never panic) and re-encoding the tensors gives a file that parses
// to the same names, dtypes and shapes. Seeds: files written by Encode, the
// corrupt table, and the shared tiny checkpoint when present.
func FuzzParse(f *testing.F) {
	var valid bytes.Buffer
	var tensors []Tensor
	for _, c := range dtypeCases() {
		tensors = append(tensors, c.t)
	}
	if err := Encode(&valid, tensors, map[string]string{"format": "pt"}); err != nil {
		f.Fatal(err)
	}
	f.Add(valid.Bytes())
	var small bytes.Buffer
	Encode(&small, []Tensor{Float32Tensor("a", []int{2}, []float32{1, 2}), Int64Tensor("b", nil, []int64{3})}, nil)
	f.Add(small.Bytes())
	for _, c := range corruptCases {
		f.Add(c.file)
	}
	if dir, ok := shareddata.Dir(); ok {
		if b, err := os.ReadFile(filepath.Join(dir, "pythia", "tiny-random", "tiny-neox-sequential-legacybuf", "model.safetensors")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		var again []Tensor
		reencode := true
		for _, name := range file.Names() {
			info, err := file.Info(name)
			if err != nil {
				t.Fatalf("Info(%q) of a listed tensor: %v", name, err)
			}
			raw, err := file.Raw(name)
			if err != nil || int64(len(raw)) != info.End-info.Begin {
				t.Fatalf("Raw(%q): %d bytes, err %v; want %d", name, len(raw), err, info.End-info.Begin)
			}
			file.Float32(name)
			file.Float64(name)
			file.Int64(name)
			again = append(again, Tensor{name, info.DType, info.Shape, raw})
			reencode = reencode && name != "" // the writer refuses empty names
		}
		if !reencode {
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, again, file.Metadata()); err != nil {
			t.Fatalf("re-encoding a parsed file: %v", err)
		}
		back, err := Parse(out.Bytes())
		if err != nil {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		if !slices.Equal(back.Names(), file.Names()) {
			t.Fatalf("re-encoded names %v, want %v", back.Names(), file.Names())
		}
		for _, tensor := range again {
			info, _ := back.Info(tensor.Name)
			if info.DType != tensor.DType || !slices.Equal(info.Shape, tensor.Shape) {
				t.Fatalf("re-encoded %q is %s %v, want %s %v", tensor.Name, info.DType, info.Shape, tensor.DType, tensor.Shape)
			}
		}
	})
}
