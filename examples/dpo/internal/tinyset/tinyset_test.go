package tinyset

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

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
	if err := Write(dir, o); err != nil {
		t.Fatal(err)
	}
	m, err := pythia.LoadDir(filepath.Join(dir, ModelDir), pythia.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(dir, ModelDir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	eos, ok := tok.EOS()
	if !ok || m.Config.EOSTokenID != eos || tok.VocabSize() > m.Config.VocabSize || tok.VocabSize() != 256+40+2 {
		t.Errorf("EOS %d (%v), model eos %d, tokenizer vocabulary %d, model vocabulary %d", eos, ok, m.Config.EOSTokenID, tok.VocabSize(), m.Config.VocabSize)
	}
	for file, want := range map[string]int{TrainFile: 20, EvalFile: 5} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for sc := bufio.NewScanner(f); sc.Scan(); n++ {
			var p pair
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.Prompt == "" || p.Chosen == "" || p.Rejected == "" {
				t.Fatalf("%s line %d: %v %+v", file, n+1, err, p)
			}
			ids := tok.Encode(p.Prompt + p.Chosen)
			if len(ids) >= len(p.Prompt+p.Chosen) {
				t.Errorf("%q: %d tokens for %d bytes; the merges do not apply", p.Prompt+p.Chosen, len(ids), len(p.Prompt+p.Chosen))
			}
		}
		f.Close()
		if n != want {
			t.Errorf("%s: %d rows, want %d", file, n, want)
		}
	}
}

// TestPieces checks the pre-tokenizer used for learning the merges.
func TestPieces(t *testing.T) {
	got := pieces("Tell me about cats.  Ok 42!\n\nYes  ")
	want := []string{"Tell", " me", " about", " cats", ".", " ", " Ok", " 42", "!", "\n", "\n", "Yes", "  "}
	if len(got) != len(want) {
		t.Fatalf("pieces = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pieces = %q, want %q", got, want)
		}
	}
}
