package pythia

import (
	"fmt"
	"slices"
	"strings"
)

// presetShapes are the shapes of the released Pythia models (EleutherAI's
// config.json files): hidden size, layers, heads, MLP width and the padded
// vocabulary size. Every Pythia model uses rotary_pct 0.25, rotary base
// 10000, parallel residual, an untied output layer, exact GELU, 2048
// positions and eos = bos = 0.
var presetShapes = map[string]struct{ hidden, layers, heads, ffn, vocab int }{
	"pythia-14m":  {128, 6, 4, 512, 50304},
	"pythia-31m":  {256, 6, 8, 1024, 50304},
	"pythia-70m":  {512, 6, 8, 2048, 50304},
	"pythia-160m": {768, 12, 12, 3072, 50304},
	"pythia-410m": {1024, 24, 16, 4096, 50304},
	"pythia-1b":   {2048, 16, 8, 8192, 50304},
	"pythia-1.4b": {2048, 24, 16, 8192, 50304},
	"pythia-2.8b": {2560, 32, 32, 10240, 50304},
	"pythia-6.9b": {4096, 32, 32, 16384, 50432},
	"pythia-12b":  {5120, 36, 40, 20480, 50688},
}

// PresetNames returns the names Preset accepts, sorted by model size.
func PresetNames() []string {
	names := make([]string, 0, len(presetShapes))
	for n := range presetShapes {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		return presetShapes[a].hidden*presetShapes[a].layers - presetShapes[b].hidden*presetShapes[b].layers
	})
	return names
}

// Preset returns the configuration of a released Pythia model by name
// ("pythia-70m", or "EleutherAI/pythia-70m-deduped": the organisation prefix
// and the -deduped and -v0 suffixes name the same shapes). It returns an
// error for any other name.
func Preset(name string) (Config, error) {
	key := strings.TrimPrefix(name, "EleutherAI/")
	key = strings.TrimSuffix(strings.TrimSuffix(key, "-v0"), "-deduped")
	s, ok := presetShapes[key]
	if !ok {
		return Config{}, fmt.Errorf("pythia: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	c := defaultConfig()
	c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize = s.hidden, s.layers, s.heads, s.ffn, s.vocab
	return c, nil
}

// NumParams returns the number of trainable parameters of a model with
// configuration c (a tied output layer counted once):
//
//	embed_in V*H + embed_out V*H (untied) + final LayerNorm 2H
//	+ per layer: 2 LayerNorms 4H + query_key_value 3H*H (+3H bias)
//	  + dense H*H (+H) + dense_h_to_4h I*H + I + dense_4h_to_h I*H + H.
func NumParams(c Config) int {
	v, h, i := c.VocabSize, c.HiddenSize, c.IntermediateSize
	attn := 3*h*h + h*h
	if c.AttentionBias {
		attn += 3*h + h
	}
	layer := 4*h + attn + i*h + i + i*h + h
	n := v*h + c.NumHiddenLayers*layer + 2*h
	if !c.TieWordEmbeddings {
		n += v * h
	}
	return n
}
