package synth

import "math/rand/v2"

// Sizes sets how much data Build draws.
type Sizes struct {
	SFT         int // SFT examples (document, noisy summary): 30000
	TrainPairs  int // preference pairs for training: 8000
	HeldOut     int // held-out pairs for implicit-reward accuracy: 512
	EvalPrompts int // held-out documents for sampling and win rates: 512
	References  int // fixed reference summaries per evaluation document: 4
}

// DefaultSizes are the recipe's data sizes.
var DefaultSizes = Sizes{SFT: 30000, TrainPairs: 8000, HeldOut: 512, EvalPrompts: 512, References: 4}

// Example is one SFT example: a document and a noisy summary (no EOS).
type Example struct {
	Doc     Doc
	Summary []int
}

// EvalPrompt is a held-out document with its fixed reference summaries.
type EvalPrompt struct {
	Doc        Doc
	References [][]int // noisy "human" summaries, without EOS
}

// Dataset is everything one run of the study needs.
type Dataset struct {
	SFT     []Example
	Train   []Pair
	HeldOut []Pair
	Eval    []EvalPrompt
}

// Build draws a dataset from independent seeded streams (one per part, so
// changing one size leaves the other parts unchanged). The labeller's
// Bradley-Terry temperature is temperature (0.15 in the recipe).
func Build(seed uint64, sizes Sizes, nz Noise, temperature float64) *Dataset {
	stream := func(part uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, part)) }
	ds := &Dataset{}
	r := stream(1)
	for range sizes.SFT {
		d := NewDoc(r)
		ds.SFT = append(ds.SFT, Example{Doc: d, Summary: nz.Summary(r, d)})
	}
	r = stream(2)
	for range sizes.TrainPairs {
		ds.Train = append(ds.Train, nz.NewPair(r, temperature))
	}
	r = stream(3)
	for range sizes.HeldOut {
		ds.HeldOut = append(ds.HeldOut, nz.NewPair(r, temperature))
	}
	r = stream(4)
	for range sizes.EvalPrompts {
		d := NewDoc(r)
		ep := EvalPrompt{Doc: d}
		for range sizes.References {
			ep.References = append(ep.References, nz.Summary(r, d))
		}
		ds.Eval = append(ds.Eval, ep)
	}
	return ds
}
