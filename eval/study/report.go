package study

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/daalab/daa/eval/report"
	"github.com/daalab/daa/eval/scaling"
)

// FitResult is the scaling-law comparison for one objective and size.
type FitResult struct {
	Objective string                   `json:"objective"`
	Size      string                   `json:"size"`
	Fits      []scaling.Fit            `json:"fits"`
	RMSEDiff  *scaling.RMSEDiff        `json:"rmse_diff_rl_minus_quadratic,omitempty"`
	CI        map[string]scaling.FitCI `json:"ci,omitempty"`
	Error     string                   `json:"error,omitempty"`
}

// fitScalingLaws fits R(d) = c + d(alpha - beta log d) and the quadratic to
// every checkpoint of an objective and size (all betas and seeds), with
// bootstrap intervals on the parameters and on the RMSE difference.
func fitScalingLaws(o Options, sizes []string, results []RunResult) []FitResult {
	var out []FitResult
	for _, size := range sizes {
		for _, obj := range o.Losses {
			var d, win []float64
			for _, r := range results {
				if r.Spec.Objective != obj || r.Spec.Size != size {
					continue
				}
				for _, p := range r.Points {
					d = append(d, p.SqrtKL)
					win = append(win, p.WinRate)
				}
			}
			if len(d) == 0 {
				continue
			}
			fr := FitResult{Objective: obj, Size: size, CI: map[string]scaling.FitCI{}}
			boot := scaling.BootstrapOptions{Resamples: 500, Seed: o.Seed}
			for _, form := range []scaling.Form{scaling.RL, scaling.Quadratic} {
				f, err := scaling.FitForm(form, d, win, true)
				if err != nil {
					fr.Error += fmt.Sprintf("%s: %v; ", form, err)
					continue
				}
				fr.Fits = append(fr.Fits, f)
				if ci, err := scaling.BootstrapFit(form, d, win, true, boot); err == nil {
					fr.CI[string(form)] = ci
				}
			}
			if diff, err := scaling.BootstrapRMSEDiff(scaling.RL, scaling.Quadratic, d, win, true, boot); err == nil {
				fr.RMSEDiff = &diff
			}
			out = append(out, fr)
		}
	}
	return out
}

// fitFinding states how the two forms compare.
func fitFinding(fits []FitResult) Finding {
	f := Finding{Name: "scaling_law_fits", Held: true, Numbers: map[string]Num{},
		Claim: "the RL form R(d) = c + d(alpha - beta log d) and the quadratic are fitted per objective and size and compared by RMSE with a bootstrap interval"}
	var parts []string
	for _, fr := range fits {
		if fr.RMSEDiff == nil {
			parts = append(parts, fmt.Sprintf("%s/%s: no comparison (%s)", fr.Objective, fr.Size, strings.TrimSuffix(fr.Error, "; ")))
			f.Held = false
			continue
		}
		df := fr.RMSEDiff
		verdict := "tied within the interval"
		switch {
		case df.CI.Hi < 0:
			verdict = "RL fits better"
		case df.CI.Lo > 0:
			verdict = "quadratic fits better"
		}
		key := fr.Objective + "_" + fr.Size
		f.Numbers[key+"_rmse_diff"] = Num(df.Diff)
		f.Numbers[key+"_rmse_diff_lo"] = Num(df.CI.Lo)
		f.Numbers[key+"_rmse_diff_hi"] = Num(df.CI.Hi)
		parts = append(parts, fmt.Sprintf("%s/%s: RMSE(RL) - RMSE(quadratic) = %+.4f [%+.4f, %+.4f], %s", fr.Objective, fr.Size, df.Diff, df.CI.Lo, df.CI.Hi, verdict))
	}
	f.Statement = "Fitted: " + strings.Join(parts, "; ") + "."
	return f
}

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
	fmt.Fprintf(&b, "%d runs (objectives %s; betas %v; sizes %s; %d seed(s) from %d), %d checkpoints each, evaluated on %d prompts x %d samples against %d reference summaries per prompt with the task's gold reward. The data and the method are described in examples/overoptimization/README.md.\n\n",
		len(results), strings.Join(o.Losses, ", "), o.Betas, strings.Join(o.Sizes, ", "), o.Seeds, o.Seed, o.Checkpoints+1, o.Data.EvalPrompts, o.SamplesPerEval, o.Data.References)
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

// writeFigures draws the paper's Figure 1 layout per size, the training
// curves, length against KL and accuracy against win rate.
func writeFigures(o Options, sizes []string, results []RunResult, fits []FitResult) ([]report.Figure, error) {
	var figs []report.Figure
	for _, size := range sizes {
		var panels []report.Panel
		for _, obj := range o.Losses {
			pn := report.Panel{Title: strings.ToUpper(obj), XLabel: "sqrt(KL(pi || pi_ref))", YLabel: "win rate vs reference summaries"}
			betas := append([]float64(nil), o.Betas...)
			sort.Float64s(betas)
			for _, beta := range betas {
				sr := report.Series{Label: fmt.Sprintf("β = %g", beta)}
				for _, r := range results {
					if r.Spec.Objective == obj && r.Spec.Size == size && r.Spec.Beta == beta {
						for _, p := range r.Points {
							sr.X, sr.Y, sr.YErr = append(sr.X, p.SqrtKL), append(sr.Y, p.WinRate), append(sr.YErr, finite(float64(p.WinRateSE)))
						}
					}
				}
				if len(sr.X) > 0 {
					pn.Series = append(pn.Series, sr)
				}
			}
			for _, fr := range fits {
				if fr.Objective == obj && fr.Size == size {
					pn.Fits = fr.Fits
				}
			}
			panels = append(panels, pn)
		}
		name := fmt.Sprintf("winrate_vs_sqrt_kl_%s.png", size)
		if err := report.WinRateVsSqrtKL(filepath.Join(o.Out, name), panels); err != nil {
			return nil, err
		}
		figs = append(figs, report.Figure{Path: name, Caption: fmt.Sprintf("Size %s: gold win rate against sqrt(KL) for every checkpoint, coloured by beta, with the RL-form and quadratic fits (the layout of the paper's Figure 1).", size)})
	}
	var runs []report.Run
	var lengthSeries, accSeries []report.Series
	for _, r := range results {
		if r.Spec.Seed != o.Seed {
			continue // one seed keeps the curves readable
		}
		run := report.Run{Label: fmt.Sprintf("%s β=%g %s", strings.ToUpper(r.Spec.Objective), r.Spec.Beta, r.Spec.Size)}
		ls := report.Series{Label: run.Label, Line: true}
		as := report.Series{Label: run.Label}
		for _, p := range r.Points {
			run.Progress = append(run.Progress, float64(p.ExamplesSeen)/float64(o.Data.TrainPairs))
			run.KL = append(run.KL, p.KL)
			run.WinRate = append(run.WinRate, p.WinRate)
			run.WinRateSE = append(run.WinRateSE, finite(float64(p.WinRateSE)))
			ls.X, ls.Y = append(ls.X, p.KL), append(ls.Y, p.MeanLength)
			if p.Checkpoint > 0 {
				as.X, as.Y = append(as.X, p.WinRate), append(as.Y, p.ImplicitAcc)
			}
		}
		runs = append(runs, run)
		lengthSeries = append(lengthSeries, ls)
		if len(as.X) > 0 {
			accSeries = append(accSeries, as)
		}
	}
	for _, fig := range []struct {
		name, caption string
		draw          func(string) error
	}{
		{"training_curves.png", "KL and gold win rate against training progress (epochs), seed " + fmt.Sprint(o.Seed) + ".", func(p string) error { return report.TrainingCurves(p, runs) }},
		{"length_vs_kl.png", "Mean response length against KL: length is the exploited feature.", func(p string) error { return report.LengthVsKL(p, lengthSeries) }},
		{"accuracy_vs_winrate.png", "Implicit-reward accuracy on held-out pairs against gold win rate (trained checkpoints).", func(p string) error { return report.AccuracyVsWinRate(p, accSeries) }},
	} {
		if err := fig.draw(filepath.Join(o.Out, fig.name)); err != nil {
			return nil, fmt.Errorf("%s: %w", fig.name, err)
		}
		figs = append(figs, report.Figure{Path: fig.name, Caption: fig.caption})
	}
	return figs, nil
}

// finite maps NaN (a standard error from too few prompts) to 0 for plotting.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
