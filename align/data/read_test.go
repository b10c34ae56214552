package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// TestReadPairsJSONL reads the TRL formats: standard strings, conversational
// prompt/chosen/rejected messages, and the implicit prompt (shared leading
// messages), with the rendering spelled out by hand.
func TestReadPairsJSONL(t *testing.T) {
	path := writeFile(t, "pairs.jsonl", `{"prompt": "The sky is", "chosen": " blue.", "rejected": " green.", "id": 7}

{"prompt": [{"role": "user", "content": "What is 2+2?"}], "chosen": [{"role": "assistant", "content": "4."}], "rejected": [{"role": "assistant", "content": "5."}]}
{"chosen": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}], "rejected": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}, {"role": "user", "content": "?"}]}
`)
	got, err := ReadPairs(path)
	require.NoError(t, err)
	want := []Pair{
		{Prompt: "The sky is", Chosen: " blue.", Rejected: " green."},
		{Prompt: "\n\nHuman: What is 2+2?\n\nAssistant:", Chosen: " 4.", Rejected: " 5."},
		{Prompt: "\n\nSystem: Be brief.\n\nHuman: Hi\n\nAssistant:", Chosen: " Hello.", Rejected: " Go away.\n\nHuman: ?"},
	}
	assert.Equal(t, want, got)
}

// TestReadErrors checks that bad rows name the file, line or row, and field.
func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, content, want string
	}{
		{"missing", `{"prompt": "a", "chosen": "b", "rejected": "c"}` + "\n" + `{"prompt": "a", "chosen": "b"}`, "x.jsonl:2: field rejected: missing"},
		{"null", `{"prompt": "a", "chosen": null, "rejected": "c"}`, "x.jsonl:1: field chosen: missing"},
		{"number", `{"prompt": 3, "chosen": "b", "rejected": "c"}`, "x.jsonl:1: field prompt: want a string or a list of {role, content} messages, got a number"},
		{"bad json", `{"prompt": "a", "chosen": "b", "rejected": "c"` + "\n", "x.jsonl:1: invalid JSON"},
		{"not object", `["a", "b"]`, "x.jsonl:1: want a JSON object, got a list"},
		{"two objects", `{"prompt": "a", "chosen": "b", "rejected": "c"} {}`, "x.jsonl:1: invalid JSON: data after the object"},
		{"role", `{"prompt": [{"role": "robot", "content": "x"}], "chosen": "b", "rejected": "c"}`, `x.jsonl:1: field prompt: message 0: unknown role "robot"`},
		{"content", `{"prompt": [{"role": "user"}], "chosen": "b", "rejected": "c"}`, "x.jsonl:1: field prompt[0].content: missing"},
		{"user completion", `{"prompt": "a", "chosen": [{"role": "user", "content": "x"}], "rejected": "c"}`, `field chosen: message 0 has role "user"`},
		{"no prompt", `{"chosen": "b", "rejected": "c"}`, "x.jsonl:1: field prompt: missing (only conversations"},
		{"no shared prompt", `{"chosen": [{"role": "user", "content": "x"}], "rejected": [{"role": "user", "content": "y"}]}`, "share 0 leading messages"},
	}
	for _, c := range cases {
		_, err := ReadPairs(writeFile(t, "x.jsonl", c.content))
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
	_, err := ReadPairs(writeFile(t, "x.csv", ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown extension ".csv"`)
}

// tldrRow is a comparison in the layout of OpenAI's summarize_from_feedback
// comparisons files (fields abridged from the published data).
const tldrRow = `{"info": {"id": "t3_1", "post": "My cat sleeps all day.", "title": "Lazy cat?", "subreddit": "cats"}, "split": "train", "summaries": [{"text": " cat sleeps a lot", "policy": "sup2", "note": null}, {"text": " my cat is lazy, normal?", "policy": "ref"}], "choice": 1, "worker": "w1", "batch": "batch3"}`

// TestReadTLDR reads comparisons with the DPO paper's TL;DR prompt, both
// choices, and skips CNN/Daily Mail rows.
func TestReadTLDR(t *testing.T) {
	row0 := strings.Replace(tldrRow, `"choice": 1`, `"choice": 0`, 1)
	cnndm := `{"info": {"id": "c1", "article": "Some news.", "title": "News", "site": "dailymail"}, "summaries": [{"text": " a"}, {"text": " b"}], "choice": 0, "batch": "cnndm0"}`
	got, skipped, err := ReadTLDR(writeFile(t, "tldr.jsonl", tldrRow+"\n"+cnndm+"\n"+row0+"\n"))
	require.NoError(t, err)
	prompt := "SUBREDDIT: r/cats\nTITLE: Lazy cat?\nPOST: My cat sleeps all day.\nTL;DR:"
	want := []Pair{
		{Prompt: prompt, Chosen: " my cat is lazy, normal?", Rejected: " cat sleeps a lot"},
		{Prompt: prompt, Chosen: " cat sleeps a lot", Rejected: " my cat is lazy, normal?"},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 1, skipped)
	bad := []struct{ edit, want string }{
		{strings.Replace(tldrRow, `"choice": 1`, `"choice": 2`, 1), "tl.jsonl:1: field choice: 2; want 0 or 1"},
		{strings.Replace(tldrRow, `"choice": 1`, `"choice": 0.5`, 1), "field choice: want an integer"},
		{strings.Replace(tldrRow, `"title": "Lazy cat?", `, ``, 1), "field info.title: missing"},
		{strings.Replace(tldrRow, `{"text": " cat sleeps a lot", "policy": "sup2", "note": null}, `, ``, 1), "field summaries: want a list of 2 summaries, got a list of 1"},
		{strings.Replace(tldrRow, `"text": " cat sleeps a lot"`, `"text": 5`, 1), "field summaries[0].text: want a string, got a number"},
	}
	for _, b := range bad {
		_, _, err := ReadTLDR(writeFile(t, "tl.jsonl", b.edit))
		require.Error(t, err, b.want)
		assert.Contains(t, err.Error(), b.want)
	}
}

// TestReadUnpaired reads KTO rows, string and conversational, and rejects
// a non-boolean label by name.
func TestReadUnpaired(t *testing.T) {
	got, err := ReadUnpaired(writeFile(t, "kto.jsonl", `{"prompt": "Q", "completion": " yes", "label": true}
{"prompt": [{"role": "user", "content": "Q"}], "completion": [{"role": "assistant", "content": "no"}], "label": false}
`))
	require.NoError(t, err)
	assert.Equal(t, []Unpaired{{"Q", " yes", true}, {"\n\nHuman: Q\n\nAssistant:", " no", false}}, got)
	_, err = ReadUnpaired(writeFile(t, "k.jsonl", `{"prompt": "Q", "completion": "a", "label": 1}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "k.jsonl:1: field label: want true or false, got a number")
}
