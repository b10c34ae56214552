package fast

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"os/exec"
	"regexp"
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

// TestSerialMatchesOneProcessor checks what SetSerial documents: serial
// mode computes what the parallel kernels compute with GOMAXPROCS=1. It
// reruns itself with GOMAXPROCS=1 (parallel mode) and compares a digest of
// three SFT and three DPO steps of size S with its own serial digest.
func TestSerialMatchesOneProcessor(t *testing.T) {
	if os.Getenv("DAA_SERIAL_CHILD") == "1" {
		fmt.Printf("digest=%016x\n", studyDigest(t))
		return
	}
	parallel.SetSerial(true)
	want := studyDigest(t)
	parallel.SetSerial(false)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSerialMatchesOneProcessor$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "DAA_SERIAL_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child with GOMAXPROCS=1: %s", out)
	m := regexp.MustCompile(`digest=([0-9a-f]{16})`).FindSubmatch(out)
	require.NotNil(t, m, "child output has no digest: %s", out)
	assert.Equal(t, fmt.Sprintf("%016x", want), string(m[1]), "serial mode vs GOMAXPROCS=1")
}

// studyDigest returns an FNV-1a hash of the bits of three SFT and three DPO
// steps' sums and final weights of size S (studySteps).
func studyDigest(t *testing.T) uint64 {
	h := fnv.New64a()
	for _, dpo := range []bool{false, true} {
		for _, v := range studySteps(t, 32, dpo, 1, 3) {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	return h.Sum64()
}
