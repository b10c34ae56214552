package data

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodRow = `{"prompt": "a", "chosen": "b", "rejected": "c"}`

// TestReadLocations: errors name the file and the line counted from 1,
// blank lines included; an empty prompt on line 5 is reported on line 5.
func TestReadLocations(t *testing.T) {
	content := goodRow + "\n\n" + goodRow + "\n" + goodRow + "\n" + `{"prompt": "", "chosen": "b", "rejected": "c"}` + "\n"
	path := writeFile(t, "x.jsonl", content)
	_, err := ReadPairs(path)
	assert.EqualError(t, err, "data: "+path+":5: field prompt: empty; every example needs a non-empty prompt (its completion is scored given the prompt's tokens)")
	_, err = ReadUnpaired(writeFile(t, "k.jsonl", `{"prompt": [], "completion": "a", "label": true}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "k.jsonl:1: field prompt: empty message list")
}

// TestInvalidUTF8 names the line, the top-level field and the column of the
// first invalid byte, which encoding/json would silently replace.
func TestInvalidUTF8(t *testing.T) {
	cases := []struct{ name, line, want string }{
		{"prompt", "{\"prompt\": \"caf\xe9\", \"chosen\": \"b\", \"rejected\": \"c\"}", "x.jsonl:2: field prompt: invalid UTF-8 (byte 0xe9 at column 16); want UTF-8 text"},
		{"nested", "{\"prompt\": \"a\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"\xc3\"}], \"rejected\": \"c\"}", "x.jsonl:2: field chosen: invalid UTF-8"},
		{"ignored key", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\", \"note\": \"\xff\"}", "x.jsonl:2: field note: invalid UTF-8"},
		{"field name", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\", \"n\xffte\": 1}", "x.jsonl:2: field name \"n\ufffdte\": invalid UTF-8"},
	}
	for _, c := range cases {
		_, err := ReadPairs(writeFile(t, "x.jsonl", goodRow+"\n"+c.line+"\n"))
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestLongLine: a 10 MB line is refused naming file and line, after reading
// about MaxLineBytes of it; a line of exactly MaxLineBytes is read.
func TestLongLine(t *testing.T) {
	pad := func(n int) string { // a valid row of exactly n bytes
		return `{"prompt": "a", "chosen": "b", "rejected": "` + strings.Repeat("c", n-len(goodRow)+1) + `"}`
	}
	require.Len(t, pad(MaxLineBytes), MaxLineBytes)
	_, err := ParsePairsJSONL(strings.NewReader(goodRow+"\n"+pad(MaxLineBytes)+"\n"), "ok.jsonl")
	require.NoError(t, err)
	_, err = ParsePairsJSONL(strings.NewReader(goodRow+"\n"+pad(MaxLineBytes)), "ok.jsonl") // no final newline
	require.NoError(t, err)
	_, err = ParsePairsJSONL(strings.NewReader(goodRow+"\n"+pad(MaxLineBytes+1)), "big.jsonl")
	assert.EqualError(t, err, "data: big.jsonl:2: line longer than the 1048576-byte limit (data.MaxLineBytes)")

	huge := bytes.Repeat([]byte("x"), 10<<20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ParsePairsJSONL(bytes.NewReader(huge), "huge.jsonl")
	runtime.ReadMemStats(&after)
	assert.EqualError(t, err, "data: huge.jsonl:1: line longer than the 1048576-byte limit (data.MaxLineBytes)")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "bytes allocated refusing a 10 MB line")

	defer func(old int) { MaxLineBytes = old }(MaxLineBytes)
	MaxLineBytes = 11 << 20
	_, err = ParsePairsJSONL(strings.NewReader(pad(10<<20)), "raised.jsonl")
	assert.NoError(t, err, "a raised MaxLineBytes admits the line")
}

// TestReadRefusesFIFO: a named pipe is refused without blocking.
func TestReadRefusesFIFO(t *testing.T) {
	for _, name := range []string{"x.jsonl", "x.parquet"} {
		p := filepath.Join(t.TempDir(), name)
		require.NoError(t, syscall.Mkfifo(p, 0o644))
		_, err := ReadPairs(p)
		assert.EqualError(t, err, "data: "+p+" is a named pipe (FIFO), not a regular file")
	}
}

// TestLongValuesInErrors: a value quoted in an error (up to MaxLineBytes
// long) is cut to 40 bytes.
func TestLongValuesInErrors(t *testing.T) {
	long := strings.Repeat("r", 100_000)
	cases := []struct{ name, line, want string }{
		{"role", `{"prompt": [{"role": "` + long + `", "content": "x"}], "chosen": "b", "rejected": "c"}`, `field prompt: message 0: unknown role "rrrr`},
		{"completion role", `{"prompt": "a", "chosen": [{"role": "` + long + `", "content": "x"}], "rejected": "c"}`, `field chosen: message 0 has role "rrrr`},
		{"field name", `{"prompt": "a", "chosen": "b", "rejected": "c", "` + long + "\xff" + `": 1}`, `field name "rrrr`},
		{"field", `{"prompt": "a", "chosen": "b", "rejected": "c", "` + long + "\": \"\xff\"}", "field rrrr"},
	}
	for _, c := range cases {
		_, err := ParsePairsJSONL(strings.NewReader(c.line), "x.jsonl")
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
			assert.Contains(t, err.Error(), "... (100", c.name)
			assert.Less(t, len(err.Error()), 300, c.name)
		}
	}
	_, _, err := ParseTLDRJSONL(strings.NewReader(strings.Replace(tldrRow, `"choice": 1`, `"choice": 1`+strings.Repeat("0", 100_000)+`.5`, 1)), "t.jsonl")
	assert.ErrorContains(t, err, `t.jsonl:1: field choice: want an integer, got "10000`)
	assert.Less(t, len(err.Error()), 300)
}

// TestManyMessages renders a conversation of 30000 messages (one line under
// MaxLineBytes) in linear time.
func TestManyMessages(t *testing.T) {
	msgs := strings.Repeat(`{"role": "user", "content": "q"}, `, 30_000)
	line := `{"prompt": [` + msgs + `{"role": "user", "content": "q"}], "chosen": "b", "rejected": "c"}`
	require.Less(t, len(line), MaxLineBytes)
	pairs, err := ParsePairsJSONL(strings.NewReader(line), "x.jsonl")
	require.NoError(t, err)
	require.Len(t, pairs, 1)
	assert.Equal(t, strings.Repeat("\n\nHuman: q", 30_001)+"\n\nAssistant:", pairs[0].Prompt)
}
