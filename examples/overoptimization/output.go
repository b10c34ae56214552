package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/daalab/daa/internal/atomicfile"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// writeFileAtomic writes data to path so readers never see a partial file.
func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data) }

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// readRuns loads every runs/*.json of the given output directories.
func readRuns(dirs []string) ([]runResult, error) {
	var out []runResult
	seen := map[string]string{}
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join(d, "runs", "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("merge: %s holds no runs/*.json (is it a shard's -out directory?)", d)
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var r runResult
			if err := json.Unmarshal(data, &r); err != nil {
				return nil, fmt.Errorf("merge: %s: %w", f, err)
			}
			if len(r.Points) == 0 {
				return nil, fmt.Errorf("merge: %s: run %s has no points", f, r.Spec)
			}
			if prev, dup := seen[r.Spec.ID()]; dup {
				return nil, fmt.Errorf("merge: run %s appears in both %s and %s", r.Spec, prev, f)
			}
			seen[r.Spec.ID()] = f
			out = append(out, r)
		}
	}
	sortResults(out)
	return out, nil
}

// pointsHeader are the columns of points.csv.
var pointsHeader = []string{"objective", "size", "beta", "seed", "checkpoint", "examples_seen", "kl", "kl_k3", "sqrt_kl",
	"winrate", "winrate_se", "gold_reward", "mean_length", "frac_over_max", "no_eos_rate", "junk", "implicit_acc", "length_r2"}

// writePointsCSV writes every evaluated checkpoint, one row each, with
// shortest round-trip float formatting (so equal runs give equal bytes).
func writePointsCSV(path string, results []runResult) error {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var rows [][]string
	rows = append(rows, pointsHeader)
	for _, r := range results {
		for _, p := range r.Points {
			rows = append(rows, []string{p.Objective, p.Size, f(p.Beta), strconv.FormatUint(p.Seed, 10), strconv.Itoa(p.Checkpoint),
				strconv.Itoa(p.ExamplesSeen), f(p.KL), f(p.KLK3), f(p.SqrtKL), f(p.WinRate), f(float64(p.WinRateSE)), f(p.GoldReward),
				f(p.MeanLength), f(p.FracOverMax), f(p.NoEOSRate), f(p.Junk), f(p.ImplicitAcc), f(float64(p.LengthR2))})
		}
	}
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(rows); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}
