package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err)
		for _, c := range cases {
			assert.Equal(t, c.want, tok.Encode(c.text), "arrays=%v: Encode(%q)", arrays, c.text)
			back, err := tok.Decode(c.want)
			if assert.NoError(t, err, "Decode(%v)", c.want) {
				assert.Equal(t, c.text, back, "Decode(%v)", c.want)
			}
		}
	}
}

// TestTinyOptions checks the options that change ids, on hand-worked cases.
func TestTinyOptions(t *testing.T) {
	prefix := tinyTokenizer(t, setPreTokenizer("add_prefix_space", true))
	assert.Equal(t, []int{32, 259}, prefix.Encode("hello"), "add_prefix_space: Encode(hello)")
	assert.Equal(t, []int{260, 261, 260}, prefix.Encode("w<|endoftext|>w"), "add_prefix_space: every stretch between added tokens gets the space")
	noRegex := tinyTokenizer(t, setPreTokenizer("use_regex", false))
	assert.Equal(t, []int{256, 33, 257}, noRegex.Encode("he!ll"), "use_regex=false: Encode(he!ll)")
	// ignore_merges: a piece that is a vocabulary entry is taken whole, even
	// when the merges would not build it ("wx" has no merge).
	ignore := tinyTokenizer(t, func(j map[string]any) {
		m := j["model"].(map[string]any)
		m["ignore_merges"] = true
		m["vocab"].(map[string]any)["wx"] = 263
	})
	assert.Equal(t, []int{263, 32, 259}, ignore.Encode("wx hello"), "ignore_merges: Encode(wx hello)")
	// Without a normalizer, a decomposed é stays decomposed.
	raw := tinyTokenizer(t, func(j map[string]any) { j["normalizer"] = nil })
	assert.Len(t, raw.Encode("e\u0301"), 3, "normalizer null: ids for e+U+0301")
	// Post-processors that add special tokens only on request leave Encode alone.
	template := tinyTokenizer(t, func(j map[string]any) {
		j["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{j["post_processor"],
			map[string]any{"type": "TemplateProcessing", "single": []any{map[string]any{"SpecialToken": map[string]any{"id": "<|endoftext|>", "type_id": 0}}}}}}
	})
	assert.Equal(t, []int{259}, template.Encode("hello"), "post_processor TemplateProcessing: Encode(hello)")
	nfc := tinyTokenizer(t, func(j map[string]any) {
		j["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{map[string]any{"type": "NFC"}}}
	})
	assert.Equal(t, []int{0xC3, 0xA9}, nfc.Encode("e\u0301"), "normalizer Sequence[NFC]: Encode(e+U+0301), want the bytes of é")
}

// TestTinyAccessors checks the lookups on the tiny tokenizer.
func TestTinyAccessors(t *testing.T) {
	tok := tinyTokenizer(t, nil)
	assert.Equal(t, 263, tok.VocabSize())
	id, ok := tok.TokenID("Ġw")
	assert.True(t, ok, `TokenID("Ġw") found`)
	assert.Equal(t, 260, id, `TokenID("Ġw")`)
	id, ok = tok.EOS()
	assert.True(t, ok, "EOS() found")
	assert.Equal(t, 261, id, "EOS()")
	_, ok = tok.Pad()
	assert.False(t, ok, "Pad() found a token the file does not have")
	s, ok := tok.Token(262)
	assert.True(t, ok, "Token(262) found")
	assert.Equal(t, "  ", s, "Token(262)")
	_, ok = tok.Token(263)
	assert.False(t, ok, "Token(263) found an id past the vocabulary")
	_, err := tok.Decode([]int{259, 263})
	assert.ErrorContains(t, err, "ids[1] = 263", "Decode of an unknown id")
	_, err = tok.Decode([]int{-1})
	assert.Error(t, err, "Decode of id -1")
	added := tok.AddedTokens()
	if assert.Len(t, added, 2, "AddedTokens()") {
		assert.Equal(t, AddedToken{ID: 261, Content: "<|endoftext|>", Special: true}, added[0], "AddedTokens()[0]")
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
		assert.ErrorContains(t, err, c.field, c.name)
	}
	_, err := Parse([]byte(`{"model": `))
	assert.ErrorContains(t, err, "invalid JSON", "truncated JSON")
	_, err = Parse([]byte(`[1]`))
	assert.Error(t, err, "a JSON array parsed as a tokenizer")
}

// TestLoadNamesFile checks that Load's errors start with the path.
func TestLoadNamesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.json")
	j := tinyJSON(false)
	j["model"].(map[string]any)["merges"].([]any)[1] = "ll"
	require.NoError(t, os.WriteFile(path, tinyBytes(t, j), 0o644))
	_, err := Load(path)
	if assert.Error(t, err) {
		assert.True(t, strings.HasPrefix(err.Error(), path+": model.merges[1]: "), "Load error %q should start with %q", err, path+": model.merges[1]: ")
	}
	_, err = Load(filepath.Join(dir, "missing.json"))
	assert.Error(t, err, "Load of a missing file")
}
