package study

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/daalab/daa/eval/report"
)

// Summary is summary.json: the options, the counts, the scaling-law fits
// and the findings.
type Summary struct {
	Options  Options     `json:"options"`
	Runs     int         `json:"runs"`
	Points   int         `json:"points"`
	Fits     []FitResult `json:"fits"`
	Findings []Finding   `json:"findings"`
}

// WriteReport writes points.csv, the figures, summary.json and report.md
// of the results into o.Out, and returns the summary. task orders the
// model sizes and may add a note to the report (Task.ReportNote).
func WriteReport(o Options, task Task, results []RunResult) (*Summary, error) {
	if err := WritePointsCSV(filepath.Join(o.Out, "points.csv"), results); err != nil {
		return nil, err
	}
	sizes := task.SortSizes(o.Sizes)
	fits := fitScalingLaws(o, sizes, results)
	fs := append(findings(o, sizes, results), fitFinding(fits))
	s := &Summary{Options: o, Runs: len(results), Fits: fits, Findings: fs}
	for _, r := range results {
		s.Points += len(r.Points)
	}
	figs, err := writeFigures(o, sizes, results, fits)
	if err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(o.Out, "summary.json"), s); err != nil {
		return nil, err
	}
	rep := report.Report{
		Title:   "Reward over-optimization in direct alignment algorithms, reproduced at small scale",
		Summary: reportSummary(o, results, fs),
		Figures: figs,
	}
	if note := task.ReportNote(); note != "" {
		rep.Summary = note + "\n\n" + rep.Summary
	}
	for _, fr := range fits {
		for _, f := range fr.Fits {
			nf := report.NamedFit{Name: fmt.Sprintf("%s size %s", strings.ToUpper(fr.Objective), fr.Size), Fit: f}
			if ci, ok := fr.CI[string(f.Form)]; ok {
				nf.CI = &ci
			}
			rep.Fits = append(rep.Fits, nf)
		}
	}
	rep.Tables = append(rep.Tables, runTable(results))
	return s, report.WriteMarkdown(filepath.Join(o.Out, "report.md"), rep)
}

func reportSummary(o Options, results []RunResult, fs []Finding) string {
	var b strings.Builder
	perSize := ""
	for _, size := range o.Sizes {
		if _, ok := o.SizeLosses[size]; ok {
			perSize += fmt.Sprintf("; size %s runs %s only", size, strings.Join(o.LossesOf(size), ", "))
		}
	}
	fmt.Fprintf(&b, "%d runs (objectives %s; betas %v; sizes %s%s; %d seed(s) from %d), %d checkpoints each, evaluated on %d prompts x %d samples against %d reference summaries per prompt with the task's gold reward. The data and the method are described in examples/overoptimization/README.md.\n\n",
		len(results), strings.Join(o.Losses, ", "), o.Betas, strings.Join(o.Sizes, ", "), perSize, o.Seeds, o.Seed, o.Checkpoints+1, o.Data.EvalPrompts, o.SamplesPerEval, o.Data.References)
	if !o.RealMode() {
		b.WriteString(trainingRates(o) + "\n\n")
	}
	if o.Seeds < 2 {
		b.WriteString("With one seed, a hump rarely clears its two-standard-error margin and no seed interval or standard error over seeds exists: the findings that need them say \"Did not hold\" or \"not established\" for that reason, not because the method failed (examples/overoptimization/README.md, \"What -quick can and cannot show\"). Run two or more seeds before reading them as results.\n\n")
	}
	b.WriteString("## Findings\n\n")
	for _, f := range fs {
		fmt.Fprintf(&b, "- **%s** (%s). %s\n", f.Name, f.Claim, f.Statement)
	}
	return b.String()
}

// runTable lists each run's start, peak and end.
func runTable(results []RunResult) report.Table {
	t := report.Table{Caption: "Runs: win rate at the start (SFT), at the best checkpoint and at the end, with the KL at the end",
		Header: []string{"objective", "beta", "size", "seed", "start", "best (checkpoint)", "end", "z(best-end)", "final KL", "final length", "final junk", "final accuracy"}}
	for _, r := range results {
		pd := runPeak(r)
		t.Rows = append(t.Rows, []string{r.Spec.Objective, fmt.Sprint(r.Spec.Beta), r.Spec.Size, fmt.Sprint(r.Spec.Seed),
			fmt.Sprintf("%.3f", r.Points[0].WinRate), fmt.Sprintf("%.3f (%d)", pd.best.WinRate, pd.best.Checkpoint),
			fmt.Sprintf("%.3f ± %.3f", pd.last.WinRate, float64(pd.last.WinRateSE)), fmt.Sprintf("%.1f", pd.z), fmt.Sprintf("%.2f", pd.last.KL),
			fmt.Sprintf("%.2f", pd.last.MeanLength), fmt.Sprintf("%.2f", pd.last.Junk), fmt.Sprintf("%.3f", pd.last.ImplicitAcc)})
	}
	return t
}

// trainingRates states each size's SFT steps and rate and its DAA rate
// (DAALROf: falling as 1/width unless DAALRBaseWidth is 0).
func trainingRates(o Options) string {
	rule := "one DAA rate at every size"
	if o.DAALRBaseWidth > 0 {
		rule = fmt.Sprintf("the DAA rate is %g at hidden width %d and falls as 1/width", o.DAALR, o.DAALRBaseWidth)
	}
	var parts []string
	for _, size := range o.Sizes {
		parts = append(parts, fmt.Sprintf("%s SFT %d steps at %g, DAA at %g", size, o.SFTStepsOf(size), o.SFTLROf(size), o.DAALROf(size)))
	}
	return fmt.Sprintf("Learning rates (AdamW SFT, RMSProp DAA; %s): %s.", rule, strings.Join(parts, "; "))
}
