package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// This file reads the Hugging Face tokenizers JSON format (tokenizer.json)
// into a Tokenizer. Only the components a byte-level BPE tokenizer such as
// GPT-NeoX-20B uses are accepted; anything that would change the ids in a
// way this package does not implement is an error naming the field.

// fileJSON is the top level of tokenizer.json. Components stay raw so that
// each is decoded on its own and its errors name it.
type fileJSON struct {
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   json.RawMessage `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         json.RawMessage `json:"model"`
}

// typeJSON reads the "type" tag every component carries.
type typeJSON struct {
	Type string `json:"type"`
}

// byteLevelJSON is the ByteLevel pre-tokenizer. Hugging Face requires
// add_prefix_space and trim_offsets; use_regex defaults to true.
type byteLevelJSON struct {
	Type           string `json:"type"`
	AddPrefixSpace *bool  `json:"add_prefix_space"`
	TrimOffsets    *bool  `json:"trim_offsets"`
	UseRegex       *bool  `json:"use_regex"`
}

// modelJSON is the BPE model.
type modelJSON struct {
	Type                    *string         `json:"type"`
	Dropout                 *float64        `json:"dropout"`
	UnkToken                *string         `json:"unk_token"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
}

// addedTokenJSON is one entry of added_tokens.
type addedTokenJSON struct {
	ID         *int64  `json:"id"`
	Content    *string `json:"content"`
	Special    bool    `json:"special"`
	SingleWord bool    `json:"single_word"`
	Lstrip     bool    `json:"lstrip"`
	Rstrip     bool    `json:"rstrip"`
	Normalized bool    `json:"normalized"`
}

// fieldError is an error about one field of tokenizer.json.
func fieldError(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

// decodeField unmarshals raw into v and names field in any error.
func decodeField(raw json.RawMessage, v any, field string) error {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := field
		if te.Field != "" {
			where += "." + te.Field
		}
		return fieldError(where, "JSON %s where %s was expected", te.Value, te.Type)
	}
	return fieldError(field, "%v", err)
}

// isNull reports whether a component is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// Parse reads a tokenizer from the contents of a tokenizer.json file.
// Errors name the offending field, e.g. `model.merges[12]: token "x" is not
// in model.vocab`.
func Parse(data []byte) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("top level: %v", err)
	}
	// A file of n bytes cannot hold n distinct tokens, so ids >= n are
	// corrupt; the bound keeps Parse from allocating without limit.
	t := &Tokenizer{idLimit: int64(len(data))}
	if !isNull(f.Truncation) {
		return nil, fieldError("truncation", "must be null: truncation would cut encodings and is not supported")
	}
	if !isNull(f.Padding) {
		return nil, fieldError("padding", "must be null: padding would add ids and is not supported")
	}
	var err error
	if t.nfc, err = parseNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if err = t.parsePreTokenizer(f.PreTokenizer, "pre_tokenizer"); err != nil {
		return nil, err
	}
	if err = parsePostProcessor(f.PostProcessor, "post_processor"); err != nil {
		return nil, err
	}
	if err = parseDecoder(f.Decoder); err != nil {
		return nil, err
	}
	if err = t.parseModel(f.Model); err != nil {
		return nil, err
	}
	if err = t.parseAddedTokens(f.AddedTokens); err != nil {
		return nil, err
	}
	t.finish()
	return t, nil
}

// parseNormalizer accepts NFC, a Sequence whose members are all NFC, or null;
// it reports whether text is NFC-normalized before pre-tokenization.
func parseNormalizer(raw json.RawMessage) (nfc bool, err error) {
	if isNull(raw) {
		return false, nil
	}
	var n struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
	}
	if err := decodeField(raw, &n, "normalizer"); err != nil {
		return false, err
	}
	switch n.Type {
	case "NFC":
		return true, nil
	case "Sequence":
		for i, m := range n.Normalizers {
			var mt typeJSON
			field := fmt.Sprintf("normalizer.normalizers[%d]", i)
			if err := decodeField(m, &mt, field); err != nil {
				return false, err
			}
			if mt.Type != "NFC" {
				return false, fieldError(field+".type", "unsupported normalizer %q (supported: NFC)", mt.Type)
			}
			nfc = true
		}
		return nfc, nil
	}
	return false, fieldError("normalizer.type", "unsupported normalizer %q (supported: NFC, Sequence of NFC, null)", n.Type)
}

// parsePreTokenizer accepts ByteLevel, or a Sequence holding exactly one
// ByteLevel.
func (t *Tokenizer) parsePreTokenizer(raw json.RawMessage, field string) error {
	if isNull(raw) {
		return fieldError(field, "missing; a byte-level BPE model needs the ByteLevel pre-tokenizer")
	}
	var p typeJSON
	if err := decodeField(raw, &p, field); err != nil {
		return err
	}
	switch p.Type {
	case "ByteLevel":
		var b byteLevelJSON
		if err := decodeField(raw, &b, field); err != nil {
			return err
		}
		if b.AddPrefixSpace == nil {
			return fieldError(field+".add_prefix_space", "missing")
		}
		if b.TrimOffsets == nil {
			return fieldError(field+".trim_offsets", "missing")
		}
		t.addPrefixSpace = *b.AddPrefixSpace
		t.useRegex = b.UseRegex == nil || *b.UseRegex
		return nil
	case "Sequence":
		var s struct {
			Pretokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := decodeField(raw, &s, field); err != nil {
			return err
		}
		if len(s.Pretokenizers) != 1 {
			return fieldError(field+".pretokenizers", "has %d members; only a Sequence of one ByteLevel is supported", len(s.Pretokenizers))
		}
		inner := field + ".pretokenizers[0]"
		var q typeJSON
		if err := decodeField(s.Pretokenizers[0], &q, inner); err != nil {
			return err
		}
		if q.Type != "ByteLevel" {
			return fieldError(inner+".type", "unsupported pre-tokenizer %q (supported: ByteLevel)", q.Type)
		}
		return t.parsePreTokenizer(s.Pretokenizers[0], inner)
	}
	return fieldError(field+".type", "unsupported pre-tokenizer %q (supported: ByteLevel)", p.Type)
}

// parsePostProcessor accepts null, ByteLevel (it only trims offsets),
// TemplateProcessing (it only adds special tokens when asked to, and Encode
// never asks) and a Sequence of those.
func parsePostProcessor(raw json.RawMessage, field string) error {
	if isNull(raw) {
		return nil
	}
	var p struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
	}
	if err := decodeField(raw, &p, field); err != nil {
		return err
	}
	switch p.Type {
	case "ByteLevel", "TemplateProcessing":
		return nil
	case "Sequence":
		for i, q := range p.Processors {
			if err := parsePostProcessor(q, fmt.Sprintf("%s.processors[%d]", field, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return fieldError(field+".type", "unsupported post-processor %q (supported: ByteLevel, TemplateProcessing, a Sequence of those, null)", p.Type)
}

// parseDecoder requires the ByteLevel decoder.
func parseDecoder(raw json.RawMessage) error {
	if isNull(raw) {
		return fieldError("decoder", "missing; a byte-level BPE model needs the ByteLevel decoder")
	}
	var d typeJSON
	if err := decodeField(raw, &d, "decoder"); err != nil {
		return err
	}
	if d.Type != "ByteLevel" {
		return fieldError("decoder.type", "unsupported decoder %q (supported: ByteLevel)", d.Type)
	}
	return nil
}

// parseModel reads the BPE model: vocab, merges and options.
func (t *Tokenizer) parseModel(raw json.RawMessage) error {
	if isNull(raw) {
		return fieldError("model", "missing")
	}
	var m modelJSON
	if err := decodeField(raw, &m, "model"); err != nil {
		return err
	}
	if m.Type != nil && *m.Type != "BPE" {
		return fieldError("model.type", "unsupported model %q (supported: BPE)", *m.Type)
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return fieldError("model.dropout", "is %v; BPE dropout makes encoding random and is not supported (use null)", *m.Dropout)
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" {
		return fieldError("model.continuing_subword_prefix", "is %q; not supported with byte-level BPE (use null)", *m.ContinuingSubwordPrefix)
	}
	if m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return fieldError("model.end_of_word_suffix", "is %q; not supported with byte-level BPE (use null)", *m.EndOfWordSuffix)
	}
	t.ignoreMerges = m.IgnoreMerges
	if err := t.parseVocab(m.Vocab); err != nil {
		return err
	}
	if m.UnkToken != nil {
		// Every byte has a token, so the unknown token is never produced;
		// it must still name a vocabulary entry.
		if _, ok := t.vocab[*m.UnkToken]; !ok {
			return fieldError("model.unk_token", "%q is not in model.vocab", *m.UnkToken)
		}
	}
	return t.parseMerges(m.Merges)
}

// parseVocab reads model.vocab (token -> id) and checks that every byte that
// can occur in UTF-8 text has a token. (GPT-NeoX has none for the 13 bytes
// that never do, 0xC0, 0xC1 and 0xF5..0xFF.)
func (t *Tokenizer) parseVocab(raw json.RawMessage) error {
	if isNull(raw) {
		return fieldError("model.vocab", "missing")
	}
	var v map[string]int64
	if err := decodeField(raw, &v, "model.vocab"); err != nil {
		return err
	}
	t.vocab = make(map[string]int32, len(v))
	seen := make(map[int64]string, len(v))
	for tok, id := range v {
		if tok == "" {
			return fieldError(`model.vocab[""]`, "empty token")
		}
		if id < 0 || id >= t.idLimit {
			return fieldError(fmt.Sprintf("model.vocab[%q]", tok), "id %d out of range [0, %d)", id, t.idLimit)
		}
		if other, dup := seen[id]; dup {
			a, b := min(tok, other), max(tok, other)
			return fieldError(fmt.Sprintf("model.vocab[%q]", b), "id %d is also the id of %q", id, a)
		}
		seen[id] = tok
		t.vocab[tok] = int32(id)
		t.setToken(int32(id), tok)
	}
	for b := 0; b < 256; b++ {
		id, ok := t.vocab[string(byteRune[b])]
		switch {
		case ok:
			t.byteID[b] = id
		case neverInUTF8(byte(b)):
			t.byteID[b] = -1 // Encode only sees valid UTF-8
		default:
			return fieldError("model.vocab", "no token %q for byte 0x%02X; byte-level BPE needs one for every byte of UTF-8 text", string(byteRune[b]), b)
		}
	}
	return nil
}

// parseMerges reads model.merges, either as "a b" strings or as ["a", "b"]
// pairs. Merge i has rank i; as in Hugging Face, a repeated pair keeps the
// rank of its last occurrence.
func (t *Tokenizer) parseMerges(raw json.RawMessage) error {
	if isNull(raw) {
		return fieldError("model.merges", "missing")
	}
	var pairs [][2]string
	var asStrings []string
	var asArrays [][]string
	if json.Unmarshal(raw, &asStrings) == nil {
		pairs = make([][2]string, len(asStrings))
		for i, s := range asStrings {
			a, b, ok := strings.Cut(s, " ")
			if !ok || strings.Contains(b, " ") {
				return fieldError(fmt.Sprintf("model.merges[%d]", i), "%q is not two tokens separated by one space", s)
			}
			pairs[i] = [2]string{a, b}
		}
	} else if json.Unmarshal(raw, &asArrays) == nil {
		pairs = make([][2]string, len(asArrays))
		for i, p := range asArrays {
			if len(p) != 2 {
				return fieldError(fmt.Sprintf("model.merges[%d]", i), "has %d tokens, want 2", len(p))
			}
			pairs[i] = [2]string{p[0], p[1]}
		}
	} else {
		return mergesShapeError(raw)
	}
	t.merges = make(map[uint64]mergeRule, len(pairs))
	for i, p := range pairs {
		field := func() string { return fmt.Sprintf("model.merges[%d]", i) }
		a, ok := t.vocab[p[0]]
		if !ok {
			return fieldError(field(), "token %q is not in model.vocab", p[0])
		}
		b, ok := t.vocab[p[1]]
		if !ok {
			return fieldError(field(), "token %q is not in model.vocab", p[1])
		}
		ab, ok := t.vocab[p[0]+p[1]]
		if !ok {
			return fieldError(field(), "merged token %q is not in model.vocab", p[0]+p[1])
		}
		t.merges[pairKey(a, b)] = mergeRule{rank: int32(i), id: ab}
	}
	return nil
}

// mergesShapeError names the first element of model.merges that is neither
// a string nor an array of strings.
func mergesShapeError(raw json.RawMessage) error {
	var elems []json.RawMessage
	if err := decodeField(raw, &elems, "model.merges"); err != nil {
		return err
	}
	for i, e := range elems {
		var s string
		var p []string
		if json.Unmarshal(e, &s) != nil && json.Unmarshal(e, &p) != nil {
			return fieldError(fmt.Sprintf("model.merges[%d]", i), "is %.40s; want \"a b\" or [\"a\", \"b\"]", e)
		}
	}
	return fieldError("model.merges", "mixes \"a b\" strings and [\"a\", \"b\"] arrays")
}

// parseAddedTokens reads added_tokens. lstrip, rstrip and single_word change
// how matches are found; GPT-NeoX sets none of them and they are rejected.
func (t *Tokenizer) parseAddedTokens(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var list []json.RawMessage
	if err := decodeField(raw, &list, "added_tokens"); err != nil {
		return err
	}
	contents := make(map[string]bool, len(list))
	ids := make(map[int32]bool, len(list))
	for i, r := range list {
		field := fmt.Sprintf("added_tokens[%d]", i)
		var a addedTokenJSON
		if err := decodeField(r, &a, field); err != nil {
			return err
		}
		switch {
		case a.ID == nil:
			return fieldError(field+".id", "missing")
		case *a.ID < 0 || *a.ID >= t.idLimit:
			return fieldError(field+".id", "%d out of range [0, %d)", *a.ID, t.idLimit)
		case a.Content == nil || *a.Content == "":
			return fieldError(field+".content", "missing or empty")
		case a.SingleWord:
			return fieldError(field+".single_word", "true is not supported")
		case a.Lstrip:
			return fieldError(field+".lstrip", "true is not supported")
		case a.Rstrip:
			return fieldError(field+".rstrip", "true is not supported")
		}
		id, content := int32(*a.ID), *a.Content
		if contents[content] {
			return fieldError(field+".content", "%q appears twice", content)
		}
		if ids[id] {
			return fieldError(field+".id", "%d appears twice", id)
		}
		contents[content], ids[id] = true, true
		if v, ok := t.vocab[content]; ok && v != id {
			return fieldError(field+".id", "%d, but model.vocab gives %q the id %d", id, content, v)
		}
		if tok := t.token(id); tok != "" && tok != content {
			return fieldError(field+".id", "%d is already model.vocab's id of %q", id, tok)
		}
		t.added = append(t.added, AddedToken{ID: int(id), Content: content, Special: a.Special, Normalized: a.Normalized})
	}
	for _, a := range t.added {
		t.setToken(int32(a.ID), a.Content)
	}
	return nil
}

// nfcString is NFC normalization (Unicode 15 tables of golang.org/x/text).
func nfcString(s string) string { return norm.NFC.String(s) }
