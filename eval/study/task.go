package study

import "github.com/daalab/daa/pythia"

// A Task supplies what a study trains and judges: the reference policy of
// each (model size, seed) cell, its preference pairs, its evaluation
// prompts and a judge of samples. The synthetic summarisation task
// (NewSynthetic) trains the reference with SFT and judges with its exact
// gold reward; the real mode (NewReal) loads a model and preference data
// and judges with an LLM.
type Task interface {
	// Prepare returns the cell of one model size and seed. It calls step
	// once per unit of work it does (SFT steps), PrepareSteps(size) times
	// in all.
	// Prepare is called once per cell, possibly for several cells at the
	// same time.
	Prepare(size string, seed uint64, step func()) (*Cell, error)
	// PrepareSteps is the number of step calls of one Prepare of a size.
	PrepareSteps(size string) int
	// TrainPairs is the number of training pairs of every cell.
	TrainPairs() int
	// SortSizes orders model sizes from the smallest model to the largest.
	SortSizes(sizes []string) []string
	// ReportNote is a section inserted below the report's title ("" for
	// none): what differs from the synthetic study the report describes.
	ReportNote() string
}

// Pair is a preference pair as token ids; the responses end with EOS
// (unless truncation cut it).
type Pair struct {
	Prompt, Chosen, Rejected []int
}

// PairSums are log p(y|x) of the chosen and rejected responses of pairs,
// summed over the response tokens (EOS included), one entry per pair.
type PairSums struct {
	Chosen, Rejected []float64
}

// Cell is the reference policy and data shared by the runs of one (size,
// seed): every run starts from Reference (which no run modifies), trains on
// Train, and is evaluated by sampling Prompts and judging the samples.
type Cell struct {
	Reference      *pythia.Model
	Train, HeldOut []Pair
	// RefHeldOut are the reference's log-probs of the held-out pairs; Run
	// computes them when nil. (The training pairs' are align/train's
	// precomputed reference cache, in Options.Out/ref_logps.)
	RefHeldOut   *PairSums
	Prompts      [][]int // evaluation prompts, one sampling row each per Options.SamplesPerEval
	Judge        Judge
	EOS          int // ends every response
	MaxNewTokens int // tokens sampled per evaluation response
	// MaxResponse is the data's longest response (tokens before EOS):
	// frac_over_max counts samples longer than this.
	MaxResponse int
	// Engine sizes: EvalRows sequences per scoring or sampling pass, and the
	// longest training (TrainSeq) and scored or sampled (EvalSeq) sequence.
	EvalRows, TrainSeq, EvalSeq int
	// Epochs over Train, MicroBatch pairs per forward/backward pass (a
	// divisor of Options.DAABatch, reached by gradient accumulation), and
	// the global gradient-norm clipping (0: none) of the DAA runs.
	Epochs, MicroBatch int
	MaxGradNorm        float64
	// Support is the data's responses for the out-of-distribution columns
	// (ood_share, in_support_mass); nil leaves them NaN.
	Support *Support
}

// Sample is one sampled response: its tokens before EOS and whether it
// ended with EOS.
type Sample struct {
	Tokens  []int
	Stopped bool
}

// A Judge scores the samples of one checkpoint: samples[i] holds the
// samples of evaluation prompt i.
type Judge interface {
	Judge(samples [][]Sample) (Judgement, error)
}

// Judgement is a judge's verdict on one checkpoint's samples.
type Judgement struct {
	WinRate, WinRateSE float64 // against the prompts' references, ties counting one half
	GoldReward         float64 // mean gold reward of the samples (0 when there is none)
	Junk               float64 // junk tokens per sample
}
