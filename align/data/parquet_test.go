package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The row types below mirror how Hugging Face datasets (pyarrow) store
// these columns: nullable strings, lists of nullable {content, role}
// structs, nested info structs and integer choices.

type pqMessage struct {
	Content *string `parquet:"content,optional"`
	Role    *string `parquet:"role,optional"`
}

type pqPair struct {
	Prompt   *string `parquet:"prompt,optional"`
	Chosen   *string `parquet:"chosen,optional"`
	Rejected *string `parquet:"rejected,optional"`
	Score    float64 `parquet:"score_chosen"`
}

type pqConversation struct {
	Prompt   []pqMessage `parquet:"prompt,list"`
	Chosen   []pqMessage `parquet:"chosen,list"`
	Rejected []pqMessage `parquet:"rejected,list"`
}

type pqInfo struct {
	ID        *string `parquet:"id,optional"`
	Post      *string `parquet:"post,optional"`
	Title     *string `parquet:"title,optional"`
	Subreddit *string `parquet:"subreddit,optional"`
	Article   *string `parquet:"article,optional"`
}

type pqSummary struct {
	Text   *string `parquet:"text,optional"`
	Policy *string `parquet:"policy,optional"`
}

type pqComparison struct {
	Info      pqInfo      `parquet:"info"`
	Summaries []pqSummary `parquet:"summaries,list"`
	Choice    int32       `parquet:"choice"`
}

type pqUnpaired struct {
	Prompt     string `parquet:"prompt"`
	Completion string `parquet:"completion"`
	Label      bool   `parquet:"label"`
}

func str(s string) *string { return &s }

func writeParquet[T any](t *testing.T, rows []T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.parquet")
	require.NoError(t, parquet.WriteFile(p, rows))
	return p
}

// TestParquetPairs reads string columns and conversational list columns
// from Parquet files written with parquet-go, and reports a null field or an
// empty prompt by row (from 1) and name.
func TestParquetPairs(t *testing.T) {
	path := writeParquet(t, []pqPair{
		{Prompt: str("The sky is"), Chosen: str(" blue."), Rejected: str(" green."), Score: 9},
		{Prompt: str("Q"), Chosen: str("a"), Rejected: str("")},
	})
	got, err := ReadPairs(path)
	require.NoError(t, err)
	assert.Equal(t, []Pair{{"The sky is", " blue.", " green."}, {"Q", "a", ""}}, got)

	msg := func(role, content string) pqMessage { return pqMessage{Content: str(content), Role: str(role)} }
	path = writeParquet(t, []pqConversation{{
		Prompt:   []pqMessage{msg("user", "What is 2+2?")},
		Chosen:   []pqMessage{msg("assistant", "4.")},
		Rejected: []pqMessage{msg("assistant", "5.")},
	}})
	got, err = ReadPairs(path)
	require.NoError(t, err)
	assert.Equal(t, []Pair{{"\n\nHuman: What is 2+2?\n\nAssistant:", " 4.", " 5."}}, got, "conversational")

	path = writeParquet(t, []pqPair{{Prompt: str("a"), Chosen: str("b"), Rejected: str("c")}, {Prompt: str("a"), Chosen: nil, Rejected: str("c")}})
	_, err = ReadPairs(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data.parquet: row 2: field chosen: missing")

	path = writeParquet(t, []pqPair{{Prompt: str("a"), Chosen: str("b"), Rejected: str("c")}, {Prompt: str(""), Chosen: str("b"), Rejected: str("c")}})
	_, err = ReadPairs(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data.parquet: row 2: field prompt: empty")
}

// TestParquetInvalidUTF8: a string column with invalid UTF-8 is an error
// naming the row and the field (nested fields by their path).
func TestParquetInvalidUTF8(t *testing.T) {
	path := writeParquet(t, []pqPair{{Prompt: str("a"), Chosen: str("b"), Rejected: str("c")}, {Prompt: str("a"), Chosen: str("b\xff"), Rejected: str("c")}})
	_, err := ReadPairs(path)
	require.Error(t, err)
	assert.EqualError(t, err, "data: "+path+": row 2: field chosen: invalid UTF-8; want UTF-8 text")

	msg := pqMessage{Content: str("x\xc3"), Role: str("assistant")}
	path = writeParquet(t, []pqConversation{{Prompt: []pqMessage{{Content: str("q"), Role: str("user")}}, Chosen: []pqMessage{msg}, Rejected: []pqMessage{msg}}})
	_, err = ReadPairs(path)
	assert.EqualError(t, err, "data: "+path+": row 1: field chosen[0].content: invalid UTF-8; want UTF-8 text")
}

// TestParquetTLDR reads summarize_from_feedback comparisons with nested
// info and summaries columns, skipping a CNN/DM row.
func TestParquetTLDR(t *testing.T) {
	path := writeParquet(t, []pqComparison{
		{Info: pqInfo{ID: str("t3_1"), Post: str("My cat sleeps."), Title: str("Lazy?"), Subreddit: str("cats")},
			Summaries: []pqSummary{{Text: str(" sleepy cat"), Policy: str("ref")}, {Text: str(" lazy cat")}}, Choice: 1},
		{Info: pqInfo{ID: str("c1"), Article: str("News."), Title: str("News")}, Summaries: []pqSummary{{Text: str(" a")}, {Text: str(" b")}}},
	})
	got, skipped, err := ReadTLDR(path)
	require.NoError(t, err)
	assert.Equal(t, []Pair{{"SUBREDDIT: r/cats\nTITLE: Lazy?\nPOST: My cat sleeps.\nTL;DR:", " lazy cat", " sleepy cat"}}, got)
	assert.Equal(t, 1, skipped)
}

// TestParquetUnpaired reads KTO rows with a boolean label column.
func TestParquetUnpaired(t *testing.T) {
	got, err := ReadUnpaired(writeParquet(t, []pqUnpaired{{"Q", " yes", true}, {"Q", " no", false}}))
	require.NoError(t, err)
	assert.Equal(t, []Unpaired{{"Q", " yes", true}, {"Q", " no", false}}, got)
}

// TestParquetCorrupt: a file that is not Parquet is an error naming it.
func TestParquetCorrupt(t *testing.T) {
	path := writeFile(t, "bad.parquet", "PAR1 this is not a parquet file PAR1")
	_, err := ReadPairs(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.parquet")
}

// TestParquetFooterLength: a footer length beyond the file or over 16 MiB
// is refused before the reader allocates it.
func TestParquetFooterLength(t *testing.T) {
	path := writeParquet(t, []pqUnpaired{{"Q", " yes", true}})
	good, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, c := range []struct {
		length uint32
		want   string
	}{
		{0xffffffff, "footer length 4294967295 exceeds the file"},
		{uint32(len(good) - 11), fmt.Sprintf("footer length %d exceeds the file", len(good)-11)},
	} {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[len(b)-8:], c.length)
		require.NoError(t, os.WriteFile(path, b, 0o644))
		_, err := ReadUnpaired(path)
		assert.ErrorContains(t, err, "data: "+path+": "+c.want)
	}
	var big bytes.Buffer
	big.Write(make([]byte, 17<<20+4))
	binary.Write(&big, binary.LittleEndian, uint32(17<<20))
	big.WriteString("PAR1")
	assert.EqualError(t, parquetFooter(bytes.NewReader(big.Bytes()), int64(big.Len())), "footer length 17825792 exceeds the 16777216-byte limit")
	assert.EqualError(t, parquetFooter(bytes.NewReader([]byte("PAR1")), 4), "4 bytes is too short for a Parquet file")
	assert.EqualError(t, parquetFooter(bytes.NewReader([]byte("0123456789abcdef")), 16), `last 4 bytes are "cdef", not "PAR1": not a Parquet file`)
}
