package data

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
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
	if err := parquet.WriteFile(p, rows); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestParquetPairs reads string columns and conversational list columns
// from Parquet files written with parquet-go, and reports a null field by
// row (from 0) and name.
func TestParquetPairs(t *testing.T) {
	path := writeParquet(t, []pqPair{
		{Prompt: str("The sky is"), Chosen: str(" blue."), Rejected: str(" green."), Score: 9},
		{Prompt: str(""), Chosen: str("a"), Rejected: str("b")},
	})
	got, err := ReadPairs(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Pair{{"The sky is", " blue.", " green."}, {"", "a", "b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}

	msg := func(role, content string) pqMessage { return pqMessage{Content: str(content), Role: str(role)} }
	path = writeParquet(t, []pqConversation{{
		Prompt:   []pqMessage{msg("user", "What is 2+2?")},
		Chosen:   []pqMessage{msg("assistant", "4.")},
		Rejected: []pqMessage{msg("assistant", "5.")},
	}})
	got, err = ReadPairs(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Pair{{"\n\nHuman: What is 2+2?\n\nAssistant:", " 4.", " 5."}}; !reflect.DeepEqual(got, want) {
		t.Errorf("conversational: got %q; want %q", got, want)
	}

	path = writeParquet(t, []pqPair{{Prompt: str("a"), Chosen: str("b"), Rejected: str("c")}, {Prompt: str("a"), Chosen: nil, Rejected: str("c")}})
	if _, err := ReadPairs(path); err == nil || !strings.Contains(err.Error(), "data.parquet: row 1: field chosen: missing") {
		t.Errorf("null chosen: error %v", err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"SUBREDDIT: r/cats\nTITLE: Lazy?\nPOST: My cat sleeps.\nTL;DR:", " lazy cat", " sleepy cat"}}
	if !reflect.DeepEqual(got, want) || skipped != 1 {
		t.Errorf("got %q skipped %d; want %q skipped 1", got, skipped, want)
	}
}

// TestParquetUnpaired reads KTO rows with a boolean label column.
func TestParquetUnpaired(t *testing.T) {
	got, err := ReadUnpaired(writeParquet(t, []pqUnpaired{{"Q", " yes", true}, {"Q", " no", false}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Unpaired{{"Q", " yes", true}, {"Q", " no", false}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v; want %+v", got, want)
	}
}

// TestParquetCorrupt: a file that is not Parquet is an error naming it.
func TestParquetCorrupt(t *testing.T) {
	path := writeFile(t, "bad.parquet", "PAR1 this is not a parquet file PAR1")
	if _, err := ReadPairs(path); err == nil || !strings.Contains(err.Error(), "bad.parquet") {
		t.Errorf("error %v", err)
	}
}
