package judge

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
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
			require.ErrorIs(t, err, ErrUnparseable, "ParseVerdict(%q)", reply)
			return
		}
		require.Contains(t, []Verdict{A, B, Tie}, v, "ParseVerdict(%q) without an error", reply)
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
		require.NoError(t, os.WriteFile(path, content, 0o644))
		c, err := OpenCache(path)
		if err != nil {
			return
		}
		defer c.Close()
		for k := range c.m {
			v, _ := c.Get(k)
			require.Contains(t, []Verdict{A, B, Tie}, v, "key %q loaded with an invalid verdict", k)
		}
	})
}
