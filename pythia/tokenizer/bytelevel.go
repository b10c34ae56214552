package tokenizer

// Byte-level alphabet of GPT-2 (bytes_to_unicode in openai/gpt-2 encoder.py,
// the same table Hugging Face's ByteLevel pre-tokenizer and decoder use).
// Every byte maps to one printable rune so that BPE never sees whitespace or
// control characters:
//
//	bytes 0x21..0x7E, 0xA1..0xAC, 0xAE..0xFF  map to the rune of the same value;
//	the other 68 bytes (0x00..0x20, 0x7F..0xA0, 0xAD) map, in increasing
//	order, to U+0100, U+0101, ... U+0143.
//
// So ' ' (0x20) is 'Ġ' (U+0120) and '\n' (0x0A) is 'Ċ' (U+010A).

// byteRune[b] is the rune byte b stands for in vocabulary tokens.
var byteRune [256]rune

// runeByte[r] is the byte that rune r < len(runeByte) stands for, or -1.
var runeByte [0x144]int16

func init() {
	for i := range runeByte {
		runeByte[i] = -1
	}
	next := rune(0x100)
	for b := 0; b < 256; b++ {
		if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE {
			byteRune[b] = rune(b)
		} else {
			byteRune[b] = next
			next++
		}
		runeByte[byteRune[b]] = int16(b)
	}
}

// byteLevelDecode returns the bytes a token stands for, following Hugging
// Face's ByteLevel decoder: every rune of the token is mapped back to its
// byte; if any rune is outside the byte-level alphabet (added tokens such as
// a run of spaces), the token's own UTF-8 bytes are used unchanged.
func byteLevelDecode(token string) string {
	out := make([]byte, 0, len(token))
	for _, r := range token {
		if r < 0 || int(r) >= len(runeByte) || runeByte[r] < 0 {
			return token
		}
		out = append(out, byte(runeByte[r]))
	}
	return string(out)
}

// byteLevelEncode returns s with every byte replaced by its byte-level rune
// (the form tokens take in tokenizer.json's vocab and merges).
func byteLevelEncode(s string) string {
	out := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = byteRune[s[i]]
	}
	return string(out)
}

// neverInUTF8 reports whether byte b never occurs in valid UTF-8.
func neverInUTF8(b byte) bool { return b == 0xC0 || b == 0xC1 || b >= 0xF5 }
