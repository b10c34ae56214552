// Package tokenizer is the GPT-NeoX-20B tokenizer that every Pythia model
// uses, read from a Hugging Face tokenizer.json and producing the same ids
// as Hugging Face's tokenizers library.
//
//	tok, err := tokenizer.Load("tokenizer.json")
//	ids := tok.Encode("Hello world")   // [12092, 1533]
//	text, err := tok.Decode(ids)       // "Hello world"
//
// # Pipeline
//
// Encode follows Hugging Face's order of steps for this file exactly:
//
//  1. Added tokens with normalized=false (<|endoftext|>, <|padding|>) are
//     cut out of the raw text, leftmost-longest.
//  2. Each remaining stretch is NFC-normalized (golang.org/x/text/unicode/norm).
//  3. Added tokens with normalized=true are cut out of the normalized text,
//     leftmost-longest. In GPT-NeoX these are runs of 2 to 24 spaces
//     (ids 50254..50276, not special), so "  Hello" is [50276, 12092] while
//     " Hello" is [24387].
//  4. The ByteLevel pre-tokenizer splits what is left with GPT-2's
//     case-sensitive pattern
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//     written here as a hand scanner (Go's regexp has no lookahead).
//  5. Each piece is merged by BPE over its bytes (the byte-level alphabet of
//     GPT-2), lowest merge rank first; results are cached per piece.
//
// No special tokens are added: GPT-NeoX has no BOS and Encode adds no EOS;
// append EOS() yourself between documents. Decode maps ids back to bytes
// with the ByteLevel decoder, so Decode(Encode(x)) is the NFC form of x for
// every valid UTF-8 x, with one exception that Hugging Face shares: text is
// normalized between special tokens, not across them, so "<|endoftext|>"
// followed by U+0338 stays as it is (NFC would turn ">" + U+0338 into "≯").
// Invalid UTF-8 input is repaired as string([]rune(x)) does before encoding
// (see Encode).
//
// # Supported tokenizer.json
//
// normalizer NFC, a Sequence of NFC, or null; pre_tokenizer ByteLevel (or a
// Sequence of one ByteLevel) with add_prefix_space and use_regex honoured
// (trim_offsets only moves offsets, which this package does not report);
// model BPE with merges as "a b" strings or ["a", "b"] arrays, dropout null,
// no subword prefix or suffix, ignore_merges honoured; decoder ByteLevel;
// post_processor null, ByteLevel, TemplateProcessing or a Sequence of those
// (Encode never adds special tokens, so none changes its ids); added tokens with
// normalized true or false. Anything else (other normalizers or models,
// truncation, padding, added tokens with lstrip, rstrip or single_word) is
// rejected with an error naming the field rather than encoded differently
// from Hugging Face.
//
// # Why not gotokenizers
//
// The project names github.com/sugarme/tokenizer and
// github.com/nlpodyssey/gotokenizers as the Go reference point. Neither is
// used, for the two reasons the project's review found: they have no loader
// for this tokenizer.json format, and their default GPT-2 split pattern
// ignores case, so the "'S" of x'Sam is taken for the contraction "'s" and
// the ids differ from Hugging Face's ([89, 8, 17232] here and there). This
// package is a small exact implementation instead, checked against ids that
// Hugging Face's tokenizers (Rust) computed, in testdata/.
package tokenizer
