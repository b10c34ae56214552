package main

import (
	"math/rand/v2"

	"github.com/daalab/daa/examples/overoptimization/task"
)

// withEOS returns a copy of a response with EOS appended: training always
// scores EOS, the length lever of the task.
func withEOS(y []int) []int { return append(append(make([]int, 0, len(y)+1), y...), task.EOS) }

// shuffler deals indices 0..n-1 in seeded random order, reshuffling at the
// end of every pass.
type shuffler struct {
	rng   *rand.Rand
	order []int
	next  int
}

func newShuffler(n int, rng *rand.Rand) *shuffler {
	s := &shuffler{rng: rng, order: make([]int, n)}
	for i := range s.order {
		s.order[i] = i
	}
	s.shuffle()
	return s
}

func (s *shuffler) shuffle() {
	s.rng.Shuffle(len(s.order), func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
	s.next = 0
}

// take returns the next k indices.
func (s *shuffler) take(k int) []int {
	out := make([]int, 0, k)
	for len(out) < k {
		if s.next == len(s.order) {
			s.shuffle()
		}
		out = append(out, s.order[s.next])
		s.next++
	}
	return out
}

// pairBatch lays out pairs as one batch of 2B sequences, chosen rows first:
// prompts [2B][PromptLen] and responses with EOS.
func pairBatch(pairs []task.Pair) (prompts, responses [][]int) {
	b := len(pairs)
	prompts = make([][]int, 2*b)
	responses = make([][]int, 2*b)
	for i, p := range pairs {
		pr := p.Doc.Prompt()
		prompts[i], prompts[b+i] = pr, pr
		responses[i], responses[b+i] = withEOS(p.Chosen), withEOS(p.Rejected)
	}
	return prompts, responses
}
