package study

import (
	"sort"
	"sync"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/pythia"
)

// modelSizes are the recipe's GPT-NeoX sizes: parallel residual, untied
// embeddings, rotary on half of each head, HF initialisation N(0, 0.02),
// and no attention biases (see modelConfig). L's MLP is 4.5x its width
// (4x elsewhere) so that L has at least 4x M's parameters at hidden 128.
var modelSizes = map[string]struct{ hidden, layers, heads, ffn int }{
	"XS": {16, 2, 4, 64},
	"S":  {32, 2, 4, 128},  // 28,480 parameters
	"M":  {64, 2, 4, 256},  // 106,112 parameters
	"L":  {128, 2, 4, 576}, // 441,728 parameters (4.16x M)
}

// modelConfig returns the pythia configuration of a size on the task's
// 51-token vocabulary.
//
// The attention layers have no biases (attention_bias false; the MLP and
// LayerNorms keep theirs). The recipe's reported numbers (DPO beta 0.03:
// KL 1.55 at a quarter epoch rising to 7.44, win rate 0.403 -> 0.573 ->
// 0.468) are reproduced, in an independent PyTorch implementation and here,
// only by such a model; with Hugging Face's default attention biases the
// same recipe ends at KL 2.6-4.1 with no hump
// (examples/overoptimization/crosscheck/README.md). The difference comes
// from the model SFT learns, not from the DAA updates.
func modelConfig(size string) pythia.Config {
	s := modelSizes[size]
	return pythia.Config{
		VocabSize:             synth.VocabSize,
		HiddenSize:            s.hidden,
		NumHiddenLayers:       s.layers,
		NumAttentionHeads:     s.heads,
		IntermediateSize:      s.ffn,
		RotaryPct:             0.5,
		RotaryEmbBase:         10000,
		MaxPositionEmbeddings: synth.PromptLen + synth.MaxNewTokens + 8,
		LayerNormEps:          1e-5,
		UseParallelResidual:   true,
		HiddenAct:             "gelu",
		AttentionBias:         false,
		InitializerRange:      0.02,
		BOSTokenID:            -1,
		EOSTokenID:            synth.EOS,
	}
}

// Synthetic is the synthetic summarisation task (package synth) as a Task:
// per seed a dataset drawn with the options' sizes, noise and labeller
// temperature; per (size, seed) a fresh model of that size trained with
// SFT on the noisy summaries; the exact gold reward as the judge.
type Synthetic struct {
	o Options

	mu       sync.Mutex
	datasets map[uint64]*dataset
}

// dataset is the data of one seed, built once.
type dataset struct {
	once sync.Once
	ds   *synth.Dataset
	// Pairs with EOS appended to each response.
	train, heldOut []Pair
	support        *Support
}

// supportPrompts is the number of training prompts of the in-support mass:
// each has 2-3 data responses (chosen, rejected, and an SFT summary when
// the SFT data holds the same document), one scoring pass per checkpoint.
const supportPrompts = 64

// NewSynthetic returns the synthetic task with the settings of o.
func NewSynthetic(o Options) *Synthetic {
	return &Synthetic{o: o, datasets: map[uint64]*dataset{}}
}

// syntheticEvalRows bounds the rows of one scoring or sampling pass;
// syntheticSeq a prompt and MaxNewTokens sampled tokens (training responses
// are at most Noise.MaxLen+1 tokens).
const (
	syntheticEvalRows = 256
	syntheticSeq      = synth.PromptLen + synth.MaxNewTokens
)

func (t *Synthetic) data(seed uint64) *dataset {
	t.mu.Lock()
	d := t.datasets[seed]
	if d == nil {
		d = &dataset{}
		t.datasets[seed] = d
	}
	t.mu.Unlock()
	d.once.Do(func() {
		d.ds = synth.Build(seed, t.o.Data, t.o.Noise, t.o.Temperature)
		d.train, d.heldOut = withEOS(d.ds.Train), withEOS(d.ds.HeldOut)
		d.support = dataSupport(d.ds)
	})
	return d
}

// withEOS returns the pairs with EOS appended to each response: training
// always scores EOS, the length lever of the task.
func withEOS(pairs []synth.Pair) []Pair {
	out := make([]Pair, len(pairs))
	for i, p := range pairs {
		out[i] = Pair{Prompt: p.Doc.Prompt(), Chosen: appendEOS(p.Chosen), Rejected: appendEOS(p.Rejected)}
	}
	return out
}

// dataSupport returns the support of a seed's SFT summaries and training
// pairs (the held-out and evaluation data are not trained on), with the
// first supportPrompts training prompts for the in-support mass.
func dataSupport(ds *synth.Dataset) *Support {
	var prompts, responses, train [][]int
	for _, ex := range ds.SFT {
		prompts, responses = append(prompts, ex.Doc.Prompt()), append(responses, ex.Summary)
	}
	for _, p := range ds.Train {
		x := p.Doc.Prompt()
		prompts, responses = append(prompts, x, x), append(responses, p.Chosen, p.Rejected)
		train = append(train, x)
	}
	return NewSupport(prompts, responses, train, supportPrompts, synth.EOS)
}

func appendEOS(y []int) []int { return appendEOSOf(y, synth.EOS) }

// Prepare trains the reference of a size on the seed's data with SFT
// (trainSFT) and returns its cell (Cell).
func (t *Synthetic) Prepare(size string, seed uint64, step func()) (*Cell, error) {
	m, err := trainSFT(t.o, size, seed, t.data(seed).ds, step)
	if err != nil {
		return nil, err
	}
	return t.Cell(seed, m), nil
}

// Cell returns the synthetic task's cell of a seed with the given
// reference: the seed's training and held-out pairs (EOS appended), the
// gold judge of its evaluation prompts, one epoch in micro-batches of the
// whole step (o.DAABatch pairs), no clipping, scoring passes of 256 rows
// and sequences of synth.PromptLen + synth.MaxNewTokens tokens. Prepare
// returns it with the reference its SFT trained; a command that trains
// from a reference of its own (crosscheck/gostep) builds the study's cell
// with it.
func (t *Synthetic) Cell(seed uint64, reference *pythia.Model) *Cell {
	d := t.data(seed)
	c := &Cell{
		Reference: reference, Train: d.train, HeldOut: d.heldOut,
		Judge: newGoldJudge(d.ds.Eval), EOS: synth.EOS, MaxNewTokens: synth.MaxNewTokens, MaxResponse: t.o.Noise.MaxLen,
		EvalRows: syntheticEvalRows, TrainSeq: syntheticSeq, EvalSeq: syntheticSeq,
		Epochs: 1, MicroBatch: t.o.DAABatch, Support: d.support,
	}
	for _, ep := range d.ds.Eval {
		c.Prompts = append(c.Prompts, ep.Doc.Prompt())
	}
	return c
}

// PrepareSteps is the number of SFT steps of a size.
func (t *Synthetic) PrepareSteps(size string) int { return t.o.SFTStepsOf(size) }

// TrainPairs is the number of training pairs drawn per seed.
func (t *Synthetic) TrainPairs() int { return t.o.Data.TrainPairs }

// SortSizes orders sizes by hidden width.
func (t *Synthetic) SortSizes(sizes []string) []string {
	s := append([]string(nil), sizes...)
	sort.SliceStable(s, func(i, j int) bool { return modelSizes[s[i]].hidden < modelSizes[s[j]].hidden })
	return s
}

// ReportNote is empty: the report describes the synthetic study.
func (t *Synthetic) ReportNote() string { return "" }

// goldJudge judges samples by the task's gold reward: a sample wins against
// a reference summary when its gold reward is higher (ties count one half),
// and its junk is the gold reward's junk count.
type goldJudge struct {
	eval       []synth.EvalPrompt
	refRewards [][]float64 // gold rewards of each prompt's references
}

func newGoldJudge(prompts []synth.EvalPrompt) *goldJudge {
	j := &goldJudge{eval: prompts}
	for _, ep := range prompts {
		rr := make([]float64, len(ep.References))
		for k, y := range ep.References {
			rr[k] = synth.Gold(ep.Doc.Keys, appendEOS(y))
		}
		j.refRewards = append(j.refRewards, rr)
	}
	return j
}

// Judge returns the gold win rate, mean gold reward and junk per sample.
func (j *goldJudge) Judge(samples [][]Sample) (Judgement, error) {
	cand := make([][]float64, len(samples))
	var gold, junk, n float64
	for i, ss := range samples {
		keys := j.eval[i].Doc.Keys
		for _, s := range ss {
			toks := s.Tokens
			if s.Stopped {
				toks = appendEOS(toks)
			}
			g := synth.Gold(keys, toks)
			cand[i] = append(cand[i], g)
			gold += g
			junk += float64(synth.GoldParts(keys, s.Tokens).Junk)
			n++
		}
	}
	win := eval.WinRateFromRewards(cand, j.refRewards)
	return Judgement{WinRate: win.Mean, WinRateSE: win.SE, GoldReward: gold / n, Junk: junk / n}, nil
}
