package tokenizer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// splitPieces cuts s with pieceEnd.
func splitPieces(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		end := pieceEnd(s, i)
		out = append(out, s[i:end])
		i = end
	}
	return out
}

// TestSplitPattern checks the hand-written scanner against the GPT-2
// pattern's matches. The expected pieces were written by hand from the
// pattern and confirmed with Hugging Face's ByteLevel pre-tokenizer
// (tokenizers 0.22.2, byte_level(add_prefix_space=false, use_regex=true)
// .pre_tokenize_str, whose byte-level output was mapped back to text).
// Pieces are joined with "|" below.
func TestSplitPattern(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"empty", "", ""},
		{"words", "Hello world", "Hello| world"},
		{"contractions", "it's we'll they're I've I'm he'd don't", "it|'s| we|'ll| they|'re| I|'ve| I|'m| he|'d| don|'t"},
		{"contractions are case-sensitive", "x'Sam I'M WE'LL", "x|'|Sam| I|'|M| WE|'|LL"},
		{"apostrophe runs", "''s 'x ' s", "''|s| '|x| '| s"},
		{"partial contractions", "'r 'v 'l 'lx", "'|r| '|v| '|l| '|lx"},
		{"right single quote is not an apostrophe", "it\u2019s", "it|\u2019|s"},
		{"digits", "3 33 333 a1 1a v1.2", "3| 33| 333| a|1| 1|a| v|1|.|2"},
		{"unicode digits", "\u0663\u0664 \u00bd\u00b2 \u216b", "\u0663\u0664| \u00bd\u00b2| \u216b"},
		{"punctuation", "Hello, world!! (x)", "Hello|,| world|!!| (|x|)"},
		{"two spaces before a word", "a  b", "a| | b"},
		{"many spaces", "a    b", "a|   | b"},
		{"trailing spaces", "a   ", "a|   "},
		{"only spaces", "   ", "   "},
		{"leading spaces", "  a", " | a"},
		{"tab before word", "a\tb", "a|\t|b"},
		{"space then tab", "a \tb", "a| |\t|b"},
		{"tab then space", "a\t b", "a|\t| b"},
		{"newlines", "a\n\nb\n", "a|\n|\n|b|\n"},
		{"space newline space", "a \n b", "a| \n| b"},
		{"crlf", "a\r\nb", "a|\r|\n|b"},
		{"space before punctuation", "a ?! b", "a| ?!| b"},
		{"space before digits", "x 42", "x| 42"},
		{"no-break space is whitespace", "a\u00a0b a \u00a0b", "a|\u00a0|b| a| |\u00a0|b"},
		{"ideographic space", "\u3000\u3000x", "\u3000|\u3000|x"},
		{"zero width space is not whitespace", "a\u200bb", "a|\u200b|b"},
		{"letters of other scripts", "\u0436\u0438\u0437\u043d\u044c \u4e2d\u6587", "\u0436\u0438\u0437\u043d\u044c| \u4e2d\u6587"},
		{"combining marks are not letters", "cafe\u0301 \u0915\u094d\u0937\u093f", "cafe|\u0301| \u0915|\u094d|\u0937|\u093f"},
		{"emoji", "I \U0001f999 it \U0001f636\u200d\U0001f32b\ufe0f!", "I| \U0001f999| it| \U0001f636\u200d\U0001f32b\ufe0f!"},
		{"underscore is punctuation", "snake_case", "snake|_|case"},
	}
	for _, c := range cases {
		var want []string
		if c.want != "" {
			want = strings.Split(c.want, "|")
		}
		assert.Equal(t, want, splitPieces(c.text), "%s: split(%+q)", c.name, c.text)
	}
}
