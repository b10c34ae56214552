package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTinyEncode checks the tiny tokenizer (tiny_test.go) on ids worked out
// by hand from its merges, for both forms of model.merges.
func TestTinyEncode(t *testing.T) {
	// byte ids are the byte values: 'h'=104 'e'=101 'l'=108 'o'=111
	// ' '=32 'w'=119 'x'=120 '!'=33
	cases := []struct {
		text string
		want []int
	}{
		{"hello", []int{259}},
		{"hello world", []int{259, 260, 111, 114, 108, 100}},       // " world": Ġw o r l d
		{"hello  world", []int{259, 262, 119, 111, 114, 108, 100}}, // "  " is added token 262
		{"hell", []int{258}},
		{"helo", []int{256, 108, 111}},
		{"lll", []int{257, 108}}, // leftmost "l l" first
		{"x<|endoftext|>hello!", []int{120, 261, 259, 33}},
		{"he said", []int{256, 32, 115, 97, 105, 100}}, // " said" has no merge
	}
	for _, arrays := range []bool{false, true} {
		j := tinyJSON(arrays)
		tok, err := Parse(tinyBytes(t, j))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if got := tok.Encode(c.text); !slices.Equal(got, c.want) {
				t.Errorf("arrays=%v: Encode(%q) = %v, want %v", arrays, c.text, got, c.want)
			}
			if back, err := tok.Decode(c.want); err != nil || back != c.text {
				t.Errorf("Decode(%v) = %q, %v; want %q", c.want, back, err, c.text)
			}
		}
	}
}

// TestTinyOptions checks the options that change ids, on hand-worked cases.
func TestTinyOptions(t *testing.T) {
	prefix := tinyTokenizer(t, setPreTokenizer("add_prefix_space", true))
	if got, want := prefix.Encode("hello"), []int{32, 259}; !slices.Equal(got, want) {
		t.Errorf("add_prefix_space: Encode(hello) = %v, want %v", got, want)
	}
	if got, want := prefix.Encode("w<|endoftext|>w"), []int{260, 261, 260}; !slices.Equal(got, want) {
		t.Errorf("add_prefix_space: every stretch between added tokens gets the space: got %v, want %v", got, want)
	}
	noRegex := tinyTokenizer(t, setPreTokenizer("use_regex", false))
	if got, want := noRegex.Encode("he!ll"), []int{256, 33, 257}; !slices.Equal(got, want) {
		t.Errorf("use_regex=false: Encode(he!ll) = %v, want %v", got, want)
	}
	// ignore_merges: a piece that is a vocabulary entry is taken whole, even
	// when the merges would not build it ("wx" has no merge).
	ignore := tinyTokenizer(t, func(j map[string]any) {
		m := j["model"].(map[string]any)
		m["ignore_merges"] = true
		m["vocab"].(map[string]any)["wx"] = 263
	})
	if got, want := ignore.Encode("wx hello"), []int{263, 32, 259}; !slices.Equal(got, want) {
		t.Errorf("ignore_merges: Encode(wx hello) = %v, want %v", got, want)
	}
	// Without a normalizer, a decomposed é stays decomposed.
	raw := tinyTokenizer(t, func(j map[string]any) { j["normalizer"] = nil })
	if got, want := len(raw.Encode("e\u0301")), 3; got != want {
		t.Errorf("normalizer null: %d ids for e+U+0301, want %d", got, want)
	}
	// Post-processors that add special tokens only on request leave Encode alone.
	template := tinyTokenizer(t, func(j map[string]any) {
		j["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{j["post_processor"],
			map[string]any{"type": "TemplateProcessing", "single": []any{map[string]any{"SpecialToken": map[string]any{"id": "<|endoftext|>", "type_id": 0}}}}}}
	})
	if got, want := template.Encode("hello"), []int{259}; !slices.Equal(got, want) {
		t.Errorf("post_processor TemplateProcessing: Encode(hello) = %v, want %v", got, want)
	}
	nfc := tinyTokenizer(t, func(j map[string]any) {
		j["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFC"}}}
	})
	if got, want := nfc.Encode("e\u0301"), []int{0xC3, 0xA9}; !slices.Equal(got, want) {
		t.Errorf("normalizer Sequence[NFC]: Encode(e+U+0301) = %v, want %v (bytes of é)", got, want)
	}
}

// TestTinyAccessors checks the lookups on the tiny tokenizer.
func TestTinyAccessors(t *testing.T) {
	tok := tinyTokenizer(t, nil)
	if got := tok.VocabSize(); got != 263 {
		t.Errorf("VocabSize() = %d, want 263", got)
	}
	if id, ok := tok.TokenID("Ġw"); !ok || id != 260 {
		t.Errorf(`TokenID("Ġw") = %d, %v`, id, ok)
	}
	if id, ok := tok.EOS(); !ok || id != 261 {
		t.Errorf("EOS() = %d, %v", id, ok)
	}
	if _, ok := tok.Pad(); ok {
		t.Error("Pad() found a token the file does not have")
	}
	if s, ok := tok.Token(262); !ok || s != "  " {
		t.Errorf("Token(262) = %q, %v", s, ok)
	}
	if _, ok := tok.Token(263); ok {
		t.Error("Token(263) found an id past the vocabulary")
	}
	if _, err := tok.Decode([]int{259, 263}); err == nil || !strings.Contains(err.Error(), "ids[1] = 263") {
		t.Errorf("Decode of an unknown id: err = %v, want one naming ids[1] = 263", err)
	}
	if _, err := tok.Decode([]int{-1}); err == nil {
		t.Error("Decode of id -1 gave no error")
	}
	if got := tok.AddedTokens(); len(got) != 2 || got[0] != (AddedToken{ID: 261, Content: "<|endoftext|>", Special: true}) {
		t.Errorf("AddedTokens() = %+v", got)
	}
}

// TestParseErrors checks that each unsupported or corrupt field is
// rejected with an error naming it.
func TestParseErrors(t *testing.T) {
	model := func(j map[string]any) map[string]any { return j["model"].(map[string]any) }
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string // must appear in the error
	}{
		{"normalizer type", func(j map[string]any) { j["normalizer"] = map[string]any{"type": "Lowercase"} }, `normalizer.type: unsupported normalizer "Lowercase"`},
		{"normalizer sequence member", func(j map[string]any) {
			j["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFC"}, map[string]any{"type": "NFKC"}}}
		}, "normalizer.normalizers[1].type"},
		{"pre-tokenizer type", func(j map[string]any) { j["pre_tokenizer"] = map[string]any{"type": "Whitespace"} }, `pre_tokenizer.type: unsupported pre-tokenizer "Whitespace"`},
		{"pre-tokenizer null", func(j map[string]any) { j["pre_tokenizer"] = nil }, "pre_tokenizer: missing"},
		{"add_prefix_space missing", func(j map[string]any) { delete(j["pre_tokenizer"].(map[string]any), "add_prefix_space") }, "pre_tokenizer.add_prefix_space: missing"},
		{"add_prefix_space type", func(j map[string]any) { j["pre_tokenizer"].(map[string]any)["add_prefix_space"] = "yes" }, "pre_tokenizer.add_prefix_space"},
		{"pre-tokenizer sequence", func(j map[string]any) {
			j["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{j["pre_tokenizer"], map[string]any{"type": "Digits"}}}
		}, "pre_tokenizer.pretokenizers: has 2 members"},
		{"pre-tokenizer sequence member", func(j map[string]any) {
			j["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{map[string]any{"type": "Digits"}}}
		}, "pre_tokenizer.pretokenizers[0].type"},
		{"decoder null", func(j map[string]any) { j["decoder"] = nil }, "decoder: missing"},
		{"decoder type", func(j map[string]any) { j["decoder"] = map[string]any{"type": "WordPiece"} }, `decoder.type: unsupported decoder "WordPiece"`},
		{"post-processor type", func(j map[string]any) { j["post_processor"] = map[string]any{"type": "BertProcessing"} }, "post_processor.type"},
		{"post-processor sequence member", func(j map[string]any) {
			j["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{j["post_processor"], map[string]any{"type": "RobertaProcessing"}}}
		}, "post_processor.processors[1].type"},
		{"truncation", func(j map[string]any) { j["truncation"] = map[string]any{"max_length": 8} }, "truncation: must be null"},
		{"padding", func(j map[string]any) { j["padding"] = map[string]any{} }, "padding: must be null"},
		{"model missing", func(j map[string]any) { delete(j, "model") }, "model: missing"},
		{"model type", func(j map[string]any) { model(j)["type"] = "WordPiece" }, `model.type: unsupported model "WordPiece"`},
		{"dropout", func(j map[string]any) { model(j)["dropout"] = 0.1 }, "model.dropout"},
		{"subword prefix", func(j map[string]any) { model(j)["continuing_subword_prefix"] = "##" }, "model.continuing_subword_prefix"},
		{"word suffix", func(j map[string]any) { model(j)["end_of_word_suffix"] = "</w>" }, "model.end_of_word_suffix"},
		{"unk token", func(j map[string]any) { model(j)["unk_token"] = "<unk>" }, `model.unk_token: "<unk>" is not in model.vocab`},
		{"vocab type", func(j map[string]any) { model(j)["vocab"] = []any{"a"} }, "model.vocab: JSON array"},
		{"vocab id type", func(j map[string]any) { model(j)["vocab"].(map[string]any)["zz"] = "7" }, "model.vocab"},
		{"vocab id negative", func(j map[string]any) { model(j)["vocab"].(map[string]any)["zz"] = -3 }, `model.vocab["zz"]: id -3 out of range`},
		{"vocab id huge", func(j map[string]any) { model(j)["vocab"].(map[string]any)["zz"] = 1 << 40 }, `model.vocab["zz"]: id 1099511627776 out of range`},
		{"vocab duplicate id", func(j map[string]any) { model(j)["vocab"].(map[string]any)["zz"] = 5 }, "is also the id of"},
		{"vocab empty token", func(j map[string]any) { model(j)["vocab"].(map[string]any)[""] = 300 }, `model.vocab[""]: empty token`},
		{"vocab missing byte", func(j map[string]any) { delete(model(j)["vocab"].(map[string]any), "Ġ") }, `model.vocab: no token "Ġ" for byte 0x20`},
		{"merge without space", func(j map[string]any) { model(j)["merges"].([]any)[1] = "ll" }, `model.merges[1]: "ll" is not two tokens`},
		{"merge with two spaces", func(j map[string]any) { model(j)["merges"].([]any)[1] = "l l l" }, "model.merges[1]"},
		{"merge unknown token", func(j map[string]any) { model(j)["merges"].([]any)[2] = "he zz" }, `model.merges[2]: token "zz" is not in model.vocab`},
		{"merge result unknown", func(j map[string]any) { model(j)["merges"].([]any)[3] = "o o" }, `model.merges[3]: merged token "oo" is not in model.vocab`},
		{"merge array length", func(j map[string]any) { model(j)["merges"] = []any{[]any{"h", "e", "l"}} }, "model.merges[0]: has 3 tokens, want 2"},
		{"merge element type", func(j map[string]any) { model(j)["merges"].([]any)[4] = 7 }, "model.merges[4]: is 7"},
		{"merges mixed", func(j map[string]any) { model(j)["merges"].([]any)[0] = []any{"h", "e"} }, "model.merges: mixes"},
		{"merges missing", func(j map[string]any) { delete(model(j), "merges") }, "model.merges: missing"},
		{"added lstrip", func(j map[string]any) { j["added_tokens"].([]any)[1].(map[string]any)["lstrip"] = true }, "added_tokens[1].lstrip: true is not supported"},
		{"added rstrip", func(j map[string]any) { j["added_tokens"].([]any)[1].(map[string]any)["rstrip"] = true }, "added_tokens[1].rstrip"},
		{"added single_word", func(j map[string]any) { j["added_tokens"].([]any)[0].(map[string]any)["single_word"] = true }, "added_tokens[0].single_word"},
		{"added id missing", func(j map[string]any) { delete(j["added_tokens"].([]any)[0].(map[string]any), "id") }, "added_tokens[0].id: missing"},
		{"added content empty", func(j map[string]any) { j["added_tokens"].([]any)[0].(map[string]any)["content"] = "" }, "added_tokens[0].content"},
		{"added id taken", func(j map[string]any) { j["added_tokens"].([]any)[0].(map[string]any)["id"] = 5 }, `added_tokens[0].id: 5 is already model.vocab's id`},
		{"added content in vocab", func(j map[string]any) { j["added_tokens"].([]any)[0].(map[string]any)["content"] = "he" }, `model.vocab gives "he" the id 256`},
		{"added duplicate", func(j map[string]any) { j["added_tokens"].([]any)[1].(map[string]any)["content"] = "<|endoftext|>" }, "added_tokens[1].content: \"<|endoftext|>\" appears twice"},
		{"added type", func(j map[string]any) { j["added_tokens"] = map[string]any{} }, "added_tokens: JSON object"},
	}
	for _, c := range cases {
		j := tinyJSON(false)
		c.edit(j)
		_, err := Parse(tinyBytes(t, j))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.field)
		}
	}
	if _, err := Parse([]byte(`{"model": `)); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("truncated JSON: err = %v", err)
	}
	if _, err := Parse([]byte(`[1]`)); err == nil {
		t.Error("a JSON array parsed as a tokenizer")
	}
}

// TestLoadNamesFile checks that Load's errors start with the path.
func TestLoadNamesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.json")
	j := tinyJSON(false)
	j["model"].(map[string]any)["merges"].([]any)[1] = "ll"
	if err := os.WriteFile(path, tinyBytes(t, j), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": model.merges[1]: ") {
		t.Errorf("Load error = %v, want it to start with %q", err, path+": model.merges[1]: ")
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("Load of a missing file gave no error")
	}
}
