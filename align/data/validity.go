package data

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"
)

// MaxLineBytes bounds the length of one JSONL line (not counting its
// newline). A longer line is an error naming the file and line, reported
// after reading at most MaxLineBytes of it, so a file without newlines
// cannot make a reader hold gigabytes. The default, 1 MiB, is over ten times
// the longest row of the TL;DR and Anthropic HH sets; raise it before reading
// data with longer rows.
var MaxLineBytes = 1 << 20

// readLine returns the next line of br with its newline, or an error when
// it exceeds MaxLineBytes. At the end of the input it returns the last
// (possibly empty) line with io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		content := len(line) + len(chunk)
		if err == nil {
			content-- // the newline
		}
		if content > MaxLineBytes {
			return nil, fmt.Errorf("line longer than the %d-byte limit (data.MaxLineBytes)", MaxLineBytes)
		}
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// jsonlUTF8 returns an error naming the field of JSON object text (a line
// that decoded without error) holding the first invalid UTF-8 byte, or nil
// when text is valid UTF-8. encoding/json would silently turn such bytes
// into U+FFFD.
func jsonlUTF8(text []byte) error {
	if utf8.Valid(text) {
		return nil
	}
	bad := 0
	for bad < len(text) {
		r, size := utf8.DecodeRune(text[bad:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		bad += size
	}
	where := "the line"
	dec := json.NewDecoder(bytes.NewReader(text))
	if _, err := dec.Token(); err == nil { // '{'
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				break
			}
			keyEnd := dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				break
			}
			if int64(bad) < dec.InputOffset() {
				name, _ := key.(string)
				where = "field " + clip(name)
				if int64(bad) < keyEnd {
					where = "field name " + quote(name)
				}
				break
			}
		}
	}
	return fmt.Errorf("%s: invalid UTF-8 (byte %#x at column %d); want UTF-8 text", where, text[bad], bad+1)
}

// rowUTF8 returns an error naming the field of a decoded row that holds the
// first string with invalid UTF-8 (Parquet byte arrays are not checked by
// the decoder), visiting keys in sorted order.
func rowUTF8(v any, path string) error {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return fmt.Errorf("field %s: invalid UTF-8; want UTF-8 text", path)
		}
	case []any:
		for i, e := range x {
			if err := rowUTF8(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			if !utf8.ValidString(k) {
				return fmt.Errorf("field %s: invalid UTF-8 in the field name; want UTF-8 text", quote(sub))
			}
			if err := rowUTF8(x[k], sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// quote quotes s for an error message, cut to 40 bytes (a value can be
// up to MaxLineBytes long).
func quote(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// clip cuts s to 40 bytes for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s... (%d bytes)", s[:40], len(s))
	}
	return s
}

// maxParquetFooter bounds a Parquet file's footer (its thrift-encoded
// metadata), which the Parquet reader allocates in full from the length
// stored in the file's last 8 bytes. Data sets' footers are kilobytes to a
// few megabytes; a corrupt length of 4 GB made it allocate 4 GB.
const maxParquetFooter = 16 << 20

// parquetFooter checks the footer length stored before the trailing "PAR1"
// of a size-byte Parquet file against the file and maxParquetFooter.
func parquetFooter(r io.ReaderAt, size int64) error {
	const magic = "PAR1"
	if size < 12 {
		return fmt.Errorf("%d bytes is too short for a Parquet file", size)
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("reading the footer length: %w", err)
	}
	if string(tail[4:]) != magic {
		return fmt.Errorf("last 4 bytes are %q, not %q: not a Parquet file", tail[4:], magic)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return fmt.Errorf("footer length %d exceeds the file (%d bytes)", n, size)
	}
	if n > maxParquetFooter {
		return fmt.Errorf("footer length %d exceeds the %d-byte limit", n, maxParquetFooter)
	}
	return nil
}
