package judge

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseVerdict: any reply either yields A, B or Tie, or an error wrapping
// ErrUnparseable; nothing panics.
func FuzzParseVerdict(f *testing.F) {
	for _, s := range []string{
		"Comparison: A is better.\nPreferred: A",
		"**Preferred:** **B**",
		"Comparison: x\n\nB",
		"Preferred: Tie",
		"Preferred: <\"A\">",
		"I cannot decide.",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		v, err := ParseVerdict(reply)
		if err != nil {
			if !errors.Is(err, ErrUnparseable) {
				t.Fatalf("ParseVerdict(%q): error %v does not wrap ErrUnparseable", reply, err)
			}
			return
		}
		if v != A && v != B && v != Tie {
			t.Fatalf("ParseVerdict(%q) = %v without an error", reply, v)
		}
	})
}

// FuzzOpenCache: any file content either loads (and then every key reads
// back a valid verdict) or gives an error; nothing panics.
func FuzzOpenCache(f *testing.F) {
	f.Add([]byte("{\"key\":\"ab\",\"judge\":\"j\",\"verdict\":\"A\"}\n{\"key\":\"cd\",\"judge\":\"j\",\"verdict\":\"Tie\"}\n"))
	f.Add([]byte("{\"key\":\"ab\",\"verdict\":\"B\"}\n\n"))
	f.Add([]byte("{\"key\":\"ab\",\"ver"))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "c.jsonl")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := OpenCache(path)
		if err != nil {
			return
		}
		defer c.Close()
		for k := range c.m {
			if v, _ := c.Get(k); v != A && v != B && v != Tie {
				t.Fatalf("key %q loaded with invalid verdict %v", k, v)
			}
		}
	})
}
