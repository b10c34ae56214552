package data

import (
	"reflect"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
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
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("got  %+v\nwant %+v", b, want)
	}
	targets, mask := b.Targets()
	if !reflect.DeepEqual(targets[0], []int{2, 3, 4, 0, P, P}) || !reflect.DeepEqual(mask[0], []bool{false, true, true, true, false, false}) {
		t.Errorf("row 0 targets %v mask %v", targets[0], mask[0])
	}
	for i := range mask {
		n := 0
		for _, m := range mask[i] {
			if m {
				n++
			}
		}
		if n != b.CompletionLengths[i] {
			t.Errorf("row %d: %d scored positions, %d completion tokens", i, n, b.CompletionLengths[i])
		}
	}
	if _, err := (Collator{MaxLength: 1}).Collate(nil); err == nil {
		t.Error("MaxLength 1 accepted")
	}
	empty, err := c.Collate(nil)
	if err != nil || empty.Pairs != 0 || len(empty.InputIDs) != 0 {
		t.Errorf("empty input: %+v %v", empty, err)
	}
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
	if want := []TokenizedPair{{Prompt: []int{'a', 'b'}, Chosen: []int{'c'}, Rejected: []int{}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}
