package scaling_test

import (
	"fmt"
	"math"

	"github.com/daalab/daa/eval/scaling"
)

// Fit the RL form to checkpoints of one run and find the peak.
func ExampleFitForm() {
	// Win rate at d = sqrt(KL) for 8 checkpoints, from
	// R(d) = 0.4 + d (0.2 - 0.12 log d) exactly.
	var d, win []float64
	for i := range 8 {
		x := 0.5 * float64(i)
		d = append(d, x)
		r := 0.4
		if x > 0 {
			r += x * (0.2 - 0.12*math.Log(x))
		}
		win = append(win, r)
	}
	f, err := scaling.FitForm(scaling.RL, d, win, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("alpha %.3f beta %.3f c %.3f; peak win rate %.3f at d* = %.3f\n", f.Alpha, f.Beta, f.Intercept, f.PeakWinRate, f.PeakD)
	// Output:
	// alpha 0.200 beta 0.120 c 0.400; peak win rate 0.634 at d* = 1.948
}

// Bootstrap intervals for the RL fit of noisy checkpoints, and whether the
// points separate the RL form from the BoN form. RL fits them better
// (RMSE(rl) - RMSE(bon) < 0), but the bootstrap interval of the difference
// contains 0: twelve points with this noise do not tell the forms apart.
func ExampleBootstrapFit() {
	// 12 checkpoints of R(d) = 0.5 + d (0.3 - 0.15 log d) with ±0.01 added.
	var d, win []float64
	for i := range 12 {
		x := 0.5 * float64(i)
		r := 0.5
		if x > 0 {
			r += x * (0.3 - 0.15*math.Log(x))
		}
		d, win = append(d, x), append(win, r+0.01*float64(1-2*(i%2)))
	}
	opt := scaling.BootstrapOptions{Resamples: 200, Seed: 1}
	ci, err := scaling.BootstrapFit(scaling.RL, d, win, true, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("alpha in [%.2f, %.2f], beta in [%.2f, %.2f], peak d* in [%.1f, %.1f]\n",
		ci.Alpha.Lo, ci.Alpha.Hi, ci.Beta.Lo, ci.Beta.Hi, ci.PeakD.Lo, ci.PeakD.Hi)
	diff, err := scaling.BootstrapRMSEDiff(scaling.RL, scaling.BoN, d, win, true, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("RMSE(rl) - RMSE(bon) = %.3f, interval [%.3f, %.3f]\n", diff.Diff, diff.CI.Lo, diff.CI.Hi)
	// Output:
	// alpha in [0.28, 0.33], beta in [0.14, 0.16], peak d* in [2.7, 2.8]
	// RMSE(rl) - RMSE(bon) = -0.019, interval [-0.025, 0.002]
}
