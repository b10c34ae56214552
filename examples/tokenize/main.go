// Command tokenize encodes text to GPT-NeoX / Pythia token ids, or decodes
// ids to text, with a Hugging Face tokenizer.json.
//
//	go run ./examples/tokenize -text "Hello world"      # {"ids":[12092,1533]}
//	go run ./examples/tokenize -decode 12092,1533       # {"text":"Hello world"}
//	go run ./examples/tokenize -tokenizer FILE -text "..."
//
// Without -tokenizer it uses ../shared/pythia/tokenizer.json beside the
// module root (or $DAA_SHARED/pythia/tokenizer.json). It prints one JSON
// line; errors go to stderr with exit status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/pythia/tokenizer"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tokenize:", err)
		os.Exit(1)
	}
}

// run parses the command line, encodes or decodes, and writes one JSON line
// to stdout.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("tokenizer", "", "tokenizer.json file (default: ../shared/pythia/tokenizer.json beside the module root)")
	text := fs.String("text", "", "text to encode")
	decode := fs.String("decode", "", "comma-separated ids to decode, e.g. 12092,1533")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\nusage: tokenize [-tokenizer FILE] (-text TEXT | -decode IDS)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; quote the text: -text \"...\"", fs.Args())
	}
	textSet, decodeSet := false, false
	fs.Visit(func(f *flag.Flag) {
		textSet = textSet || f.Name == "text"
		decodeSet = decodeSet || f.Name == "decode"
	})
	if textSet == decodeSet {
		return errors.New("give exactly one of -text or -decode")
	}
	if *path == "" {
		p, err := defaultTokenizerPath()
		if err != nil {
			return err
		}
		*path = p
	}
	tok, err := tokenizer.Load(*path)
	if err != nil {
		return err
	}
	var out any
	if textSet {
		out = struct {
			IDs []int `json:"ids"`
		}{tok.Encode(*text)}
	} else {
		ids, err := parseIDs(*decode)
		if err != nil {
			return err
		}
		s, err := tok.Decode(ids)
		if err != nil {
			return err
		}
		out = struct {
			Text string `json:"text"`
		}{s}
	}
	enc := json.NewEncoder(stdout) // one line, newline-terminated
	enc.SetEscapeHTML(false)       // print "<|endoftext|>" as it is
	return enc.Encode(out)
}

// defaultTokenizerPath is ../shared/pythia/tokenizer.json beside the module
// root, if it exists.
func defaultTokenizerPath() (string, error) {
	dir, ok := shareddata.Dir()
	if ok {
		p := filepath.Join(dir, "pythia", "tokenizer.json")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no -tokenizer given and ../shared/pythia/tokenizer.json (beside the module root, or under $DAA_SHARED) was not found; pass -tokenizer path/to/tokenizer.json")
}

// parseIDs reads "1,2,3" (spaces allowed) as ids.
func parseIDs(s string) ([]int, error) {
	ids := []int{}
	if strings.TrimSpace(s) == "" {
		return ids, nil
	}
	for i, f := range strings.Split(s, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-decode: item %d %q is not an integer id", i, f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
