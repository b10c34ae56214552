package tokenizer

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzEncodeDecode checks on arbitrary bytes that Encode never panics,
// gives ids inside the vocabulary, and that Decode(Encode(x)) is x as
// Encode documents it: invalid bytes replaced as string([]rune(x)) does,
// then NFC between the special tokens. It uses the GPT-NeoX tokenizer when
// the shared data is present, else the tiny hand-made one.
func FuzzEncodeDecode(f *testing.F) {
	for _, s := range []string{"", "Hello world", "  Hello", "x'Sam I'M", "a \t\n b   ", "cafe\u0301", "\U0001f636\u200d\U0001f32b\ufe0f",
		"<|endoftext|>\u0338", "33333333", "\xff\xfe", "\u0915\u094d\u0937\u093f", "                          x"} {
		f.Add(s)
	}
	var tok *Tokenizer
	f.Fuzz(func(t *testing.T, x string) {
		if tok == nil {
			tok = fuzzTokenizer(t)
		}
		checkRoundTrip(t, tok, x)
	})
}

// fuzzTokenizer is the shared GPT-NeoX tokenizer, or the tiny one when the
// shared data is absent (never skipping, so the fuzzer always runs).
func fuzzTokenizer(t *testing.T) *Tokenizer {
	if _, ok := sharedTokenizerPath(); ok {
		return loadNeoX(t)
	}
	tok := tinyTokenizer(t, func(j map[string]any) {
		// The special tokens of GPT-NeoX, so that nfcAroundSpecials applies.
		special := func(id int, content string) map[string]any {
			return map[string]any{"id": id, "content": content, "special": true,
				"single_word": false, "lstrip": false, "rstrip": false, "normalized": false}
		}
		j["added_tokens"] = []any{special(261, "<|endoftext|>"), special(262, "<|padding|>")}
	})
	return tok
}

// FuzzParse feeds arbitrary bytes to Parse: it must return a tokenizer or
// an error, never panic, and a tokenizer it returns must encode and decode.
// Seeded with the tiny hand-made tokenizer.json in both merge forms and a
// few broken variants.
func FuzzParse(f *testing.F) {
	for _, arrays := range []bool{false, true} {
		data, err := json.Marshal(tinyJSON(arrays))
		require.NoError(f, err)
		f.Add(data)
	}
	broken := tinyJSON(false)
	broken["model"].(map[string]any)["merges"] = []any{"h e", []any{"l", "l"}, 3}
	data, _ := json.Marshal(broken)
	f.Add(data)
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false},"decoder":{"type":"ByteLevel"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"added_tokens":[{"id":1e9,"content":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := Parse(data)
		if err != nil {
			return
		}
		ids := tok.Encode("hello  world <|endoftext|> \u00e9\U0001f999")
		_, err = tok.Decode(ids)
		require.NoError(t, err, "a parsed tokenizer cannot decode its own ids %v", ids)
	})
}
