package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// englishLikeText returns about size bytes of deterministic English-like
// prose generated from the tokenizer's own vocabulary: the words are the
// "Ġ" + lower-case tokens among the 12,000 lowest ids (low ids are the
// early, frequent merges), drawn with a Zipf-like skew, in sentences of
// 4..24 words with capitals, commas, numbers and paragraph breaks; one word
// in eight is glued to another so that BPE has real work to do.
func englishLikeText(tok *Tokenizer, size int) string {
	var words []string
	for id := 0; id < 12000 && id < tok.VocabSize(); id++ {
		s, _ := tok.Token(id)
		w, ok := strings.CutPrefix(s, "Ġ")
		if ok && len(w) >= 2 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
			words = append(words, w)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	word := func() string {
		u := r.Float64()
		return words[int(u*u*float64(len(words)))]
	}
	var b strings.Builder
	for b.Len() < size {
		n := 4 + r.IntN(21)
		for i := range n {
			w := word()
			if r.IntN(8) == 0 {
				w += word()
			}
			switch {
			case i == 0:
				w = strings.ToUpper(w[:1]) + w[1:]
			case r.IntN(40) == 0:
				w = []string{"1999", "42", "3.5", "2,000", "(see", "\"it"}[r.IntN(6)]
			}
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			if i < n-1 && r.IntN(12) == 0 {
				b.WriteByte(',')
			}
		}
		b.WriteString([]string{".", ".", ".", "?", "!"}[r.IntN(5)])
		if r.IntN(6) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// benchSetup loads the tokenizer, makes 400 KB of English-like text and
// sets b's byte count to it.
func benchSetup(b *testing.B) (*Tokenizer, string) {
	tok := loadNeoX(b)
	text := englishLikeText(tok, 400<<10)
	b.SetBytes(int64(len(text)))
	return tok, text
}

// BenchmarkEncode encodes 400 KB of English-like text with a warm word
// cache (the steady state of a long run) and reports MB/s of input.
func BenchmarkEncode(b *testing.B) {
	tok, text := benchSetup(b)
	ids := tok.Encode(text)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ids = tok.AppendEncode(ids[:0], text)
	}
	b.ReportMetric(float64(len(ids))*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkEncodeColdCache is BenchmarkEncode with the word cache emptied
// before every pass, so every distinct word is merged by BPE once per pass.
func BenchmarkEncodeColdCache(b *testing.B) {
	tok, text := benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		tok.cache.mu.Lock()
		tok.cache.m = nil
		tok.cache.mu.Unlock()
		tok.Encode(text)
	}
}

// BenchmarkEncodeBatch encodes 100 texts of 4 KB with EncodeBatch (all
// cores) and reports MB/s of input.
func BenchmarkEncodeBatch(b *testing.B) {
	tok, text := benchSetup(b)
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = text[i*4096 : (i+1)*4096]
	}
	b.SetBytes(int64(len(texts) * 4096))
	b.ResetTimer()
	for b.Loop() {
		tok.EncodeBatch(texts)
	}
}

// BenchmarkDecode decodes the ids of 400 KB of English-like text and
// reports MB/s of output.
func BenchmarkDecode(b *testing.B) {
	tok, text := benchSetup(b)
	ids := tok.Encode(text)
	b.ResetTimer()
	for b.Loop() {
		_, err := tok.Decode(ids)
		require.NoError(b, err)
	}
}

// TestEnglishLikeText checks the benchmark text is what it claims: mostly
// words, with spaces, and a token count typical of English (about 4 to 6
// bytes per token).
func TestEnglishLikeText(t *testing.T) {
	tok := loadNeoX(t)
	text := englishLikeText(tok, 100<<10)
	ids := tok.Encode(text)
	perToken := float64(len(text)) / float64(len(ids))
	assert.GreaterOrEqual(t, perToken, 3.5, "bytes per token, want English-like 3.5..6.5; sample %q", text[:200])
	assert.LessOrEqual(t, perToken, 6.5, "bytes per token, want English-like 3.5..6.5; sample %q", text[:200])
	checkRoundTrip(t, tok, text)
}
