package train

import (
	"fmt"
	"math/rand/v2"
)

// pcgStream is the PCG stream constant of the data-order generator.
const pcgStream = 0x5851f42d4c957f2d

// order is the deterministic order in which training pairs are visited: a
// new permutation of the n pairs at the start of every epoch, drawn with a
// PCG generator seeded by the configuration's seed. Its state (generator,
// current permutation and position) is saved in checkpoints, so a resumed
// run visits the same pairs in the same order.
type order struct {
	n     int
	pcg   *rand.PCG
	rng   *rand.Rand
	perm  []int // the current epoch's permutation; nil before the first epoch
	epoch int   // current epoch, from 0
	pos   int   // pairs of perm already visited
}

func newOrder(n int, seed uint64) *order {
	pcg := rand.NewPCG(seed, pcgStream)
	return &order{n: n, pcg: pcg, rng: rand.New(pcg)}
}

// next returns the indices of the next step's pairs: up to k pairs of the
// current epoch's permutation. A step never spans two epochs (the last step
// of an epoch may be short, as the last batch of a data loader); the next
// epoch's permutation is drawn when the previous one is used up.
func (o *order) next(k int) []int {
	if o.perm == nil || o.pos == o.n {
		if o.perm != nil {
			o.epoch++
		}
		o.perm = make([]int, o.n)
		for i := range o.perm {
			o.perm[i] = i
		}
		o.rng.Shuffle(o.n, func(i, j int) { o.perm[i], o.perm[j] = o.perm[j], o.perm[i] })
		o.pos = 0
	}
	end := min(o.n, o.pos+k)
	idx := o.perm[o.pos:end]
	o.pos = end
	return idx
}

// visited returns the number of pairs visited in all epochs so far.
func (o *order) visited() int {
	if o.perm == nil {
		return 0
	}
	return o.epoch*o.n + o.pos
}

// epochs returns the fractional number of epochs completed (visited / n),
// Hugging Face's logged "epoch".
func (o *order) epochs() float64 { return float64(o.visited()) / float64(o.n) }

// orderState is the saved form of an order.
type orderState struct {
	PCG   []byte `json:"pcg"`   // the generator's state (PCG.MarshalBinary)
	Perm  []int  `json:"perm"`  // the current epoch's permutation (null before the first)
	Epoch int    `json:"epoch"` // current epoch, from 0
	Pos   int    `json:"pos"`   // pairs of perm already visited
}

func (o *order) state() (orderState, error) {
	b, err := o.pcg.MarshalBinary()
	if err != nil {
		return orderState{}, fmt.Errorf("train: data order: %w", err)
	}
	return orderState{PCG: b, Perm: append([]int(nil), o.perm...), Epoch: o.epoch, Pos: o.pos}, nil
}

// restore installs s, checking it against the number of pairs.
func (o *order) restore(s orderState) error {
	if s.Perm != nil && len(s.Perm) != o.n {
		return fmt.Errorf("data order: permutation of %d pairs for a data set of %d", len(s.Perm), o.n)
	}
	if s.Pos < 0 || s.Pos > len(s.Perm) || s.Epoch < 0 {
		return fmt.Errorf("data order: epoch %d, position %d of %d", s.Epoch, s.Pos, len(s.Perm))
	}
	seen := make([]bool, o.n)
	for _, i := range s.Perm {
		if i < 0 || i >= o.n || seen[i] {
			return fmt.Errorf("data order: the saved permutation is not a permutation of 0..%d", o.n-1)
		}
		seen[i] = true
	}
	if err := o.pcg.UnmarshalBinary(s.PCG); err != nil {
		return fmt.Errorf("data order: generator state: %w", err)
	}
	o.perm = s.Perm
	if len(o.perm) == 0 {
		o.perm = nil
	}
	o.epoch, o.pos = s.Epoch, s.Pos
	return nil
}
