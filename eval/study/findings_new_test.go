package study

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRun is a run whose checkpoints have the given win rates (SE 0.01),
// KL = checkpoint index, mean length = length(KL), and out-of-distribution
// columns ood and mass at every checkpoint.
func fakeRun(obj, size string, beta float64, seed uint64, win []float64, length func(kl float64) float64, ood, mass float64) RunResult {
	s := RunSpec{Objective: obj, Beta: beta, Size: size, Seed: seed}
	r := RunResult{Spec: s}
	for k, w := range win {
		kl := float64(k)
		r.Points = append(r.Points, Point{RunSpec: s, Checkpoint: k, KL: kl, SqrtKL: math.Sqrt(kl), WinRate: w, WinRateSE: 0.01,
			MeanLength: length(kl), OODShare: Num(ood), InSupportMass: Num(mass)})
	}
	return r
}

func flat(float64) float64 { return 2 }

// TestSizeFinding checks the size ladder on constructed runs: per-seed
// drops known by hand, an interval that excludes 0 when S drops more than
// L, and no verdict from one seed.
func TestSizeFinding(t *testing.T) {
	o := DefaultOptions()
	o.Losses, o.Betas, o.Sizes = []string{"dpo", "ipo"}, []float64{0.1, 1}, []string{"S", "M", "L"}
	o.SizeLosses = map[string][]string{"M": {"dpo"}, "L": {"dpo"}}
	sizes := []string{"S", "M", "L"}
	build := func(drop map[string]float64, seeds int) []RunResult {
		var rs []RunResult
		for s := range seeds {
			jitter := 0.01 * float64(s) // per-seed spread
			for _, size := range sizes {
				for _, b := range o.Betas {
					d := drop[size] + jitter
					rs = append(rs, fakeRun("dpo", size, b, uint64(s+1), []float64{0.4, 0.7, 0.7 - d}, flat, 0, 0))
				}
				if size == "S" { // ipo runs on S only: not part of the comparison
					rs = append(rs, fakeRun("ipo", size, 0.1, uint64(s+1), []float64{0.4, 0.9, 0.1}, flat, 0, 0))
				}
			}
		}
		return rs
	}
	f, ok := sizeFinding(o, sizes, build(map[string]float64{"S": 0.2, "M": 0.1, "L": 0.0}, 4))
	require.True(t, ok)
	// Seeds add 0, 0.01, 0.02, 0.03 to every drop: the seed mean is drop + 0.015.
	assert.InDelta(t, 0.215, float64(f.Numbers["drop_S"]), 1e-12)
	assert.InDelta(t, 0.015, float64(f.Numbers["drop_L"]), 1e-12)
	assert.InDelta(t, 0.7, float64(f.Numbers["peak_winrate_M"]), 1e-12)
	assert.InDelta(t, 0.2, float64(f.Numbers["drop_S_minus_L"]), 1e-12)
	assert.InDelta(t, 0.1, float64(f.Numbers["drop_M_minus_L"]), 1e-12)
	// The seeds' spread (0.03) bounds how far a resampled difference moves.
	assert.InDelta(t, 0.2, float64(f.Numbers["drop_S_minus_L_lo"]), 0.03+1e-12)
	assert.InDelta(t, 0.2, float64(f.Numbers["drop_S_minus_L_hi"]), 0.03+1e-12)
	assert.True(t, f.Held, f.Statement)
	assert.Contains(t, f.Statement, "Held (S-L drop interval")

	f, _ = sizeFinding(o, sizes, build(map[string]float64{"S": 0.0, "M": 0.1, "L": 0.2}, 4))
	assert.False(t, f.Held, "L drops more: %s", f.Statement)
	assert.InDelta(t, -0.2, float64(f.Numbers["drop_S_minus_L"]), 1e-12)

	f, _ = sizeFinding(o, sizes, build(map[string]float64{"S": 0.2, "M": 0.1, "L": 0.0}, 1))
	assert.False(t, f.Held, "one seed gives no interval")
	assert.Contains(t, f.Statement, "not established")

	_, ok = sizeFinding(o, []string{"S"}, build(map[string]float64{"S": 0.2}, 2))
	assert.False(t, ok, "one size has no ladder")
}

// TestLengthSlopeFindings checks the R-DPO and IPO comparisons on runs
// whose length is an exact line in KL: the slopes are the lines' and the
// interval collapses onto their difference.
func TestLengthSlopeFindings(t *testing.T) {
	o := DefaultOptions()
	o.Losses, o.Betas, o.Sizes, o.SizeLosses = []string{"dpo", "ipo", "rdpo"}, []float64{0.1}, []string{"S"}, nil
	var rs []RunResult
	for s := uint64(1); s <= 3; s++ {
		rs = append(rs,
			fakeRun("dpo", "S", 0.1, s, []float64{0.4, 0.6, 0.5, 0.45}, func(kl float64) float64 { return 1 + kl }, 0, 0),
			fakeRun("ipo", "S", 0.1, s, []float64{0.4, 0.6, 0.5, 0.45}, func(kl float64) float64 { return 1 + 2*kl }, 0, 0),
			fakeRun("rdpo", "S", 0.1, s, []float64{0.4, 0.6, 0.5, 0.45}, func(kl float64) float64 { return 1 + 0.25*kl }, 0, 0))
	}
	assert.InDelta(t, 0.25, lengthSlope(rs[2].Points), 1e-12)
	hump := Finding{Name: "hump_rdpo", Held: true, Numbers: map[string]Num{"best_winrate": 0.6, "final_winrate": 0.45, "z": 8}}
	f, ok := rdpoFinding(o, rs, &hump)
	require.True(t, ok)
	assert.InDelta(t, -0.75, float64(f.Numbers["slope_diff"]), 1e-12)
	assert.InDelta(t, -0.75, float64(f.Numbers["slope_diff_hi"]), 1e-12)
	assert.True(t, f.Held, f.Statement)
	hump.Held = false
	f, _ = rdpoFinding(o, rs, &hump)
	assert.False(t, f.Held, "no hump, no finding: %s", f.Statement)

	f, ok = ipoLengthFinding(o, rs)
	require.True(t, ok)
	assert.InDelta(t, 1, float64(f.Numbers["slope_diff"]), 1e-12)
	assert.True(t, f.Held, f.Statement)
	f, _ = ipoLengthFinding(o, rs[:3]) // one seed
	assert.False(t, f.Held)
	assert.Contains(t, f.Statement, "not established")

	o.Losses = []string{"dpo"}
	_, ok = ipoLengthFinding(o, rs)
	assert.False(t, ok, "no ipo objective, no finding")
}

// TestOODFinding checks the out-of-distribution finding on constructed
// final checkpoints: more OOD samples and less in-support mass at the
// smallest beta holds; a flat share does not.
func TestOODFinding(t *testing.T) {
	o := DefaultOptions()
	o.Losses, o.Betas, o.Sizes, o.SizeLosses = []string{"dpo"}, []float64{0.1, 1}, []string{"S"}, nil
	build := func(oodSmall float64) []RunResult {
		var rs []RunResult
		for s := uint64(1); s <= 4; s++ {
			j := 0.01 * float64(s)
			rs = append(rs, fakeRun("dpo", "S", 0.1, s, []float64{0.4, 0.5}, flat, oodSmall+j, 0.01+j/10),
				fakeRun("dpo", "S", 1, s, []float64{0.4, 0.5}, flat, 0.2+j, 0.05+j/10))
		}
		return rs
	}
	f, ok := oodFinding(o, build(0.8))
	require.True(t, ok)
	assert.InDelta(t, 0.825, float64(f.Numbers["ood_share_dpo_S_beta0.1"]), 1e-12)
	assert.InDelta(t, 0.0525, float64(f.Numbers["in_support_mass_dpo_S_beta1"]), 1e-12)
	assert.True(t, f.Held, f.Statement)
	f, _ = oodFinding(o, build(0.2))
	assert.False(t, f.Held, f.Statement)

	nan := build(0.8)
	for i := range nan {
		for k := range nan[i].Points {
			nan[i].Points[k].OODShare = Num(math.NaN())
		}
	}
	_, ok = oodFinding(o, nan)
	assert.False(t, ok, "no support (the real mode): no finding")
}
