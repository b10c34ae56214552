package report_test

import (
	"fmt"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/daalab/daa/eval/report"
	"github.com/daalab/daa/eval/scaling"
)

// Figure 1's layout for one objective: win rate against d = sqrt(KL) for
// two betas, with an RL-form fit per beta, then a Markdown report that
// embeds the figure above the fit table (the fits agree with numpy's
// lstsq to the digits shown).
func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Checkpoints of two runs; win rates from R(d) = 0.5 + d (a - 0.1 log d)
	// plus ±0.01 (the fit is then not exact).
	panel := report.Panel{Title: "DPO"}
	var fits []report.NamedFit
	for _, run := range []struct {
		beta, a float64
	}{{0.05, 0.15}, {0.5, 0.25}} {
		var d, win []float64
		for i := range 6 {
			x := 0.6 * float64(i)
			d = append(d, x)
			r := 0.5
			if x > 0 {
				r += x * (run.a - 0.1*math.Log(x))
			}
			win = append(win, r+0.01*float64(1-2*(i%2)))
		}
		f, err := scaling.FitForm(scaling.RL, d, win, true)
		if err != nil {
			log.Fatal(err)
		}
		label := fmt.Sprintf("β = %g", run.beta)
		panel.Series = append(panel.Series, report.Series{Label: label, X: d, Y: win, Fit: &f})
		fits = append(fits, report.NamedFit{Name: "DPO " + label, Fit: f})
	}
	fig := filepath.Join(dir, "winrate_vs_kl.png")
	if err := report.WinRateVsSqrtKL(fig, []report.Panel{panel}); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(fig)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("figure: %dx%d pixels\n", cfg.Width, cfg.Height)

	r := report.Report{
		Title:   "Over-optimization",
		Figures: []report.Figure{{Path: "winrate_vs_kl.png", Caption: "Win rate against sqrt(KL)."}},
		Fits:    fits,
	}
	fmt.Print(r.Markdown())
	// Output:
	// figure: 780x480 pixels
	// # Over-optimization
	//
	// ![Win rate against sqrt(KL).](winrate_vs_kl.png)
	//
	// *Win rate against sqrt(KL).*
	//
	// Scaling-law fits of win rate against d = sqrt(KL). Brackets hold bootstrap percentile intervals where computed; d* is the peak.
	//
	// | name | form | intercept | alpha | beta | c | RMSE | R² | d* | R(d*) |
	// | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
	// | DPO β = 0.05 | rl | true | 0.1434 | 0.09681 | 0.5065 | 0.009457 | 0.9691 | 1.618 | 0.6632 |
	// | DPO β = 0.5 | rl | true | 0.2434 | 0.09681 | 0.5065 | 0.009457 | 0.9955 | 4.547 | 0.9466 |
}
