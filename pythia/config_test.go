package pythia

import (
	"os"
	"reflect"
	"strings"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Preset("pythia-70m")
	if !sameFields(cfg, want) {
		t.Fatalf("parsed %+v\nwant   %+v", cfg, want)
	}
	if cfg.HeadDim() != 64 || cfg.RotaryDims() != 16 {
		t.Errorf("head_dim %d, rotary dims %d; want 64, 16", cfg.HeadDim(), cfg.RotaryDims())
	}
	// JSON writes every field and keeps the unmodelled keys; it parses back.
	out, err := cfg.JSON("float32")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(out, "round trip")
	if err != nil {
		t.Fatal(err)
	}
	if !sameFields(back, cfg) || !strings.Contains(string(out), `"transformers_version": "4.24.0"`) {
		t.Errorf("round trip changed the config:\n%s", out)
	}
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
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if cfg.RotaryPct != c.pct || cfg.RotaryEmbBase != c.theta || cfg.UseParallelResidual != c.parallel ||
			cfg.TieWordEmbeddings != c.tie || cfg.EOSTokenID != c.eos {
			t.Errorf("%s: got rotary_pct %v, base %v, parallel %v, tied %v, eos %d", c.name,
				cfg.RotaryPct, cfg.RotaryEmbBase, cfg.UseParallelResidual, cfg.TieWordEmbeddings, cfg.EOSTokenID)
		}
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
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("%s: error %v; want one naming f.json and containing %q", c.name, err, c.want)
		}
	}
}

// FuzzParseConfig checks that ParseConfig never panics and that whatever it
// accepts is valid, builds a model description, and survives a JSON round trip.
func FuzzParseConfig(f *testing.F) {
	seed, err := os.ReadFile("testdata/pythia-70m-config.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 3, "partial_rotary_factor": 0.5, "rope_scaling": null}`))
	f.Add([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 3, "rope_parameters": {"rope_theta": 7}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, "fuzz")
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		out, err := cfg.JSON("float32")
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseConfig(out, "round trip")
		if err != nil {
			t.Fatalf("JSON output does not parse: %v\n%s", err, out)
		}
		if !sameFields(back, cfg) {
			t.Fatalf("round trip changed %+v to %+v", cfg, back)
		}
	})
}
