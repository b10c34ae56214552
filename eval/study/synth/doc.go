// Package synth is the synthetic summarisation task with a known gold reward
// on which the flagship example reproduces reward over-optimization
// (reference/overoptimization-recipe.md in the shared reference data).
//
// A document is 12..20 tokens holding k in {2,3,4} distinct key tokens among
// filler tokens; a summary should list the document's keys, in order, with
// nothing else, and end with EOS. The gold reward
//
//	recall + 0.25*order_ok*recall - 0.3*junk - 0.5*[no EOS within 16 tokens]
//
// is known exactly, so over-optimization is measured rather than judged.
// The "human" data come from a noisy generator that mostly writes short,
// incomplete summaries: inside the data, longer is almost always better,
// while evidence that stopping after full coverage is good is rare. A direct
// alignment algorithm extrapolates along length and junk past the point
// where it stops helping, which is the mechanism behind the paper's hump.
package synth
