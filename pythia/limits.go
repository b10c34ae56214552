package pythia

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Upper bounds of the size keys of config.json. They are far above every
// published GPT-NeoX model (Pythia-12B: hidden_size 5120, intermediate_size
// 20480, vocab_size 50688, 36 layers, 40 heads) and keep the parameter count
// of any valid configuration below 2^53, so it is computed exactly. Whether a
// model within them fits in memory is checked separately (see LoadOptions).
const (
	MaxHiddenSize       = 1 << 17
	MaxIntermediateSize = 1 << 20
	MaxVocabSize        = 1 << 24
	MaxHiddenLayers     = 1 << 12
	MaxAttentionHeads   = 1 << 12
	MaxPositions        = 1 << 24 // bound of max_position_embeddings
)

// sizeBounds lists every size key with its value and upper bound.
func (c Config) sizeBounds() []struct {
	key    string
	v, max int
} {
	return []struct {
		key    string
		v, max int
	}{
		{"vocab_size", c.VocabSize, MaxVocabSize},
		{"hidden_size", c.HiddenSize, MaxHiddenSize},
		{"num_hidden_layers", c.NumHiddenLayers, MaxHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads, MaxAttentionHeads},
		{"intermediate_size", c.IntermediateSize, MaxIntermediateSize},
	}
}

// NumParams returns the number of parameters a model with configuration c
// has (a tied embed_out counted once). c must be valid: within the bounds
// Validate checks, the count is exact.
func (c Config) NumParams() int64 {
	v, h, in, l := int64(c.VocabSize), int64(c.HiddenSize), int64(c.IntermediateSize), int64(c.NumHiddenLayers)
	perLayer := 4*h + // two LayerNorms, weight and bias
		3*h*h + h*h + // query_key_value and dense weights
		2*in*h + in + h // MLP weights and biases
	if c.AttentionBias {
		perLayer += 3*h + h
	}
	n := v*h + l*perLayer + 2*h // embed_in, layers, final LayerNorm
	if !c.TieWordEmbeddings {
		n += v * h
	}
	return n
}

// checkMemory returns an error naming cfgPath, the size keys and the bytes
// the parameters of c need in dtype-size bytes each when that exceeds limit
// bytes (from limitSource, for the message).
func checkMemory(c Config, cfgPath string, elemSize int, limit int64, limitSource string) error {
	n := c.NumParams()
	if n > math.MaxInt64/int64(elemSize) || n*int64(elemSize) > limit {
		return fmt.Errorf("pythia: %s: vocab_size %d, hidden_size %d, intermediate_size %d and num_hidden_layers %d give %d parameters needing %d bytes at %d bytes each, more than the %d bytes available (%s)",
			cfgPath, c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, n, n*int64(elemSize), elemSize, limit, limitSource)
	}
	return nil
}

// memTotal returns MemTotal of /proc/meminfo in bytes.
func memTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			break
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb <= 0 || kb > math.MaxInt64/1024 {
			break
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemTotal line in kB")
}

// memoryLimit returns the byte limit for a model's parameters under opts and
// where it comes from.
func memoryLimit(opts LoadOptions) (int64, string, error) {
	if opts.MaxParamBytes > 0 {
		return opts.MaxParamBytes, "LoadOptions.MaxParamBytes", nil
	}
	if opts.MaxParamBytes < 0 {
		return math.MaxInt64, "no limit", nil
	}
	total, err := memTotal()
	if err != nil {
		return 0, "", fmt.Errorf("pythia: reading the machine's memory size (set LoadOptions.MaxParamBytes to skip): %w", err)
	}
	return total, "MemTotal of /proc/meminfo; LoadOptions.MaxParamBytes overrides it", nil
}
