package study

import (
	"encoding/binary"
	"math"
)

// Support is the data a cell's policy learned from, for the two
// out-of-distribution measures of every checkpoint (the paper traces
// over-optimization to probability mass moving onto responses the
// preference data never contains):
//
//	ood_share       = #{sampled responses y (tokens before EOS) with y in no response of the data} / #samples
//	in_support_mass = mean over Prompts[i] of  sum_j p(Responses[i][j] | Prompts[i])
//
// The match is exact on the token sequence, with any prompt.
type Support struct {
	// Seen holds every response of the SFT and preference data (tokens
	// before EOS) under responseKey.
	Seen map[string]bool
	// Prompts is a fixed subset of the training prompts and Responses[i]
	// the distinct responses the data gives Prompts[i], each ending with
	// EOS (so p(y|x) is the probability of sampling exactly y).
	Prompts   [][]int
	Responses [][][]int
}

// responseKey is the map key of a token sequence: 4 bytes per token.
func responseKey(y []int) string {
	b := make([]byte, 4*len(y))
	for i, t := range y {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(t))
	}
	return string(b)
}

// NewSupport returns the support of a cell's data: responses are the
// responses of the SFT and preference data, tokens before EOS, each with
// the prompt it answers (prompts[k] answers responses[k]; it panics if the
// lengths differ); the first nPrompts distinct prompts of subset (the
// training prompts, in data order) are the in-support mass's prompts, each
// with its distinct responses plus eos.
func NewSupport(prompts, responses [][]int, subset [][]int, nPrompts, eos int) *Support {
	if len(prompts) != len(responses) {
		panic("study: NewSupport: prompts and responses differ in length")
	}
	s := &Support{Seen: map[string]bool{}}
	byPrompt := map[string][][]int{}
	seenPair := map[string]bool{}
	for k, y := range responses {
		ky := responseKey(y)
		s.Seen[ky] = true
		kp := responseKey(prompts[k])
		if pair := kp + "|" + ky; !seenPair[pair] {
			seenPair[pair] = true
			byPrompt[kp] = append(byPrompt[kp], appendEOSOf(y, eos))
		}
	}
	taken := map[string]bool{}
	for _, x := range subset {
		if len(s.Prompts) == nPrompts {
			break
		}
		kx := responseKey(x)
		if taken[kx] || len(byPrompt[kx]) == 0 {
			continue
		}
		taken[kx] = true
		s.Prompts = append(s.Prompts, x)
		s.Responses = append(s.Responses, byPrompt[kx])
	}
	return s
}

// appendEOSOf returns a copy of y with eos appended.
func appendEOSOf(y []int, eos int) []int { return append(append(make([]int, 0, len(y)+1), y...), eos) }

// oodShare returns the share of samples (tokens before EOS) that are not in
// seen; NaN for no samples or a nil support.
func oodShare(s *Support, samples [][]int) float64 {
	if s == nil || len(samples) == 0 {
		return math.NaN()
	}
	out := 0
	for _, y := range samples {
		if !s.Seen[responseKey(y)] {
			out++
		}
	}
	return float64(out) / float64(len(samples))
}

// inSupportMass returns the mean over the support's prompts of the policy's
// total probability of the prompt's data responses, sum_j exp(log p(y_j|x)),
// scoring at most sc's MaxBatch sequences per pass; NaN for a nil support
// or one without prompts.
func inSupportMass(sc *scorer, s *Support) float64 {
	if s == nil || len(s.Prompts) == 0 {
		return math.NaN()
	}
	var prompts, responses [][]int
	var owner []int
	for i, x := range s.Prompts {
		for _, y := range s.Responses[i] {
			prompts, responses, owner = append(prompts, x), append(responses, y), append(owner, i)
		}
	}
	mass := make([]float64, len(s.Prompts))
	batch := sc.eng.MaxBatch()
	for lo := 0; lo < len(prompts); lo += batch {
		hi := min(lo+batch, len(prompts))
		sums, _ := sc.sums(prompts[lo:hi], responses[lo:hi], false)
		for k, lp := range sums {
			mass[owner[lo+k]] += math.Exp(lp)
		}
	}
	var m float64
	for _, v := range mass {
		m += v
	}
	return m / float64(len(mass))
}
