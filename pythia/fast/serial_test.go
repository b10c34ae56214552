package fast

import (
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/parallel"
)

// studySteps runs steps optimizer steps of a study stepper (see
// study_bench_test.go) and returns every step's sequence sums followed by
// the final weights, all as float64.
func studySteps(t *testing.T, hidden int, dpo bool, seed uint64, steps int) []float64 {
	s := newStudyStepper(t, hidden, dpo, seed)
	var out []float64
	for range steps {
		out = append(out, s.step()...)
	}
	for _, p := range s.e.Model().Params() {
		for _, v := range p.Value.Data.Float32s() {
			out = append(out, float64(v))
		}
	}
	return out
}

// TestSerialDeterministic checks serial mode (parallel.SetSerial): three SFT
// and three DPO steps of size S give bit-identical sums and weights when
// rerun, and when two runs step at the same time on two goroutines (as the
// study runs them); and they agree with the parallel kernels to float32
// rounding (the parallel reductions add their partial sums in another
// order).
func TestSerialDeterministic(t *testing.T) {
	const steps = 3
	for _, dpo := range []bool{false, true} {
		name := map[bool]string{false: "sft", true: "dpo"}[dpo]
		t.Run(name, func(t *testing.T) {
			par := studySteps(t, 32, dpo, 1, steps)
			parallel.SetSerial(true)
			defer parallel.SetSerial(false)
			first := studySteps(t, 32, dpo, 1, steps)
			again := studySteps(t, 32, dpo, 1, steps)
			require.Equal(t, first, again, "serial rerun")

			var together [2][]float64
			var wg sync.WaitGroup
			for i := range together {
				wg.Add(1)
				go func() {
					defer wg.Done()
					together[i] = studySteps(t, 32, dpo, 1+uint64(i), steps)
				}()
			}
			wg.Wait()
			assert.Equal(t, first, together[0], "serial run next to another run")
			assert.NotEqual(t, first, together[1], "a run of another seed (the comparison can fail)")

			require.Len(t, par, len(first))
			for i := range first {
				assert.InDelta(t, par[i], first[i], 1e-4*(1+math.Abs(par[i])), "value %d: serial vs parallel", i)
			}
		})
	}
}
