package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/tensor"
)

// byteIDs is a stand-in tokenizer over the tiny vocabulary: one word id
// per byte.
func byteIDs(s string) []int {
	ids := make([]int, len(s))
	for i := range len(s) {
		ids[i] = 2 + int(s[i])%(tinyVocab-2)
	}
	return ids
}

// TestBadDataErrors checks that bad rows and bad tokens are errors naming
// the file, the line (or pair) and the field.
func TestBadDataErrors(t *testing.T) {
	good := `{"prompt": "Q", "chosen": " yes", "rejected": " no"}`
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{"missing field", []string{good, good, `{"prompt": "Q", "chosen": " yes"}`}, []string{"bad.jsonl:3", "rejected", "missing"}},
		{"wrong type", []string{good, `{"prompt": "Q", "chosen": 7, "rejected": " no"}`}, []string{"bad.jsonl:2", "chosen"}},
		{"not JSON", []string{`{"prompt": "Q", "chosen": " yes", "rejected": }`}, []string{"bad.jsonl:1"}},
		{"empty prompt", []string{good, `{"prompt": "", "chosen": " yes", "rejected": " no"}`}, []string{"bad.jsonl:2", "field prompt: empty"}},
		{"no pairs", []string{""}, []string{"bad.jsonl", "no preference pairs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(strings.Join(tc.lines, "\n")+"\n"), 0o644))
			_, err := ReadDataset(path, byteIDs)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}

	// Token ids the model cannot embed are caught by New.
	ds := tinyPairs(1, 3)
	ds.Name = "ids.jsonl"
	ds.Pairs[2].Rejected = []int{3, tinyVocab}
	_, err := New(tinyTrainConfig(t.TempDir()), tinyModel(t, tensor.Float32, 1), nil, tinyData(ds, nil))
	for _, w := range []string{"ids.jsonl", "pair 3 (from 1)", "rejected", "24"} { // Pairs[2] is the third
		assert.ErrorContains(t, err, w, "New with an id outside the vocabulary")
	}
}

// TestTruncation checks the prompt and sequence truncation (TRL: prompt
// keeps its last max_prompt_length tokens, then prompt + completion + EOS
// keeps its first max_length) on a hand-made pair.
func TestTruncation(t *testing.T) {
	pairs := truncatePrompts([]data.TokenizedPair{{Prompt: []int{2, 3, 4, 5, 6}, Chosen: []int{7, 8, 9, 10, 11, 12}, Rejected: []int{13}}}, 3)
	pb, err := data.Collator{MaxLength: 6, EOS: tinyEOS, Pad: tinyPad}.Collate(pairs)
	require.NoError(t, err)
	for i, want := range [][]int{{4, 5, 6, 7, 8, 9}, {4, 5, 6, 13, tinyEOS, tinyPad}} {
		ids, _, _ := pb.Row(i)
		assert.Equal(t, want, ids, "row %d", i)
	}
}
