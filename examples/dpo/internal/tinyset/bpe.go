package tinyset

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// byteChar maps each byte to the character that stands for it in a
// byte-level BPE vocabulary (GPT-2's bytes_to_unicode): printable Latin-1
// bytes are themselves, the others 256, 257, ... in byte order (so the
// space is "Ġ").
var byteChar = func() [256]rune {
	var m [256]rune
	n := 0
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}()

// pieces splits text as GPT-2's pre-tokenizer pattern
// 's|'t|... | ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ does, without
// the contractions: an optional single space followed by a run of letters,
// of digits or of other non-space characters; a run of white space keeps
// its last space for the following run.
func pieces(text string) []string {
	class := func(r rune) int {
		switch {
		case unicode.IsLetter(r):
			return 1
		case unicode.IsNumber(r):
			return 2
		case unicode.IsSpace(r):
			return 3
		}
		return 4
	}
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if class(rs[i]) == 3 {
			j := i
			for j < len(rs) && class(rs[j]) == 3 {
				j++
			}
			switch {
			case j < len(rs) && j-i > 1: // \s+(?!\S): all but the last
				out = append(out, string(rs[i:j-1]))
				i = j - 1
				continue
			case j == len(rs) || rs[i] != ' ': // trailing white space, or one non-space blank
				out = append(out, string(rs[i:j]))
				i = j
				continue
			}
			// a single space before a run: it joins the run
		}
		j := i
		if rs[j] == ' ' {
			j++
		}
		c := class(rs[j])
		for j < len(rs) && class(rs[j]) == c {
			j++
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

// tokenizerJSON learns up to merges BPE merges from corpus and returns a
// Hugging Face tokenizer.json: the 256 byte tokens (ids 0..255 in byte
// order), one token per merge (ids 256...), then <|endoftext|> and
// <|padding|> as special added tokens; NFC normalizer and ByteLevel
// pre-tokenizer, post-processor and decoder, as GPT-NeoX's file has. It
// also returns the vocabulary size.
//
// Learning: the corpus is split into pieces, each written in byte
// characters and counted; the most frequent adjacent pair of symbols (ties
// broken by the smaller "a b") is merged everywhere, until merges merges or
// no pair occurs twice.
func tokenizerJSON(corpus []string, merges int) ([]byte, int, error) {
	counts := map[string]int{}
	for _, text := range corpus {
		for _, p := range pieces(text) {
			var sb strings.Builder
			for _, b := range []byte(p) {
				sb.WriteRune(byteChar[b])
			}
			counts[sb.String()]++
		}
	}
	type word struct {
		syms  []string
		count int
	}
	words := make([]word, 0, len(counts))
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		var syms []string
		for _, r := range w {
			syms = append(syms, string(r))
		}
		words = append(words, word{syms, counts[w]})
	}
	vocab := map[string]int{}
	for b := range 256 {
		vocab[string(byteChar[b])] = b
	}
	var learned []string
	for len(learned) < merges {
		pairs := map[string]int{}
		for _, w := range words {
			for i := 0; i+1 < len(w.syms); i++ {
				pairs[w.syms[i]+" "+w.syms[i+1]] += w.count
			}
		}
		best, bestCount := "", 1
		for _, p := range slices.Sorted(maps.Keys(pairs)) {
			if pairs[p] > bestCount {
				best, bestCount = p, pairs[p]
			}
		}
		if best == "" {
			break
		}
		a, b, _ := strings.Cut(best, " ")
		for k := range words {
			words[k].syms = mergePair(words[k].syms, a, b)
		}
		vocab[a+b] = 256 + len(learned)
		learned = append(learned, best)
	}
	n := 256 + len(learned)
	added := func(id int, content string) map[string]any {
		return map[string]any{"id": id, "content": content, "special": true, "single_word": false,
			"lstrip": false, "rstrip": false, "normalized": false}
	}
	byteLevel := map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}
	doc := map[string]any{
		"version":        "1.0",
		"truncation":     nil,
		"padding":        nil,
		"added_tokens":   []any{added(n, "<|endoftext|>"), added(n+1, "<|padding|>")},
		"normalizer":     map[string]any{"type": "NFC"},
		"pre_tokenizer":  byteLevel,
		"post_processor": byteLevel,
		"decoder":        byteLevel,
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "vocab": vocab, "merges": learned},
	}
	data, err := json.MarshalIndent(doc, "", " ")
	return data, n + 2, err
}

// mergePair replaces every adjacent a, b in syms by a+b.
func mergePair(syms []string, a, b string) []string {
	out := syms[:0:0]
	for i := 0; i < len(syms); i++ {
		if i+1 < len(syms) && syms[i] == a && syms[i+1] == b {
			out = append(out, a+b)
			i++
			continue
		}
		out = append(out, syms[i])
	}
	return out
}
