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
