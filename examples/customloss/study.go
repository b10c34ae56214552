package main

import (
	"fmt"
	"io"
	"os"

	"github.com/daalab/daa/eval/study"
)

// studyOptions are the settings of -study: the recipe's study (with quick,
// its -quick: size S, two betas, one seed) with the registered smooth_hinge
// as an objective next to DPO, written to out.
func studyOptions(out string, quick bool) study.Options {
	o := study.DefaultOptions()
	if quick {
		o.ApplyQuick(nil)
	}
	o.Out, o.Losses = out, []string{"dpo", "smooth_hinge"}
	return o
}

// runStudy runs the over-optimization study of eval/study on the synthetic
// summarisation task with the options o and writes its outputs (points.csv,
// summary.json, report.md, figures, runs/) to o.Out, reporting on w.
func runStudy(o study.Options, w io.Writer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	task := study.NewSynthetic(o)
	results, err := study.Run(o, task, w)
	if err != nil {
		return err
	}
	s, err := study.WriteReport(o, task, results)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d runs, %d checkpoints; report %s/report.md\n", s.Runs, s.Points, o.Out)
	for _, f := range s.Findings {
		fmt.Fprintf(w, "  %-44s %s\n", f.Name, study.HeldWord(f.Held))
	}
	return nil
}
