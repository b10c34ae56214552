package tokenizer

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// A hand-made tokenizer.json small enough to reason about: the 256
// byte-level tokens with ids 0..255 in byte order, five merges and two
// added tokens. Its ids are worked out by hand in TestTinyEncode.
//
//	rank 0: "h e"    -> "he"    id 256
//	rank 1: "l l"    -> "ll"    id 257
//	rank 2: "he ll"  -> "hell"  id 258
//	rank 3: "hell o" -> "hello" id 259
//	rank 4: "Ġ w"    -> "Ġw"    id 260
//	added: "<|endoftext|>" id 261 (special, normalized=false),
//	       "  " (two spaces) id 262 (normalized=true)
var tinyMerges = [][2]string{{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"}}

// tinyJSON returns the tiny tokenizer as decoded JSON, with merges as
// "a b" strings or, with arrayMerges, as ["a", "b"] pairs.
func tinyJSON(arrayMerges bool) map[string]any {
	vocab := map[string]any{}
	for b := 0; b < 256; b++ {
		vocab[string(byteRune[b])] = b
	}
	merges := []any{}
	for i, m := range tinyMerges {
		vocab[m[0]+m[1]] = 256 + i
		if arrayMerges {
			merges = append(merges, []any{m[0], m[1]})
		} else {
			merges = append(merges, m[0]+" "+m[1])
		}
	}
	added := func(id int, content string, special, normalized bool) map[string]any {
		return map[string]any{"id": id, "content": content, "special": special, "single_word": false,
			"lstrip": false, "rstrip": false, "normalized": normalized}
	}
	byteLevel := map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}
	return map[string]any{
		"version":    "1.0",
		"truncation": nil,
		"padding":    nil,
		"added_tokens": []any{
			added(261, "<|endoftext|>", true, false),
			added(262, "  ", false, true),
		},
		"normalizer":     map[string]any{"type": "NFC"},
		"pre_tokenizer":  byteLevel,
		"post_processor": map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "vocab": vocab, "merges": merges},
	}
}

// tinyBytes marshals a tiny tokenizer JSON.
func tinyBytes(tb testing.TB, j map[string]any) []byte {
	tb.Helper()
	data, err := json.Marshal(j)
	require.NoError(tb, err)
	return data
}

// tinyTokenizer parses the tiny tokenizer after applying edit (may be nil).
func tinyTokenizer(tb testing.TB, edit func(map[string]any)) *Tokenizer {
	tb.Helper()
	j := tinyJSON(false)
	if edit != nil {
		edit(j)
	}
	tok, err := Parse(tinyBytes(tb, j))
	require.NoError(tb, err)
	return tok
}
