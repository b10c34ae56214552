package study

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// VerifySummary checks that a study's output is complete: summary.json
// holds every run of the grid of its options with checkpoints 0..Checkpoints
// each, every finding with a claim and a statement (its numbers may be null
// where undefined, e.g. a correlation of constants), a hump finding per
// objective and a fit per objective and size; and points.csv beside it holds
// exactly one row per checkpoint of every run of that grid and no other.
// The error names the file and what is missing or extra. CI runs it on the
// -quick output (-verify FILE).
func VerifySummary(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	o := s.Options
	grid := Grid(o)
	if len(grid) == 0 || o.Checkpoints < 1 {
		return fmt.Errorf("%s: options describe an empty grid (objectives %v, betas %v, sizes %v, %d seed(s), %d checkpoints)",
			path, o.Losses, o.Betas, o.Sizes, o.Seeds, o.Checkpoints)
	}
	if want := len(grid) * (o.Checkpoints + 1); s.Runs != len(grid) || s.Points != want {
		return fmt.Errorf("%s: %d runs with %d points; the grid of its options has %d runs of %d checkpoints (%d points)",
			path, s.Runs, s.Points, len(grid), o.Checkpoints+1, want)
	}
	if len(s.Findings) == 0 {
		return fmt.Errorf("%s: no findings", path)
	}
	names := map[string]bool{}
	for _, f := range s.Findings {
		if f.Name == "" || f.Claim == "" || f.Statement == "" {
			return fmt.Errorf("%s: finding %q lacks a claim or statement", path, f.Name)
		}
		names[f.Name] = true
	}
	for _, obj := range o.Losses {
		if !names["hump_"+obj] {
			return fmt.Errorf("%s: no hump finding for %s", path, obj)
		}
	}
	want := 0
	for _, size := range o.Sizes {
		want += len(o.LossesOf(size))
	}
	if len(s.Fits) != want {
		return fmt.Errorf("%s: %d fits, want one per objective of each size (%d)", path, len(s.Fits), want)
	}
	for _, fr := range s.Fits {
		if len(fr.Fits) == 0 {
			return fmt.Errorf("%s: no scaling-law fit for %s size %s: %s", path, fr.Objective, fr.Size, fr.Error)
		}
	}
	return verifyPoints(filepath.Join(filepath.Dir(path), "points.csv"), o, grid)
}

// verifyPoints checks that points.csv has the header PointsHeader and one
// row per checkpoint 0..o.Checkpoints of every run of grid, and no other.
func verifyPoints(path string, o Options, grid []RunSpec) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(PointsHeader, ",") {
		return fmt.Errorf("%s: header is not %v", path, PointsHeader)
	}
	want := map[string]bool{}
	for _, s := range grid {
		for k := 0; k <= o.Checkpoints; k++ {
			want[pointKey(s.Objective, s.Size, strconv.FormatFloat(s.Beta, 'g', -1, 64), strconv.FormatUint(s.Seed, 10), strconv.Itoa(k))] = true
		}
	}
	seen := map[string]bool{}
	for i, row := range rows[1:] {
		key := pointKey(row[0], row[1], row[2], row[3], row[4])
		switch {
		case !want[key]:
			return fmt.Errorf("%s:%d: %s is not a checkpoint of the grid in summary.json", path, i+2, key)
		case seen[key]:
			return fmt.Errorf("%s:%d: %s appears twice", path, i+2, key)
		}
		seen[key] = true
	}
	var missing []string
	for _, s := range grid {
		for k := 0; k <= o.Checkpoints; k++ {
			key := pointKey(s.Objective, s.Size, strconv.FormatFloat(s.Beta, 'g', -1, 64), strconv.FormatUint(s.Seed, 10), strconv.Itoa(k))
			if !seen[key] {
				missing = append(missing, key)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %d checkpoints of the grid missing: %s", path, len(missing), strings.Join(missing, ", "))
	}
	return nil
}

// pointKey names one row of points.csv.
func pointKey(objective, size, beta, seed, checkpoint string) string {
	return fmt.Sprintf("%s beta=%s size=%s seed=%s checkpoint %s", objective, beta, size, seed, checkpoint)
}
