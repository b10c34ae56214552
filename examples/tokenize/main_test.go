package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/daalab/daa/internal/shareddata"
)

// TestRun checks the command's JSON lines on golden ids from
// shared/pythia/tokenizer_golden.json ("Hello world" -> [12092, 1533],
// "  Hello" -> [50276, 12092]) and its errors.
func TestRun(t *testing.T) {
	path := shareddata.Path(t, "pythia", "tokenizer.json")
	cases := []struct {
		args []string
		want string // stdout, or a substring of the error
		fail bool
	}{
		{[]string{"-tokenizer", path, "-text", "Hello world"}, `{"ids":[12092,1533]}` + "\n", false},
		{[]string{"-text", "  Hello"}, `{"ids":[50276,12092]}` + "\n", false},
		{[]string{"-text", ""}, `{"ids":[]}` + "\n", false},
		{[]string{"-decode", "12092, 1533"}, `{"text":"Hello world"}` + "\n", false},
		{[]string{"-decode", "0,50276"}, `{"text":"<|endoftext|>  "}` + "\n", false},
		{[]string{"-decode", "1,x"}, `item 1 "x" is not an integer id`, true},
		{[]string{"-decode", "60000"}, "60000 is not a token id", true},
		{[]string{"-text", "a", "-decode", "1"}, "exactly one of -text or -decode", true},
		{[]string{}, "exactly one of -text or -decode", true},
		{[]string{"-text", "a", "b"}, "unexpected arguments", true},
		{[]string{"-tokenizer", path + ".missing", "-text", "a"}, "no such file", true},
		{[]string{"-bogus"}, "flag provided but not defined", true},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := run(c.args, &out)
		if c.fail {
			assert.ErrorContains(t, err, c.want, "run(%q)", c.args)
		} else if assert.NoError(t, err, "run(%q)", c.args) {
			assert.Equal(t, c.want, out.String(), "run(%q)", c.args)
		}
	}
}

// TestNoDefaultTokenizer checks the error when no tokenizer can be found.
func TestNoDefaultTokenizer(t *testing.T) {
	t.Setenv("DAA_SHARED", t.TempDir())
	err := run([]string{"-text", "a"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "pass -tokenizer", "want the missing-tokenizer message")
}
