package data

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCollate lays out a batch by hand: truncation keeping the start (the
// EOS of a long completion is cut), a pair dropped because its prompt
// reaches MaxLength, right padding, labels masking prompt and padding.
func TestCollate(t *testing.T) {
	const P, I = 99, IgnoreIndex
	c := Collator{MaxLength: 6, EOS: 0, Pad: P}
	b, err := c.Collate([]TokenizedPair{
		{Prompt: []int{1, 2}, Chosen: []int{3, 4}, Rejected: []int{5}},
		{Prompt: []int{7, 7, 7, 7, 7, 7}, Chosen: []int{1}, Rejected: []int{2}}, // prompt fills MaxLength: dropped
		{Prompt: []int{8}, Chosen: []int{9, 9, 9, 9, 9, 9, 9}, Rejected: nil},
	})
	require.NoError(t, err)
	want := &PairBatch{
		Pairs: 2, Len: 6,
		InputIDs: []int{
			1, 2, 3, 4, 0, P, // chosen 0
			8, 9, 9, 9, 9, 9, // chosen 2, cut at 6 tokens (no EOS)
			1, 2, 5, 0, P, P, // rejected 0
			8, 0, P, P, P, P, // rejected 2: empty completion + EOS
		},
		AttentionMask: []int{
			1, 1, 1, 1, 1, 0,
			1, 1, 1, 1, 1, 1,
			1, 1, 1, 1, 0, 0,
			1, 1, 0, 0, 0, 0,
		},
		Labels: []int{
			I, I, 3, 4, 0, I,
			I, 9, 9, 9, 9, 9,
			I, I, 5, 0, I, I,
			I, 0, I, I, I, I,
		},
		PromptLengths:     []int{2, 1, 2, 1},
		CompletionLengths: []int{3, 5, 2, 1},
		Kept:              []int{0, 2},
		Dropped:           1,
	}
	require.Equal(t, want, b)
	targets, mask := b.Targets()
	assert.Equal(t, []int{2, 3, 4, 0, P, P}, targets[0], "row 0 targets")
	assert.Equal(t, []bool{false, true, true, true, false, false}, mask[0], "row 0 mask")
	for i := range mask {
		n := 0
		for _, m := range mask[i] {
			if m {
				n++
			}
		}
		assert.Equal(t, b.CompletionLengths[i], n, "row %d: scored positions vs completion tokens", i)
	}
	_, err = (Collator{MaxLength: 1}).Collate(nil)
	assert.Error(t, err, "MaxLength 1 accepted")
	empty, err := c.Collate(nil)
	require.NoError(t, err)
	assert.Zero(t, empty.Pairs)
	assert.Empty(t, empty.InputIDs)
}

// TestTokenize tokenizes each part separately.
func TestTokenize(t *testing.T) {
	bytesTok := func(s string) []int {
		ids := make([]int, len(s))
		for i := range s {
			ids[i] = int(s[i])
		}
		return ids
	}
	got := Tokenize([]Pair{{"ab", "c", ""}}, bytesTok)
	assert.Equal(t, []TokenizedPair{{Prompt: []int{'a', 'b'}, Chosen: []int{'c'}, Rejected: []int{}}}, got)
}
