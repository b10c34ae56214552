package study

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// finalMeanSE returns the mean over seeds of value at the final checkpoint
// of the runs of one objective, size and beta, its standard error over
// seeds (sd/sqrt(n); NaN for one seed) and the number of seeds.
func finalMeanSE(results []RunResult, obj, size string, beta float64, value func(Point) float64) (m, se float64, n int) {
	var v []float64
	for _, r := range results {
		if r.Spec.Objective == obj && r.Spec.Size == size && r.Spec.Beta == beta {
			v = append(v, value(r.Points[len(r.Points)-1]))
		}
	}
	switch len(v) {
	case 0:
		return math.NaN(), math.NaN(), 0
	case 1:
		return v[0], math.NaN(), 1
	}
	m, sd := stat.MeanStdDev(v, nil)
	return m, sd / math.Sqrt(float64(len(v))), len(v)
}

// oodFinding checks that out-of-distribution mass grows as beta shrinks:
// for every objective and size, the final checkpoints' ood_share is higher
// and their in_support_mass lower at the smallest beta than at the largest,
// each by more than two standard errors over seeds. ok is false when the
// columns are undefined (a task without a Support) or there is one beta.
func oodFinding(o Options, results []RunResult) (f Finding, ok bool) {
	betas := append([]float64(nil), o.Betas...)
	sort.Float64s(betas)
	if len(betas) < 2 || len(results) == 0 || math.IsNaN(float64(results[0].Points[0].OODShare)) {
		return f, false
	}
	lo, hi := betas[0], betas[len(betas)-1]
	f = Finding{Name: "ood_mass_grows_as_beta_shrinks", Numbers: map[string]Num{}, Held: true,
		Claim: fmt.Sprintf("for every objective and size, the final share of sampled responses found nowhere in the SFT and preference data (ood_share) is higher, and the probability of the data's own responses to training prompts (in_support_mass) lower, at beta %g than at beta %g, each by more than 2 SE over seeds", lo, hi)}
	share := func(p Point) float64 { return float64(p.OODShare) }
	mass := func(p Point) float64 { return float64(p.InSupportMass) }
	minSeeds := math.MaxInt
	for _, size := range o.Sizes {
		for _, obj := range o.LossesOf(size) {
			var ss, sse, ms, mse []float64
			for _, b := range betas {
				m, se, n := finalMeanSE(results, obj, size, b, share)
				mm, mse1, _ := finalMeanSE(results, obj, size, b, mass)
				ss, sse, ms, mse = append(ss, m), append(sse, se), append(ms, mm), append(mse, mse1)
				minSeeds = min(minSeeds, n)
				key := fmt.Sprintf("%s_%s_beta%g", obj, size, b)
				f.Numbers["ood_share_"+key], f.Numbers["ood_share_se_"+key] = Num(m), Num(se)
				f.Numbers["in_support_mass_"+key], f.Numbers["in_support_mass_se_"+key] = Num(mm), Num(mse1)
			}
			k := len(betas) - 1
			up := ss[0]-ss[k] > 2*math.Hypot(sse[0], sse[k])
			down := ms[k]-ms[0] > 2*math.Hypot(mse[0], mse[k])
			f.Held = f.Held && up && down
			f.Statement += fmt.Sprintf("%s/%s: ood_share %s, in_support_mass %s; ", obj, size, joinEstimates(ss, sse, 3), joinEstimates(ms, mse, 3))
		}
	}
	head := HeldWord(f.Held) + fmt.Sprintf(": final seed means ± SE by increasing beta (%v), ", betas)
	if minSeeds < 2 {
		f.Held = false
		head = "Did not hold (not established: one seed gives no standard error over seeds): final values by increasing beta, "
	}
	f.Statement = head + trimSep(f.Statement) + "."
	return f, true
}
