package data

import "fmt"

// IgnoreIndex marks label positions that are not scored (prompt and
// padding), as Hugging Face's -100.
const IgnoreIndex = -100

// TokenizedPair is a pair as token ids, each part tokenized on its own (as
// TRL does; no EOS yet).
type TokenizedPair struct {
	Prompt, Chosen, Rejected []int
}

// Tokenize tokenizes the prompt, chosen and rejected text of each pair
// separately with tokenize (e.g. a BPE tokenizer's Encode).
func Tokenize(pairs []Pair, tokenize func(string) []int) []TokenizedPair {
	out := make([]TokenizedPair, len(pairs))
	for i, p := range pairs {
		out[i] = TokenizedPair{Prompt: tokenize(p.Prompt), Chosen: tokenize(p.Chosen), Rejected: tokenize(p.Rejected)}
	}
	return out
}

// Collator builds padded batches from tokenized pairs.
type Collator struct {
	// MaxLength caps every sequence (prompt + completion + EOS) at this many
	// tokens, keeping the start. A pair whose prompt alone has MaxLength
	// tokens or more is dropped (no completion token would fit).
	MaxLength int
	// EOS is appended to every completion.
	EOS int
	// Pad fills the padding positions of InputIDs.
	Pad int
}

// PairBatch is one right-padded batch of B pairs laid out as 2B rows: rows
// 0..B-1 are prompt+chosen, rows B..2B-1 prompt+rejected, in the order of
// Kept. Every per-position slice is row-major [2B, T], T the longest kept
// sequence.
type PairBatch struct {
	Pairs, Len int // B and T
	// InputIDs [2B, T]: prompt, completion, EOS (when it fits), then Pad.
	InputIDs []int
	// AttentionMask [2B, T]: 1 on the tokens, 0 on padding.
	AttentionMask []int
	// Labels [2B, T]: the token id at completion positions (EOS included),
	// IgnoreIndex at prompt and padding positions. Labels are aligned with
	// InputIDs (not shifted): the log-prob of the token at t comes from the
	// logits at t-1 (see Targets).
	Labels []int
	// PromptLengths and CompletionLengths [2B]: tokens of each row's prompt
	// and of its completion after truncation (EOS included when kept).
	PromptLengths, CompletionLengths []int
	// Kept holds the index in the input of each kept pair, Dropped the
	// number of pairs dropped because the prompt reached MaxLength.
	Kept    []int
	Dropped int
}

// Collate lays out pairs as a PairBatch: for each pair the sequences
// prompt ++ chosen ++ [EOS] and prompt ++ rejected ++ [EOS], cut to their
// first MaxLength tokens, right-padded to the longest. Pairs whose prompt
// has MaxLength tokens or more are dropped and counted. An empty input (or
// all pairs dropped) gives a batch with no rows. It returns an error if
// MaxLength < 2.
func (c Collator) Collate(pairs []TokenizedPair) (*PairBatch, error) {
	if c.MaxLength < 2 {
		return nil, fmt.Errorf("data: collate: max length %d; want >= 2 (a prompt token and a completion token)", c.MaxLength)
	}
	b := &PairBatch{}
	var rows [2][][]int // chosen rows, rejected rows (prompt ++ completion ++ EOS, truncated)
	var prompts []int
	for i, p := range pairs {
		if len(p.Prompt) >= c.MaxLength {
			b.Dropped++
			continue
		}
		b.Kept = append(b.Kept, i)
		prompts = append(prompts, len(p.Prompt))
		for side, completion := range [2][]int{p.Chosen, p.Rejected} {
			seq := make([]int, 0, len(p.Prompt)+len(completion)+1)
			seq = append(append(append(seq, p.Prompt...), completion...), c.EOS)
			rows[side] = append(rows[side], seq[:min(len(seq), c.MaxLength)]) // keep the start
		}
	}
	b.Pairs = len(b.Kept)
	all := append(rows[0], rows[1]...)
	for _, r := range all {
		b.Len = max(b.Len, len(r))
	}
	n := len(all) * b.Len
	b.InputIDs, b.AttentionMask, b.Labels = make([]int, n), make([]int, n), make([]int, n)
	b.PromptLengths, b.CompletionLengths = make([]int, len(all)), make([]int, len(all))
	for i, r := range all {
		np := prompts[i%max(b.Pairs, 1)]
		b.PromptLengths[i], b.CompletionLengths[i] = np, len(r)-np
		row := i * b.Len
		for t := 0; t < b.Len; t++ {
			switch {
			case t >= len(r): // padding
				b.InputIDs[row+t], b.Labels[row+t] = c.Pad, IgnoreIndex
			case t < np: // prompt
				b.InputIDs[row+t], b.AttentionMask[row+t], b.Labels[row+t] = r[t], 1, IgnoreIndex
			default: // completion (and EOS)
				b.InputIDs[row+t], b.AttentionMask[row+t], b.Labels[row+t] = r[t], 1, r[t]
			}
		}
	}
	return b, nil
}

// Row returns the input ids, attention mask and labels of row i (0 <= i <
// 2B), each [T], as views into the batch.
func (b *PairBatch) Row(i int) (ids, mask, labels []int) {
	lo, hi := i*b.Len, (i+1)*b.Len
	return b.InputIDs[lo:hi], b.AttentionMask[lo:hi], b.Labels[lo:hi]
}

// Targets returns the next-token targets and score mask of every row, each
// [2B][T], for scoring with logits [2B, T, V]: targets[i][t] =
// InputIDs[i][t+1] and mask[i][t] = (Labels[i][t+1] != IgnoreIndex), so
// position t's logits score the completion token at t+1. Row i's masked
// positions are its CompletionLengths[i] completion tokens, in order. The
// last position has no next token: its target is its own token (a valid id)
// and its mask false.
func (b *PairBatch) Targets() (targets [][]int, mask [][]bool) {
	rows := 2 * b.Pairs
	targets, mask = make([][]int, rows), make([][]bool, rows)
	for i := range rows {
		ids, _, labels := b.Row(i)
		targets[i], mask[i] = make([]int, b.Len), make([]bool, b.Len)
		for t := 0; t < b.Len; t++ {
			targets[i][t] = ids[t] // the last position has no next token: masked out
			if t+1 < b.Len {
				targets[i][t] = ids[t+1]
				mask[i][t] = labels[t+1] != IgnoreIndex
			}
		}
	}
	return targets, mask
}
