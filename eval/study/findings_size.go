package study

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// sizeFinding checks that larger models over-optimize less, on the runs
// every size has (the objectives LossesOf gives every size, all betas). Per
// size and seed it takes the mean over those runs of the peak-to-final
// win-rate drop (best checkpoint minus final) and the mean over the
// objectives of the best win rate at the smallest beta; the size's numbers
// are means over its seeds. The intervals resample seeds within each size
// (seedResamples resamples, the seedLevel percentile interval) for the
// differences smaller minus larger between adjacent sizes and between the
// smallest and the largest. It holds when the smallest-minus-largest drop
// interval lies above 0 (the smallest size drops more); with fewer than two
// seeds on a size there is no interval and it does not hold. ok is false
// with fewer than two sizes.
func sizeFinding(o Options, sizes []string, results []RunResult) (f Finding, ok bool) {
	if len(sizes) < 2 {
		return f, false
	}
	common := o.commonLosses(sizes)
	minBeta := smallest(o.Betas)
	f = Finding{Name: "larger_models_overoptimize_less", Numbers: map[string]Num{},
		Claim: fmt.Sprintf("on the runs every size has (%v at betas %v), the smallest size's peak-to-final win-rate drop exceeds the largest's: the seed-bootstrap interval (%d resamples of the seeds within each size, %.0f%% percentile) of the difference lies above 0",
			common, o.Betas, seedResamples, 100*seedLevel)}
	drops := make([][]float64, len(sizes)) // [size][seed]
	peaks := make([][]float64, len(sizes))
	for i, size := range sizes {
		bySeed := map[uint64][]RunResult{}
		for _, r := range results {
			if r.Spec.Size == size && slices.Contains(common, r.Spec.Objective) {
				bySeed[r.Spec.Seed] = append(bySeed[r.Spec.Seed], r)
			}
		}
		seeds := make([]uint64, 0, len(bySeed))
		for s := range bySeed {
			seeds = append(seeds, s)
		}
		sort.Slice(seeds, func(a, b int) bool { return seeds[a] < seeds[b] })
		for _, s := range seeds {
			var drop, peak, np float64
			for _, r := range bySeed[s] {
				pd := runPeak(r)
				drop += (pd.best.WinRate - pd.last.WinRate) / float64(len(bySeed[s]))
				if r.Spec.Beta == minBeta {
					peak += pd.best.WinRate
					np++
				}
			}
			drops[i] = append(drops[i], drop)
			peaks[i] = append(peaks[i], peak/np)
		}
		if len(drops[i]) == 0 {
			return f, false
		}
	}
	enough := true
	f.Statement = "peak-to-final drop (seed mean) "
	for i, size := range sizes {
		enough = enough && len(drops[i]) >= 2
		f.Numbers["drop_"+size], f.Numbers["peak_winrate_"+size] = Num(mean(drops[i])), Num(mean(peaks[i]))
		f.Statement += fmt.Sprintf("%s %.3f (%d seeds), ", size, mean(drops[i]), len(drops[i]))
	}
	f.Statement = trimSep(f.Statement) + fmt.Sprintf("; best win rate at beta %g ", minBeta)
	for i, size := range sizes {
		f.Statement += fmt.Sprintf("%s %.3f, ", size, mean(peaks[i]))
	}
	f.Statement = trimSep(f.Statement) + "; differences smaller minus larger, drop and best win rate:"
	last := len(sizes) - 1
	pairs := [][2]int{}
	for i := 0; i < last; i++ {
		pairs = append(pairs, [2]int{i, i + 1})
	}
	if last > 1 {
		pairs = append(pairs, [2]int{0, last})
	}
	var sl interval
	for _, p := range pairs {
		a, b := sizes[p[0]], sizes[p[1]]
		d := diffOfMeans(drops[p[0]], drops[p[1]], o.Seed)
		pk := diffOfMeans(peaks[p[0]], peaks[p[1]], o.Seed)
		key := a + "_minus_" + b
		f.Numbers["drop_"+key], f.Numbers["drop_"+key+"_lo"], f.Numbers["drop_"+key+"_hi"] = Num(d.est), Num(d.lo), Num(d.hi)
		f.Numbers["peak_"+key], f.Numbers["peak_"+key+"_lo"], f.Numbers["peak_"+key+"_hi"] = Num(pk.est), Num(pk.lo), Num(pk.hi)
		f.Statement += fmt.Sprintf(" %s-%s %+.3f [%+.3f, %+.3f] and %+.3f [%+.3f, %+.3f];", a, b, d.est, d.lo, d.hi, pk.est, pk.lo, pk.hi)
		if p == [2]int{0, last} {
			sl = d
		}
	}
	f.Held = enough && sl.lo > 0
	switch {
	case !enough:
		f.Statement = "Did not hold (not established: a size has one seed, so there is no seed interval): " + f.Statement
	default:
		f.Statement = fmt.Sprintf("%s (%s-%s drop interval [%+.3f, %+.3f]): ", HeldWord(f.Held), sizes[0], sizes[last], sl.lo, sl.hi) + f.Statement
	}
	f.Statement = trimSep(f.Statement) + "."
	return f, true
}

// mean is the arithmetic mean (NaN for none).
func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
