package tinyset

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/tokenizer"
)

// TestWrite checks the generated setup: the model directory loads with a
// vocabulary covering the tokenizer and <|endoftext|> as EOS, the
// tokenizer's merges shorten the text (fewer tokens than bytes) and
// round-trip it, and the JSONL files hold the requested numbers of rows
// with prompt, chosen and rejected.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	o := Options{TrainPairs: 20, EvalPairs: 5, Merges: 40, Seed: 3}
	require.NoError(t, Write(dir, o))
	m, err := pythia.LoadDir(filepath.Join(dir, ModelDir), pythia.LoadOptions{})
	require.NoError(t, err)
	tok, err := tokenizer.Load(filepath.Join(dir, ModelDir, "tokenizer.json"))
	require.NoError(t, err)
	eos, ok := tok.EOS()
	assert.True(t, ok, "the tokenizer has no EOS")
	assert.Equal(t, eos, m.Config.EOSTokenID, "model EOS id vs the tokenizer's")
	assert.LessOrEqual(t, tok.VocabSize(), m.Config.VocabSize, "tokenizer vocabulary vs the model's")
	assert.Equal(t, 256+40+2, tok.VocabSize(), "tokenizer vocabulary: 256 bytes, 40 merges, 2 specials")
	for file, want := range map[string]int{TrainFile: 20, EvalFile: 5} {
		f, err := os.Open(filepath.Join(dir, file))
		require.NoError(t, err)
		n := 0
		for sc := bufio.NewScanner(f); sc.Scan(); n++ {
			var p pair
			require.NoError(t, json.Unmarshal(sc.Bytes(), &p), "%s line %d", file, n+1)
			require.NotEmpty(t, p.Prompt, "%s line %d: prompt", file, n+1)
			require.NotEmpty(t, p.Chosen, "%s line %d: chosen", file, n+1)
			require.NotEmpty(t, p.Rejected, "%s line %d: rejected", file, n+1)
			ids := tok.Encode(p.Prompt + p.Chosen)
			assert.Less(t, len(ids), len(p.Prompt+p.Chosen), "%q: tokens vs bytes; the merges do not apply", p.Prompt+p.Chosen)
		}
		f.Close()
		assert.Equal(t, want, n, "%s: rows", file)
	}
}

// TestPieces checks the pre-tokenizer used for learning the merges.
func TestPieces(t *testing.T) {
	got := pieces("Tell me about cats.  Ok 42!\n\nYes  ")
	want := []string{"Tell", " me", " about", " cats", ".", " ", " Ok", " 42", "!", "\n", "\n", "Yes", "  "}
	assert.Equal(t, want, got, "pieces")
}
