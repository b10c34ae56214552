// Package task is the old import path of the synthetic summarisation task,
// now package github.com/daalab/daa/eval/study/synth. It names what
// crosscheck/gostep still imports from here.
//
// Deprecated: import github.com/daalab/daa/eval/study/synth.
package task

import "github.com/daalab/daa/eval/study/synth"

// The task's vocabulary and lengths (see synth).
const (
	EOS          = synth.EOS
	PromptLen    = synth.PromptLen
	MaxNewTokens = synth.MaxNewTokens
	VocabSize    = synth.VocabSize
)

type (
	Dataset = synth.Dataset // see synth.Dataset
	Pair    = synth.Pair    // see synth.Pair
)

// DefaultNoise and DefaultSizes are synth's.
var (
	DefaultNoise = synth.DefaultNoise
	DefaultSizes = synth.DefaultSizes
)

// Build is synth.Build.
func Build(seed uint64, sizes synth.Sizes, nz synth.Noise, temperature float64) *Dataset {
	return synth.Build(seed, sizes, nz, temperature)
}
