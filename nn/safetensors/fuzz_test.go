package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/stretchr/testify/require"
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
	require.NoError(f, Encode(&valid, tensors, map[string]string{"format": "pt"}))
	f.Add(valid.Bytes())
	var small bytes.Buffer
	require.NoError(f, Encode(&small, []Tensor{Float32Tensor("a", []int{2}, []float32{1, 2}), Int64Tensor("b", nil, []int64{3})}, nil))
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
			require.NoError(t, err, "Info(%q) of a listed tensor", name)
			raw, err := file.Raw(name)
			require.NoError(t, err, "Raw(%q)", name)
			require.EqualValues(t, info.End-info.Begin, len(raw), "Raw(%q) bytes", name)
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
		require.NoError(t, Encode(&out, again, file.Metadata()), "re-encoding a parsed file")
		back, err := Parse(out.Bytes())
		require.NoError(t, err, "re-encoded file does not parse")
		require.Equal(t, file.Names(), back.Names(), "re-encoded names")
		for _, tensor := range again {
			info, _ := back.Info(tensor.Name)
			require.Equal(t, tensor.DType, info.DType, "re-encoded %q", tensor.Name)
			require.Equal(t, len(tensor.Shape), len(info.Shape), "re-encoded %q rank", tensor.Name)
			for i := range tensor.Shape {
				require.Equal(t, tensor.Shape[i], info.Shape[i], "re-encoded %q shape", tensor.Name)
			}
		}
	})
}
