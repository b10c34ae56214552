package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markovChain is a tiny autoregressive "language model" over tokens 0..2 and
// EOS = 3: the next-token distribution depends on the prompt (for the first
// token) or on the previous token. Sequences end at EOS or after maxLen
// tokens, so every distribution over sequences is finite and enumerable.
type markovChain struct {
	first [][]float64 // first[prompt] = next-token probabilities after the prompt
	next  [][]float64 // next[prev] = next-token probabilities after token prev (0..2)
}

const (
	chainEOS    = 3
	chainMaxLen = 4
)

func (m markovChain) dist(prompt int, prefix []int) []float64 {
	if len(prefix) == 0 {
		return m.first[prompt]
	}
	return m.next[prefix[len(prefix)-1]]
}

func (m markovChain) sample(rng *rand.Rand, prompt int) []int {
	var y []int
	for len(y) < chainMaxLen {
		u, tok := rng.Float64(), 0
		for d := m.dist(prompt, y); tok < len(d)-1 && u >= d[tok]; tok++ {
			u -= d[tok]
		}
		y = append(y, tok)
		if tok == chainEOS {
			break
		}
	}
	return y
}

// logProbs returns log m(y_t | prompt, y_<t) for each token of y.
func (m markovChain) logProbs(prompt int, y []int) []float64 {
	lp := make([]float64, len(y))
	for t := range y {
		lp[t] = math.Log(m.dist(prompt, y[:t])[y[t]])
	}
	return lp
}

// logRows returns the (T, 4) matrix of next-token log-probs along y.
func (m markovChain) logRows(prompt int, y []int) []float64 {
	var rows []float64
	for t := range y {
		for _, p := range m.dist(prompt, y[:t]) {
			rows = append(rows, math.Log(p))
		}
	}
	return rows
}

// enumerate calls f with every possible sequence for the prompt and its
// probability under m.
func (m markovChain) enumerate(prompt int, f func(y []int, prob float64)) {
	var walk func(y []int, prob float64)
	walk = func(y []int, prob float64) {
		if len(y) == chainMaxLen || (len(y) > 0 && y[len(y)-1] == chainEOS) {
			f(y, prob)
			return
		}
		for tok, p := range m.dist(prompt, y) {
			walk(append(y[:len(y):len(y)], tok), prob*p)
		}
	}
	walk(nil, 1)
}

var (
	chainP = markovChain{
		first: [][]float64{{0.5, 0.3, 0.15, 0.05}, {0.1, 0.6, 0.2, 0.1}},
		next:  [][]float64{{0.2, 0.5, 0.2, 0.1}, {0.3, 0.1, 0.3, 0.3}, {0.25, 0.25, 0.1, 0.4}},
	}
	chainQ = markovChain{
		first: [][]float64{{0.25, 0.25, 0.25, 0.25}, {0.3, 0.3, 0.3, 0.1}},
		next:  [][]float64{{0.4, 0.3, 0.1, 0.2}, {0.2, 0.2, 0.2, 0.4}, {0.1, 0.5, 0.3, 0.1}},
	}
)

// exactChainKL returns, by enumerating every sequence, the exact KL(p||q) =
// sum_y p(y) log(p(y)/q(y)) averaged over prompts 0 and 1, and the exact
// expectations under p of the three per-sequence estimators.
func exactChainKL(p, q markovChain) (kl, ek1, ek2, ek3 float64) {
	for prompt := range 2 {
		p.enumerate(prompt, func(y []int, prob float64) {
			var logP, logQ float64
			for t := range y {
				logP += math.Log(p.dist(prompt, y[:t])[y[t]])
				logQ += math.Log(q.dist(prompt, y[:t])[y[t]])
			}
			kl += 0.5 * prob * (logP - logQ)
			k1, k2, k3 := SequenceKL(p.logProbs(prompt, y), q.logProbs(prompt, y))
			ek1 += 0.5 * prob * k1
			ek2 += 0.5 * prob * k2
			ek3 += 0.5 * prob * k3
		})
	}
	return kl, ek1, ek2, ek3
}

// TestKLEstimatorsUnbiased checks by exact enumeration of the tiny Markov
// chain that k1 and k3 are unbiased for the sequence KL (tolerance 1e-12) and
// that k2 is not (it differs by more than 0.01 nats here).
func TestKLEstimatorsUnbiased(t *testing.T) {
	for _, dir := range []struct {
		name string
		p, q markovChain
	}{{"reverse", chainP, chainQ}, {"forward", chainQ, chainP}} {
		kl, ek1, ek2, ek3 := exactChainKL(dir.p, dir.q)
		require.Greater(t, kl, 0.05, "%s: test chains too close", dir.name)
		assert.InDelta(t, kl, ek1, 1e-12, "%s: E[k1] vs the exact KL", dir.name)
		assert.InDelta(t, kl, ek3, 1e-12, "%s: E[k3] vs the exact KL", dir.name)
		assert.GreaterOrEqual(t, math.Abs(ek2-kl), 0.01, "%s: E[k2] = %v unexpectedly equals KL %v: the test no longer shows k2's bias", dir.name, ek2, kl)
	}
}

// sampleChain draws perPrompt sequences from s for each of 200 prompts (prompt
// i starts the chain with first[i%2], so the exact KL is the average over the
// two kinds) and returns their log-probs under s and under o, their
// next-token log-prob rows, and their prompt ids.
func sampleChain(seed uint64, s, o markovChain, perPrompt int) (ls, lo, rowsS, rowsO [][]float64, clusters []int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for prompt := range 200 {
		kind := prompt % 2
		for range perPrompt {
			y := s.sample(rng, kind)
			ls = append(ls, s.logProbs(kind, y))
			lo = append(lo, o.logProbs(kind, y))
			rowsS = append(rowsS, s.logRows(kind, y))
			rowsO = append(rowsO, o.logRows(kind, y))
			clusters = append(clusters, prompt)
		}
	}
	return
}

// TestSampledKLMarkovChain checks the Monte Carlo estimates of reverse and
// forward KL against exact enumeration: k1, k3 and the exact-step estimate
// must lie within 3 standard errors of the exact KL, and k2 within 3 SE of
// its own exact expectation, for three fixed PCG seeds.
func TestSampledKLMarkovChain(t *testing.T) {
	const perPrompt = 50
	for _, seed := range []uint64{1, 2, 3} {
		for _, dir := range []string{"reverse", "forward"} {
			// pi = chainP, pi_ref = chainQ. Reverse KL samples pi; forward KL
			// samples pi_ref, so the sampler and the other model swap.
			p, q := chainP, chainQ
			if dir == "forward" {
				p, q = chainQ, chainP
			}
			kl, _, ek2, _ := exactChainKL(p, q)
			ls, lo, rowsS, rowsO, clusters := sampleChain(seed, p, q, perPrompt)
			var est KLEstimate
			if dir == "reverse" {
				est = ReverseKL(ls, lo, clusters) // ls: pi on pi's samples, lo: pi_ref on them
			} else {
				est = ForwardKL(ls, lo, clusters) // ls: pi_ref on pi_ref's samples, lo: pi on them
			}
			exact := ExactStepKL(rowsS, rowsO, 4, clusters)
			for _, c := range []struct {
				name string
				e    Estimate
				want float64
			}{{"k1", est.K1, kl}, {"k3", est.K3, kl}, {"k2", est.K2, ek2}, {"exact-step", exact, kl}} {
				assert.InDelta(t, c.want, c.e.Mean, 3*c.e.SE, "seed %d %s %s: %v vs exact, want within 3 SE", seed, dir, c.name, c.e)
			}
			assert.Less(t, exact.SE, est.K1.SE, "seed %d %s: exact-step SE not below k1 SE", seed, dir)
		}
	}
}

// TestSampledKLCategorical checks k1 and k3 on single-token sequences from
// small categorical distributions against KL(p||q) = sum_v p_v log(p_v/q_v)
// computed directly: within 3 standard errors with 20000 samples.
func TestSampledKLCategorical(t *testing.T) {
	cases := []struct{ p, q []float64 }{
		{[]float64{0.5, 0.3, 0.2}, []float64{0.2, 0.5, 0.3}},
		{[]float64{0.9, 0.05, 0.05}, []float64{0.34, 0.33, 0.33}},
		{[]float64{0.25, 0.25, 0.25, 0.25}, []float64{0.24, 0.26, 0.25, 0.25}},
	}
	for i, c := range cases {
		var kl float64
		for v := range c.p {
			kl += c.p[v] * math.Log(c.p[v]/c.q[v])
		}
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		const n = 20000
		ls, lo := make([][]float64, n), make([][]float64, n)
		for s := range n {
			u, v := rng.Float64(), 0
			for ; v < len(c.p)-1 && u >= c.p[v]; v++ {
				u -= c.p[v]
			}
			ls[s] = []float64{math.Log(c.p[v])}
			lo[s] = []float64{math.Log(c.q[v])}
		}
		est := SampledKL(ls, lo, nil)
		for _, e := range []Estimate{est.K1, est.K3} {
			assert.InDelta(t, kl, e.Mean, 3*e.SE, "case %d: estimate %v vs exact, want within 3 SE", i, e)
		}
	}
}

// TestSequenceKLSmallRatio checks that k3's term r - 1 - log r stays accurate
// when r is near 1: for log r = x the term is x^2/2 + x^3/6 + O(x^4); at
// x = 1e-6 the naive formula loses every digit, the expm1 form keeps 1e-9
// relative accuracy.
func TestSequenceKLSmallRatio(t *testing.T) {
	for _, x := range []float64{1e-6, -1e-6, 1e-4} {
		_, k2, k3 := SequenceKL([]float64{0}, []float64{x})
		want := x*x/2 + x*x*x/6 + x*x*x*x/24
		assert.InDelta(t, want, k3, 1e-9*want, "log r = %g: k3 (rel tolerance 1e-9)", x)
		assert.InDelta(t, x*x/2, k2, 1e-15*x*x, "log r = %g: k2", x)
	}
}

func TestSequenceKLPanicsOnLengthMismatch(t *testing.T) {
	assert.Panics(t, func() { SequenceKL([]float64{0, 0}, []float64{0}) }, "SequenceKL with mismatched lengths")
}

func TestSqrtKL(t *testing.T) {
	for _, c := range []struct{ kl, d float64 }{{4, 2}, {0, 0}, {-0.3, 0}, {0.25, 0.5}} {
		assert.Equal(t, c.d, SqrtKL(c.kl), "SqrtKL(%v)", c.kl)
	}
	assert.True(t, math.IsNaN(SqrtKL(math.NaN())), "SqrtKL(NaN) is not NaN")
}
