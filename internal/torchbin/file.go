package torchbin

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"

	"github.com/daalab/daa/internal/regfile"
	"github.com/daalab/daa/nn/safetensors"
)

// maxPickleBytes bounds the size of data.pkl read into memory (a state dict's
// pickle is about 200 bytes per tensor, 100 KB for Pythia-12B; the tensors
// live elsewhere). A deflated entry is refused on its declared size before
// any of it is inflated, and reading stops at the bound whatever it declares.
const maxPickleBytes = 16 << 20

// maxBroadcastBytes bounds the size of a view with more elements than its
// storage (stride-0 dimensions).
const maxBroadcastBytes = 16 << 20

// chunkElems bounds the elements read per ReadAt for contiguous tensors.
const chunkElems = 1 << 18

// File is an open torch.save checkpoint. Tensors are read on demand; a File
// is safe for concurrent reads, and Close must not race with them.
type File struct {
	path    string
	r       io.ReaderAt
	closer  io.Closer
	tensors map[string]*tensorRef
	names   []string // sorted
}

// TensorInfo describes one tensor of a checkpoint: its dtype (safetensors
// spelling), shape, strides and storage offset in elements, and the archive
// key of its storage (tensors with the same key share memory in PyTorch).
type TensorInfo struct {
	Name    string
	DType   safetensors.DType
	Shape   []int
	Stride  []int
	Offset  int64
	Storage string
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Open opens the torch.save zip checkpoint at path and reads its state dict
// structure (no tensor data). The caller must Close it. A path that is not a
// regular file (a named pipe, a device, a directory) is refused without being
// opened.
func Open(path string) (*File, error) {
	osf, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("torchbin: %w", err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("torchbin: %w", err)
	}
	f, err := NewReader(osf, st.Size(), path)
	if err != nil {
		osf.Close()
		return nil, err
	}
	f.closer = osf
	return f, nil
}

// NewReader reads the state dict structure of a size-byte checkpoint read
// through r; name identifies it in error messages. Close does not close r.
func NewReader(r io.ReaderAt, size int64, name string) (*File, error) {
	tensors, err := readStructure(r, size)
	if err != nil {
		return nil, fmt.Errorf("torchbin: %s: %w", name, err)
	}
	f := &File{path: name, r: r, tensors: tensors}
	for n := range tensors {
		f.names = append(f.names, n)
	}
	slices.Sort(f.names)
	return f, nil
}

// readStructure opens the zip archive, unpickles data.pkl and checks every
// tensor's view against its storage.
func readStructure(r io.ReaderAt, size int64) (map[string]*tensorRef, error) {
	if n, ok := archiveEntries(r, size); ok && n > maxArchiveEntries {
		return nil, fmt.Errorf("archive declares %d entries, more than the %d a checkpoint may have (torch.save writes one per storage)", n, maxArchiveEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, notZipError(r, err)
	}
	entries := map[string]*zip.File{}
	var pkl *zip.File
	for _, e := range zr.File {
		entries[e.Name] = e
		switch path.Base(e.Name) {
		case "data.pkl":
			if pkl != nil {
				return nil, errors.New("archive has more than one data.pkl")
			}
			pkl = e
		case "constants.pkl":
			return nil, errors.New("archive is a TorchScript module, not a torch.save state dict")
		}
	}
	if pkl == nil {
		return nil, errors.New("archive has no data.pkl (not a torch.save checkpoint)")
	}
	prefix := path.Dir(pkl.Name) + "/"
	if e := entries[prefix+"byteorder"]; e != nil {
		order, err := readEntry(e, 16)
		if err != nil {
			return nil, err
		}
		if string(order) != "little" {
			return nil, fmt.Errorf("archive byteorder is %q; only little-endian checkpoints are supported", order)
		}
	}
	p, err := readEntry(pkl, maxPickleBytes)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	load := func(pid any) (any, error) {
		class, key, numel, err := persistentID(pid)
		if err != nil {
			return nil, err
		}
		if st := storages[key]; st != nil {
			return st, nil
		}
		st, err := openStorage(entries[prefix+"data/"+key], key, class.dtype, numel)
		if err != nil {
			return nil, err
		}
		storages[key] = st
		return st, nil
	}
	obj, err := unpickle(p, load)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", pkl.Name, clip(err.Error()))
	}
	names, values, err := stateDictEntries(obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	tensors := map[string]*tensorRef{}
	for i, name := range names {
		t, ok := values[i].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("state dict entry %q is %s, not a tensor", name, describe(values[i]))
		}
		if err := checkView(t); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		tensors[name] = t // a repeated key keeps the last value, as Python's dict does
	}
	return tensors, nil
}

// openStorage checks the archive entry of storage key and records where its
// bytes start. Entries must be stored uncompressed (torch.save always does).
func openStorage(e *zip.File, key string, dtype safetensors.DType, numel int64) (*storage, error) {
	if e == nil {
		return nil, fmt.Errorf("storage %q: archive entry data/%s is missing", key, key)
	}
	if e.Method != zip.Store {
		return nil, fmt.Errorf("storage %q: archive entry is compressed (method %d); torch.save stores entries uncompressed", key, e.Method)
	}
	if numel > math.MaxInt64/8 || uint64(numel*int64(dtype.Size())) > e.UncompressedSize64 {
		return nil, fmt.Errorf("storage %q: %d %s elements need %d bytes but the archive entry has %d", key, numel, dtype, numel*int64(dtype.Size()), e.UncompressedSize64)
	}
	off, err := e.DataOffset()
	if err != nil {
		return nil, fmt.Errorf("storage %q: %w", key, err)
	}
	return &storage{key: key, dtype: dtype, numel: numel, dataOffset: off}, nil
}

// checkView checks that a tensor's shape, strides and offset stay inside its
// storage: offset + sum((shape[i]-1)*stride[i]) < numel when no dim is 0.
func checkView(t *tensorRef) error {
	if len(t.shape) != len(t.stride) {
		return fmt.Errorf("shape %v and stride %v have different ranks", t.shape, t.stride)
	}
	if t.offset < 0 {
		return fmt.Errorf("negative storage offset %d", t.offset)
	}
	n := int64(1)
	last := t.offset // index of the last element
	for i, d := range t.shape {
		s := int64(t.stride[i])
		if d < 0 || s < 0 {
			return fmt.Errorf("shape %v / stride %v has a negative entry", t.shape, t.stride)
		}
		if d != 0 && n > math.MaxInt64/int64(d) {
			return fmt.Errorf("shape %v overflows", t.shape)
		}
		n *= int64(d)
		if d > 0 && s > 0 {
			if s > (math.MaxInt64-last)/int64(d) {
				return fmt.Errorf("stride %v overflows", t.stride)
			}
			last += int64(d-1) * s
		}
	}
	if n > 0 && last >= t.storage.numel {
		return fmt.Errorf("view (offset %d, shape %v, stride %v) reaches element %d of a %d-element storage %q",
			t.offset, t.shape, t.stride, last, t.storage.numel, t.storage.key)
	}
	// A view has more elements than its storage only through zero strides
	// (expand); bound those so a corrupt file cannot demand terabytes.
	if n > t.storage.numel && n > maxBroadcastBytes/int64(t.storage.dtype.Size()) {
		return fmt.Errorf("view of shape %v and stride %v has %d elements, more than its %d-element storage and over the %d-byte limit for broadcast views",
			t.shape, t.stride, n, t.storage.numel, maxBroadcastBytes)
	}
	return nil
}

// readEntry reads a whole archive entry of at most limit bytes, refusing a
// larger one from its declared size or, if that lies, once limit bytes have
// been inflated.
func readEntry(e *zip.File, limit int64) ([]byte, error) {
	if e.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d-byte limit", e.Name, e.UncompressedSize64, limit)
	}
	rc, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if errors.Is(err, zip.ErrFormat) { // archive/zip's verdict on inflating past the declared size
		return nil, fmt.Errorf("%s: inflates to more than the %d bytes its archive header declares: %w", e.Name, e.UncompressedSize64, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	if int64(len(b)) > limit { // more than the entry declared: archive/zip reports that only at its end
		return nil, fmt.Errorf("%s: inflates to more than the %d-byte limit", e.Name, limit)
	}
	return b, nil
}

// notZipError explains why a file that is not a zip archive cannot be read,
// recognising the legacy format by its leading pickled magic number
// (PROTO 2, LONG1 of 10 bytes 0x1950a86a20f9469cfc6c).
func notZipError(r io.ReaderAt, zipErr error) error {
	head := make([]byte, 14)
	n, _ := r.ReadAt(head, 0)
	legacyMagic := []byte{0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}
	if bytes.Equal(head[:n], legacyMagic) {
		return errors.New("legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6 or convert it to safetensors")
	}
	return fmt.Errorf("not a torch.save zip archive: %w", zipErr)
}

// Close closes the underlying file (a no-op for NewReader).
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Path returns the path given to Open (or the name given to NewReader).
func (f *File) Path() string { return f.path }

// Names returns the state dict keys in sorted order (a new slice).
func (f *File) Names() []string { return slices.Clone(f.names) }

// Has reports whether the state dict has key name.
func (f *File) Has(name string) bool {
	_, ok := f.tensors[name]
	return ok
}

// Info describes tensor name, or returns an error naming the file and tensor.
func (f *File) Info(name string) (TensorInfo, error) {
	t, ok := f.tensors[name]
	if !ok {
		return TensorInfo{}, fmt.Errorf("torchbin: %s: no tensor %q", f.path, name)
	}
	return TensorInfo{Name: name, DType: t.storage.dtype, Shape: slices.Clone(t.shape),
		Stride: slices.Clone(t.stride), Offset: t.offset, Storage: t.storage.key}, nil
}

// Raw returns tensor name's elements as contiguous row-major little-endian
// bytes (gathered through its strides).
func (f *File) Raw(name string) ([]byte, error) {
	info, err := f.Info(name)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 0, info.NumElements()*info.DType.Size())
	err = f.readInto(name, info.NumElements(), func(lo, hi int, src []byte, dtype safetensors.DType) error {
		raw = append(raw, src...)
		return nil
	})
	return raw, err
}

// Float32 reads tensor name (F32, F16, BF16 or F64 storage) as float32 in
// row-major order and returns it with its shape.
func (f *File) Float32(name string) ([]float32, []int, error) {
	return readNew(f, name, f.Float32Into)
}

// Float32Into reads tensor name into dst (see Float32); it returns an error if
// len(dst) differs from the tensor's element count.
func (f *File) Float32Into(dst []float32, name string) error {
	return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype safetensors.DType) error {
		return safetensors.DecodeFloat32(dst[lo:hi], dtype, src)
	})
}

// Float64 reads tensor name (F64, F32, F16 or BF16 storage) as float64
// (exactly) in row-major order and returns it with its shape.
func (f *File) Float64(name string) ([]float64, []int, error) {
	return readNew(f, name, f.Float64Into)
}

// Float64Into reads tensor name into dst (see Float64); it returns an error if
// len(dst) differs from the tensor's element count.
func (f *File) Float64Into(dst []float64, name string) error {
	return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype safetensors.DType) error {
		return safetensors.DecodeFloat64(dst[lo:hi], dtype, src)
	})
}

// Int64 reads tensor name (an integer or bool storage) as int64.
func (f *File) Int64(name string) ([]int64, []int, error) {
	return readNew(f, name, func(dst []int64, name string) error {
		return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype safetensors.DType) error {
			return safetensors.DecodeInt64(dst[lo:hi], dtype, src)
		})
	})
}

func readNew[T any](f *File, name string, into func(dst []T, name string) error) ([]T, []int, error) {
	info, err := f.Info(name)
	if err != nil {
		return nil, nil, err
	}
	dst := make([]T, info.NumElements())
	if err := into(dst, name); err != nil {
		return nil, nil, err
	}
	return dst, info.Shape, nil
}

// readInto hands tensor name's elements, in row-major order, to convert in
// pieces [lo, hi) with their little-endian bytes. A contiguous tensor is read
// in chunks straight from its storage; a strided view reads the storage span
// it covers and gathers its elements. n is the destination length.
func (f *File) readInto(name string, n int, convert func(lo, hi int, src []byte, dtype safetensors.DType) error) error {
	t, ok := f.tensors[name]
	if !ok {
		return fmt.Errorf("torchbin: %s: no tensor %q", f.path, name)
	}
	fail := func(err error) error { return fmt.Errorf("torchbin: %s: tensor %q: %w", f.path, name, err) }
	numel := 1
	for _, d := range t.shape {
		numel *= d
	}
	if n != numel {
		return fail(fmt.Errorf("destination has %d elements but the tensor has shape %v (%d elements)", n, t.shape, numel))
	}
	dtype, size := t.storage.dtype, t.storage.dtype.Size()
	if numel == 0 {
		if err := convert(0, 0, nil, dtype); err != nil { // still reject an unconvertible dtype
			return fail(err)
		}
		return nil
	}
	base := t.storage.dataOffset + t.offset*int64(size)
	if isContiguous(t.shape, t.stride) {
		buf := make([]byte, min(numel, chunkElems)*size)
		for lo := 0; lo < numel; lo += chunkElems {
			hi := min(numel, lo+chunkElems)
			src := buf[:(hi-lo)*size]
			if _, err := f.r.ReadAt(src, base+int64(lo*size)); err != nil {
				return fail(fmt.Errorf("reading storage %q: %w", t.storage.key, err))
			}
			if err := convert(lo, hi, src, dtype); err != nil {
				return fail(err)
			}
		}
		return nil
	}
	span := 1 // elements from the first to the last one the view touches
	for i, d := range t.shape {
		span += (d - 1) * t.stride[i]
	}
	src := make([]byte, span*size)
	if _, err := f.r.ReadAt(src, base); err != nil {
		return fail(fmt.Errorf("reading storage %q: %w", t.storage.key, err))
	}
	if err := convert(0, numel, gather(src, size, t.shape, t.stride), dtype); err != nil {
		return fail(err)
	}
	return nil
}

// isContiguous reports whether stride is the row-major stride of shape
// (dimensions of size 1 may have any stride).
func isContiguous(shape, stride []int) bool {
	want := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && stride[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

// gather copies the elements of a strided view, element i at index
// sum(idx[d]*stride[d]) of span (size bytes each), into a row-major buffer.
func gather(span []byte, size int, shape, stride []int) []byte {
	numel := 1
	for _, d := range shape {
		numel *= d
	}
	out := make([]byte, numel*size)
	idx := make([]int, len(shape))
	pos := 0 // element index into span of the current multi-index
	for k := range numel {
		copy(out[k*size:(k+1)*size], span[pos*size:])
		for d := len(shape) - 1; d >= 0; d-- { // odometer increment, last dimension fastest
			idx[d]++
			pos += stride[d]
			if idx[d] < shape[d] {
				break
			}
			pos -= stride[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}
