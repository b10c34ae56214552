package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/daalab/daa/internal/regfile"
)

// point is one row of the input CSV.
type point struct {
	name        string
	kl, winrate float64
}

// readPoints reads the CSV file at path; see parsePoints.
func readPoints(path string) ([]point, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsePoints(path, f)
}

// parsePoints reads CSV from r (file names it in errors): a header row that
// contains the columns name, kl and winrate (case-insensitive, surrounding
// spaces ignored, other columns allowed in any order), then one row per
// point. kl must be a finite number, winrate a number in [0, 1] (a
// fraction, not a percentage), and name non-empty. Errors name the file,
// line and column as file:line:column.
func parsePoints(file string, r io.Reader) ([]point, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file, want a header with columns name,kl,winrate", file)
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && h != "" {
			line, column := cr.FieldPos(i)
			return nil, fmt.Errorf("%s:%d:%d: column %q appears twice in the header", file, line, column, h)
		}
		col[h] = i
	}
	for _, want := range []string{"name", "kl", "winrate"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("%s:1: header lacks column %q (header: %s)", file, want, strings.Join(header, ","))
		}
	}
	var points []point
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		name := strings.TrimSpace(rec[col["name"]])
		if name == "" || len(name) > maxNameBytes {
			line, column := cr.FieldPos(col["name"])
			if name == "" {
				return nil, fmt.Errorf("%s:%d:%d: column \"name\" is empty", file, line, column)
			}
			return nil, fmt.Errorf("%s:%d:%d: column \"name\" is %d bytes, over the %d-byte limit for a group name", file, line, column, len(name), maxNameBytes)
		}
		p := point{name: name}
		for _, f := range []struct {
			column string
			dst    *float64
		}{{"kl", &p.kl}, {"winrate", &p.winrate}} {
			text := strings.TrimSpace(rec[col[f.column]])
			v, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				line, column := cr.FieldPos(col[f.column])
				return nil, fmt.Errorf("%s:%d:%d: column %q: %s is not a finite number", file, line, column, f.column, quote(text))
			}
			if f.column == "winrate" && !(v >= 0 && v <= 1) {
				line, column := cr.FieldPos(col[f.column])
				return nil, fmt.Errorf("%s:%d:%d: column \"winrate\": %s is outside [0, 1]; want a win rate as a fraction", file, line, column, strconv.FormatFloat(v, 'g', -1, 64))
			}
			*f.dst = v
		}
		points = append(points, p)
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", file)
	}
	return points, nil
}

// maxNameBytes bounds a group name (it labels JSON entries, plot panels and
// error messages).
const maxNameBytes = 200

// quote quotes s for an error message, cut to 40 bytes.
func quote(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// csvError formats a CSV syntax error as file:line:column: message.
func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", file, err)
}
