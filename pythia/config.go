package pythia

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/daalab/daa/internal/regfile"
	"github.com/daalab/daa/nn"
)

// Config is a GPT-NeoX model configuration with the meaning and JSON keys of
// Hugging Face's GPTNeoXConfig (config.json).
type Config struct {
	VocabSize             int     // vocab_size: rows of embed_in and embed_out
	HiddenSize            int     // hidden_size: model width H
	NumHiddenLayers       int     // num_hidden_layers
	NumAttentionHeads     int     // num_attention_heads; head_dim = H / heads
	IntermediateSize      int     // intermediate_size: MLP width
	RotaryPct             float64 // rotary_pct (alias partial_rotary_factor): fraction of head_dim rotated
	RotaryEmbBase         float64 // rotary_emb_base (alias rope_theta)
	MaxPositionEmbeddings int     // max_position_embeddings (informational: rotary has no table)
	LayerNormEps          float64 // layer_norm_eps
	UseParallelResidual   bool    // use_parallel_residual: x + attn(ln1 x) + mlp(ln2 x)
	TieWordEmbeddings     bool    // tie_word_embeddings: embed_out shares embed_in's weight
	HiddenAct             string  // hidden_act: see nn.ActivationByName
	AttentionBias         bool    // attention_bias: query_key_value and dense have biases
	InitializerRange      float64 // initializer_range: std of the random initialisation
	BOSTokenID            int     // bos_token_id (-1 when null)
	EOSTokenID            int     // eos_token_id (-1 when null)

	// extra holds the keys of a parsed config.json that Config does not model
	// ("transformers_version", "classifier_dropout", ...), written back by JSON.
	extra map[string]json.RawMessage
}

// HeadDim returns HiddenSize / NumAttentionHeads.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// RotaryDims returns the number of rotated features per head,
// int(head_dim * rotary_pct) as Hugging Face computes it.
func (c Config) RotaryDims() int { return int(float64(c.HeadDim()) * c.RotaryPct) }

// defaultConfig holds GPTNeoXConfig's defaults for the optional keys (the
// Pythia values; eos_token_id is 0 in every Pythia config).
func defaultConfig() Config {
	return Config{
		RotaryPct: 0.25, RotaryEmbBase: 10000, MaxPositionEmbeddings: 2048, LayerNormEps: 1e-5,
		UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: true, InitializerRange: 0.02,
		BOSTokenID: 0, EOSTokenID: 0,
	}
}

// Validate reports the first inconsistency in c: a size that is not
// positive or exceeds its bound (MaxVocabSize, MaxHiddenSize,
// MaxHiddenLayers, MaxAttentionHeads, MaxIntermediateSize; a
// max_position_embeddings outside [0, MaxPositions]), a hidden size not
// divisible by the heads, an odd number of rotary dimensions, a rotary
// fraction outside [0, 1], or an unsupported activation. It allocates
// nothing, so it is safe on any parsed config.
func (c Config) Validate() error {
	for _, f := range c.sizeBounds() {
		if f.v <= 0 || f.v > f.max {
			return fmt.Errorf("%q = %d; want an integer in [1, %d]", f.key, f.v, f.max)
		}
	}
	if c.MaxPositionEmbeddings < 0 || c.MaxPositionEmbeddings > MaxPositions {
		return fmt.Errorf("%q = %d; want an integer in [0, %d]", "max_position_embeddings", c.MaxPositionEmbeddings, MaxPositions)
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if !(c.RotaryPct >= 0 && c.RotaryPct <= 1) {
		return fmt.Errorf("rotary_pct = %v; want a fraction in [0, 1]", c.RotaryPct)
	}
	if r := c.RotaryDims(); r%2 != 0 {
		return fmt.Errorf("rotary_pct %v of head_dim %d gives %d rotary dimensions; want an even number", c.RotaryPct, c.HeadDim(), r)
	}
	if !(c.RotaryEmbBase > 0) || math.IsInf(c.RotaryEmbBase, 0) {
		return fmt.Errorf("rotary_emb_base = %v; want a positive number", c.RotaryEmbBase)
	}
	if !(c.LayerNormEps >= 0) {
		return fmt.Errorf("layer_norm_eps = %v; want >= 0", c.LayerNormEps)
	}
	if _, err := nn.ActivationByName(c.HiddenAct); err != nil {
		return fmt.Errorf("hidden_act: %w", err)
	}
	return nil
}

// maxConfigBytes bounds the size of a config.json (published ones are about
// a kilobyte).
const maxConfigBytes = 4 << 20

// ReadConfig reads and validates a Hugging Face config.json. A path that is
// not a regular file, or a file over 4 MiB, is an error.
func ReadConfig(path string) (Config, error) {
	data, err := regfile.ReadFile(path, maxConfigBytes)
	if err != nil {
		return Config{}, fmt.Errorf("pythia: %w", err)
	}
	return ParseConfig(data, path)
}

// ParseConfig parses and validates the JSON of a GPT-NeoX config.json; name
// (usually the file's path) prefixes every error, which also names the key.
// hidden_size, num_attention_heads, num_hidden_layers, intermediate_size and
// vocab_size are required; the other keys default to Pythia's values. The
// aliases partial_rotary_factor and rope_theta of newer files (top level or
// inside "rope_parameters") are read when rotary_pct or rotary_emb_base is
// absent. A model_type other than "gpt_neox", or a rope_scaling other than
// null or the default type, is an error (no scaled rotary is implemented).
func ParseConfig(data []byte, name string) (Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("pythia: %s: %w", name, err)
	}
	if raw == nil {
		return Config{}, fmt.Errorf("pythia: %s: want a JSON object", name)
	}
	c := defaultConfig()
	p := configParser{raw: raw}
	p.str("model_type", new(string), false, func(s string) error {
		if s != "gpt_neox" {
			return fmt.Errorf("model_type %q is not \"gpt_neox\"", s)
		}
		return nil
	})
	p.integer("vocab_size", &c.VocabSize, true)
	p.integer("hidden_size", &c.HiddenSize, true)
	p.integer("num_hidden_layers", &c.NumHiddenLayers, true)
	p.integer("num_attention_heads", &c.NumAttentionHeads, true)
	p.integer("intermediate_size", &c.IntermediateSize, true)
	p.integer("max_position_embeddings", &c.MaxPositionEmbeddings, false)
	p.rope(&c)
	p.number("layer_norm_eps", &c.LayerNormEps)
	p.number("initializer_range", &c.InitializerRange)
	p.boolean("use_parallel_residual", &c.UseParallelResidual)
	p.boolean("tie_word_embeddings", &c.TieWordEmbeddings)
	p.boolean("attention_bias", &c.AttentionBias)
	p.str("hidden_act", &c.HiddenAct, false, nil)
	p.tokenID("bos_token_id", &c.BOSTokenID)
	p.tokenID("eos_token_id", &c.EOSTokenID)
	if p.err != nil {
		return Config{}, fmt.Errorf("pythia: %s: %w", name, p.err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("pythia: %s: %w", name, err)
	}
	c.extra = map[string]json.RawMessage{}
	for k, v := range raw {
		if !p.used[k] {
			c.extra[k] = v
		}
	}
	return c, nil
}

// configParser decodes typed keys of a config object, keeping the first
// error and the keys it has consumed.
type configParser struct {
	raw  map[string]json.RawMessage
	used map[string]bool
	err  error
}

// get returns the raw value of key (nil when absent or null) and marks it used.
func (p *configParser) get(key string, required bool) json.RawMessage {
	if p.used == nil {
		p.used = map[string]bool{}
	}
	p.used[key] = true
	v, ok := p.raw[key]
	if p.err == nil && required && (!ok || isNull(v)) {
		p.err = fmt.Errorf("missing required key %q", key)
	}
	if !ok || isNull(v) || p.err != nil {
		return nil
	}
	return v
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// decode unmarshals v into dst, recording an error that names key and what it wanted.
func (p *configParser) decode(key string, v json.RawMessage, dst any, want string) bool {
	if p.err != nil {
		return false
	}
	if err := json.Unmarshal(v, dst); err != nil {
		p.err = fmt.Errorf("key %q: want %s, got %s", key, want, abbreviate(v))
		return false
	}
	return true
}

func (p *configParser) integer(key string, dst *int, required bool) {
	if v := p.get(key, required); v != nil {
		var f float64
		if p.decode(key, v, &f, "an integer") {
			if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
				p.err = fmt.Errorf("key %q: want an integer, got %s", key, abbreviate(v))
				return
			}
			*dst = int(f)
		}
	}
}

func (p *configParser) number(key string, dst *float64) {
	if v := p.get(key, false); v != nil {
		p.decode(key, v, dst, "a number")
	}
}

func (p *configParser) boolean(key string, dst *bool) {
	if v := p.get(key, false); v != nil {
		p.decode(key, v, dst, "true or false")
	}
}

// str decodes a string key and runs check (if any) on it.
func (p *configParser) str(key string, dst *string, required bool, check func(string) error) {
	if v := p.get(key, required); v != nil && p.decode(key, v, dst, "a string") && check != nil {
		if err := check(*dst); err != nil {
			p.err = err
		}
	}
}

// tokenID decodes an integer token id; null means none (-1).
func (p *configParser) tokenID(key string, dst *int) {
	if v, ok := p.raw[key]; ok && isNull(v) {
		*dst = -1
	}
	p.integer(key, dst, false)
}

// rope reads rotary_pct and rotary_emb_base, falling back to the aliases
// partial_rotary_factor and rope_theta at the top level and then inside
// "rope_parameters", and rejects a scaled rotary embedding.
func (p *configParser) rope(c *Config) {
	var params map[string]json.RawMessage
	if v := p.get("rope_parameters", false); v != nil {
		p.decode("rope_parameters", v, &params, "an object")
	}
	pick := func(dst *float64, keys ...string) {
		for _, k := range keys {
			if v := p.get(k, false); v != nil {
				p.decode(k, v, dst, "a number")
				return
			}
		}
		for _, k := range keys[1:] {
			if v, ok := params[k]; ok && !isNull(v) {
				p.decode("rope_parameters."+k, v, dst, "a number")
				return
			}
		}
	}
	pick(&c.RotaryPct, "rotary_pct", "partial_rotary_factor")
	pick(&c.RotaryEmbBase, "rotary_emb_base", "rope_theta")
	check := func(key string, v json.RawMessage) {
		if v == nil || p.err != nil {
			return
		}
		var s map[string]json.RawMessage
		if !p.decode(key, v, &s, "an object or null") {
			return
		}
		for _, k := range []string{"rope_type", "type"} {
			if t, ok := s[k]; ok && !isNull(t) && string(bytes.TrimSpace(t)) != `"default"` {
				p.err = fmt.Errorf("key %q: unsupported rotary scaling %s (only unscaled rotary embeddings are implemented)", key, abbreviate(v))
				return
			}
		}
		if _, ok := s["factor"]; ok {
			p.err = fmt.Errorf("key %q: unsupported rotary scaling %s (only unscaled rotary embeddings are implemented)", key, abbreviate(v))
		}
	}
	check("rope_scaling", p.get("rope_scaling", false))
	if params != nil {
		check("rope_parameters", p.raw["rope_parameters"])
	}
}

// abbreviate shortens a JSON value for an error message.
func abbreviate(v json.RawMessage) string {
	s := string(bytes.TrimSpace(v))
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// JSON returns c as a Hugging Face config.json (indented, keys sorted) with
// architectures GPTNeoXForCausalLM, model_type gpt_neox, torch_dtype, every
// Config field under its canonical key, and the unmodelled keys of the file
// c was parsed from. torchDType is "float32", "float16", "bfloat16" or
// "float64": the dtype of the weights saved beside it.
func (c Config) JSON(torchDType string) ([]byte, error) {
	out := map[string]any{}
	for k, v := range c.extra {
		out[k] = v
	}
	// Aliases are written under their canonical names only.
	for _, k := range []string{"partial_rotary_factor", "rope_theta", "rope_parameters", "rope_scaling"} {
		delete(out, k)
	}
	id := func(v int) any {
		if v < 0 {
			return nil
		}
		return v
	}
	for k, v := range map[string]any{
		"architectures": []string{"GPTNeoXForCausalLM"}, "model_type": "gpt_neox", "torch_dtype": torchDType,
		"vocab_size": c.VocabSize, "hidden_size": c.HiddenSize, "num_hidden_layers": c.NumHiddenLayers,
		"num_attention_heads": c.NumAttentionHeads, "intermediate_size": c.IntermediateSize,
		"rotary_pct": c.RotaryPct, "rotary_emb_base": c.RotaryEmbBase,
		"max_position_embeddings": c.MaxPositionEmbeddings, "layer_norm_eps": c.LayerNormEps,
		"use_parallel_residual": c.UseParallelResidual, "tie_word_embeddings": c.TieWordEmbeddings,
		"hidden_act": c.HiddenAct, "attention_bias": c.AttentionBias, "initializer_range": c.InitializerRange,
		"bos_token_id": id(c.BOSTokenID), "eos_token_id": id(c.EOSTokenID),
	} {
		out[k] = v
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
