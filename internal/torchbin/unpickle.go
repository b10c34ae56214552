package torchbin

import (
	"bytes"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// storageDTypes maps torch's legacy storage classes to element types.
var storageDTypes = map[string]safetensors.DType{
	"FloatStorage":    safetensors.F32,
	"HalfStorage":     safetensors.F16,
	"BFloat16Storage": safetensors.BF16,
	"DoubleStorage":   safetensors.F64,
	"LongStorage":     safetensors.I64,
	"IntStorage":      safetensors.I32,
	"ShortStorage":    safetensors.I16,
	"CharStorage":     safetensors.I8,
	"ByteStorage":     safetensors.U8,
	"BoolStorage":     safetensors.BOOL,
}

// storageClass is the value of a torch.*Storage global in the pickle.
type storageClass struct{ dtype safetensors.DType }

// storage is one torch storage: numel elements of dtype, stored as
// little-endian bytes starting at file offset dataOffset.
type storage struct {
	key        string
	dtype      safetensors.DType
	numel      int64
	dataOffset int64
}

// tensorRef is a tensor rebuilt from the pickle: a view into a storage.
type tensorRef struct {
	storage *storage
	offset  int64 // in elements
	shape   []int
	stride  []int // in elements
}

// rebuildTensorV2 stands for torch._utils._rebuild_tensor_v2(storage,
// storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
type rebuildTensorV2 struct{}

func (rebuildTensorV2) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 called with %d arguments, want 6 or 7", len(args))
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: first argument is %T, not a storage", args[0])
	}
	offset, ok := args[1].(int)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage offset is %T, not an int", args[1])
	}
	shape, err := intTuple("size", args[2])
	if err != nil {
		return nil, err
	}
	stride, err := intTuple("stride", args[3])
	if err != nil {
		return nil, err
	}
	return &tensorRef{storage: st, offset: int64(offset), shape: shape, stride: stride}, nil
}

// rebuildParameter stands for torch._utils._rebuild_parameter(data,
// requires_grad, backward_hooks): an nn.Parameter is read as its data.
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("_rebuild_parameter called with %d arguments, want 3", len(args))
	}
	if _, ok := args[0].(*tensorRef); !ok {
		return nil, fmt.Errorf("_rebuild_parameter: data is %T, not a tensor", args[0])
	}
	return args[0], nil
}

func intTuple(what string, v any) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %s is %T, not a tuple", what, v)
	}
	out := make([]int, t.Len())
	for i := range out {
		if out[i], ok = t.Get(i).(int); !ok {
			return nil, fmt.Errorf("_rebuild_tensor_v2: %s element %d is %T, not an int", what, i, t.Get(i))
		}
	}
	return out, nil
}

// findClass resolves the globals a state-dict pickle may use and rejects
// every other one.
func findClass(module, name string) (any, error) {
	switch {
	case module == "torch._utils" && name == "_rebuild_tensor_v2":
		return rebuildTensorV2{}, nil
	case module == "torch._utils" && name == "_rebuild_parameter":
		return rebuildParameter{}, nil
	case module == "torch":
		if dtype, ok := storageDTypes[name]; ok {
			return storageClass{dtype}, nil
		}
	}
	return nil, fmt.Errorf("unsupported global %s.%s (only state dicts of tensors can be read)", module, name)
}

// unpickle scans and unpickles p, resolving storage persistent ids with
// load; a panic inside the unpickler becomes an error.
func unpickle(p []byte, load func(pid any) (any, error)) (obj any, err error) {
	if err := scanPickle(p); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("pickle: unpickler failed: %v", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(p))
	u.FindClass = findClass
	u.PersistentLoad = load
	obj, err = u.Load()
	if err != nil {
		return nil, fmt.Errorf("pickle: %w", err)
	}
	return obj, nil
}

// persistentID decodes a storage persistent id
// ('storage', storage_class, key, location, numel).
func persistentID(pid any) (class storageClass, key string, numel int64, err error) {
	t, ok := pid.(*types.Tuple)
	if !ok || t.Len() != 5 {
		return class, "", 0, fmt.Errorf("persistent id %s is not a 5-tuple ('storage', class, key, location, numel)", brief(pid))
	}
	if tag, _ := t.Get(0).(string); tag != "storage" {
		return class, "", 0, fmt.Errorf("persistent id of kind %s, want 'storage'", brief(t.Get(0)))
	}
	class, ok1 := t.Get(1).(storageClass)
	key, ok2 := t.Get(2).(string)
	n, ok3 := t.Get(4).(int)
	if !ok1 || !ok2 || !ok3 || n < 0 {
		return class, "", 0, fmt.Errorf("persistent id %s: want (storage class, string key, location, non-negative int numel)", brief(pid))
	}
	return class, key, int64(n), nil
}

// stateDictEntries returns the (name, value) pairs of a top-level dict or
// OrderedDict, in pickle order.
func stateDictEntries(obj any) ([]string, []any, error) {
	var names []string
	var values []any
	add := func(k, v any) error {
		name, ok := k.(string)
		if !ok {
			return fmt.Errorf("state dict key %s is not a string", brief(k))
		}
		names, values = append(names, name), append(values, v)
		return nil
	}
	switch d := obj.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, nil, err
			}
		}
	case *types.Dict:
		for _, entry := range *d {
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, nil, err
			}
		}
	default:
		return nil, nil, fmt.Errorf("top-level object is %s, not a state dict", describe(obj))
	}
	return names, values, nil
}

// describe names the Go form of a pickled value for error messages.
func describe(v any) string {
	switch v.(type) {
	case *tensorRef:
		return "a tensor"
	case *types.Dict, *types.OrderedDict:
		return "a dict (nested state dicts are not supported)"
	}
	return brief(v)
}

// maxMessageBytes bounds the part of an error message that quotes a
// pickled value or an unpickler error.
const maxMessageBytes = 200

// brief describes a pickled value in at most about maxMessageBytes bytes:
// scalars with their value, containers by type and length only (a nested
// value is never walked, so a deep or huge one costs nothing to describe).
func brief(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case int, float64, bool:
		return fmt.Sprintf("%T %v", v, v)
	case string:
		if len(x) > maxMessageBytes {
			return fmt.Sprintf("string %q... (%d bytes)", x[:runeCut(x, maxMessageBytes)], len(x))
		}
		return fmt.Sprintf("string %q", x)
	case *big.Int:
		return "*big.Int " + clip(x.String())
	case *types.Tuple:
		return fmt.Sprintf("a tuple of %d items", x.Len())
	case *types.List:
		return fmt.Sprintf("a list of %d items", x.Len())
	case *types.Dict:
		return fmt.Sprintf("a dict of %d items", len(*x))
	case *types.OrderedDict:
		return fmt.Sprintf("an OrderedDict of %d items", x.Len())
	}
	return fmt.Sprintf("a %T", v)
}

// clip shortens s to maxMessageBytes bytes (on a rune boundary), saying how
// much was cut.
func clip(s string) string {
	if len(s) <= maxMessageBytes {
		return s
	}
	cut := runeCut(s, maxMessageBytes)
	return fmt.Sprintf("%s... (%d more bytes)", s[:cut], len(s)-cut)
}

// runeCut returns the largest rune boundary of s at or below n < len(s).
func runeCut(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
