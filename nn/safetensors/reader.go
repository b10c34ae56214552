package safetensors

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/daalab/daa/internal/regfile"
)

// File is an open safetensors file whose header has been validated. Tensors
// are read on demand. A File is safe for concurrent use by multiple
// goroutines (reads use ReadAt); Close must not race with reads.
type File struct {
	path   string // for messages
	r      io.ReaderAt
	closer io.Closer // nil for in-memory files
	h      *header
}

// chunkBytes bounds the scratch buffer used when converting a tensor, so
// reading never holds a second full-size copy of a tensor's bytes.
const chunkBytes = 1 << 20

// Open opens the safetensors file at path, reads and validates its header,
// and keeps the file open for reading tensors. The caller must Close it. A
// path that is not a regular file (a named pipe, a device, a directory) is
// refused without being opened.
func Open(path string) (*File, error) {
	osf, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := NewReader(osf, st.Size(), path)
	if err != nil {
		osf.Close()
		return nil, err
	}
	f.closer = osf
	return f, nil
}

// NewReader reads and validates the header of a size-byte safetensors file
// read through r; name identifies it in error messages. Close does not close r.
func NewReader(r io.ReaderAt, size int64, name string) (*File, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", name, err)
	}
	return &File{path: name, r: r, h: h}, nil
}

// Parse validates data as a complete safetensors file held in memory. The
// File reads from data, which must not be modified while it is in use.
func Parse(data []byte) (*File, error) {
	return NewReader(bytes.NewReader(data), int64(len(data)), "(in-memory)")
}

// Close closes the underlying file (a no-op for Parse and NewReader).
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Path returns the path given to Open (or the name given to NewReader).
func (f *File) Path() string { return f.path }

// Names returns the tensor names in sorted order (a new slice).
func (f *File) Names() []string { return slices.Clone(f.h.names) }

// Has reports whether the file holds a tensor called name.
func (f *File) Has(name string) bool {
	_, ok := f.h.tensors[name]
	return ok
}

// Info returns the description of tensor name (with its own copy of the
// shape), or an error naming the file and tensor if there is none.
func (f *File) Info(name string) (TensorInfo, error) {
	info, ok := f.h.tensors[name]
	if !ok {
		return TensorInfo{}, fmt.Errorf("safetensors: %s: no tensor %q", f.path, name)
	}
	info.Shape = slices.Clone(info.Shape)
	return info, nil
}

// Metadata returns a copy of the "__metadata__" string map (empty if absent).
func (f *File) Metadata() map[string]string { return maps.Clone(f.h.metadata) }

// Raw returns the little-endian bytes of tensor name.
func (f *File) Raw(name string) ([]byte, error) {
	info, err := f.Info(name)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, info.End-info.Begin)
	if _, err := f.r.ReadAt(buf, f.h.dataStart+info.Begin); err != nil && len(buf) > 0 {
		return nil, f.tensorErr(name, "reading %d bytes at file offset %d: %v", len(buf), f.h.dataStart+info.Begin, err)
	}
	return buf, nil
}

// Float32 reads tensor name (dtype F32, F16, BF16 or F64) as float32 and
// returns it with its shape.
func (f *File) Float32(name string) ([]float32, []int, error) {
	return readNew(f, name, f.Float32Into)
}

// Float32Into reads tensor name (dtype F32, F16, BF16 or F64) into dst,
// converting to float32, without allocating a full copy of its bytes. It
// returns an error if len(dst) differs from the tensor's element count.
func (f *File) Float32Into(dst []float32, name string) error {
	return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype DType) error {
		return DecodeFloat32(dst[lo:hi], dtype, src)
	})
}

// Float64 reads tensor name (dtype F64, F32, F16 or BF16) as float64 (exact)
// and returns it with its shape.
func (f *File) Float64(name string) ([]float64, []int, error) {
	return readNew(f, name, f.Float64Into)
}

// Float64Into is Float32Into for float64 destinations.
func (f *File) Float64Into(dst []float64, name string) error {
	return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype DType) error {
		return DecodeFloat64(dst[lo:hi], dtype, src)
	})
}

// Int64 reads tensor name (an integer dtype or BOOL) as int64 and returns it
// with its shape.
func (f *File) Int64(name string) ([]int64, []int, error) {
	return readNew(f, name, f.Int64Into)
}

// Int64Into is Float32Into for int64 destinations and integer dtypes.
func (f *File) Int64Into(dst []int64, name string) error {
	return f.readInto(name, len(dst), func(lo, hi int, src []byte, dtype DType) error {
		return DecodeInt64(dst[lo:hi], dtype, src)
	})
}

// readInto reads tensor name in chunks of at most chunkBytes and calls
// convert for elements [lo, hi) with their bytes. n is the destination length.
func (f *File) readInto(name string, n int, convert func(lo, hi int, src []byte, dtype DType) error) error {
	info, err := f.Info(name)
	if err != nil {
		return err
	}
	if n != info.NumElements() {
		return f.tensorErr(name, "destination has %d elements but the tensor has shape %v (%d elements)", n, info.Shape, info.NumElements())
	}
	size := info.DType.Size()
	perChunk := max(1, chunkBytes/size)
	buf := make([]byte, min(n, perChunk)*size)
	for lo := 0; lo < n; lo += perChunk {
		hi := min(n, lo+perChunk)
		src := buf[:(hi-lo)*size]
		off := f.h.dataStart + info.Begin + int64(lo*size)
		if _, err := f.r.ReadAt(src, off); err != nil {
			return f.tensorErr(name, "reading %d bytes at file offset %d: %v", len(src), off, err)
		}
		if err := convert(lo, hi, src, info.DType); err != nil {
			return f.tensorErr(name, "%v", err)
		}
	}
	if n == 0 { // still reject a dtype the caller cannot convert
		if err := convert(0, 0, nil, info.DType); err != nil {
			return f.tensorErr(name, "%v", err)
		}
	}
	return nil
}

func (f *File) tensorErr(name, format string, args ...any) error {
	return fmt.Errorf("safetensors: %s: tensor %q: %s", f.path, name, fmt.Sprintf(format, args...))
}

// readNew allocates a destination for tensor name and fills it with into.
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
