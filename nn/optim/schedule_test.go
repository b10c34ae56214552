package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSchedulesByHand checks each schedule at hand-computed steps: the
// formulas in the doc comments evaluated on paper. Tolerance 1e-15 absolute.
func TestSchedulesByHand(t *testing.T) {
	cases := []struct {
		name  string
		f     Schedule
		steps []int
		want  []float64
	}{
		{"constant", Constant(), []int{0, 1, 1000}, []float64{1, 1, 1}},
		// min(1, (step+1)/(warmup+1)) with warmup 4: 1/5, 2/5, ..., 1 from step 4 on.
		{"paper linear warmup 4", LinearWarmup(4), []int{0, 1, 3, 4, 5, 100}, []float64{0.2, 0.4, 0.8, 1, 1, 1}},
		{"paper linear warmup 0", LinearWarmup(0), []int{0, 7}, []float64{1, 1}},
		// warmup 2 of total 6: 0, 1/2, then 0.5(1+cos(pi*(s-2)/4)): 1, (1+cos(pi/4))/2, 1/2, (1-cos(pi/4))/2, 0, then the cosine goes up but max(0, .) and cycles 0.5 keep going: at s=7 0.5(1+cos(5pi/4)).
		{"HF cosine 2/6", CosineWithWarmup(2, 6, 0.5), []int{0, 1, 2, 3, 4, 5, 6, 7},
			[]float64{0, 0.5, 1, (1 + math.Sqrt2/2) / 2, 0.5, (1 - math.Sqrt2/2) / 2, 0, (1 - math.Sqrt2/2) / 2}},
		// warmup 0: the first step has the full rate; 1 cycle over 4 steps: 1, 1/2, 0, 1/2, 1.
		{"HF cosine 0/4 one cycle", CosineWithWarmup(0, 4, 1), []int{0, 1, 2, 3, 4}, []float64{1, 0.5, 0, 0.5, 1}},
		// warmup 2 of total 6: 0, 1/2, then (6-s)/4: 1, 3/4, 1/2, 1/4, 0, 0.
		{"HF linear 2/6", LinearWarmupDecay(2, 6), []int{0, 1, 2, 3, 4, 5, 6, 9}, []float64{0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0}},
		{"HF linear 0/2", LinearWarmupDecay(0, 2), []int{0, 1, 2}, []float64{1, 0.5, 0}},
		// floor 0.1: 0.1 + 0.9*(6-s)/4 after warmup: 1, 0.775, 0.55, 0.325, 0.1, 0.1.
		{"linear to 0.1 floor 2/6", LinearWarmupDecayToFloor(2, 6, 0.1), []int{0, 1, 2, 3, 4, 5, 6, 50},
			[]float64{0, 0.5, 1, 0.775, 0.55, 0.325, 0.1, 0.1}},
	}
	for _, c := range cases {
		require.Len(t, c.want, len(c.steps), "%s: case table", c.name)
		for i, step := range c.steps {
			assert.InDelta(t, c.want[i], c.f(step), 1e-15, "%s: step %d", c.name, step)
		}
	}
}

// TestSchedulePanics checks the documented panics on impossible step counts.
func TestSchedulePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"negative warmup":    func() { LinearWarmup(-1) },
		"warmup after total": func() { CosineWithWarmup(5, 4, 0.5) },
		"linear total":       func() { LinearWarmupDecay(3, 2) },
		"floor above one":    func() { LinearWarmupDecayToFloor(0, 2, 1.5) },
		"floor not a number": func() { LinearWarmupDecayToFloor(0, 2, math.NaN()) },
	} {
		assert.Panics(t, f, name)
	}
}
