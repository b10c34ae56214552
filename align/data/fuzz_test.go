package data

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzParsePairsJSONL feeds arbitrary bytes to the JSONL pair reader: it
// must not panic, whatever it accepts must be valid UTF-8 with a non-empty
// prompt, and survive a round trip through plain {prompt, chosen, rejected}
// JSONL unchanged.
func FuzzParsePairsJSONL(f *testing.F) {
	for _, seed := range []string{
		`{"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}`,
		`{"prompt": [{"role": "user", "content": "What is 2+2?"}], "chosen": [{"role": "assistant", "content": "4."}], "rejected": [{"role": "assistant", "content": "5."}]}`,
		`{"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}], "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]}`,
		"{\"prompt\": \"a\\u00e9\\n\", \"chosen\": \"\", \"rejected\": \"x\"}\n\n{\"prompt\": \"b\", \"chosen\": \"c\", \"rejected\": \"d\"}\n",
		`{"prompt": 3}`,
		`[1, 2]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pairs, err := ParsePairsJSONL(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		for _, p := range pairs {
			require.NotEmpty(t, p.Prompt, "accepted an empty prompt")
			require.True(t, utf8.ValidString(p.Prompt+p.Chosen+p.Rejected), "accepted invalid UTF-8: %q", p)
			line, err := json.Marshal(map[string]string{"prompt": p.Prompt, "chosen": p.Chosen, "rejected": p.Rejected})
			require.NoError(t, err)
			buf.Write(append(line, '\n'))
		}
		again, err := ParsePairsJSONL(&buf, "roundtrip")
		require.NoError(t, err, "re-encoded pairs do not parse")
		if len(pairs) > 0 {
			require.Equal(t, pairs, again, "round trip changed the pairs")
		}
	})
}

// FuzzParseTLDRJSONL: the TL;DR reader must not panic on arbitrary bytes,
// and every pair it returns carries the TL;DR prompt.
func FuzzParseTLDRJSONL(f *testing.F) {
	f.Add([]byte(tldrRow))
	f.Add([]byte(`{"info": {"article": "x", "title": "t"}, "summaries": [{"text": " a"}, {"text": " b"}], "choice": 0}`))
	f.Add([]byte(`{"info": {"post": "p", "title": "t", "subreddit": "s"}, "summaries": [{"text": 1}, {"text": " b"}], "choice": 1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pairs, _, err := ParseTLDRJSONL(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		for _, p := range pairs {
			require.True(t, bytes.HasPrefix([]byte(p.Prompt), []byte("SUBREDDIT: r/")) && bytes.HasSuffix([]byte(p.Prompt), []byte("\nTL;DR:")), "prompt %q", p.Prompt)
		}
	})
}
