package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// randomText returns a string of up to n runes drawn from a mix of ASCII,
// spaces of every kind, combining marks, letters of many scripts, emoji,
// special-token fragments and arbitrary code points.
func randomText(r *rand.Rand, n int) string {
	pools := []string{
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		"      \t\n\r\v\f\u0085\u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u200b",
		".,;:!?'\"()[]{}<>|-_/\\@#$%^&*+=~`'''",
		"\u0300\u0301\u0308\u0323\u0338\u093f\u094d\u0e31\u20dd\u200d\ufe0f",
		"éßΣжзнь中文日本語한국어\u1112\u1161\u11abकषि\u0e20\u05e2\u0639\ufb01\u212b\u2126\u212a",
		"\u0663\uff13\u00b2\u00bd\u216b\U0001d7d9",
		"\U0001f999\U0001f680\U0001f636\U0001f32b\u2705\U0001f44d\U0001f3fd\U0001f1fa\U0001f1f8",
	}
	var b strings.Builder
	for range r.IntN(n + 1) {
		switch k := r.IntN(10); {
		case k < 7:
			p := []rune(pools[k])
			b.WriteRune(p[r.IntN(len(p))])
		case k == 7:
			b.WriteString([]string{"<|endoftext|>", "<|padding|>", "<|", "'s", "'S", "'ll"}[r.IntN(6)])
		case k == 8:
			b.WriteString(strings.Repeat(" ", 1+r.IntN(30)))
		default:
			c := rune(r.IntN(0x110000))
			if !utf8.ValidRune(c) {
				c = 0xfffd
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}

// TestRoundTripRandom checks Decode(Encode(x)) == x normalized as Hugging
// Face does (NFC between the special tokens) on 3000 random strings, and
// that Encode is deterministic with a warm cache and matches EncodeBatch.
// Exact string equality.
func TestRoundTripRandom(t *testing.T) {
	tok := loadNeoX(t)
	r := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 3000)
	for i := range texts {
		texts[i] = randomText(r, 40)
	}
	batch := tok.EncodeBatch(texts)
	for i, x := range texts {
		ids := checkRoundTrip(t, tok, x)
		require.Equal(t, idsOf(ids), idsOf(batch[i]), "EncodeBatch vs Encode(%+q)", x)
	}
}

// checkRoundTrip fails t unless Encode(x) gives ids inside the vocabulary
// and Decode gives back x as Encode documents it: invalid bytes replaced as
// string([]rune(x)) does, then NFC between the special tokens. It returns
// the ids.
func checkRoundTrip(t *testing.T, tok *Tokenizer, x string) []int {
	t.Helper()
	ids := tok.Encode(x)
	for _, id := range ids {
		if id < 0 || id >= tok.VocabSize() {
			require.Failf(t, "id outside the vocabulary", "Encode(%+q) gave id %d outside [0, %d)", x, id, tok.VocabSize())
		}
	}
	back, err := tok.Decode(ids)
	require.NoError(t, err)
	require.Equal(t, nfcAroundSpecials(string([]rune(x))), back, "Decode(Encode(%+q))", x)
	return ids
}

// TestInvalidUTF8 checks the documented handling of invalid UTF-8: each
// invalid byte becomes U+FFFD, as string([]rune(x)) does, and the result
// round-trips.
func TestInvalidUTF8(t *testing.T) {
	tok := loadNeoX(t)
	cases := []string{"\xff", "a\xffb", "\xe2\x82", "caf\xc3", "\xc0\xaf", "e\xcc", "\xed\xa0\x80", "ok \xf5\xf6 done", "<|endoftext|>\xff"}
	for _, x := range cases {
		ids := tok.Encode(x)
		want := string([]rune(x))
		assert.Equal(t, idsOf(tok.Encode(want)), idsOf(ids), "Encode(%+q) vs Encode(%+q)", x, want)
		back, err := tok.Decode(ids)
		if assert.NoError(t, err, "Decode(Encode(%+q))", x) {
			assert.Equal(t, norm.NFC.String(want), back, "Decode(Encode(%+q))", x)
		}
	}
}

// TestDecodeBytes checks that Decode returns raw bytes, so decoding a
// sequence in pieces and joining equals decoding it whole even when a
// piece ends inside a UTF-8 sequence ("🦙" is 4 byte tokens here).
func TestDecodeBytes(t *testing.T) {
	tok := loadNeoX(t)
	ids := tok.Encode(" this is \U0001f999.cpp")
	whole, err := tok.Decode(ids)
	require.NoError(t, err)
	var joined string
	for _, id := range ids {
		s, err := tok.Decode([]int{id})
		require.NoError(t, err)
		joined += s
	}
	assert.Equal(t, " this is \U0001f999.cpp", whole, "whole decode")
	assert.Equal(t, whole, joined, "piecewise decode")
}
