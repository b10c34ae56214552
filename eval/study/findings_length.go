package study

import (
	"fmt"
	"slices"
	"sort"
)

// lengthSlope is the least-squares slope of mean response length on KL
// over points (tokens per nat; NaN with fewer than two distinct KLs):
//
//	slope = sum (kl_i - mean kl)(len_i - mean len) / sum (kl_i - mean kl)^2
func lengthSlope(points []Point) float64 {
	var mk, ml float64
	for _, p := range points {
		mk += p.KL / float64(len(points))
		ml += p.MeanLength / float64(len(points))
	}
	var sxy, sxx float64
	for _, p := range points {
		sxy += (p.KL - mk) * (p.MeanLength - ml)
		sxx += (p.KL - mk) * (p.KL - mk)
	}
	return sxy / sxx
}

// slopeComparison compares the length slope on KL (lengthSlope over every
// checkpoint) of objective obj with DPO's, on the sizes both ran, all betas.
// The interval of slope(obj) - slope(dpo) resamples seeds (paired: a seed's
// runs of both objectives share its data and reference; seedResamples
// resamples, seedLevel percentile). It returns the per-objective slopes,
// the interval, the seeds and the sizes compared; n is 0 when either
// objective has no run.
func slopeComparison(o Options, results []RunResult, obj string) (sObj, sDPO float64, d interval, n int, sizes []string) {
	for _, size := range o.Sizes {
		if slices.Contains(o.LossesOf(size), obj) && slices.Contains(o.LossesOf(size), "dpo") {
			sizes = append(sizes, size)
		}
	}
	bySeed := map[uint64]map[string][]Point{}
	for _, r := range results {
		if (r.Spec.Objective != obj && r.Spec.Objective != "dpo") || !slices.Contains(sizes, r.Spec.Size) {
			continue
		}
		if bySeed[r.Spec.Seed] == nil {
			bySeed[r.Spec.Seed] = map[string][]Point{}
		}
		bySeed[r.Spec.Seed][r.Spec.Objective] = append(bySeed[r.Spec.Seed][r.Spec.Objective], r.Points...)
	}
	var seeds []uint64
	for s, m := range bySeed {
		if len(m[obj]) > 0 && len(m["dpo"]) > 0 {
			seeds = append(seeds, s)
		}
	}
	if len(seeds) == 0 {
		return 0, 0, interval{}, 0, sizes
	}
	sort.Slice(seeds, func(a, b int) bool { return seeds[a] < seeds[b] })
	pool := func(idx []int, objective string) []Point {
		var pts []Point
		for _, i := range idx {
			pts = append(pts, bySeed[seeds[i]][objective]...)
		}
		return pts
	}
	d = bootstrapInterval([]int{len(seeds)}, func(idx [][]int) float64 {
		return lengthSlope(pool(idx[0], obj)) - lengthSlope(pool(idx[0], "dpo"))
	}, seedResamples, seedLevel, o.Seed)
	all := make([]int, len(seeds))
	for i := range all {
		all[i] = i
	}
	return lengthSlope(pool(all, obj)), lengthSlope(pool(all, "dpo")), d, len(seeds), sizes
}

// rdpoFinding checks R-DPO against DPO: length grows less with KL (the
// interval of the slope difference lies below 0) and the hump remains
// (the hump_rdpo finding, hump, held). ok is false without rdpo and dpo runs.
func rdpoFinding(o Options, results []RunResult, hump *Finding) (f Finding, ok bool) {
	sR, sD, d, n, sizes := slopeComparison(o, results, "rdpo")
	if n == 0 || hump == nil {
		return f, false
	}
	f = Finding{Name: "rdpo_less_length_same_hump",
		Claim: fmt.Sprintf("R-DPO (alpha %g): mean length grows less with KL than under DPO (slope of length on KL over every checkpoint, sizes %v; the seed-bootstrap interval of R-DPO minus DPO lies below 0), and the hump remains (hump_rdpo)", o.RDPOAlpha, sizes),
		Numbers: map[string]Num{"slope_rdpo": Num(sR), "slope_dpo": Num(sD), "slope_diff": Num(d.est), "slope_diff_lo": Num(d.lo), "slope_diff_hi": Num(d.hi),
			"hump_rdpo_best": hump.Numbers["best_winrate"], "hump_rdpo_final": hump.Numbers["final_winrate"], "hump_rdpo_z": hump.Numbers["z"]}}
	f.Held = n >= 2 && d.hi < 0 && hump.Held
	f.Statement = fmt.Sprintf("%s: length slope on KL %.3f tokens/nat under R-DPO, %.3f under DPO, difference %+.3f [%+.3f, %+.3f] over %d seeds; R-DPO's hump at beta %g: best %.3f, final %.3f (z = %.1f, %s).",
		HeldWord(f.Held), sR, sD, d.est, d.lo, d.hi, n, smallest(o.Betas), float64(hump.Numbers["best_winrate"]), float64(hump.Numbers["final_winrate"]), float64(hump.Numbers["z"]), map[bool]string{true: "held", false: "did not hold"}[hump.Held])
	if n < 2 {
		f.Statement = "Did not hold (not established: one seed gives no interval): " + f.Statement[len("Did not hold: "):]
	}
	return f, true
}

// ipoLengthFinding checks the paper's observation that IPO exploits length
// more than DPO: the interval of the slope difference IPO minus DPO lies
// above 0. ok is false without ipo and dpo runs.
func ipoLengthFinding(o Options, results []RunResult) (f Finding, ok bool) {
	sI, sD, d, n, sizes := slopeComparison(o, results, "ipo")
	if n == 0 {
		return f, false
	}
	f = Finding{Name: "ipo_exploits_length_more",
		Claim:   fmt.Sprintf("mean length grows faster with KL under IPO than under DPO (slope of length on KL over every checkpoint, sizes %v; the seed-bootstrap interval of IPO minus DPO lies above 0)", sizes),
		Numbers: map[string]Num{"slope_ipo": Num(sI), "slope_dpo": Num(sD), "slope_diff": Num(d.est), "slope_diff_lo": Num(d.lo), "slope_diff_hi": Num(d.hi)}}
	f.Held = n >= 2 && d.lo > 0
	f.Statement = fmt.Sprintf("%s: length slope on KL %.3f tokens/nat under IPO, %.3f under DPO, difference %+.3f [%+.3f, %+.3f] over %d seeds.",
		HeldWord(f.Held), sI, sD, d.est, d.lo, d.hi, n)
	if n < 2 {
		f.Statement = "Did not hold (not established: one seed gives no interval): " + f.Statement[len("Did not hold: "):]
	}
	return f, true
}
