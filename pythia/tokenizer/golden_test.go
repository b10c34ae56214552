package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
)

// neoxOnce loads the shared GPT-NeoX-20B tokenizer once for all tests.
var (
	neoxOnce sync.Once
	neoxTok  *Tokenizer
	neoxErr  error
)

// loadNeoX returns the shared tokenizer, skipping tb when the reference
// data is absent.
func loadNeoX(tb testing.TB) *Tokenizer {
	tb.Helper()
	path := shareddata.Path(tb, "pythia", "tokenizer.json")
	neoxOnce.Do(func() { neoxTok, neoxErr = Load(path) })
	require.NoError(tb, neoxErr)
	return neoxTok
}

// idsOf returns ids with nil made empty, so that an empty encoding compares
// equal to an empty list whether or not it is nil.
func idsOf(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}

// TestGolden checks every case of tokenizer_golden.json: ids from public
// test suites of independent implementations (llama.cpp's MPT vocab test,
// Hugging Face transformers, lm-evaluation-harness). Exact match, and
// decode(encode(x)) == x (every golden text is already NFC).
func TestGolden(t *testing.T) {
	tok := loadNeoX(t)
	data, err := os.ReadFile(shareddata.Path(t, "pythia", "tokenizer_golden.json"))
	require.NoError(t, err)
	var cases []struct {
		Text   string `json:"text"`
		IDs    []int  `json:"ids"`
		Source string `json:"source"`
	}
	require.NoError(t, json.Unmarshal(data, &cases))
	require.NotEmpty(t, cases, "tokenizer_golden.json holds no cases")
	for _, c := range cases {
		got := tok.Encode(c.Text)
		if !assert.Equal(t, idsOf(c.IDs), idsOf(got), "Encode(%q) (source: %s)", c.Text, c.Source) {
			continue
		}
		back, err := tok.Decode(got)
		if assert.NoError(t, err, "Decode(Encode(%q))", c.Text) {
			assert.Equal(t, c.Text, back, "Decode(Encode(%q))", c.Text)
		}
	}
}

// sharedTokenizerPath returns the shared tokenizer.json without skipping.
func sharedTokenizerPath() (string, bool) {
	dir, ok := shareddata.Dir()
	if !ok {
		return "", false
	}
	p := filepath.Join(dir, "pythia", "tokenizer.json")
	_, err := os.Stat(p)
	return p, err == nil
}
