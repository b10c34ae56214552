package torchbin

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-written pickle pieces (protocol 2 opcodes, see Python's pickletools).
func pkStr(s string) string { // BINUNICODE
	return "X" + string(binary.LittleEndian.AppendUint32(nil, uint32(len(s)))) + s
}

func pkInt(v int) string {
	return "J" + string(binary.LittleEndian.AppendUint32(nil, uint32(int32(v))))
} // BININT

func pkTuple(items ...int) string { // MARK ints TUPLE
	s := "("
	for _, v := range items {
		s += pkInt(v)
	}
	return s + "t"
}

// pkTensor is _rebuild_tensor_v2(storage(class, key, numel), offset, shape, stride, False, OrderedDict()).
func pkTensor(class, key string, numel, offset int, shape, stride []int) string {
	storage := "(" + pkStr("storage") + "ctorch\n" + class + "\n" + pkStr(key) + pkStr("cpu") + pkInt(numel) + "tQ"
	return "ctorch._utils\n_rebuild_tensor_v2\n(" + storage + pkInt(offset) + pkTuple(shape...) + pkTuple(stride...) +
		"\x89ccollections\nOrderedDict\n)RtR"
}

// pkDict is {name: value} as EMPTY_DICT MARK key value SETITEMS STOP.
func pkDict(name, value string) string { return "\x80\x02}(" + pkStr(name) + value + "u." }

type entry struct {
	name   string
	data   []byte
	method uint16
}

// archive builds a zip like torch.save's ("archive/..." entries).
func archive(entries ...entry) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			panic(err)
		}
		fw.Write(e.data)
	}
	w.Close()
	return b.Bytes()
}

func stateArchive(pickle string, storage0 []byte) []byte {
	return archive(entry{"archive/data.pkl", []byte(pickle), zip.Store}, entry{"archive/data/0", storage0, zip.Store})
}

var fourFloats = make([]byte, 16)

// corruptArchives are malformed checkpoints with the phrase their error
// must contain.
var corruptArchives = []struct {
	name string
	file []byte
	want string
}{
	{"not a zip", []byte("hello, world"), "not a torch.save zip archive"},
	{"no data.pkl", archive(entry{"archive/version", []byte("3\n"), zip.Store}), "archive has no data.pkl"},
	{"TorchScript", archive(entry{"m/data.pkl", []byte("N."), zip.Store}, entry{"m/constants.pkl", []byte("N."), zip.Store}), "TorchScript"},
	{"big endian", archive(entry{"a/data.pkl", []byte("N."), zip.Store}, entry{"a/byteorder", []byte("big"), zip.Store}), `byteorder is "big"`},
	{"top level not a dict", stateArchive("\x80\x02]q\x00.", fourFloats), "top-level object is a list of 0 items, not a state dict"},
	{"value not a tensor", stateArchive(pkDict("step", pkInt(5)), fourFloats), `state dict entry "step" is int 5, not a tensor`},
	{"nested dict", stateArchive(pkDict("model", "}"), fourFloats), `state dict entry "model" is a dict (nested state dicts are not supported)`},
	{"unknown global", stateArchive(pkDict("x", "cbuiltins\neval\n"), fourFloats), "unsupported global builtins.eval"},
	{"unknown storage class", stateArchive(pkDict("x", pkTensor("ComplexFloatStorage", "0", 2, 0, []int{2}, []int{1})), fourFloats), "unsupported global torch.ComplexFloatStorage"},
	{"missing storage entry", stateArchive(pkDict("x", pkTensor("FloatStorage", "7", 4, 0, []int{4}, []int{1})), fourFloats), `storage "7": archive entry data/7 is missing`},
	{"storage entry too small", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 8, 0, []int{8}, []int{1})), fourFloats), `storage "0": 8 F32 elements need 32 bytes but the archive entry has 16`},
	{"compressed storage", archive(entry{"archive/data.pkl", []byte(pkDict("x", pkTensor("FloatStorage", "0", 4, 0, []int{4}, []int{1}))), zip.Store}, entry{"archive/data/0", fourFloats, zip.Deflate}), "compressed"},
	{"view past the storage", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 0, []int{3}, []int{2})), fourFloats), `tensor "x": view (offset 0, shape [3], stride [2]) reaches element 4 of a 4-element storage "0"`},
	{"offset past the storage", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 4, []int{1}, []int{1})), fourFloats), "reaches element 4"},
	{"negative stride", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 3, []int{2}, []int{-1})), fourFloats), "negative entry"},
	{"rank mismatch", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 0, []int{2, 2}, []int{2})), fourFloats), "shape [2 2] and stride [2] have different ranks"},
	{"huge broadcast", stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 0, []int{1 << 20, 1 << 20}, []int{0, 0})), fourFloats), "over the 16777216-byte limit for broadcast views"},
	{"pickle length bomb", stateArchive("\x80\x02X\xff\xff\xff\x7f.", fourFloats), "declares 2147483647 bytes but 1 remain"},
	{"pickle without STOP", stateArchive("\x80\x02}", fourFloats), "no STOP opcode"},
	{"unknown opcode", stateArchive("\x80\x02\xff.", fourFloats), "unknown opcode 0xff"},
	{"unpickler error", stateArchive("\x80\x02s.", fourFloats), "archive/data.pkl: pickle:"},
}

// TestCorruptArchives checks each malformed checkpoint is rejected with an
// error naming the file and the problem.
func TestCorruptArchives(t *testing.T) {
	for _, c := range corruptArchives {
		_, err := NewReader(bytes.NewReader(c.file), int64(len(c.file)), "ckpt.bin")
		if assert.Error(t, err, c.name) {
			assert.Regexp(t, "^torchbin: ckpt.bin: ", err.Error(), c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// TestHandWrittenTensor reads a hand-built archive with a strided view to
// check the pickle helpers above produce a valid checkpoint: storage
// [1 2 3 4] as float32, view offset 1, shape [2], stride [2] -> [2 4].
func TestHandWrittenTensor(t *testing.T) {
	data := make([]byte, 0, 16)
	for _, v := range []uint32{0x3f800000, 0x40000000, 0x40400000, 0x40800000} { // 1, 2, 3, 4
		data = binary.LittleEndian.AppendUint32(data, v)
	}
	file := stateArchive(pkDict("x", pkTensor("FloatStorage", "0", 4, 1, []int{2}, []int{2})), data)
	f, err := NewReader(bytes.NewReader(file), int64(len(file)), "hand.bin")
	require.NoError(t, err)
	v, shape, err := f.Float32("x")
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 4}, v)
	assert.Equal(t, []int{2}, shape)
}
