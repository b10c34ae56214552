package fast

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// sharedPromptBatch returns 256 preference pairs (512 sequences) over 6
// distinct prompts, chosen and rejected responses of 1-4 tokens, and the
// gradient of the loss with respect to each sequence's log-prob sum. The
// last row of each prompt is scored once for every response to it, from
// rows that fall into every parallel chunk of the final LayerNorm's
// backward pass: the shape that raced before the scattered rows were
// gathered first.
func sharedPromptBatch(vocab int) (prompts, responses [][]int, dSum []float64) {
	rng := rand.New(rand.NewPCG(11, 12))
	distinct := randomIDs(rng, []int{3, 1, 4, 2, 5, 3}, vocab)
	const pairs = 256
	for range pairs {
		p := distinct[rng.IntN(len(distinct))]
		for range 2 { // chosen, rejected
			prompts = append(prompts, p)
			r := make([]int, 1+rng.IntN(4))
			for j := range r {
				r[j] = rng.IntN(vocab)
			}
			responses = append(responses, r)
		}
		d := 0.5 + rng.Float64()
		dSum = append(dSum, -d, d) // d loss / d sum for chosen, rejected
	}
	return prompts, responses, dSum
}

// sharedPromptModels returns the float32 model of the shared-prompt test
// and its float64 twin with the gradients of Σ_b dSum_b Sum_b computed.
func sharedPromptModels(t *testing.T) (m32, m64 *pythia.Model, prompts, responses [][]int, dSum []float64) {
	t.Helper()
	cfg := variants[0].config()
	m32, m64 = randomPair(t, cfg, 99)
	prompts, responses, dSum = sharedPromptBatch(cfg.VocabSize)
	want := m64.SequenceLogProbs(prompts, responses)
	loss := autograd.Sum(autograd.Mul(want.Sum, autograd.Const(tensor.FromFloat64s(dSum, len(dSum)))))
	loss.Backward()
	return m32, m64, prompts, responses, dSum
}

// engineGrads runs the engine's SequenceLogProbs and Backward on the batch
// from zeroed gradients and returns the float32 model's gradients.
func engineGrads(t *testing.T, e *Engine, m32 *pythia.Model, prompts, responses [][]int, dSum []float64) [][]float32 {
	t.Helper()
	zeroGrads(m32.Params())
	e.SequenceLogProbs(prompts, responses)
	e.Backward(dSum)
	var g [][]float32
	for _, p := range m32.Params() {
		require.NotNil(t, p.Value.Grad, "%s: no gradient", p.Name)
		g = append(g, append([]float32(nil), p.Value.Grad.Float32s()...))
	}
	return g
}

// relL2 is ||got - want||_2 / ||want||_2.
func relL2(got []float32, want []float64) float64 {
	var d, w float64
	for i := range got {
		e := float64(got[i]) - want[i]
		d += e * e
		w += want[i] * want[i]
	}
	if d == 0 {
		return 0
	}
	return math.Sqrt(d / w)
}

// TestSharedPromptGradientsRepeatable is the regression test of the final
// LayerNorm race: 256 pairs sharing 6 prompts, gradients of every
// parameter within 1e-5 (relative L2) of the float64 model in 20 of 20
// runs, and bit-identical from run to run.
func TestSharedPromptGradientsRepeatable(t *testing.T) {
	m32, m64, prompts, responses, dSum := sharedPromptModels(t)
	e, err := New(m32, len(prompts), 16)
	require.NoError(t, err)
	p64 := m64.Params()
	var first [][]float32
	for run := range 20 {
		g := engineGrads(t, e, m32, prompts, responses, dSum)
		for i, p := range m32.Params() {
			assert.LessOrEqual(t, relL2(g[i], p64[i].Value.Grad.Float64s()), 1e-5, "run %d: grad %s", run, p.Name)
		}
		if first == nil {
			first = g
			continue
		}
		require.Equal(t, first, g, "run %d: gradients differ from run 0 with GOMAXPROCS %d", run, runtime.GOMAXPROCS(0))
	}
}

// gradDigestEnv names the environment variable that makes
// TestSharedPromptGradientsAcrossGOMAXPROCS's child print its digest.
const gradDigestEnv = "DAA_FAST_GRAD_DIGEST"

// TestSharedPromptGradientsAcrossGOMAXPROCS reruns the shared-prompt
// gradient computation in child processes with GOMAXPROCS 1, 2 and 4
// (the worker pool sizes itself once per process), each twice: within a
// GOMAXPROCS the gradients are bit-identical, and every child agrees with
// the float64 model to 1e-5.
func TestSharedPromptGradientsAcrossGOMAXPROCS(t *testing.T) {
	if os.Getenv(gradDigestEnv) != "" {
		m32, m64, prompts, responses, dSum := sharedPromptModels(t)
		e, err := New(m32, len(prompts), 16)
		require.NoError(t, err)
		g := engineGrads(t, e, m32, prompts, responses, dSum)
		h := fnv.New64a()
		worst := 0.0
		for i, p := range m64.Params() {
			worst = math.Max(worst, relL2(g[i], p.Value.Grad.Float64s()))
			for _, v := range g[i] {
				_ = binary.Write(h, binary.LittleEndian, math.Float32bits(v))
			}
		}
		fmt.Printf("digest %x worst %g\n", h.Sum64(), worst)
		return
	}
	if testing.Short() {
		t.Skip("skipped in -short mode: starts 6 child processes")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	for _, procs := range []int{1, 2, 4} {
		var digests []string
		for range 2 {
			cmd := exec.Command(exe, "-test.run=^TestSharedPromptGradientsAcrossGOMAXPROCS$", "-test.count=1")
			cmd.Env = append(os.Environ(), gradDigestEnv+"=1", fmt.Sprintf("GOMAXPROCS=%d", procs))
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "GOMAXPROCS=%d child:\n%s", procs, out)
			var digest string
			var worst float64
			for _, line := range strings.Split(string(out), "\n") {
				if _, err := fmt.Sscanf(line, "digest %s worst %g", &digest, &worst); err == nil {
					break
				}
			}
			require.NotEmpty(t, digest, "GOMAXPROCS=%d child printed no digest:\n%s", procs, out)
			assert.LessOrEqual(t, worst, 1e-5, "GOMAXPROCS=%d: worst relative L2 gradient error", procs)
			digests = append(digests, digest)
		}
		assert.Equal(t, digests[0], digests[1], "GOMAXPROCS=%d: two runs gave different gradients", procs)
	}
}
