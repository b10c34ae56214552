package report

import "fmt"

// withLabels returns panels with empty axis labels set to x and y.
func withLabels(panels []Panel, x, y string) []Panel {
	out := append([]Panel(nil), panels...)
	for i := range out {
		if out[i].XLabel == "" {
			out[i].XLabel = x
		}
		if out[i].YLabel == "" {
			out[i].YLabel = y
		}
	}
	return out
}

// WinRateVsSqrtKL writes the layout of Figure 1 of Rafailov et al. 2024: one
// panel per objective (Panel.Title, e.g. "DPO"), one series per beta with
// X = d = sqrt(KL(pi||pi_ref)) (see eval.SqrtKL) and Y = win rate, optional
// error bars and fitted curves per series, and optional fits per panel.
// Panels are laid out three to a row; empty axis labels get the figure's.
// Errors and panics are those of WritePanels.
func WinRateVsSqrtKL(path string, panels []Panel) error {
	return WritePanels(path, withLabels(panels, "sqrt(KL(policy || reference)) [sqrt nats]", "win rate vs reference"), 3)
}

// Run is one training run's evaluations at successive checkpoints.
type Run struct {
	Label     string    // legend entry, e.g. "DPO β=0.1"
	Progress  []float64 // training progress of each checkpoint, e.g. in epochs
	KL        []float64 // KL(pi||pi_ref) at each checkpoint, in nats
	WinRate   []float64 // win rate at each checkpoint
	WinRateSE []float64 // optional: its standard error; nil for none
}

// TrainingCurves writes two panels side by side: KL against training
// progress and win rate against training progress, one line per run. It
// panics if a run's slices differ in length; errors are those of WritePanels.
func TrainingCurves(path string, runs []Run) error {
	kl := Panel{Title: "KL to the reference", XLabel: "training progress [epochs]", YLabel: "KL(policy || reference) [nats]"}
	win := Panel{Title: "win rate", XLabel: "training progress [epochs]", YLabel: "win rate vs reference"}
	for _, r := range runs {
		if len(r.KL) != len(r.Progress) || len(r.WinRate) != len(r.Progress) {
			panic(fmt.Sprintf("report: TrainingCurves: run %q has %d progress, %d KL and %d win-rate values", r.Label, len(r.Progress), len(r.KL), len(r.WinRate)))
		}
		kl.Series = append(kl.Series, Series{Label: r.Label, X: r.Progress, Y: r.KL, Line: true})
		win.Series = append(win.Series, Series{Label: r.Label, X: r.Progress, Y: r.WinRate, YErr: r.WinRateSE, Line: true})
	}
	return WritePanels(path, []Panel{kl, win}, 2)
}

// LengthVsKL writes one panel of mean response length (Y, tokens) against
// KL(pi||pi_ref) (X, nats), one series per run or objective. Errors and
// panics are those of WritePanels.
func LengthVsKL(path string, series []Series) error {
	return WritePanels(path, []Panel{{Title: "length exploitation", XLabel: "KL(policy || reference) [nats]", YLabel: "mean response length [tokens]", Series: series}}, 1)
}

// AccuracyVsWinRate writes one panel of implicit-reward accuracy on held-out
// pairs (Y) against win rate (X), one series per run or objective. Errors and
// panics are those of WritePanels.
func AccuracyVsWinRate(path string, series []Series) error {
	return WritePanels(path, []Panel{{Title: "implicit-reward accuracy vs win rate", XLabel: "win rate vs reference", YLabel: "implicit-reward accuracy", Series: series}}, 1)
}
