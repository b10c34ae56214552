package safetensors

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Spec describes a tensor to be written: its name, dtype and row-major shape
// (empty for a scalar).
type Spec struct {
	Name  string
	DType DType
	Shape []int
}

// ByteSize returns the number of data bytes of the tensor (element count
// times dtype size).
func (s Spec) ByteSize() int64 {
	n := int64(s.DType.Size())
	for _, d := range s.Shape {
		n *= int64(d)
	}
	return n
}

// Tensor is a tensor to be written with its little-endian data bytes.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte // len(Data) must equal the Spec's ByteSize
}

// Spec returns t's name, dtype and shape.
func (t Tensor) Spec() Spec { return Spec{t.Name, t.DType, t.Shape} }

// Write writes tensors and metadata (may be nil) to path atomically, in the
// layout described in the package doc. It returns an error naming the tensor
// if a name is empty, repeated or "__metadata__", a dtype is unknown, a
// dimension is negative, or len(Data) does not match dtype and shape.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	return writeAtomic(path, func(w io.Writer) error { return Encode(w, tensors, metadata) })
}

// Encode writes tensors and metadata as a safetensors file to w (as Write,
// without the atomic file handling).
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	specs := make([]Spec, len(tensors))
	data := make(map[string][]byte, len(tensors))
	for i, t := range tensors {
		specs[i] = t.Spec()
		data[t.Name] = t.Data
	}
	return EncodeStream(w, specs, metadata, func(s Spec, w io.Writer) error {
		_, err := w.Write(data[s.Name])
		return err
	})
}

// WriteStream writes a safetensors file to path atomically, taking each
// tensor's bytes from a callback instead of from memory: after writing the
// header it calls write once per spec, in file order, and write must write
// exactly s.ByteSize() little-endian bytes to w (WriteFloat32 does that for
// float32 values). Errors are as for Write, plus a callback error or a wrong
// byte count, both naming the tensor.
func WriteStream(path string, specs []Spec, metadata map[string]string, write func(s Spec, w io.Writer) error) error {
	return writeAtomic(path, func(w io.Writer) error { return EncodeStream(w, specs, metadata, write) })
}

// EncodeStream is WriteStream writing to w.
func EncodeStream(w io.Writer, specs []Spec, metadata map[string]string, write func(s Spec, w io.Writer) error) error {
	order, err := fileOrder(specs)
	if err != nil {
		return err
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("metadata entry %q: %q is not valid UTF-8", k, v)
		}
	}
	header := encodeHeader(order, metadata)
	var n [8]byte
	for i := range 8 {
		n[i] = byte(uint64(len(header)) >> (8 * i))
	}
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, s := range order {
		cw := &countingWriter{w: w}
		if err := write(s, cw); err != nil {
			return fmt.Errorf("tensor %q: %w", s.Name, err)
		}
		if cw.n != s.ByteSize() {
			return fmt.Errorf("tensor %q: %d bytes of data written, but dtype %s and shape %v need %d", s.Name, cw.n, s.DType, s.Shape, s.ByteSize())
		}
	}
	return nil
}

// fileOrder checks specs and returns them in file order: by dtype, widest
// first (descending order of the reference implementation's Dtype enum),
// then by name.
func fileOrder(specs []Spec) ([]Spec, error) {
	seen := map[string]bool{}
	for _, s := range specs {
		switch {
		case s.Name == "":
			return nil, errors.New("a tensor has an empty name")
		case !utf8.ValidString(s.Name):
			return nil, fmt.Errorf("tensor name %q is not valid UTF-8", s.Name)
		case s.Name == "__metadata__":
			return nil, errors.New(`a tensor is named "__metadata__", which the format reserves`)
		case seen[s.Name]:
			return nil, fmt.Errorf("tensor %q appears twice", s.Name)
		case s.DType.Size() == 0:
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", s.Name, s.DType)
		case slices.ContainsFunc(s.Shape, func(d int) bool { return d < 0 }):
			return nil, fmt.Errorf("tensor %q: shape %v has a negative dimension", s.Name, s.Shape)
		}
		seen[s.Name] = true
	}
	order := slices.Clone(specs)
	slices.SortFunc(order, func(a, b Spec) int {
		if c := cmp.Compare(b.DType.rank(), a.DType.rank()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return order, nil
}

// encodeHeader returns the JSON header for tensors laid out back to back in
// order, with "__metadata__" first when there is any, padded with spaces so
// that 8 + len(header) is a multiple of 8.
func encodeHeader(order []Spec, metadata map[string]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		b.WriteString(`"__metadata__":{`)
		for i, k := range slices.Sorted(maps.Keys(metadata)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, k)
			b.WriteByte(':')
			writeJSONString(&b, metadata[k])
		}
		b.WriteByte('}')
	}
	var offset int64
	for i, s := range order {
		if i > 0 || len(metadata) > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, s.Name)
		b.WriteString(`:{"dtype":"` + string(s.DType) + `","shape":[`)
		for j, d := range s.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		end := offset + s.ByteSize()
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
