package data

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/daalab/daa/internal/regfile"
	"github.com/parquet-go/parquet-go"
)

// ReadPairs reads TRL-style preference data from a .jsonl or .parquet
// file: per row a prompt, chosen and rejected, each a string or a list of
// {role, content} messages rendered with the conversational template
// (RenderPrompt, RenderCompletion); without a prompt, chosen and rejected
// must be conversations whose shared first messages are the prompt. Other
// keys are ignored. A bad row is an error naming the file, the line (JSONL)
// or row (Parquet), both counted from 1, and the field; so are an empty
// prompt, invalid UTF-8 and a line over MaxLineBytes.
func ReadPairs(path string) ([]Pair, error) {
	var pairs []Pair
	err := readRows(path, collect(&pairs, pairFromRow))
	return pairs, err
}

// ParsePairsJSONL is ReadPairs on JSONL from r; name labels errors.
func ParsePairsJSONL(r io.Reader, name string) ([]Pair, error) {
	var pairs []Pair
	err := scanJSONL(r, name, collect(&pairs, pairFromRow))
	return pairs, err
}

// ReadTLDR reads comparisons of OpenAI's summarize_from_feedback (the
// "comparisons" files, .jsonl, or their Parquet conversion) into pairs: the
// prompt is TLDRPrompt(info.subreddit, info.title, info.post), chosen is
// summaries[choice].text and rejected the other summary. Comparisons of
// CNN/Daily Mail articles (info.article, no info.post) are skipped and
// counted in skipped. A bad row is an error naming file, line or row, and
// field.
func ReadTLDR(path string) (pairs []Pair, skipped int, err error) {
	err = readRows(path, tldrCollector(&pairs, &skipped))
	return pairs, skipped, err
}

// ParseTLDRJSONL is ReadTLDR on JSONL from r; name labels errors.
func ParseTLDRJSONL(r io.Reader, name string) (pairs []Pair, skipped int, err error) {
	err = scanJSONL(r, name, tldrCollector(&pairs, &skipped))
	return pairs, skipped, err
}

func tldrCollector(pairs *[]Pair, skipped *int) func(at string, row map[string]any) error {
	return func(at string, row map[string]any) error {
		p, err := tldrFromRow(row)
		if errors.Is(err, errCNNDM) {
			*skipped++
			return nil
		}
		if err != nil {
			return fmt.Errorf("data: %s: %w", at, err)
		}
		*pairs = append(*pairs, p)
		return nil
	}
}

// ReadUnpaired reads KTO-style rows (prompt, completion: strings or
// messages; label: true for desirable) from a .jsonl or .parquet file.
func ReadUnpaired(path string) ([]Unpaired, error) {
	var out []Unpaired
	err := readRows(path, collect(&out, unpairedFromRow))
	return out, err
}

// collect returns a row callback that appends parse(row) to out and
// prefixes errors with the row's location.
func collect[T any](out *[]T, parse func(row map[string]any) (T, error)) func(at string, row map[string]any) error {
	return func(at string, row map[string]any) error {
		v, err := parse(row)
		if err != nil {
			return fmt.Errorf("data: %s: %w", at, err)
		}
		*out = append(*out, v)
		return nil
	}
}

// readRows calls each for every row of a .jsonl or .parquet file.
func readRows(path string, each func(at string, row map[string]any) error) error {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".jsonl":
		f, err := regfile.Open(path)
		if err != nil {
			return fmt.Errorf("data: %w", err)
		}
		defer f.Close()
		return scanJSONL(f, path, each)
	case ".parquet":
		return scanParquet(path, each)
	default:
		return fmt.Errorf("data: %s: unknown extension %q (want .jsonl or .parquet)", path, ext)
	}
}

// scanJSONL calls each for every non-blank line of r, decoded as a JSON
// object (numbers as json.Number); at is "name:line", lines counted from 1.
// A line over MaxLineBytes or with invalid UTF-8 is an error.
func scanJSONL(r io.Reader, name string, each func(at string, row map[string]any) error) error {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		text, err := readLine(br)
		if err != nil && err != io.EOF {
			return fmt.Errorf("data: %s:%d: %w", name, line, err)
		}
		if len(bytes.TrimSpace(text)) > 0 {
			at := fmt.Sprintf("%s:%d", name, line)
			row, derr := decodeObject(text)
			if derr == nil {
				derr = jsonlUTF8(text)
			}
			if derr != nil {
				return fmt.Errorf("data: %s: %w", at, derr)
			}
			if cerr := each(at, row); cerr != nil {
				return cerr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// decodeObject decodes one JSON object (and nothing after it).
func decodeObject(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	row, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a JSON object, got %s", kind(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the object")
	}
	return row, nil
}

// scanParquet calls each for every row of a Parquet file, decoded
// generically (groups as maps, lists as slices); at is "path: row N", rows
// counted from 1. A string with invalid UTF-8 is an error naming its field.
func scanParquet(path string, each func(at string, row map[string]any) error) (err error) {
	f, err := regfile.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer func() { // parquet-go panics on some malformed files
		if p := recover(); p != nil {
			err = fmt.Errorf("data: %s: parquet: %v", path, p)
		}
	}()
	if err := parquetFooter(f, st.Size()); err != nil {
		return fmt.Errorf("data: %s: %w", path, err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("data: %s: %w", path, err)
	}
	r := parquet.NewGenericReader[any](pf)
	defer r.Close()
	buf := make([]any, 256)
	for index := 1; ; {
		n, rerr := r.Read(buf)
		for _, v := range buf[:n] {
			at := fmt.Sprintf("%s: row %d", path, index)
			row, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("data: %s: want a record, got %T", at, v)
			}
			if err := rowUTF8(row, ""); err != nil {
				return fmt.Errorf("data: %s: %w", at, err)
			}
			if err := each(at, row); err != nil {
				return err
			}
			index++
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("data: %s: row %d: %w", path, index, rerr)
		}
	}
}
