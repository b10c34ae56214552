// Command scalinglaw fits the scaling laws of reward over-optimization to
// (KL, win rate) points and prints the fits as JSON.
//
// Usage:
//
//	go run ./examples/scalinglaw -in points.csv [-plot out.png] [-intercept=false]
//
// The CSV has a header row with the columns name, kl and winrate (other
// columns are allowed, in any order); kl is a finite number and winrate a
// fraction in [0, 1]; anything else is an error naming file:line:column. Points are grouped by name (one group
// per objective, or per objective and beta); for each group the program fits
// win rate against d = sqrt(kl) with each form of package eval/scaling:
//
//	rl         R(d) = c + d (alpha - beta log d)
//	bon        R(d) = c + d (alpha - beta d)
//	quadratic  R(d) = c + alpha d - beta d^2
//
// and prints {"fits": [{"name", "form", "alpha", "beta", "intercept",
// "rmse", "r2", "peak_d", "peak_winrate", "n", "with_intercept"}, ...]},
// groups in order of first appearance, forms in the order above. peak_d and
// peak_winrate are null when the curve has no maximum (beta <= 0).
//
// The intercept c is fitted by default, since a win rate against a reference
// is not 0 at d = 0. With -intercept=false the rl and bon forms pass through
// the origin (as in Gao et al., where R is the gain over the initial policy)
// and report intercept 0; the quadratic baseline always fits c. A negative
// kl (a sampled estimate can be) is taken as d = 0.
//
// With -plot, the points and the fitted curves are drawn one panel per name
// (.png or .svg).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/eval/report"
	"github.com/daalab/daa/eval/scaling"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scalinglaw:", err)
		os.Exit(1)
	}
}

// fitJSON is one entry of the output.
type fitJSON struct {
	Name          string   `json:"name"`
	Form          string   `json:"form"`
	Alpha         float64  `json:"alpha"`
	Beta          float64  `json:"beta"`
	Intercept     float64  `json:"intercept"`
	RMSE          float64  `json:"rmse"`
	R2            float64  `json:"r2"`
	PeakD         *float64 `json:"peak_d"`
	PeakWinRate   *float64 `json:"peak_winrate"`
	N             int      `json:"n"`
	WithIntercept bool     `json:"with_intercept"`
}

// group is the points of one name.
type group struct {
	name   string
	d, win []float64
}

// run is the program: it parses args, reads the CSV, fits, prints JSON to
// stdout and draws the optional plot.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scalinglaw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "input CSV with columns name,kl,winrate (required)")
	plotPath := fs.String("plot", "", "write a figure of the points and fits to this .png or .svg file")
	intercept := fs.Bool("intercept", true, "fit the intercept c = R(0) in the rl and bon forms (quadratic always has one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("want -in points.csv and no other arguments")
	}
	points, err := readPoints(*in)
	if err != nil {
		return err
	}
	groups := groupByName(points)
	var out struct {
		Fits []fitJSON `json:"fits"`
	}
	var panels []report.Panel
	for _, g := range groups {
		panel := report.Panel{Title: g.name, Series: []report.Series{{X: g.d, Y: g.win}}}
		for _, form := range scaling.Forms {
			f, err := scaling.FitForm(form, g.d, g.win, *intercept)
			if err != nil {
				return fmt.Errorf("%s: name %q: %w", *in, g.name, err)
			}
			out.Fits = append(out.Fits, toJSON(g.name, f))
			panel.Fits = append(panel.Fits, f)
		}
		panels = append(panels, panel)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if *plotPath != "" {
		return report.WinRateVsSqrtKL(*plotPath, panels)
	}
	return nil
}

// groupByName splits points by name, in order of first appearance, with
// d = sqrt(kl) (0 for kl <= 0).
func groupByName(points []point) []group {
	index := map[string]int{}
	var groups []group
	for _, p := range points {
		i, ok := index[p.name]
		if !ok {
			i = len(groups)
			index[p.name] = i
			groups = append(groups, group{name: p.name})
		}
		groups[i].d = append(groups[i].d, eval.SqrtKL(p.kl))
		groups[i].win = append(groups[i].win, p.winrate)
	}
	return groups
}

func toJSON(name string, f scaling.Fit) fitJSON {
	j := fitJSON{Name: name, Form: string(f.Form), Alpha: f.Alpha, Beta: f.Beta, Intercept: f.Intercept,
		RMSE: f.RMSE, R2: f.R2, N: f.N, WithIntercept: f.WithIntercept}
	if f.HasPeak {
		j.PeakD, j.PeakWinRate = &f.PeakD, &f.PeakWinRate
	}
	return j
}
