package pythia

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// SampleOptions choose how the next token is drawn from the logits, in
// Hugging Face's order: temperature, then top-k, then top-p.
type SampleOptions struct {
	// Temperature divides the logits before sampling; 0 means greedy
	// decoding (the most likely token; TopK and TopP are then ignored).
	Temperature float64
	// TopK keeps only the TopK highest-scoring tokens (ties with the K-th
	// are kept, as Hugging Face does); 0 keeps all.
	TopK int
	// TopP keeps the most likely tokens whose cumulative probability reaches
	// TopP (Hugging Face's rule: sorted ascending, a token is dropped while
	// the cumulative probability up to it is <= 1 - TopP; the most likely
	// token is always kept); 0 or 1 keeps all.
	TopP float64
}

// sampler draws tokens from rows of logits, reusing its buffers across
// draws. Generate keeps one per row, so that rows are sampled in parallel.
type sampler struct {
	z      []float64 // tempered logits
	keep   []bool    // tokens still allowed
	sorted []float64 // for the top-k threshold
	order  []int     // kept tokens in ascending order, for top-p
}

// sample draws a token from logits [V] under o with rng (unused for greedy
// decoding) and returns it with its log-probability under the distribution
// it was drawn from (after temperature, top-k and top-p; 0 for greedy
// decoding) and under the model, log_softmax(logits).
func (s *sampler) sample(logits []float64, o SampleOptions, rng *rand.Rand) (tok int, sampleLogProb, modelLogProb float64) {
	lse := logSumExp(logits, nil)
	if o.Temperature == 0 {
		tok = argmax(logits)
		return tok, 0, logits[tok] - lse
	}
	n := len(logits)
	s.z, s.keep = resize(s.z, n), resize(s.keep, n)
	for i, v := range logits {
		s.z[i] = v / o.Temperature
		s.keep[i] = true
	}
	z, keep := s.z, s.keep
	if o.TopK > 0 && o.TopK < n {
		s.sorted = append(s.sorted[:0], z...)
		slices.Sort(s.sorted)
		kth := s.sorted[n-o.TopK]
		for i, v := range z {
			keep[i] = v >= kth
		}
	}
	if o.TopP > 0 && o.TopP < 1 {
		s.dropLeastLikely(o.TopP)
	}
	// p_i = exp(z_i - lse_kept) over the kept tokens; draw by inverse CDF.
	kept := logSumExp(z, keep)
	u := rng.Float64()
	tok = -1
	var cum float64
	for i, v := range z {
		if !keep[i] {
			continue
		}
		tok = i // the last kept token absorbs rounding in the sum
		cum += math.Exp(v - kept)
		if u < cum {
			break
		}
	}
	return tok, z[tok] - kept, logits[tok] - lse
}

// dropLeastLikely applies the top-p rule to the kept tokens: in ascending
// order of probability (softmax over the kept tokens), drop each token
// while the cumulative probability up to and including it is <= 1 - topP,
// never the most likely one.
func (s *sampler) dropLeastLikely(topP float64) {
	z, keep := s.z, s.keep
	s.order = s.order[:0]
	for i := range z {
		if keep[i] {
			s.order = append(s.order, i)
		}
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return cmp.Compare(z[a], z[b]) })
	lse := logSumExp(z, keep)
	var cum float64
	for _, i := range s.order[:len(s.order)-1] {
		cum += math.Exp(z[i] - lse)
		if cum > 1-topP {
			break
		}
		keep[i] = false
	}
}

// logSumExp returns log(sum(exp(x_i))) over the i with keep[i] (all when
// keep is nil), with the maximum subtracted first.
func logSumExp(x []float64, keep []bool) float64 {
	m := math.Inf(-1)
	for i, v := range x {
		if keep == nil || keep[i] {
			m = math.Max(m, v)
		}
	}
	var s float64
	for i, v := range x {
		if keep == nil || keep[i] {
			s += math.Exp(v - m)
		}
	}
	return m + math.Log(s)
}

// argmax returns the index of the first largest value (torch.argmax's choice).
func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// resize returns s with length n, reallocating only when it is too short.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
