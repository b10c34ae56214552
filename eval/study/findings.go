package study

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Finding is one claim of the paper checked on a study's numbers.
type Finding struct {
	Name      string         `json:"name"`
	Claim     string         `json:"claim"`
	Held      bool           `json:"held"`
	Statement string         `json:"statement"` // the plain sentence the report prints
	Numbers   map[string]Num `json:"numbers"`
}

// peakDrop describes a run's best checkpoint and how far the end fell from it.
type peakDrop struct {
	best, last Point
	z          float64 // (win_best - win_last) / sqrt(se_best^2 + se_last^2)
}

func runPeak(r RunResult) peakDrop {
	best := r.Points[0]
	for _, p := range r.Points {
		if p.WinRate > best.WinRate {
			best = p
		}
	}
	last := r.Points[len(r.Points)-1]
	se := math.Hypot(finite(float64(best.WinRateSE)), finite(float64(last.WinRateSE)))
	z := 0.0
	if se > 0 {
		z = (best.WinRate - last.WinRate) / se
	}
	return peakDrop{best: best, last: last, z: z}
}

// smallest returns the smallest value (for betas: the widest KL budget).
func smallest(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

// findings checks the paper's claims on the results; sizes are the
// model sizes from the smallest model to the largest.
func findings(o Options, sizes []string, results []RunResult) []Finding {
	var out []Finding
	minBeta := smallest(o.Betas)
	small := sizes[0]

	// 1. Hump: at the smallest beta on the small size, the seed-averaged win
	// rate peaks at an intermediate checkpoint and the end is more than 2 SE
	// below the peak (per-seed numbers are reported alongside).
	for _, obj := range o.Losses {
		f := Finding{Name: "hump_" + obj, Numbers: map[string]Num{},
			Claim: fmt.Sprintf("%s at beta %g on size %s: the best win rate (mean over seeds at each checkpoint) is at an intermediate checkpoint and the final one is lower by more than two standard errors", obj, minBeta, small)}
		var runs []RunResult
		for _, r := range results {
			if r.Spec.Objective == obj && r.Spec.Beta == minBeta && r.Spec.Size == small {
				runs = append(runs, r)
			}
		}
		if len(runs) == 0 {
			continue
		}
		mc := meanCurve(runs)
		best := 0
		for k := range mc.win {
			if mc.win[k] > mc.win[best] {
				best = k
			}
		}
		last := len(mc.win) - 1
		z := (mc.win[best] - mc.win[last]) / math.Hypot(mc.se[best], mc.se[last])
		f.Held = best > 0 && best < last && z > 2
		f.Numbers["best_checkpoint"], f.Numbers["best_winrate"] = Num(float64(best)), Num(mc.win[best])
		f.Numbers["final_winrate"], f.Numbers["z"] = Num(mc.win[last]), Num(z)
		f.Statement = fmt.Sprintf("%s: over %d seed(s), win rate %.3f at the start, best %.3f at checkpoint %d of %d, final %.3f (z = %.1f); per seed:",
			HeldWord(f.Held), len(runs), mc.win[0], mc.win[best], best, last, mc.win[last], z)
		for _, r := range runs {
			pd := runPeak(r)
			f.Numbers[fmt.Sprintf("seed%d_z", r.Spec.Seed)] = Num(pd.z)
			f.Statement += fmt.Sprintf(" seed %d best %.3f at %d, final %.3f (z = %.1f);", r.Spec.Seed, pd.best.WinRate, pd.best.Checkpoint, pd.last.WinRate, pd.z)
		}
		f.Statement = trimSep(f.Statement) + "."
		out = append(out, f)
	}

	// 2. Final KL decreases as beta grows: the seed-mean final KL is lower at
	// the largest beta than at the smallest, and no step to a larger beta
	// raises it by more than 2 SE (betas below about 1/Delta behave alike
	// under RMSProp, so adjacent small betas may tie; the KL of a run that
	// over-optimizes is heavy-tailed across seeds).
	{
		f := Finding{Name: "kl_decreases_with_beta", Numbers: map[string]Num{}, Held: true,
			Claim: "the final KL to the reference decreases as beta grows, for every objective and size (seed means; a rise between adjacent betas within 2 SE counts as a tie)"}
		betas := append([]float64(nil), o.Betas...)
		sort.Float64s(betas)
		for _, size := range o.Sizes {
			for _, obj := range o.LossesOf(size) {
				var kl, se []float64
				for _, b := range betas {
					m, e := finalKL(results, obj, size, b)
					kl, se = append(kl, m), append(se, e)
					f.Numbers[fmt.Sprintf("%s_%s_beta%g", obj, size, b)] = Num(m)
				}
				ok := len(kl) < 2 || kl[len(kl)-1] < kl[0]
				for i := 1; i < len(kl); i++ {
					if kl[i]-kl[i-1] > 2*math.Hypot(se[i], se[i-1]) {
						ok = false
					}
				}
				f.Held = f.Held && ok
				f.Statement += fmt.Sprintf("%s/%s: %s; ", obj, size, joinEstimates(kl, se, 2))
			}
		}
		f.Statement = HeldWord(f.Held) + ": mean final KL ± SE by increasing beta, " + trimSep(f.Statement) + "."
		out = append(out, f)
	}

	// 3. Larger models over-optimize less (sizeFinding: seed-bootstrap
	// intervals of the drop differences between sizes).
	if f, ok := sizeFinding(o, sizes, results); ok {
		out = append(out, f)
	}

	// 4. Length and junk grow with KL (correlation over all checkpoints).
	{
		var kl, length, junk []float64
		for _, r := range results {
			for _, p := range r.Points {
				kl = append(kl, p.KL)
				length = append(length, p.MeanLength)
				junk = append(junk, p.Junk)
			}
		}
		cl, cj := stat.Correlation(kl, length, nil), stat.Correlation(kl, junk, nil)
		f := Finding{Name: "length_and_junk_grow_with_kl", Held: cl > 0 && cj > 0,
			Claim:   "mean response length and junk tokens grow with the KL to the reference (the exploited features)",
			Numbers: map[string]Num{"corr_kl_length": Num(cl), "corr_kl_junk": Num(cj)}}
		f.Statement = fmt.Sprintf("%s: correlation over all checkpoints of KL with mean length %.2f, with junk %.2f.", HeldWord(f.Held), cl, cj)
		out = append(out, f)
	}

	// 5. The best checkpoint of a wide-budget run comes early in the epoch.
	{
		var pos []float64
		for _, r := range results {
			if r.Spec.Beta != minBeta {
				continue
			}
			pd := runPeak(r)
			pos = append(pos, float64(pd.best.Checkpoint)/float64(pd.last.Checkpoint))
		}
		if len(pos) > 0 {
			m := stat.Mean(pos, nil)
			f := Finding{Name: "best_checkpoint_early", Held: m <= 0.5,
				Claim:   fmt.Sprintf("at beta %g the best checkpoint comes in the first half of the epoch", minBeta),
				Numbers: map[string]Num{"mean_best_position": Num(m)}}
			f.Statement = fmt.Sprintf("%s: the best checkpoint sits on average at %.2f of the epoch over %d runs.", HeldWord(f.Held), m, len(pos))
			out = append(out, f)
		}
	}

	// 6. Implicit-reward accuracy does not predict win rate.
	{
		var acc, win []float64
		var bestAcc, bestWin Point
		bestAcc.ImplicitAcc, bestWin.WinRate = -1, -1
		for _, r := range results {
			last := r.Points[len(r.Points)-1]
			acc = append(acc, last.ImplicitAcc)
			win = append(win, last.WinRate)
			if last.ImplicitAcc > bestAcc.ImplicitAcc {
				bestAcc = last
			}
			if last.WinRate > bestWin.WinRate {
				bestWin = last
			}
		}
		c := stat.Correlation(acc, win, nil)
		same := bestAcc.RunSpec == bestWin.RunSpec
		f := Finding{Name: "implicit_accuracy_does_not_predict_winrate", Held: math.Abs(c) < 0.5 || !same,
			Claim:   "implicit-reward accuracy on held-out pairs does not predict win rate (weak correlation, or the most accurate run is not the best one)",
			Numbers: map[string]Num{"corr_final_accuracy_winrate": Num(c)}}
		f.Statement = fmt.Sprintf("%s: correlation of final accuracy and final win rate %.2f over %d runs; most accurate run %s (accuracy %.3f, win %.3f), best run %s (win %.3f).",
			HeldWord(f.Held), c, len(acc), bestAcc.RunSpec, bestAcc.ImplicitAcc, bestAcc.WinRate, bestWin.RunSpec, bestWin.WinRate)
		out = append(out, f)
	}

	// 7-9. R-DPO against DPO, IPO against DPO (length slopes on KL), and
	// out-of-distribution mass against beta.
	var hump *Finding
	for i := range out {
		if out[i].Name == "hump_rdpo" {
			hump = &out[i]
		}
	}
	if f, ok := rdpoFinding(o, results, hump); ok {
		out = append(out, f)
	}
	if f, ok := ipoLengthFinding(o, results); ok {
		out = append(out, f)
	}
	if f, ok := oodFinding(o, results); ok {
		out = append(out, f)
	}
	return out
}

// curve is a win-rate trajectory averaged over runs: win[k] is the mean at
// checkpoint k and se[k] its standard error, sqrt(sum of the runs' se^2)/n
// (the runs' evaluations are independent).
type curve struct{ win, se []float64 }

func meanCurve(runs []RunResult) curve {
	n := len(runs[0].Points)
	c := curve{win: make([]float64, n), se: make([]float64, n)}
	for _, r := range runs {
		for k := 0; k < n && k < len(r.Points); k++ {
			c.win[k] += r.Points[k].WinRate / float64(len(runs))
			e := finite(float64(r.Points[k].WinRateSE))
			c.se[k] += e * e
		}
	}
	for k := range c.se {
		c.se[k] = math.Sqrt(c.se[k]) / float64(len(runs))
	}
	return c
}

// finalKL returns the mean over seeds of the final KL of the runs of one
// objective, size and beta, and its standard error: the spread over seeds
// (sd/sqrt(n)) when there are several, else the run's own sampling SE.
func finalKL(results []RunResult, obj, size string, beta float64) (mean, se float64) {
	var v []float64
	var own float64
	for _, r := range results {
		if r.Spec.Objective == obj && r.Spec.Size == size && r.Spec.Beta == beta {
			last := r.Points[len(r.Points)-1]
			v = append(v, last.KL)
			own = finite(float64(last.KLSE))
		}
	}
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	if len(v) == 1 {
		return v[0], own
	}
	m, sd := stat.MeanStdDev(v, nil)
	return m, sd / math.Sqrt(float64(len(v)))
}

// joinEstimates writes "v ± se → v ± se ..." with digits decimals.
func joinEstimates(v, se []float64, digits int) string {
	out := ""
	for i := range v {
		if i > 0 {
			out += " → "
		}
		out += fmt.Sprintf("%.*f ± %.*f", digits, v[i], digits, se[i])
	}
	return out
}

// HeldWord is "Held" or "Did not hold".
func HeldWord(held bool) string {
	if held {
		return "Held"
	}
	return "Did not hold"
}

// meanOver averages value over the results that match.
func meanOver(results []RunResult, match func(RunResult) bool, value func(RunResult) float64) float64 {
	var s float64
	n := 0
	for _, r := range results {
		if match(r) {
			s += value(r)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

func trimSep(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == ';' || s[len(s)-1] == ',') {
		s = s[:len(s)-1]
	}
	return s
}
