package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/daalab/daa/align/data"
)

// Dataset is a list of tokenized preference pairs and the name of where
// they came from (a file path), which error messages cite.
type Dataset struct {
	Name  string
	Pairs []data.TokenizedPair
}

// ReadDataset reads preference pairs from a .jsonl or .parquet file with
// data.ReadPairs (whose errors name the file, line and field) and tokenizes
// them with Tokenize.
func ReadDataset(path string, encode func(string) []int) (*Dataset, error) {
	pairs, err := data.ReadPairs(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("train: %s: no preference pairs", path)
	}
	return Tokenize(path, pairs, encode)
}

// Tokenize encodes the prompt, chosen and rejected text of each pair
// separately (as TRL does; EOS is appended later, by the collator). A
// prompt that encodes to no tokens is an error naming name, the pair
// (counted from 1, as the data file's records are) and the field: the first completion token needs a
// context.
func Tokenize(name string, pairs []data.Pair, encode func(string) []int) (*Dataset, error) {
	ds := &Dataset{Name: name, Pairs: data.Tokenize(pairs, encode)}
	for i, p := range ds.Pairs {
		if len(p.Prompt) == 0 {
			return nil, fmt.Errorf("train: %s: pair %d (from 1): field prompt: %q encodes to no tokens; every pair needs a prompt token", name, i+1, pairs[i].Prompt)
		}
	}
	return ds, nil
}

// checkIDs returns an error naming the data set, pair (from 1) and field of the
// first empty prompt or token id outside [0, vocab).
func (d *Dataset) checkIDs(vocab int) error {
	for i, p := range d.Pairs {
		if len(p.Prompt) == 0 {
			return fmt.Errorf("train: %s: pair %d (from 1): field prompt: no tokens; every pair needs a prompt token", d.Name, i+1)
		}
		for _, f := range []struct {
			name string
			ids  []int
		}{{"prompt", p.Prompt}, {"chosen", p.Chosen}, {"rejected", p.Rejected}} {
			for k, id := range f.ids {
				if id < 0 || id >= vocab {
					return fmt.Errorf("train: %s: pair %d (from 1): field %s: token %d (from 0) is id %d, outside the model's vocabulary [0, %d)", d.Name, i+1, f.name, k, id, vocab)
				}
			}
		}
	}
	return nil
}

// truncatePrompts returns the pairs with every prompt cut to its last
// maxPrompt tokens (TRL's prompt truncation); the completions are cut by the
// collator.
func truncatePrompts(pairs []data.TokenizedPair, maxPrompt int) []data.TokenizedPair {
	out := make([]data.TokenizedPair, len(pairs))
	for i, p := range pairs {
		out[i] = p
		if len(p.Prompt) > maxPrompt {
			out[i].Prompt = p.Prompt[len(p.Prompt)-maxPrompt:]
		}
	}
	return out
}

// dataHash returns the SHA-256 (hex) of the token ids of pairs, in order,
// together with the collation settings that decide which sequences are
// scored: the same hash means the same batches of the same sequences.
func dataHash(pairs []data.TokenizedPair, maxLength, maxPrompt, eos int) string {
	h := sha256.New()
	var buf []byte
	put := func(v int) { buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(v))) }
	put(maxLength)
	put(maxPrompt)
	put(eos)
	put(len(pairs))
	for _, p := range pairs {
		for _, ids := range [][]int{p.Prompt, p.Chosen, p.Rejected} {
			put(len(ids))
			for _, id := range ids {
				put(id)
			}
		}
		h.Write(buf)
		buf = buf[:0]
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}
