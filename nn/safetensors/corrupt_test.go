package safetensors

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawFile assembles a file from a literal header and data buffer.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// withLength is rawFile with a header length field that lies.
func withLength(n uint64, header string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), header...)
}

const f32Pair = `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`

// corruptCases are hand-made invalid files, each with the phrase its error
// message must contain. The rules follow the safetensors specification and
// its reference implementation's validation (HeaderTooLarge,
// InvalidHeaderLength, InvalidHeaderDeserialization, TensorInvalidInfo,
// InvalidOffset for gaps and overlaps, ValidationOverflow,
// MetadataIncompleteBuffer), plus duplicate keys, which encoding/json would
// otherwise merge silently.
var corruptCases = []struct {
	name string
	file []byte
	want string
}{
	{"shorter than the length field", []byte{1, 2, 3}, "file has 3 bytes, too short for the 8-byte header length"},
	{"header length past the end", withLength(100, "{}"), "header length 100 runs past the end of the file (10 bytes)"},
	{"header over 100 MB", withLength(200_000_000, "{}"), "header length 200000000 exceeds the 100000000-byte limit"},
	{"invalid JSON", rawFile(`{"a":`, nil), "header is not valid JSON"},
	{"header not an object", rawFile(`[1, 2]`, nil), "header is not a JSON object"},
	{"empty header", rawFile(``, nil), "header is not a JSON object"},
	{"invalid UTF-8", rawFile("{\"\xff\":1}", nil), "header is not valid UTF-8"},
	{"JSON after the object", rawFile(`{} {}`, nil), "header has data after its JSON object"},
	{"duplicate tensor", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{1}), `header has key "a" twice`},
	{"entry not an object", rawFile(`{"a":5}`, nil), `tensor "a": entry is 5, not a JSON object`},
	{"entry null", rawFile(`{"a":null}`, nil), `tensor "a": entry is null, not a JSON object`},
	{"metadata values not strings", rawFile(`{"__metadata__":{"k":1}}`, nil), `"__metadata__" value for "k" is 1, not a string`},
	{"metadata errors in key order", rawFile(`{"__metadata__":{"z":1,"a":2}}`, nil), `"__metadata__" value for "a" is 2, not a string`},
	{"metadata not an object", rawFile(`{"__metadata__":[1]}`, nil), `"__metadata__" is not a JSON object of strings`},
	{"unknown dtype", rawFile(`{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, []byte{1}), `tensor "a": unknown dtype "F4"`},
	{"missing dtype", rawFile(`{"a":{"shape":[1],"data_offsets":[0,1]}}`, []byte{1}), `tensor "a": "dtype" is missing or not a string`},
	{"missing shape", rawFile(`{"a":{"dtype":"U8","data_offsets":[0,1]}}`, []byte{1}), `tensor "a": "shape" is missing or not an array of integers`},
	{"fractional dimension", rawFile(`{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}`, []byte{1}), `tensor "a": "shape" is missing or not an array of integers`},
	{"negative dimension", rawFile(`{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}`, []byte{1}), `tensor "a": shape [-1] has a negative dimension`},
	{"shape product overflows", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": shape [4294967296 4294967296] with dtype F32 overflows the byte size`},
	{"missing offsets", rawFile(`{"a":{"dtype":"U8","shape":[1]}}`, []byte{1}), `tensor "a": "data_offsets" is missing or not a pair of integers`},
	{"three offsets", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, []byte{1}), `"data_offsets" is missing or not a pair of integers`},
	{"decreasing offsets", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}`, []byte{1}), `tensor "a": data_offsets [1, 0] are not an increasing pair`},
	{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": data_offsets [0, 4] span 4 bytes but dtype F32 and shape [2] need 8`},
	{"truncated data", rawFile(f32Pair, make([]byte, 5)), fmt.Sprintf(`tensor "a": data ends at byte %d but file has %d`, 8+len(f32Pair)+8, 8+len(f32Pair)+5)},
	{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), `tensor "b": data [4, 12) overlaps tensor "a" which ends at 8`},
	{"gap between tensors", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), `tensor "b": data begins at buffer offset 8, leaving a gap after tensor "a" which ends at 4`},
	{"gap before the first tensor", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `tensor "a": data begins at buffer offset 4, leaving a gap after the header`},
	{"trailing bytes", rawFile(f32Pair, make([]byte, 11)), fmt.Sprintf("3 trailing bytes after the last tensor's data (which ends at byte %d)", 8+len(f32Pair)+8)},
	{"data but no tensors", rawFile(`{}`, []byte{0}), "1 trailing bytes"},
}

// TestCorruptFiles checks that every corrupt file is rejected with a message
// naming the file and the problem.
func TestCorruptFiles(t *testing.T) {
	for _, c := range corruptCases {
		_, err := Parse(c.file)
		if !assert.Error(t, err, c.name) {
			continue
		}
		assert.Regexp(t, `^safetensors: \(in-memory\): `, err.Error(), c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestTooManyTensors: a header listing more than MaxTensors (empty) tensors
// is refused from its count of "data_offsets" keys, or while decoding when
// entries lack the key; one listing exactly MaxTensors is read, and a tensor
// name spelling the key (escaped) does not count.
func TestTooManyTensors(t *testing.T) {
	entries := func(n int, entry string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"t%d":`+entry, i)
		}
		return b.String() + "}"
	}
	const empty = `{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`
	f, err := Parse(rawFile(entries(MaxTensors, empty), nil))
	require.NoError(t, err)
	assert.Len(t, f.Names(), MaxTensors)
	_, err = Parse(rawFile(entries(MaxTensors+1, empty), nil))
	assert.EqualError(t, err, `safetensors: (in-memory): header lists 131073 tensors (counting "data_offsets" keys), more than 131072 (safetensors.MaxTensors)`)
	_, err = Parse(rawFile(entries(MaxTensors+1, `{"dtype":"U8","shape":[0],"data\u005foffsets":[0,0]}`), nil)) // the key escaped
	assert.EqualError(t, err, "safetensors: (in-memory): header lists more than 131072 tensors (safetensors.MaxTensors)")
	f, err = Parse(rawFile(`{"\"data_offsets\"":`+empty+`}`, nil))
	require.NoError(t, err)
	assert.Equal(t, []string{`"data_offsets"`}, f.Names())
}

// TestOpenNamesThePath checks that Open's errors carry the file path.
func TestOpenNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	require.NoError(t, os.WriteFile(path, rawFile(f32Pair, make([]byte, 5)), 0o644))
	_, err := Open(path)
	assert.ErrorContains(t, err, "safetensors: "+path+`: tensor "a": data ends at byte`)
	_, err = Open(filepath.Join(t.TempDir(), "none.safetensors"))
	assert.ErrorContains(t, err, "none.safetensors")
}

// TestValidEdgeCases checks files the format allows: no tensors, zero-size
// tensors sharing an offset, whitespace padding, null metadata, scalars.
func TestValidEdgeCases(t *testing.T) {
	cases := []struct {
		name string
		file []byte
	}{
		{"empty", rawFile(`{}`, nil)},
		{"padded", rawFile(`{}      `, nil)},
		{"null metadata", rawFile(`{"__metadata__":null}`, nil)},
		{"zero-size tensors", rawFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[3,0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[],"data_offsets":[0,1]},"d":{"dtype":"F64","shape":[0],"data_offsets":[1,1]}}`, []byte{7})},
	}
	for _, c := range cases {
		f, err := Parse(c.file)
		if !assert.NoError(t, err, c.name) {
			continue
		}
		for _, name := range f.Names() {
			_, err := f.Raw(name)
			assert.NoError(t, err, "%s: Raw(%s)", c.name, name)
		}
	}
}
