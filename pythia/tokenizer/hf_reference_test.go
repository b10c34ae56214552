package tokenizer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
	"golang.org/x/text/unicode/norm"
)

// hfReference is testdata/hf_reference.json, written by
// testdata/gen_hf_reference.js with Hugging Face's tokenizers 0.22.2.
type hfReference struct {
	Tool   string `json:"tool"`
	Encode []struct {
		Config string `json:"config"`
		Text   string `json:"text"`
		IDs    []int  `json:"ids"`
	} `json:"encode"`
	Decode []struct {
		IDs  []int  `json:"ids"`
		Text string `json:"text"`
	} `json:"decode"`
}

// neoxVariant parses the shared tokenizer.json after edit changes its
// decoded JSON (the same edits gen_hf_reference.js makes).
func neoxVariant(t *testing.T, edit func(map[string]any)) *Tokenizer {
	t.Helper()
	data, err := os.ReadFile(shareddata.Path(t, "pythia", "tokenizer.json"))
	require.NoError(t, err)
	var j map[string]any
	require.NoError(t, json.Unmarshal(data, &j))
	edit(j)
	data, err = json.Marshal(j)
	require.NoError(t, err)
	tok, err := Parse(data)
	require.NoError(t, err)
	return tok
}

// setPreTokenizer returns an edit that sets one ByteLevel flag.
func setPreTokenizer(key string, value bool) func(map[string]any) {
	return func(j map[string]any) { j["pre_tokenizer"].(map[string]any)[key] = value }
}

// TestHuggingFaceReference compares Encode with Hugging Face's ids on
// about 1100 edge-case and random strings (exact match) under three
// configurations, Decode with Hugging Face's text on 150 random id
// sequences, and checks that Decode(Encode(x)) is x normalized as Hugging
// Face normalizes it (nfcAroundSpecials).
func TestHuggingFaceReference(t *testing.T) {
	data, err := os.ReadFile("testdata/hf_reference.json")
	require.NoError(t, err)
	var ref hfReference
	require.NoError(t, json.Unmarshal(data, &ref))
	toks := map[string]*Tokenizer{
		"default":          loadNeoX(t),
		"add_prefix_space": neoxVariant(t, setPreTokenizer("add_prefix_space", true)),
		"no_regex":         neoxVariant(t, setPreTokenizer("use_regex", false)),
	}
	failures := 0
	for _, c := range ref.Encode {
		tok := toks[c.Config]
		require.NotNil(t, tok, "unknown config %q", c.Config)
		got := tok.Encode(c.Text)
		if !assert.Equal(t, idsOf(c.IDs), idsOf(got), "%s: Encode(%+q) (%s)", c.Config, c.Text, ref.Tool) {
			failures++
			require.LessOrEqual(t, failures, 20, "too many failures")
		}
		if c.Config == "add_prefix_space" {
			continue // every stretch between added tokens gains a space
		}
		back, err := tok.Decode(got)
		if assert.NoError(t, err, "%s: Decode(Encode(%+q))", c.Config, c.Text) {
			assert.Equal(t, nfcAroundSpecials(c.Text), back, "%s: Decode(Encode(%+q))", c.Config, c.Text)
		}
	}
	for _, c := range ref.Decode {
		got, err := toks["default"].Decode(c.IDs)
		if assert.NoError(t, err, "Decode(%v)", c.IDs) {
			assert.Equal(t, c.Text, got, "Decode(%v) (%s)", c.IDs, ref.Tool)
		}
	}
}

// nfcAroundSpecials is what Decode(Encode(s)) gives for GPT-NeoX: the NFC
// form of each stretch between the special tokens, which are matched before
// normalization. It differs from NFC(s) only when a special token's last
// character composes with what follows ("<|endoftext|>" + U+0338: NFC
// would make "|≯").
func nfcAroundSpecials(s string) string {
	out := ""
	for {
		i, n := len(s), 0
		for _, sp := range []string{"<|endoftext|>", "<|padding|>"} {
			if j := strings.Index(s, sp); j >= 0 && j < i {
				i, n = j, len(sp)
			}
		}
		out += norm.NFC.String(s[:i])
		if n == 0 {
			return out
		}
		out += s[i : i+n]
		s = s[i+n:]
	}
}
