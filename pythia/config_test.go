package pythia

import (
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameFields compares two configs ignoring the unmodelled keys.
func sameFields(a, b Config) bool {
	a.extra, b.extra = nil, nil
	return reflect.DeepEqual(a, b)
}

// testdata/pythia-70m-config.json is EleutherAI/pythia-70m's config.json as
// published on the Hugging Face hub.
func TestParseConfigPythia70m(t *testing.T) {
	cfg, err := ReadConfig("testdata/pythia-70m-config.json")
	require.NoError(t, err)
	want, err := Preset("pythia-70m")
	require.NoError(t, err)
	require.True(t, sameFields(cfg, want), "parsed %+v\nwant   %+v", cfg, want)
	assert.Equal(t, 64, cfg.HeadDim())
	assert.Equal(t, 16, cfg.RotaryDims())
	// JSON writes every field and keeps the unmodelled keys; it parses back.
	out, err := cfg.JSON("float32")
	require.NoError(t, err)
	back, err := ParseConfig(out, "round trip")
	require.NoError(t, err)
	assert.True(t, sameFields(back, cfg), "round trip changed the config:\n%s", out)
	assert.Contains(t, string(out), `"transformers_version": "4.24.0"`)
}

func TestParseConfigAliasesAndDefaults(t *testing.T) {
	base := `"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 256, "vocab_size": 100`
	cases := []struct {
		name, json    string
		pct, theta    float64
		parallel, tie bool
		eos           int
	}{
		{"defaults", `{` + base + `}`, 0.25, 10000, true, false, 0},
		{"top-level aliases", `{` + base + `, "partial_rotary_factor": 0.5, "rope_theta": 500, "eos_token_id": null}`, 0.5, 500, true, false, -1},
		{"canonical wins", `{` + base + `, "rotary_pct": 1.0, "partial_rotary_factor": 0.5}`, 1, 10000, true, false, 0},
		{"rope_parameters", `{` + base + `, "rope_parameters": {"rope_type": "default", "rope_theta": 1000, "partial_rotary_factor": 0.5}}`, 0.5, 1000, true, false, 0},
		{"default rope_scaling", `{` + base + `, "rope_scaling": {"rope_type": "default"}, "use_parallel_residual": false, "tie_word_embeddings": true, "eos_token_id": 2}`, 0.25, 10000, false, true, 2},
		{"null rope_scaling", `{` + base + `, "rope_scaling": null}`, 0.25, 10000, true, false, 0},
	}
	for _, c := range cases {
		cfg, err := ParseConfig([]byte(c.json), c.name)
		if !assert.NoError(t, err, c.name) {
			continue
		}
		assert.Equal(t, c.pct, cfg.RotaryPct, c.name)
		assert.Equal(t, c.theta, cfg.RotaryEmbBase, c.name)
		assert.Equal(t, c.parallel, cfg.UseParallelResidual, c.name)
		assert.Equal(t, c.tie, cfg.TieWordEmbeddings, c.name)
		assert.Equal(t, c.eos, cfg.EOSTokenID, c.name)
	}
}

func TestParseConfigErrors(t *testing.T) {
	base := `"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 256, "vocab_size": 100`
	cases := []struct{ name, json, want string }{
		{"not JSON", `{`, "f.json"},
		{"not an object", `[1]`, "f.json"},
		{"missing key", `{"hidden_size": 64}`, `missing required key "vocab_size"`},
		{"wrong type", `{` + base + `, "rotary_pct": "a quarter"}`, `key "rotary_pct": want a number`},
		{"fractional size", `{"hidden_size": 64.5, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 256, "vocab_size": 100}`, `key "hidden_size": want an integer`},
		{"linear rope scaling", `{` + base + `, "rope_scaling": {"type": "linear", "factor": 2.0}}`, `key "rope_scaling": unsupported rotary scaling`},
		{"dynamic rope scaling", `{` + base + `, "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}}`, `unsupported rotary scaling`},
		{"rope_parameters scaling", `{` + base + `, "rope_parameters": {"rope_type": "yarn", "factor": 4.0}}`, `key "rope_parameters": unsupported`},
		{"other model", `{` + base + `, "model_type": "llama"}`, `model_type "llama"`},
		{"heads", `{"hidden_size": 65, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 256, "vocab_size": 100}`, "not divisible"},
		{"odd rotary", `{` + base + `, "rotary_pct": 0.1875}`, "even number"},
		{"activation", `{` + base + `, "hidden_act": "swish"}`, `unsupported activation "swish"`},
		{"zero layers", `{"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 0, "intermediate_size": 256, "vocab_size": 100}`, `"num_hidden_layers" = 0`},
		{"bool", `{` + base + `, "use_parallel_residual": 1}`, `key "use_parallel_residual": want true or false`},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.json), "f.json")
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), "f.json", c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// FuzzParseConfig checks that ParseConfig never panics and that whatever it
// accepts is valid, has an exact parameter count (below 2^53), and survives
// a JSON round trip.
func FuzzParseConfig(f *testing.F) {
	seed, err := os.ReadFile("testdata/pythia-70m-config.json")
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 3, "partial_rotary_factor": 0.5, "rope_scaling": null}`))
	f.Add([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 3, "rope_parameters": {"rope_theta": 7}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, "fuzz")
		if err != nil {
			return
		}
		require.NoError(t, cfg.Validate(), "accepted an invalid config")
		n := cfg.NumParams()
		require.True(t, n > 0 && n < 1<<53, "parameter count %d", n)
		out, err := cfg.JSON("float32")
		require.NoError(t, err)
		back, err := ParseConfig(out, "round trip")
		require.NoError(t, err, "JSON output does not parse:\n%s", out)
		require.True(t, sameFields(back, cfg), "round trip changed %+v to %+v", cfg, back)
	})
}
