package study

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/daalab/daa/eval/report"
)

// figure1Panel is one panel of the paper's Figure 1 layout: win rate
// against sqrt(KL) for every checkpoint of an objective on a size, one
// series per beta, with the scaling-law fits.
func figure1Panel(o Options, obj, size, title string, results []RunResult, fits []FitResult) report.Panel {
	pn := report.Panel{Title: title, XLabel: "sqrt(KL(pi || pi_ref))", YLabel: "win rate vs reference summaries"}
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
	return pn
}

// writeFigures draws the paper's Figure 1 layout per size and, for the
// objectives every size has, one panel per size side by side; then the
// training curves, length against KL, the out-of-distribution measures
// against KL and accuracy against win rate.
func writeFigures(o Options, sizes []string, results []RunResult, fits []FitResult) ([]report.Figure, error) {
	var figs []report.Figure
	if len(sizes) > 1 {
		var panels []report.Panel
		common := o.commonLosses(sizes)
		for _, obj := range common {
			for _, size := range sizes {
				panels = append(panels, figure1Panel(o, obj, size, fmt.Sprintf("%s, size %s", strings.ToUpper(obj), size), results, fits))
			}
		}
		if len(panels) > 0 {
			name := "winrate_vs_sqrt_kl_sizes.png"
			if err := report.WritePanels(filepath.Join(o.Out, name), panels, len(sizes)); err != nil {
				return nil, err
			}
			figs = append(figs, report.Figure{Path: name, Caption: fmt.Sprintf("The size ladder (%s): gold win rate against sqrt(KL) for every checkpoint of %s, one panel per size from the smallest model to the largest, coloured by beta, with the fits.", strings.Join(sizes, " < "), strings.ToUpper(strings.Join(common, ", ")))})
		}
	}
	for _, size := range sizes {
		var panels []report.Panel
		for _, obj := range o.LossesOf(size) {
			panels = append(panels, figure1Panel(o, obj, size, strings.ToUpper(obj), results, fits))
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
	if fig, ok, err := oodFigure(o, results); err != nil {
		return nil, err
	} else if ok {
		figs = append(figs, fig)
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
