package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

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
	if neoxErr != nil {
		tb.Fatal(neoxErr)
	}
	return neoxTok
}

// TestGolden checks every case of tokenizer_golden.json: ids from public
// test suites of independent implementations (llama.cpp's MPT vocab test,
// Hugging Face transformers, lm-evaluation-harness). Exact match, and
// decode(encode(x)) == x (every golden text is already NFC).
func TestGolden(t *testing.T) {
	tok := loadNeoX(t)
	data, err := os.ReadFile(shareddata.Path(t, "pythia", "tokenizer_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text   string `json:"text"`
		IDs    []int  `json:"ids"`
		Source string `json:"source"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("tokenizer_golden.json holds no cases")
	}
	for _, c := range cases {
		got := tok.Encode(c.Text)
		if !slices.Equal(got, c.IDs) && !(len(got) == 0 && len(c.IDs) == 0) {
			t.Errorf("Encode(%q) = %v, want %v (source: %s)", c.Text, got, c.IDs, c.Source)
			continue
		}
		back, err := tok.Decode(got)
		if err != nil || back != c.Text {
			t.Errorf("Decode(Encode(%q)) = %q, %v", c.Text, back, err)
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
