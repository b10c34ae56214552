package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"unicode/utf8"
)

// MaxHeaderSize is the largest JSON header accepted, in bytes (the reference
// implementation's limit).
const MaxHeaderSize = 100_000_000

// MaxTensors is the largest number of tensors a file's header may list. A
// Pythia-12B file lists about 500 and the shards of the largest published
// models a few thousand; a header of 1.6 million tiny entries (95 MB, under
// MaxHeaderSize) would otherwise take about 1 GB and many seconds to parse.
const MaxTensors = 1 << 17

// TensorInfo describes one tensor of a file: its dtype, its shape (row-major,
// empty for a scalar) and its byte range [Begin, End) within the data buffer.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	Begin int64
	End   int64
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// header is a parsed and validated header.
type header struct {
	dataStart int64 // file offset of the data buffer: 8 + N
	tensors   map[string]TensorInfo
	names     []string // sorted
	metadata  map[string]string
}

// readHeader reads and validates the header of a size-byte file read through
// r. Errors are returned without the "safetensors: FILE:" prefix, which the
// caller adds.
func readHeader(r io.ReaderAt, size int64) (*header, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, fmt.Errorf("file has %d bytes, too short for the 8-byte header length", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d runs past the end of the file (%d bytes)", n, size)
	}
	raw := make([]byte, n)
	if _, err := r.ReadAt(raw, 8); err != nil && n > 0 {
		return nil, fmt.Errorf("reading %d-byte header: %w", n, err)
	}
	h, err := parseHeaderJSON(raw)
	if err != nil {
		return nil, err
	}
	h.dataStart = 8 + int64(n)
	if err := h.checkLayout(size - h.dataStart); err != nil {
		return nil, err
	}
	return h, nil
}

// parseHeaderJSON decodes the JSON object of tensor entries and metadata,
// rejecting duplicate keys (which encoding/json would silently merge).
func parseHeaderJSON(raw []byte) (*header, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("header is not valid UTF-8")
	}
	// Every tensor entry has one "data_offsets" key, and JSON escapes the
	// quotes of any string that spells it, so counting the key bounds the
	// tensors before the (much slower) decoding starts.
	if n := bytes.Count(raw, []byte(`"data_offsets"`)); n > MaxTensors {
		return nil, fmt.Errorf("header lists %d tensors (counting \"data_offsets\" keys), more than %d (safetensors.MaxTensors)", n, MaxTensors)
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("header is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the opening '{'
		return nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	h := &header{tensors: map[string]TensorInfo{}, metadata: map[string]string{}}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header is not valid JSON: %w", err)
		}
		key := tok.(string) // object keys are always strings
		// Entries whose "data_offsets" key is spelled with escapes evade
		// the count above.
		if len(h.names) == MaxTensors && key != "__metadata__" {
			return nil, fmt.Errorf("header lists more than %d tensors (safetensors.MaxTensors)", MaxTensors)
		}
		if seen[key] {
			return nil, fmt.Errorf("header has key %q twice", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("header is not valid JSON at key %q: %w", key, err)
		}
		if key == "__metadata__" {
			if h.metadata, err = parseMetadata(value); err != nil {
				return nil, err
			}
			continue
		}
		info, err := parseEntry(key, value)
		if err != nil {
			return nil, err
		}
		h.tensors[key] = info
		h.names = append(h.names, key)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	if rest := raw[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, errors.New("header has data after its JSON object")
	}
	slices.Sort(h.names)
	return h, nil
}

// parseMetadata decodes "__metadata__": an object of string values (null is
// accepted as empty, as the reference implementation's optional field does).
func parseMetadata(value json.RawMessage) (map[string]string, error) {
	m := map[string]string{}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(value, &raw); err != nil {
		return nil, errors.New(`"__metadata__" is not a JSON object of strings`)
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) { // sorted: the same error every time
		v := raw[k]
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf(`"__metadata__" value for %q is %s, not a string`, k, v)
		}
		m[k] = s
	}
	return m, nil
}

// parseEntry decodes and checks one tensor entry: a known dtype, a shape of
// non-negative dims whose byte size does not overflow, and data_offsets
// [begin, end] with end-begin equal to that byte size.
func parseEntry(name string, value json.RawMessage) (TensorInfo, error) {
	info := TensorInfo{Name: name}
	fail := func(format string, args ...any) (TensorInfo, error) {
		return TensorInfo{}, fmt.Errorf("tensor %q: %s", name, fmt.Sprintf(format, args...))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(value, &fields); err != nil || fields == nil {
		return fail("entry is %s, not a JSON object", abbreviate(value))
	}
	var dtype string
	if err := json.Unmarshal(fields["dtype"], &dtype); err != nil {
		return fail(`"dtype" is missing or not a string`)
	}
	info.DType = DType(dtype)
	if info.DType.Size() == 0 {
		return fail("unknown dtype %q", dtype)
	}
	var shape []int64
	if err := json.Unmarshal(fields["shape"], &shape); err != nil || fields["shape"] == nil || string(fields["shape"]) == "null" {
		return fail(`"shape" is missing or not an array of integers`)
	}
	nbytes := int64(info.DType.Size())
	for _, d := range shape {
		if d < 0 {
			return fail("shape %v has a negative dimension", shape)
		}
		// Multiply in order with an overflow check, as the reference does.
		if d != 0 && nbytes > math.MaxInt64/d {
			return fail("shape %v with dtype %s overflows the byte size", shape, dtype)
		}
		nbytes *= d
		info.Shape = append(info.Shape, int(d))
	}
	var offsets []int64
	if err := json.Unmarshal(fields["data_offsets"], &offsets); err != nil || len(offsets) != 2 {
		return fail(`"data_offsets" is missing or not a pair of integers`)
	}
	info.Begin, info.End = offsets[0], offsets[1]
	if info.Begin < 0 || info.End < info.Begin {
		return fail("data_offsets [%d, %d] are not an increasing pair of non-negative offsets", info.Begin, info.End)
	}
	if info.End-info.Begin != nbytes {
		return fail("data_offsets [%d, %d] span %d bytes but dtype %s and shape %v need %d",
			info.Begin, info.End, info.End-info.Begin, dtype, shape, nbytes)
	}
	return info, nil
}

// checkLayout checks that the tensors, sorted by offsets, tile the
// bufferSize-byte data buffer exactly: no gap, overlap, truncation or
// trailing bytes. Messages give absolute file offsets.
func (h *header) checkLayout(bufferSize int64) error {
	order := make([]TensorInfo, 0, len(h.tensors))
	for _, name := range h.names {
		order = append(order, h.tensors[name])
	}
	slices.SortStableFunc(order, func(a, b TensorInfo) int {
		if a.Begin != b.Begin {
			return cmpInt64(a.Begin, b.Begin)
		}
		return cmpInt64(a.End, b.End)
	})
	var next int64 // where the next tensor must begin
	prev := ""
	for _, t := range order {
		switch {
		case t.Begin > next && prev == "":
			return fmt.Errorf("tensor %q: data begins at buffer offset %d, leaving a gap after the header (the first tensor must begin at 0)", t.Name, t.Begin)
		case t.Begin > next:
			return fmt.Errorf("tensor %q: data begins at buffer offset %d, leaving a gap after tensor %q which ends at %d", t.Name, t.Begin, prev, next)
		case t.Begin < next:
			return fmt.Errorf("tensor %q: data [%d, %d) overlaps tensor %q which ends at %d", t.Name, t.Begin, t.End, prev, next)
		}
		next, prev = t.End, t.Name
	}
	for _, t := range order {
		if t.End > bufferSize {
			return fmt.Errorf("tensor %q: data ends at byte %d but file has %d (truncated?)", t.Name, h.dataStart+t.End, h.dataStart+bufferSize)
		}
	}
	if next != bufferSize {
		return fmt.Errorf("%d trailing bytes after the last tensor's data (which ends at byte %d)", bufferSize-next, h.dataStart+next)
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// abbreviate quotes at most 40 bytes of a JSON value for an error message.
func abbreviate(v json.RawMessage) string {
	if len(v) > 40 {
		return string(v[:40]) + "..."
	}
	return string(v)
}
