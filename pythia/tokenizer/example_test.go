package tokenizer_test

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/daalab/daa/pythia/tokenizer"
)

// byteSymbols returns GPT-2's byte-level alphabet (bytes_to_unicode in
// openai/gpt-2 encoder.py): printable Latin-1 bytes stand for themselves,
// the other bytes, in order, for U+0100, U+0101, ... (the space is "Ġ").
func byteSymbols() [256]string {
	var s [256]string
	n := 0
	for b := range 256 {
		if ('!' <= b && b <= '~') || ('¡' <= b && b <= '¬') || ('®' <= b && b <= 'ÿ') {
			s[b] = string(rune(b))
		} else {
			s[b] = string(rune(256 + n))
			n++
		}
	}
	return s
}

// writeTinyTokenizer writes a tokenizer.json in the format of Pythia's
// (byte-level BPE, NFC) with the 256 byte tokens as ids 0..255, five merges
// (ids 256..260) and the end-of-document token (261). Pythia's has 50254
// vocabulary entries and 50009 merges; Load reads both alike.
func writeTinyTokenizer(path string) error {
	sym := byteSymbols()
	vocab := map[string]int{}
	for b, s := range sym {
		vocab[s] = b
	}
	merges := []string{"h e", "l l", "he ll", "hell o", "Ġ w"} // -> he, ll, hell, hello, Ġw
	for i, m := range []string{"he", "ll", "hell", "hello", "Ġw"} {
		vocab[m] = 256 + i
	}
	byteLevel := map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}
	data, err := json.Marshal(map[string]any{
		"version": "1.0", "truncation": nil, "padding": nil,
		"added_tokens": []any{map[string]any{"id": 261, "content": "<|endoftext|>", "special": true,
			"single_word": false, "lstrip": false, "rstrip": false, "normalized": false}},
		"normalizer":     map[string]any{"type": "NFC"},
		"pre_tokenizer":  byteLevel,
		"post_processor": byteLevel,
		"decoder":        byteLevel,
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "vocab": vocab, "merges": merges},
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Encode text and decode it back, with a tiny tokenizer.json written to a
// temporary directory. For a Pythia model, Load the tokenizer.json of its
// directory (hub.Download, or ../shared/pythia): there "Hello world" is
// [12092 1533].
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "tokenizer-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tokenizer.json")
	if err := writeTinyTokenizer(path); err != nil {
		log.Fatal(err)
	}

	tok, err := tokenizer.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	// "hello" merges into one token (259); the pre-token " world" is
	// "Ġworld": Ġw (260), then the bytes o, r, l, d (111, 114, 108, 100).
	ids := tok.Encode("hello world")
	fmt.Println(ids)
	eos, _ := tok.EOS()
	ids = append(ids, eos) // end of document
	text, err := tok.Decode(ids)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", text)
	// Output:
	// [259 260 111 114 108 100]
	// "hello world<|endoftext|>"
}
