package study

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/daalab/daa/eval/report"
)

// oodFigure draws ood_share and in_support_mass against KL for every
// checkpoint of every run, one series per beta. ok is false when the
// columns are undefined (a task without a Support).
func oodFigure(o Options, results []RunResult) (fig report.Figure, ok bool, err error) {
	if len(results) == 0 || math.IsNaN(float64(results[0].Points[0].OODShare)) {
		return fig, false, nil
	}
	share := report.Panel{Title: "samples found nowhere in the data", XLabel: "KL(policy || reference) [nats]", YLabel: "ood_share"}
	mass := report.Panel{Title: "probability of the data's responses", XLabel: "KL(policy || reference) [nats]", YLabel: "in_support_mass"}
	betas := append([]float64(nil), o.Betas...)
	sort.Float64s(betas)
	for _, beta := range betas {
		s := report.Series{Label: fmt.Sprintf("β = %g", beta)}
		m := report.Series{Label: s.Label}
		for _, r := range results {
			if r.Spec.Beta != beta {
				continue
			}
			for _, p := range r.Points {
				s.X, s.Y = append(s.X, p.KL), append(s.Y, float64(p.OODShare))
				m.X, m.Y = append(m.X, p.KL), append(m.Y, float64(p.InSupportMass))
			}
		}
		share.Series, mass.Series = append(share.Series, s), append(mass.Series, m)
	}
	const name = "ood_vs_kl.png"
	if err := report.WritePanels(filepath.Join(o.Out, name), []report.Panel{share, mass}, 2); err != nil {
		return fig, false, fmt.Errorf("%s: %w", name, err)
	}
	return report.Figure{Path: name, Caption: "Out-of-distribution mass against KL, every checkpoint of every run, coloured by beta: the share of sampled responses found nowhere in the SFT and preference data (left) and the policy's total probability of the data's own responses to a training prompt (right)."}, true, nil
}
