package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// verifySummary checks that a summary.json is complete: runs and points,
// every finding with a claim and a statement (its numbers may be null where
// undefined, e.g. a correlation of constants), a hump finding per objective,
// and a fit per objective and size. CI runs it on the -quick output (-verify FILE).
func verifySummary(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s summary
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if s.Runs == 0 || s.Points < 2*s.Runs {
		return fmt.Errorf("%s: %d runs with %d points", path, s.Runs, s.Points)
	}
	if len(s.Findings) == 0 {
		return fmt.Errorf("%s: no findings", path)
	}
	for _, f := range s.Findings {
		if f.Name == "" || f.Claim == "" || f.Statement == "" {
			return fmt.Errorf("%s: finding %q lacks a claim or statement", path, f.Name)
		}
	}
	names := map[string]bool{}
	for _, f := range s.Findings {
		names[f.Name] = true
	}
	for _, obj := range s.Options.Losses {
		if !names["hump_"+obj] {
			return fmt.Errorf("%s: no hump finding for %s", path, obj)
		}
	}
	if want := len(s.Options.Losses) * len(s.Options.Sizes); len(s.Fits) != want {
		return fmt.Errorf("%s: %d fits, want one per objective and size (%d)", path, len(s.Fits), want)
	}
	for _, fr := range s.Fits {
		if len(fr.Fits) == 0 {
			return fmt.Errorf("%s: no scaling-law fit for %s size %s: %s", path, fr.Objective, fr.Size, fr.Error)
		}
	}
	return nil
}
