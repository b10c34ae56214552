package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The GPT-2 pre-tokenizer: Hugging Face's ByteLevel pre-tokenizer splits
// text with the case-sensitive pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// keeping every match as a piece. Go's regexp has no lookahead, so pieceEnd
// is that pattern written out by hand. Every rune falls into exactly one of
// four classes, which is why the pattern always matches and the pieces
// cover the text:
//
//	letter  \p{L}  (unicode.IsLetter: Lu Ll Lt Lm Lo)
//	number  \p{N}  (unicode.IsNumber: Nd Nl No)
//	space   \s     (unicode.IsSpace: the Unicode White_Space property, which
//	               is what Oniguruma's \s matches for UTF-8)
//	other   everything else, marks (Mn Mc Me) included (and invalid UTF-8
//	        bytes, which Encode replaces before splitting).

const (
	classOther uint8 = iota
	classLetter
	classNumber
	classSpace
)

// asciiClass is the class of every ASCII byte.
var asciiClass [utf8.RuneSelf]uint8

func init() {
	for c := rune(0); c < utf8.RuneSelf; c++ {
		asciiClass[c] = runeClass(c)
	}
}

// runeClass is the class of one rune.
func runeClass(r rune) uint8 {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

// classAt returns the class of the rune starting at s[i] and its width in
// bytes. An invalid UTF-8 byte is class other with width 1.
func classAt(s string, i int) (class uint8, size int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return classOther, 1
	}
	return runeClass(r), size
}

// runEnd returns the end of the run of runes of the given class starting at
// s[i].
func runEnd(s string, i int, class uint8) int {
	for i < len(s) {
		c, size := classAt(s, i)
		if c != class {
			break
		}
		i += size
	}
	return i
}

// pieceEnd returns the end of the pre-tokenizer piece that starts at s[i]
// (i < len(s)). Alternatives are tried in the pattern's order; the first
// that matches wins, as in a backtracking regex engine.
func pieceEnd(s string, i int) int {
	c := s[i]
	// 's|'t|'re|'ve|'m|'ll|'d  (ASCII apostrophe, lower case only)
	if c == '\'' && i+1 < len(s) {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < len(s) && s[i+2] == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < len(s) && s[i+2] == 'l' {
				return i + 3
			}
		}
	}
	// " ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+" with the optional space taken.
	if c == ' ' && i+1 < len(s) {
		if next, size := classAt(s, i+1); next != classSpace {
			return runEnd(s, i+1+size, next)
		}
	}
	// The same three without the space.
	class, size := classAt(s, i)
	if class != classSpace {
		return runEnd(s, i+size, class)
	}
	// "\s+(?!\S)|\s+": take the whole whitespace run if it ends the text;
	// if a non-space follows, leave the run's last rune to start the next
	// piece (so " word" keeps its space), unless the run is that one rune.
	last, end := i, i+size
	for end < len(s) {
		c, size := classAt(s, end)
		if c != classSpace {
			break
		}
		last, end = end, end+size
	}
	if end == len(s) || last == i {
		return end
	}
	return last
}
