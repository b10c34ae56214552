package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// refCacheFormat marks reference log-prob cache files in their metadata.
const refCacheFormat = "daa.train.ref_logps/v1"

// A reference cache file is a safetensors file holding two F64 tensors of
// shape [N], "chosen" and "rejected": the sequence log-probs R(y_w,i) and
// R(y_l,i) of the N pairs of one data set under one reference model, in
// the data set's order, with metadata format, data_hash, weights_hash,
// ld_alpha, pairs and source (the data set's name, for people). Its name is
// ref-logps-<key>.safetensors, key the first 24 hex digits of the SHA-256
// of data hash, weights hash and ld_alpha, so a change to any of them (other
// pairs, other tokens, other truncation, other weights or dtype) finds no
// file and computes a new one.

// RefCache describes the reference log-probs of one data set.
type RefCache struct {
	Split  string // "train" or "eval"
	Path   string // the cache file
	Reused bool   // true when the file existed and was read, false when it was computed
}

// refLogProbs are the cached reference sums of one data set.
type refLogProbs struct {
	chosen, rejected []float64 // [N], in the data set's order
	info             RefCache
}

// refCacheKey combines what decides the cached values.
func refCacheKey(dataHash, weightsHash string, ldAlpha *float64) (key, ld string) {
	ld = "none"
	if ldAlpha != nil {
		ld = strconv.FormatFloat(*ldAlpha, 'g', -1, 64)
	}
	sum := sha256.Sum256([]byte(dataHash + "\n" + weightsHash + "\n" + ld))
	return hex.EncodeToString(sum[:])[:24], ld
}

// loadOrComputeRef returns the reference sums of the n pairs of a data set
// from dir when a cache file for these data, weights and ld_alpha exists,
// and otherwise computes them with compute and writes the file atomically.
// A cache file that exists but cannot be read, or whose metadata names other
// data or weights, is an error naming it.
func loadOrComputeRef(dir, split, source string, n int, dataHash, weightsHash string, ldAlpha *float64,
	compute func() (chosen, rejected []float64, err error)) (*refLogProbs, error) {
	key, ld := refCacheKey(dataHash, weightsHash, ldAlpha)
	path := filepath.Join(dir, "ref-logps-"+key+".safetensors")
	want := map[string]string{
		"format": refCacheFormat, "data_hash": dataHash, "weights_hash": weightsHash,
		"ld_alpha": ld, "pairs": strconv.Itoa(n),
	}
	r, err := readRefCache(path, want)
	if err == nil {
		r.info = RefCache{Split: split, Path: path, Reused: true}
		return r, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	chosen, rejected, err := compute()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: reference cache: %w", err)
	}
	meta := map[string]string{"source": source}
	for k, v := range want {
		meta[k] = v
	}
	tensors := []safetensors.Tensor{
		safetensors.Float64Tensor("chosen", []int{n}, chosen),
		safetensors.Float64Tensor("rejected", []int{n}, rejected),
	}
	if err := safetensors.Write(path, tensors, meta); err != nil {
		return nil, fmt.Errorf("train: reference cache: %w", err)
	}
	return &refLogProbs{chosen: chosen, rejected: rejected, info: RefCache{Split: split, Path: path}}, nil
}

// readRefCache reads a cache file and checks its metadata against want and
// its values for finiteness. A missing file is an error wrapping
// fs.ErrNotExist.
func readRefCache(path string, want map[string]string) (*refLogProbs, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("train: reference cache %s: %w", path, err)
	}
	defer f.Close()
	meta := f.Metadata()
	for k, v := range want {
		if meta[k] != v {
			return nil, fmt.Errorf("train: reference cache %s: metadata %s = %q, want %q", path, k, meta[k], v)
		}
	}
	n, _ := strconv.Atoi(want["pairs"])
	r := &refLogProbs{}
	for _, t := range []struct {
		name string
		dst  *[]float64
	}{{"chosen", &r.chosen}, {"rejected", &r.rejected}} {
		v, shape, err := f.Float64(t.name)
		if err != nil {
			return nil, fmt.Errorf("train: reference cache %s: %w", path, err)
		}
		if len(shape) != 1 || shape[0] != n {
			return nil, fmt.Errorf("train: reference cache %s: tensor %s has shape %v, want [%d]", path, t.name, shape, n)
		}
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("train: reference cache %s: %s[%d] is %v", path, t.name, i, x)
			}
		}
		*t.dst = v
	}
	return r, nil
}

// weightsHash returns the SHA-256 (hex) of the scorer kind (see
// referenceKind: backends round differently), a model's configuration,
// dtype and every parameter's name, shape and value bits.
func weightsHash(m *pythia.Model, scorer string) (string, error) {
	h := sha256.New()
	h.Write([]byte(scorer + "\n"))
	cfg, err := m.Config.JSON(m.DType().String())
	if err != nil {
		return "", fmt.Errorf("train: reference weights: %w", err)
	}
	h.Write(cfg)
	var buf []byte
	for _, p := range m.Params() {
		d := p.Value.Data.Contiguous()
		buf = append(buf[:0], p.Name...)
		buf = append(buf, 0)
		for _, s := range d.Shape() {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(s))
		}
		h.Write(buf)
		hashValues(h.Write, d)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashValues feeds the little-endian bits of every element of t to write,
// through a bounded buffer.
func hashValues(write func([]byte) (int, error), t *tensor.Tensor) {
	const chunk = 1 << 14
	buf := make([]byte, 0, 8*chunk)
	flush := func() {
		write(buf)
		buf = buf[:0]
	}
	if t.DType() == tensor.Float32 {
		for i, x := range t.Float32s() {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
			if i%chunk == chunk-1 {
				flush()
			}
		}
	} else {
		for i, x := range t.Float64s() {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			if i%chunk == chunk-1 {
				flush()
			}
		}
	}
	flush()
}
