package tokenizer

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/internal/regfile"
)

// Tokenizer is a byte-level BPE tokenizer read from a Hugging Face
// tokenizer.json. It is immutable after Parse except for an internal cache,
// and safe for concurrent use.
type Tokenizer struct {
	// Pipeline settings from the file.
	nfc            bool // normalizer: NFC
	addPrefixSpace bool // pre_tokenizer.add_prefix_space
	useRegex       bool // pre_tokenizer.use_regex
	ignoreMerges   bool // model.ignore_merges

	idLimit int64 // ids must be below this while parsing

	vocab   map[string]int32     // model.vocab
	merges  map[uint64]mergeRule // pair of ids -> merge
	byteID  [256]int32           // id of the one-byte token of each byte
	added   []AddedToken         // added_tokens, in file order
	addedID map[string]int32     // added token content -> id

	tokens  []string // id -> token as written in the file ("" = no such id)
	decoded []string // id -> the bytes the token decodes to

	rawAdded  *addedMatcher // added tokens with normalized=false, matched in the input
	normAdded *addedMatcher // added tokens with normalized=true, matched after NFC

	cache wordCache
}

// AddedToken is an entry of tokenizer.json's added_tokens: a string that is
// matched as a whole before pre-tokenization and gets its own id.
type AddedToken struct {
	ID      int
	Content string
	// Special tokens (<|endoftext|>, <|padding|>) mark structure, not text.
	Special bool
	// Normalized tokens are matched in the NFC-normalized text, the others
	// in the input as given.
	Normalized bool
}

// Load reads a tokenizer.json file. Errors start with the path and name the
// offending field, e.g. "tokenizer.json: model.merges[12]: ...".
// A path that is not a regular file (a named pipe, a device) is refused
// without being opened.
func Load(path string) (*Tokenizer, error) {
	if err := regfile.Check(path); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// setToken records tok as the token string of id.
func (t *Tokenizer) setToken(id int32, tok string) {
	for int(id) >= len(t.tokens) {
		t.tokens = append(t.tokens, "")
	}
	t.tokens[id] = tok
}

// token returns the token string of id, or "" when there is none.
func (t *Tokenizer) token(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// finish builds the lookup tables derived from the parsed file.
func (t *Tokenizer) finish() {
	t.decoded = make([]string, len(t.tokens))
	for id, tok := range t.tokens {
		t.decoded[id] = byteLevelDecode(tok)
	}
	t.addedID = make(map[string]int32, len(t.added))
	var rawC, normC []string
	var rawIDs, normIDs []int32
	for _, a := range t.added {
		t.addedID[a.Content] = int32(a.ID)
		if a.Normalized {
			// Hugging Face normalizes the content of normalized tokens.
			c := a.Content
			if t.nfc {
				c = nfcString(c)
			}
			normC, normIDs = append(normC, c), append(normIDs, int32(a.ID))
		} else {
			rawC, rawIDs = append(rawC, a.Content), append(rawIDs, int32(a.ID))
		}
	}
	if len(rawC) > 0 {
		t.rawAdded = newAddedMatcher(rawC, rawIDs)
	}
	if len(normC) > 0 {
		t.normAdded = newAddedMatcher(normC, normIDs)
	}
}

// VocabSize returns one more than the largest token id (50277 for
// GPT-NeoX-20B: 50254 BPE tokens and 23 added runs of spaces). Model
// embedding matrices are often padded beyond it.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// TokenID returns the id of a token written as in tokenizer.json: an added
// token's content ("<|endoftext|>") or a vocabulary entry in byte-level form
// ("ĠHello" for " Hello").
func (t *Tokenizer) TokenID(s string) (int, bool) {
	if id, ok := t.addedID[s]; ok {
		return int(id), true
	}
	id, ok := t.vocab[s]
	return int(id), ok
}

// Token returns the token string of id as written in tokenizer.json (see
// TokenID); ok is false for an id outside the vocabulary.
func (t *Tokenizer) Token(id int) (string, bool) {
	if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" {
		return "", false
	}
	return t.tokens[id], true
}

// AddedTokens returns a copy of the file's added tokens.
func (t *Tokenizer) AddedTokens() []AddedToken {
	return append([]AddedToken(nil), t.added...)
}

// EOS returns the id of "<|endoftext|>" (0 in GPT-NeoX), the token that ends
// a document; ok is false when the file has no such token.
func (t *Tokenizer) EOS() (id int, ok bool) { return t.TokenID("<|endoftext|>") }

// Pad returns the id of "<|padding|>" (1 in GPT-NeoX); ok is false when the
// file has no such token.
func (t *Tokenizer) Pad() (id int, ok bool) { return t.TokenID("<|padding|>") }

// Encode returns the ids of text without special tokens (GPT-NeoX adds no
// BOS or EOS), as Hugging Face's tokenizer.encode(text,
// add_special_tokens=False).ids, so that Decode(Encode(text)) is the NFC
// form of text (NFC applied between special tokens, as Hugging Face does).
//
// Invalid UTF-8 is not an error: Encode first replaces each byte that is not
// part of a valid UTF-8 sequence by U+FFFD, exactly as string([]rune(text))
// does, and encodes the result (Hugging Face only ever sees valid UTF-8, and
// GPT-NeoX has no token for bytes such as 0xFF that valid UTF-8 never uses).
// Then Decode(Encode(text)) is the NFC form of string([]rune(text)).
func (t *Tokenizer) Encode(text string) []int {
	return t.AppendEncode(make([]int, 0, len(text)/4+1), text)
}

// AppendEncode appends the ids of text (as Encode) to dst and returns it.
func (t *Tokenizer) AppendEncode(dst []int, text string) []int {
	if !utf8.ValidString(text) {
		text = string([]rune(text))
	}
	// 1. Added tokens with normalized=false, found in the raw text.
	for pos := 0; pos < len(text); {
		start, end, id := t.rawAdded.next(text, pos)
		if start > pos {
			dst = t.appendNormalized(dst, text[pos:start])
		}
		if id >= 0 {
			dst = append(dst, int(id))
		}
		pos = end
	}
	return dst
}

// appendNormalized encodes a stretch of text between raw added tokens:
// 2. NFC, 3. added tokens with normalized=true, 4. pre-tokenization and BPE.
func (t *Tokenizer) appendNormalized(dst []int, seg string) []int {
	if t.nfc {
		seg = nfcString(seg)
	}
	for pos := 0; pos < len(seg); {
		start, end, id := t.normAdded.next(seg, pos)
		if start > pos {
			dst = t.appendPreTokenized(dst, seg[pos:start])
		}
		if id >= 0 {
			dst = append(dst, int(id))
		}
		pos = end
	}
	return dst
}

// appendPreTokenized splits s (non-empty, free of added tokens) into
// pieces with the GPT-2 pattern and appends each piece's BPE ids.
func (t *Tokenizer) appendPreTokenized(dst []int, s string) []int {
	if t.addPrefixSpace && s[0] != ' ' {
		s = " " + s
	}
	if !t.useRegex {
		return t.appendWord(dst, s)
	}
	for i := 0; i < len(s); {
		end := pieceEnd(s, i)
		dst = t.appendWord(dst, s[i:end])
		i = end
	}
	return dst
}

// appendWord appends the BPE ids of one pre-tokenizer piece.
func (t *Tokenizer) appendWord(dst []int, word string) []int {
	ids, ok := t.cache.get(word)
	if !ok {
		ids = t.encodeWord(word)
		t.cache.put(word, ids)
	}
	for _, id := range ids {
		dst = append(dst, int(id))
	}
	return dst
}

// encodeWord returns the BPE ids of one piece. With model.ignore_merges a
// piece that is itself a vocabulary entry is that entry.
func (t *Tokenizer) encodeWord(word string) []int32 {
	if t.ignoreMerges {
		if id, ok := t.vocab[byteLevelEncode(word)]; ok {
			return []int32{id}
		}
	}
	return t.bpe(make([]int32, 0, 4), word)
}

// EncodeBatch encodes every text (as Encode), in parallel; out[i] holds the
// ids of texts[i].
func (t *Tokenizer) EncodeBatch(texts []string) [][]int {
	out := make([][]int, len(texts))
	parallel.For(len(texts), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = t.Encode(texts[i])
		}
	})
	return out
}

// Decode returns the text of ids: the bytes of each token concatenated, as
// Hugging Face's ByteLevel decoder computes them before its final UTF-8
// check. Decode returns those bytes as they are, so decoding a prefix of an
// encoding may end inside a UTF-8 sequence (Hugging Face would show U+FFFD
// there); decoding ids piece by piece and joining the results equals
// decoding them at once. An id outside the vocabulary is an error (Hugging
// Face skips it silently).
func (t *Tokenizer) Decode(ids []int) (string, error) {
	var b strings.Builder
	for i, id := range ids {
		if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" {
			return "", fmt.Errorf("tokenizer: Decode: ids[%d] = %d is not a token id (vocabulary size %d)", i, id, len(t.tokens))
		}
		b.WriteString(t.decoded[id])
	}
	return b.String(), nil
}
