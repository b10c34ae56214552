package study

import (
	"fmt"
	"math/rand/v2"

	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// trainSFT fits a fresh model of the given size to the noisy summaries:
// AdamW, linear warmup then linear decay to SFTFloor of the rate, clipping,
// mean negative log-likelihood over the response tokens and EOS only (the
// prompt is context). step is called after every optimizer step.
func trainSFT(o Options, size string, seed uint64, ds *synth.Dataset, step func()) (*pythia.Model, error) {
	m, err := pythia.NewRandom(modelConfig(size), tensor.Float32, seed)
	if err != nil {
		return nil, err
	}
	cfg := optim.DefaultAdamW()
	cfg.LR = o.SFTLR
	cfg.Schedule = optim.LinearWarmupDecayToFloor(o.SFTWarmup, o.SFTSteps, o.SFTFloor)
	opt, err := optim.NewAdamW(m.Params(), cfg)
	if err != nil {
		return nil, err
	}
	sc, err := newScorer(m, o.SFTBatch, syntheticSeq, true)
	if err != nil {
		return nil, err
	}
	deal := newShuffler(len(ds.SFT), rand.New(rand.NewPCG(seed, 0x5f7)))
	prompts := make([][]int, o.SFTBatch)
	responses := make([][]int, o.SFTBatch)
	for range o.SFTSteps {
		tokens := 0
		for j, i := range deal.take(o.SFTBatch) {
			ex := ds.SFT[i]
			prompts[j], responses[j] = ex.Doc.Prompt(), appendEOS(ex.Summary)
			tokens += len(responses[j])
		}
		sums, _ := sc.sums(prompts, responses, false)
		// loss = -(sum of response log-probs) / (number of response tokens)
		grad := make([]float64, len(sums))
		for j := range grad {
			grad[j] = -1 / float64(tokens)
		}
		sc.backward(grad)
		if _, err := optim.ClipGradNorm(m.Params(), o.SFTClip, true); err != nil {
			return nil, fmt.Errorf("SFT size %s seed %d: %w", size, seed, err)
		}
		opt.Step()
		opt.ZeroGrad()
		step()
	}
	return m, nil
}

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
